"""One GitHub Actions workflow file read into the steps that request cloud credentials.

Composed with PyYAML's safe loader into nodes, never constructed: every scalar stays the text
it was written as (YAML 1.1 would read the ``on:`` key as the boolean true and ``id-token:
write`` is text anyway), and each step keeps its line. Only the few levels a workflow has are
walked and nothing is expanded, so an alias bomb costs what its text costs.

What is read, by the workflow syntax reference
(docs.github.com/actions/reference/workflows-and-actions/workflow-syntax): ``on`` as a string, a
list or a mapping (``push`` with ``branches`` / ``tags``; ``!`` exclusions and the ``-ignore``
forms widen the filter to any ref), the job's ``environment`` (a name or ``{name, url}``) and
``permissions`` (``write-all``, ``read-all`` or a mapping with ``id-token``, the job's over the
workflow's), and each step's ``uses`` and ``with``. The actions and their inputs, from their
READMEs: aws-actions/configure-aws-credentials (``role-to-assume``, ``aws-region``,
``audience``; OIDC when no access key is given), google-github-actions/auth
(``workload_identity_provider``, ``service_account``, ``audience``; not ``credentials_json``,
a key), azure/login (``client-id``, ``tenant-id``, ``subscription-id``, ``audience``; OIDC
when no ``creds`` secret is given). The audience each requests unless told otherwise, from the
same READMEs: ``sts.amazonaws.com``; ``https://iam.googleapis.com/`` and the provider's resource
name; ``api://AzureADTokenExchange``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import yaml

from nhiscan.scanner.model import Provider, WorkflowCredential, WorkflowTrigger


class WorkflowError(ValueError):
    """The file is not a workflow nhiscan can read: why, with the line when there is one."""


@dataclass(frozen=True, slots=True)
class _Action:
    cloud: Provider
    target: str | None  # the input that names the identity
    keeps: tuple[str, ...]  # the inputs kept on the record (none holds a secret)
    keyed: tuple[str, ...]  # inputs that mean a stored key is used instead of the token
    needs: str  # the input without which the step does not exchange a token
    audience: str  # the default ``aud``; ``{}`` stands for the ``needs`` input's value


ACTIONS: Mapping[str, _Action] = {
    "aws-actions/configure-aws-credentials": _Action(
        cloud=Provider.AWS,
        target="role-to-assume",
        keeps=("role-to-assume", "aws-region", "audience"),
        keyed=("aws-access-key-id", "web-identity-token-file"),
        needs="role-to-assume",
        audience="sts.amazonaws.com",
    ),
    "google-github-actions/auth": _Action(
        cloud=Provider.GCP,
        target="service_account",
        keeps=("workload_identity_provider", "service_account", "audience"),
        keyed=("credentials_json",),
        needs="workload_identity_provider",
        audience="https://iam.googleapis.com/{}",
    ),
    "azure/login": _Action(
        cloud=Provider.AZURE,
        target="client-id",
        keeps=("client-id", "tenant-id", "subscription-id", "audience"),
        keyed=("creds",),
        needs="client-id",
        audience="api://AzureADTokenExchange",
    ),
}

_Node = yaml.Node


def parse_workflow(
    content: bytes, *, repository: str, slug: str | None, path: str
) -> Iterator[WorkflowCredential]:
    """The credential requests of one workflow file; WorkflowError when it is not one."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WorkflowError(f"not UTF-8 text ({exc.reason})") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise WorkflowError(f"not valid YAML: {_yaml_problem(exc)}") from None
    if root is None:
        return
    if not isinstance(root, yaml.MappingNode):
        raise WorkflowError("a workflow is a mapping (on:, jobs:); this file is not one")
    top = _entries(root)
    triggers = tuple(_triggers(top.get("on")))
    jobs = top.get("jobs")
    if not isinstance(jobs, yaml.MappingNode):
        return
    workflow_token = _id_token(top.get("permissions"))
    for job_name, job in _entries(jobs).items():
        if isinstance(job, yaml.MappingNode):
            found = _Job(repository, slug, path, job_name, triggers, workflow_token)
            yield from found.steps(_entries(job))


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or type(exc).__name__
    return f"line {mark.line + 1}: {problem}" if mark is not None else str(problem)


def _entries(node: yaml.MappingNode) -> dict[str, _Node]:
    """A mapping's entries by key text (a non-scalar key, which no workflow has, is left out)."""
    return {key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _text(node: _Node | None) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null":
        return str(node.value)
    return None


def _texts(node: _Node | None) -> tuple[str, ...]:
    """A string or a list of strings, as written."""
    single = _text(node)
    if single is not None:
        return (single,)
    if isinstance(node, yaml.SequenceNode):
        return tuple(t for item in node.value if (t := _text(item)) is not None)
    return ()


def _triggers(node: _Node | None) -> Iterator[WorkflowTrigger]:
    for event in _texts(node):
        yield WorkflowTrigger(event=event)
    if isinstance(node, yaml.MappingNode):
        for event, spec in _entries(node).items():
            yield _trigger(event, spec)


def _trigger(event: str, spec: _Node) -> WorkflowTrigger:
    """An event with its ref filters; a filter that excludes (``!x``, ``branches-ignore``)
    is read as any ref: it does not narrow the refs to a list."""
    if not isinstance(spec, yaml.MappingNode):
        return WorkflowTrigger(event=event)
    entries = _entries(spec)
    found: dict[str, tuple[str, ...]] = {}
    for kind in ("branches", "tags"):
        values = _texts(entries.get(kind))
        if f"{kind}-ignore" in entries or any(v.startswith("!") for v in values):
            values = ()
        found[kind] = values
    return WorkflowTrigger(event=event, branches=found["branches"], tags=found["tags"])


def _id_token(node: _Node | None) -> bool | None:
    """Whether ``permissions`` grants ``id-token: write``; None when it says nothing."""
    if node is None:
        return None
    shorthand = _text(node)
    if shorthand is not None:
        return shorthand == "write-all"
    if isinstance(node, yaml.MappingNode):
        return _text(_entries(node).get("id-token")) == "write"
    return None


def _environment(node: _Node | None) -> str | None:
    if isinstance(node, yaml.MappingNode):
        return _text(_entries(node).get("name"))
    return _text(node)


def is_expression(value: str) -> bool:
    return "${{" in value


@dataclass(frozen=True, slots=True)
class _Job:
    repository: str
    slug: str | None
    path: str
    name: str
    triggers: tuple[WorkflowTrigger, ...]
    workflow_token: bool | None

    def steps(self, job: dict[str, _Node]) -> Iterator[WorkflowCredential]:
        steps = job.get("steps")
        if not isinstance(steps, yaml.SequenceNode):
            return
        environment = _environment(job.get("environment"))
        token = _id_token(job.get("permissions")) if "permissions" in job else None
        if token is None:
            token = self.workflow_token
        for index, step in enumerate(steps.value):
            if isinstance(step, yaml.MappingNode):
                found = self._credential(index, step, environment, token)
                if found is not None:
                    yield found

    def _credential(
        self, index: int, node: yaml.MappingNode, environment: str | None, token: bool | None
    ) -> WorkflowCredential | None:
        entries = _entries(node)
        uses = _text(entries.get("uses"))
        if uses is None:
            return None
        action = ACTIONS.get(uses.partition("@")[0].strip().lower())
        with_node = entries.get("with")
        inputs = _entries(with_node) if isinstance(with_node, yaml.MappingNode) else {}
        if action is None or _text(inputs.get(action.needs)) is None:
            return None
        if any(key in inputs for key in action.keyed):
            return None  # a stored key, not the workflow's token
        kept = {k: v for k in action.keeps if (v := _text(inputs.get(k))) is not None}
        unresolved = [k for k, v in kept.items() if is_expression(v)]
        if environment is not None and is_expression(environment):
            unresolved.append("environment")
        target = kept.get(action.target) if action.target is not None else None
        audience = kept.get("audience") or action.audience.format(kept[action.needs].lstrip("/"))
        return WorkflowCredential(
            id=f"{self.repository}#{self.path}#{self.name}#{index}",
            repository=self.repository,
            slug=self.slug,
            path=self.path,
            line=node.start_mark.line + 1,
            job=self.name,
            step=index,
            action=uses,
            cloud=action.cloud,
            target=None if target is None or is_expression(target) else target,
            inputs=kept,
            audience=None if is_expression(audience) else audience,
            triggers=self.triggers,
            environment=environment,
            id_token=token,
            unresolved=tuple(unresolved),
        )

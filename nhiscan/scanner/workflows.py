"""CI workflow steps joined to the keyless trusts that admit them (issue #20). Pure.

A step that requests cloud credentials (``WorkflowCredential``, read by the git connector)
presents the token its run is issued. Which token depends on the event and the job: GitHub's
default ``sub`` is ``repo:OWNER/REPO:environment:NAME`` when the job names an environment,
else ``repo:OWNER/REPO:pull_request`` for a pull request event, else
``repo:OWNER/REPO:ref:refs/heads/BRANCH`` or ``...:ref:refs/tags/TAG``
(docs.github.com/actions/reference/security/oidc, "Example subject claims"; the environment
wins over the rest, "only if the job doesn't reference an environment"). The ``aud`` is the
one the connector read (the step's ``audience``, else its action's default).

Each token the step may present is tested with ``FederatedTrust.admits`` against the trusts
of the identity the step names: admitted, the workflow can act as it (the graph's
``can_act_as`` hop, ``graph/workflows.py``). A trigger whose refs are any (no branch filter, a
glob, a manual dispatch) is tried on the branches a trust is most often pinned to; the
question asked is "is there a run of this workflow the trust admits", and such a run exists
when it admits one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import FederatedTrust, Platform
from nhiscan.scanner.model import WorkflowCredential, WorkflowTrigger

# The branches tried for a trigger that may run on any branch (or the default branch, which
# the scan does not know): the ones trusts are pinned to in the platforms' own examples.
LIKELY_BRANCHES = ("main", "master")
PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target"})
# Events that run on a branch (their GITHUB_REF: the default branch, or the one chosen).
BRANCH_EVENTS = frozenset(
    {"workflow_dispatch", "schedule", "workflow_run", "repository_dispatch", "merge_group"}
)
# Events with a tag ref (a release is of a tag).
TAG_EVENTS = frozenset({"release"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Presentation:
    """One token a step may present: its claims, and when it is issued, in words."""

    claims: Mapping[str, str]
    when: str  # "on a pull request", "on a push to main"


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowJoin:
    """A step, a trust of the identity it names, and whether the trust admits it: True with
    the token admitted; None when only undecided conditions stand between; False when no
    token the step may present is admitted."""

    step: WorkflowCredential
    trust: FederatedTrust
    admitted: bool | None
    presentation: Presentation | None  # the first token admitted (or maybe admitted)


def presentations(step: WorkflowCredential) -> tuple[Presentation, ...]:
    """Every token the step may present (none when the repository's slug is unknown or the
    environment is an expression: the claims cannot be written)."""
    if step.slug is None or "environment" in step.unresolved:
        return ()
    found: dict[str, Presentation] = {}
    for event, ref, when in _runs(step.triggers):
        claims = github_claims(step.slug, ref=ref, environment=step.environment, event=event,
                               workflow=step.path)  # fmt: skip
        if "sub" not in claims:
            continue
        if step.audience is not None:
            claims["aud"] = step.audience
        key = "\x1f".join(f"{k}={v}" for k, v in sorted(claims.items()))
        found.setdefault(key, Presentation(claims=claims, when=when))
    return tuple(found.values())


def github_claims(
    slug: str,
    *,
    ref: str | None = None,
    environment: str | None = None,
    event: str | None = None,
    workflow: str | None = None,
) -> dict[str, str]:
    """The claims (but ``aud``) of the token GitHub issues a run of a workflow of ``slug``
    on ``ref``, in ``environment``, for ``event``: the subject by the same precedence as
    ``presentations`` (environment, then pull request, then ref). No ``sub`` when none is
    given."""
    owner = slug.partition("/")[0]
    claims = {"iss": "https://token.actions.githubusercontent.com", "repository": slug,
              "repository_owner": owner}  # fmt: skip
    if event is not None:
        claims["event_name"] = event
    if ref is not None:
        claims["ref"] = ref
        if workflow is not None:
            claims["job_workflow_ref"] = claims["workflow_ref"] = f"{slug}/{workflow}@{ref}"
    if environment is not None:
        claims["environment"] = environment
        claims["sub"] = f"repo:{slug}:environment:{environment}"
    elif event in PULL_REQUEST_EVENTS:
        claims["sub"] = f"repo:{slug}:pull_request"
    elif ref is not None:
        claims["sub"] = f"repo:{slug}:ref:{ref}"
    return claims


def admits_any_audience(trust: FederatedTrust, claims: Mapping[str, str]) -> bool | None:
    """Whether ``trust`` admits a token with ``claims`` and the audience of the trust's
    choosing: a workflow may request its token for any audience
    (``core.getIDToken(audience)``), so the one the trust wants is the one it presents."""
    wanted = {v for a in trust.admissions for t in a.tested("aud") if not t.match.negated
              for v in t.values}  # fmt: skip
    audiences: list[str | None] = [*sorted({*(trust.audiences or ()), *wanted})] or [None]
    answers = [trust.admits(claims if aud is None else {**claims, "aud": aud}) for aud in audiences]
    if True in answers:
        return True
    return None if None in answers else False


def admitted_identities(
    trusts: Iterable[FederatedTrust], claims: Mapping[str, str]
) -> tuple[str, ...]:
    """The identities whose GitHub trusts admit a token with ``claims`` (certainly), sorted."""
    return tuple(sorted({
        t.target for t in trusts
        if t.platform is Platform.GITHUB_ACTIONS and admits_any_audience(t, claims) is True
    }))  # fmt: skip


def _runs(triggers: Iterable[WorkflowTrigger]) -> Iterator[tuple[str, str | None, str]]:
    """(event, ref or None, when in words) for each run the triggers start."""
    for trigger in triggers:
        event = trigger.event
        if event in PULL_REQUEST_EVENTS:
            yield event, None, f"on a pull request ({event})"
        elif event == "push":
            yield from _push_refs(trigger)
        elif event in TAG_EVENTS:
            yield event, "refs/tags/v1", f"on a {event} (a tag)"
        elif event in BRANCH_EVENTS:
            for branch in LIKELY_BRANCHES:
                yield event, f"refs/heads/{branch}", f"on {event} on {branch}"


def _push_refs(trigger: WorkflowTrigger) -> Iterator[tuple[str, str | None, str]]:
    if not trigger.branches and not trigger.tags:
        for branch in LIKELY_BRANCHES:
            yield "push", f"refs/heads/{branch}", f"on a push to {branch} (any branch runs it)"
        yield "push", "refs/tags/v1", "on a push of a tag (any tag runs it)"
        return
    for branch in trigger.branches:
        yield "push", f"refs/heads/{_sample(branch)}", f"on a push to {branch}"
    for tag in trigger.tags:
        yield "push", f"refs/tags/{_sample(tag)}", f"on a push of tag {tag}"


def _sample(pattern: str) -> str:
    """A ref name a filter glob matches (``release/**`` -> ``release/x``)."""
    return pattern.replace("**", "x").replace("*", "x").replace("?", "x")


def named_identities(estate: Estate, step: WorkflowCredential) -> tuple[str, ...]:
    """The identity ids the step names: the identities whose id or provider-native id (an
    Entra application's client id) is the step's target, else the target itself (a trust of
    an identity the scan did not collect still names it)."""
    target = step.target
    if target is None:
        return ()
    wanted = target.casefold()
    found = tuple(
        i.id for i in estate.identities.values()
        if i.provider == step.cloud and wanted in (i.id.casefold(), (i.native_id or "").casefold())
    )  # fmt: skip
    return found or (target,)


def _step_names(step: WorkflowCredential, trust: FederatedTrust, named: Sequence[str]) -> bool:
    if trust.platform is not Platform.GITHUB_ACTIONS or trust.provider != step.cloud:
        return False
    return trust.target.casefold() in {n.casefold() for n in named}


def join(estate: Estate, trusts: Iterable[FederatedTrust]) -> tuple[WorkflowJoin, ...]:
    """Every (step, trust of the identity it names) pair, with whether the trust admits one
    of the tokens the step may present."""
    trusts = tuple(trusts)
    joined: list[WorkflowJoin] = []
    for step in workflow_steps(estate):
        named = named_identities(estate, step)
        if not named:
            continue
        tokens = presentations(step)
        for trust in trusts:
            if _step_names(step, trust, named):
                joined.append(_judge(step, trust, tokens))
    return tuple(joined)


def _judge(
    step: WorkflowCredential, trust: FederatedTrust, tokens: Sequence[Presentation]
) -> WorkflowJoin:
    maybe: Presentation | None = None
    for token in tokens:
        answer = trust.admits(token.claims)
        if answer is True:
            return WorkflowJoin(step=step, trust=trust, admitted=True, presentation=token)
        if answer is None and maybe is None:
            maybe = token
    admitted = None if maybe is not None else False
    return WorkflowJoin(step=step, trust=trust, admitted=admitted, presentation=maybe)


def workflow_steps(estate: Estate) -> tuple[WorkflowCredential, ...]:
    return estate.snapshot.workflows


def workflows_requesting(estate: Estate, target: str) -> tuple[WorkflowCredential, ...]:
    """The workflow steps in the scanned repositories that request ``target`` (an identity
    id: a role ARN, a service account e-mail, an Entra object id): for a finding's evidence,
    "the workflow files that request the role"."""
    wanted = target.casefold()
    return tuple(
        step for step in workflow_steps(estate)
        if wanted in (n.casefold() for n in named_identities(estate, step))
    )  # fmt: skip


def step_evidence(step: WorkflowCredential) -> dict[str, object]:
    """A step as findings' evidence names it: where it is, what it runs on, what it asks."""
    data: dict[str, object] = {
        "repository": step.slug or step.repository,
        "file": f"{step.path}:{step.line}",
        "job": step.job,
        "action": step.action,
        "target": step.target,
        "triggers": sorted({t.event for t in step.triggers}),
    }
    if step.environment is not None:
        data["environment"] = step.environment
    if step.unresolved:
        data["unresolved"] = list(step.unresolved)
    return data

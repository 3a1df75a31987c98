"""What an AWS principal is granted, statement by statement, for the gap analysis
(``ProviderAnalysis.grants``): every (action, resource) its policies name.

- Identity side: each Allow statement of the principal's own and group policies, its actions
  expanded through the catalogue (NotAction: every catalogued action but those), on each of its
  resource patterns (NotResource: ``*``, minus what it names), kept when the action can act on
  such a resource at all (a statement naming a bucket and its objects for GetObject and
  ListBucket grants GetObject on the objects and ListBucket on the bucket, nothing else: see
  ``applies``).
- Resource side: the statements of resource policies the reach graph's ``can_access`` hops rest
  on, read the same way; ``*`` in their Resource is the resource itself. Public statements
  (``Principal: "*"``) are left out: they are everyone's, not the identity's, and rules on
  public resources report them.

Each policy document is parsed once per analysis, and each statement's grants are computed
once, whichever principals hold it. Whether the evaluator (denies, boundary, SCPs) still allows
a grant is the core's question (``scanner/gaps/granted.py``), asked with :func:`probe`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from nhiscan.providers.aws.statements import Statement, indexed_statements, is_public
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import PermissionCatalog
from nhiscan.scanner.glob import has_wildcard
from nhiscan.scanner.grants import Grant
from nhiscan.scanner.graph.model import EdgeKind, Hop
from nhiscan.scanner.model import Identity, IdentityKind, PolicyKind

PRINCIPALS = (IdentityKind.IAM_USER, IdentityKind.IAM_ROLE)
# What a wildcard in a resource pattern is tried as, to learn which actions it can concern:
# one name, a path, a colon-separated field.
_SAMPLES = ("x", "x/x", "x:x")

Parsed = tuple[tuple[StatementRef, Statement], ...]  # a policy's Allow statements


class AwsGrants:
    """The grants of one estate's principals, from documents parsed once."""

    def __init__(self, estate: Estate, catalog: PermissionCatalog) -> None:
        self.estate = estate
        self.catalog = catalog
        self._parsed: dict[str, Parsed] = {}
        self._grants: dict[tuple[StatementRef, str | None], tuple[Grant, ...]] = {}
        self._acting: dict[str, frozenset[str] | None] = {}

    def grants(self, identity: Identity, accessed: Iterable[Hop]) -> Iterator[Grant]:
        """The identity's grants: its own and its groups' statements first, then those of the
        resource policies the ``can_access`` hops in ``accessed`` rest on."""
        if identity.kind not in PRINCIPALS:
            return
        for policy_id in self._policy_ids(identity):
            for ref, statement in self.allows(policy_id):
                yield from self._of(ref, statement, None)
        for ref, statement, target in self._resource_statements(accessed):
            yield from self._of(ref, statement, target)

    def allows(self, policy_id: str) -> Parsed:
        """The Allow statements of a collected policy (() when not collected), parsed once."""
        found = self._parsed.get(policy_id)
        if found is None:
            policy = self.estate.policies.get(policy_id)
            parsed = indexed_statements(policy.document) if policy is not None else ()
            found = self._parsed[policy_id] = tuple(
                (StatementRef(policy_id=policy_id, index=index, sid=statement.sid), statement)
                for index, statement in parsed
                if statement.allows
            )
        return found

    def _policy_ids(self, identity: Identity) -> tuple[str, ...]:
        policy_ids = list(identity.policies)
        for group_id in identity.member_of:
            group = self.estate.groups.get(group_id)
            policy_ids += list(group.policies) if group is not None else [group_id]
        return tuple(dict.fromkeys(policy_ids))

    def _resource_statements(
        self, accessed: Iterable[Hop]
    ) -> Iterator[tuple[StatementRef, Statement, str]]:
        seen: set[tuple[str, int]] = set()
        for hop in accessed:
            if hop.edge is not EdgeKind.CAN_ACCESS:
                continue
            for ref in hop.statements:
                policy = self.estate.policies.get(ref.policy_id)
                if policy is None or policy.kind is not PolicyKind.RESOURCE:
                    continue
                if (ref.policy_id, ref.index) in seen:
                    continue
                seen.add((ref.policy_id, ref.index))
                for found_ref, statement in self.allows(ref.policy_id):
                    if found_ref.index == ref.index and not is_public(statement):
                        yield found_ref, statement, hop.target

    def _of(self, ref: StatementRef, statement: Statement, target: str | None) -> tuple[Grant, ...]:
        key = (ref, target)
        found = self._grants.get(key)
        if found is None:
            found = self._grants[key] = tuple(self._compute(ref, statement, target))
        return found

    def _compute(
        self, ref: StatementRef, statement: Statement, target: str | None
    ) -> Iterator[Grant]:
        resources = statement.resources or ("*",)
        if target is not None:  # a resource policy speaks of its own resource
            resources = tuple(target if r == "*" else r for r in resources)
        evidence = _evidence(statement)
        for action in self._actions(statement):
            info = self.catalog.info(action)
            for resource in resources:
                if self.applies(action, resource):
                    yield Grant(
                        source=ref,
                        action=info.name if info is not None else action,
                        resource=resource,
                        service=action.partition(":")[0].lower(),
                        access_level=None if info is None else info.access_level,
                        # "*" here means every resource but these
                        except_resources=statement.not_resources,
                        evidence=evidence,
                    )

    def applies(self, action: str, resource: str) -> bool:
        """Whether ``action`` can act on something ``resource`` names: always for ``*`` and for
        actions the catalogue does not know; otherwise when the catalogue lists the action for
        the ARN (or, for a pattern, for the ARN with its wildcards read as a name, a path or a
        field)."""
        if resource == "*":
            return True
        if not self.catalog.known(action):
            return True
        if resource not in self._acting:
            self._acting[resource] = self._acting_on(resource)
        acting = self._acting[resource]
        return acting is None or action.lower() in acting

    def _acting_on(self, resource: str) -> frozenset[str] | None:
        if not resource.startswith("arn:"):
            return None  # not an ARN: nhiscan cannot tell, so it does not drop it
        samples = [resource]
        if has_wildcard(resource):
            samples = [resource.replace("*", s).replace("?", "x") for s in _SAMPLES]
        found: set[str] = set()
        for sample in samples:
            found.update(a.lower() for a in self.catalog.actions_for_resource(sample))
        return frozenset(found)

    def _actions(self, statement: Statement) -> list[str]:
        if statement.actions:
            found = set().union(*(self.catalog.expand(a) for a in statement.actions))
        else:
            excluded = set().union(*(self.catalog.expand(a) for a in statement.not_actions))
            found = set(self.catalog.expand("*")) - excluded
        return sorted(found, key=str.lower)


def _evidence(statement: Statement) -> dict[str, Any]:
    """The statement's elements as a policy writes them (lists for every value)."""
    shown: dict[str, Any] = {"Effect": statement.effect}
    if statement.sid is not None:
        shown["Sid"] = statement.sid
    for element, values in (
        ("Action", statement.actions),
        ("NotAction", statement.not_actions),
        ("Resource", statement.resources),
        ("NotResource", statement.not_resources),
    ):
        if values:
            shown[element] = list(values)
    if statement.conditions:
        tests: dict[str, dict[str, list[str]]] = {}
        for condition in statement.conditions:
            tests.setdefault(condition.operator, {})[condition.key] = list(condition.values)
        shown["Condition"] = tests
    return shown


def probe(identity: Identity, resource: str) -> str:
    """The resource to ask the evaluator about: policy variables filled in for the identity."""
    if "${" not in resource:
        return resource
    return resource.replace("${aws:username}", identity.name).replace(
        "${aws:userid}", identity.native_id or identity.name
    )

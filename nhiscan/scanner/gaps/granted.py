"""What a principal is granted: every (action, resource) its policies name, as the evaluator
sees it.

- Identity side: each Allow statement of the principal's own and group policies, its actions
  expanded through the catalogue (NotAction: every catalogued action but those), on each of its
  resource patterns (NotResource: ``*``), kept when the evaluator (deny, boundary, SCPs)
  still allows it there and when the action can act on such a resource at all (a statement
  naming a bucket and its objects for GetObject and ListBucket grants GetObject on the objects
  and ListBucket on the bucket, nothing else: see ``applies``).
- Resource side: resource policies that name the principal (the graph's ``can_access`` edges),
  read the same way; ``*`` in their Resource is the resource itself. Public statements
  (``Principal: "*"``) are left out: they are everyone's, not the identity's, and rules on public
  resources report them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from nhiscan.providers.aws.statements import Statement, indexed_statements, is_public
from nhiscan.scanner.authz import Authorizer, Decision, StatementRef
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import PermissionCatalog
from nhiscan.scanner.gaps.model import GrantItem
from nhiscan.scanner.glob import has_wildcard
from nhiscan.scanner.graph import EdgeKind, ReachGraph
from nhiscan.scanner.model import Identity, IdentityKind, PolicyKind, Provider

PRINCIPALS = (IdentityKind.IAM_USER, IdentityKind.IAM_ROLE)
# What a wildcard in a resource pattern is tried as, to learn which actions it can concern:
# one name, a path, a colon-separated field.
_SAMPLES = ("x", "x/x", "x:x")

Key = tuple[str, str]  # (lower-case action, resource pattern)


class Grants:
    """Each principal's grants, computed on first use and kept."""

    def __init__(
        self, estate: Estate, graph: ReachGraph, authorizer: Authorizer, catalog: PermissionCatalog
    ) -> None:
        self.estate = estate
        self.graph = graph
        self.authorizer = authorizer
        self.catalog = catalog
        self._of: dict[str, dict[Key, GrantItem]] = {}
        self._acting: dict[str, frozenset[str] | None] = {}

    def uncollected(self, principal: str) -> tuple[str, ...]:
        """The policies attached to ``principal`` (or its groups) whose documents are not in
        the snapshot: its grants are incomplete by what they hold (a collection gap says why)."""
        identity = self.estate.identities.get(principal)
        if identity is None:
            return ()
        return tuple(p for p in self._policy_ids(identity) if p not in self.estate.policies)

    def of(self, principal: str) -> dict[Key, GrantItem]:
        found = self._of.get(principal)
        if found is None:
            found = self._of[principal] = self._compute(principal)
        return found

    def _compute(self, principal: str) -> dict[Key, GrantItem]:
        identity = self.estate.identities.get(principal)
        found: dict[Key, GrantItem] = {}
        if identity is None or identity.kind not in PRINCIPALS:
            return found
        for ref, statement in self._identity_statements(identity):
            self._statement(found, identity, ref, statement, None)
        for ref, statement, target in self._resource_statements(principal):
            self._statement(found, identity, ref, statement, target)
        return found

    def _statement(
        self,
        found: dict[Key, GrantItem],
        identity: Identity,
        ref: StatementRef,
        statement: Statement,
        target: str | None,
    ) -> None:
        resources = statement.resources or ("*",)
        if target is not None:  # a resource policy speaks of its own resource
            resources = tuple(target if r == "*" else r for r in resources)
        for action in self._actions(statement):
            for resource in resources:
                if self.applies(action, resource):
                    self._add(found, identity, action, resource, ref)
                    if statement.not_resources:  # "*" here means every resource but these
                        self._except(found, (action.lower(), resource), statement.not_resources)

    @staticmethod
    def _except(found: dict[Key, GrantItem], key: Key, excluded: tuple[str, ...]) -> None:
        item = found.get(key)
        if item is not None and not item.except_resources:
            found[key] = replace(item, except_resources=excluded)

    def _add(
        self,
        found: dict[Key, GrantItem],
        identity: Identity,
        action: str,
        resource: str,
        ref: StatementRef,
    ) -> None:
        key = (action.lower(), resource)
        old = found.get(key)
        if old is not None:
            if ref not in old.statements:
                found[key] = replace(old, statements=(*old.statements, ref))
            return
        result = self.authorizer.evaluate(identity.id, action, probe(resource, identity))
        if result.decision.possible:
            found[key] = self.item(
                action, resource, (ref,), result.decision is Decision.CONDITIONAL
            )

    def item(
        self, action: str, resource: str, refs: tuple[StatementRef, ...], conditional: bool
    ) -> GrantItem:
        info = self.catalog.info(action)
        return GrantItem(
            provider=Provider.AWS,
            action=info.name if info is not None else action,
            resource=resource,
            service=action.partition(":")[0].lower(),
            access_level=None if info is None else info.access_level.value,
            statements=refs,
            conditional=conditional,
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

    def _identity_statements(self, identity: Identity) -> Iterator[tuple[StatementRef, Statement]]:
        for policy_id in self._policy_ids(identity):
            yield from _allows(self.estate, policy_id)

    def _policy_ids(self, identity: Identity) -> tuple[str, ...]:
        policy_ids = list(identity.policies)
        for group_id in identity.member_of:
            group = self.estate.groups.get(group_id)
            policy_ids += list(group.policies) if group is not None else [group_id]
        return tuple(dict.fromkeys(policy_ids))

    def _resource_statements(self, principal: str) -> Iterator[tuple[StatementRef, Statement, str]]:
        seen: set[tuple[str, int]] = set()
        for hop in self.graph.hops_from(principal):
            if hop.edge is not EdgeKind.CAN_ACCESS:
                continue
            for ref in hop.statements:
                policy = self.estate.policies.get(ref.policy_id)
                if policy is None or policy.kind is not PolicyKind.RESOURCE:
                    continue
                if (ref.policy_id, ref.index) in seen:
                    continue
                seen.add((ref.policy_id, ref.index))
                for found_ref, statement in _allows(self.estate, ref.policy_id):
                    if found_ref.index == ref.index and not is_public(statement):
                        yield found_ref, statement, hop.target

    def _actions(self, statement: Statement) -> list[str]:
        if statement.actions:
            found = set().union(*(self.catalog.expand(a) for a in statement.actions))
        else:
            excluded = set().union(*(self.catalog.expand(a) for a in statement.not_actions))
            found = set(self.catalog.expand("*")) - excluded
        return sorted(found, key=str.lower)


def _allows(estate: Estate, policy_id: str) -> Iterator[tuple[StatementRef, Statement]]:
    policy = estate.policies.get(policy_id)
    if policy is None:
        return
    for index, statement in indexed_statements(policy.document):
        if statement.allows:
            yield StatementRef(policy_id=policy_id, index=index, sid=statement.sid), statement


def probe(resource: str, identity: Identity) -> str:
    """The resource to ask the evaluator about: policy variables filled in for the identity."""
    if "${" not in resource:
        return resource
    return resource.replace("${aws:username}", identity.name).replace(
        "${aws:userid}", identity.native_id or identity.name
    )

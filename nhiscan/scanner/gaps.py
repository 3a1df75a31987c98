"""Gap analysis: for each agent and each identity it runs as, what is granted against what its
workflow needs. Pure: the estate, its reach graph (and the evaluator it was built with), the
catalogue and the compiled plans in; ``AgentGap`` records out.

- *Granted* is every (action, resource) an Allow statement of the identity's own or group
  policies names, expanded through the catalogue and kept when the evaluator (deny, boundary,
  SCPs) still allows it, plus what resource policies grant it (the graph's ``can_access``
  edges), plus the same for every role it can assume (``via``).
- *Needed* is the agent's plan with implicit accounts bound to the identity's account, and
  ``sts:AssumeRole`` on the agent's other identities it reaches (the declared chain).
- *Excess*: granted actions no step needs; *excess scope*: a needed action granted on more than
  is needed (``*`` where one bucket is needed); grants that hold only under conditions nhiscan
  cannot decide are listed apart. *Missing*: needs the evaluator does not allow, with the steps
  that need them and why.
- The exposure score weighs excess (see ``score.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from nhiscan.scanner.agents.model import AgentPlan, Need
from nhiscan.scanner.agents.render import bind_account, identity_policy, trust_policy
from nhiscan.scanner.authz import Decision, Evaluation, StatementRef
from nhiscan.scanner.catalog import Catalog
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph import EdgeKind, ReachGraph
from nhiscan.scanner.model import Identity, IdentityKind, Provider, ResourceKind
from nhiscan.scanner.policy import EstateAuthorizer
from nhiscan.scanner.policy.matching import glob_match
from nhiscan.scanner.statements import Statement, indexed_statements

ASSUME_ROLE = "sts:AssumeRole"
PRINCIPALS = (IdentityKind.IAM_USER, IdentityKind.IAM_ROLE)
COMPUTE_SERVICES = {
    ResourceKind.LAMBDA_FUNCTION: "lambda.amazonaws.com",
    ResourceKind.EC2_INSTANCE: "ec2.amazonaws.com",
    ResourceKind.INSTANCE_PROFILE: "ec2.amazonaws.com",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class GrantItem:
    provider: Provider
    action: str
    resource: str
    service: str
    access_level: str | None
    statements: tuple[StatementRef, ...]
    conditional: bool = False
    via: tuple[str, ...] = ()  # the roles assumed to hold it, in order; () held directly
    needed_on: tuple[str, ...] = ()  # excess scope: the resources the agent needs it on


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingItem:
    provider: Provider
    action: str
    resource: str
    steps: tuple[int, ...]
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationItem:
    principal: str
    method: str
    target: str
    conditional: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityGap:
    identity: str
    provider: Provider
    account: str
    analysed: bool = True
    reason: str | None = None  # why it was not analysed
    needed: tuple[Need, ...] = ()  # bound to this identity's account
    granted: int = 0  # (action, resource) pairs granted, with every assumable role's
    excess: tuple[GrantItem, ...] = ()
    excess_scope: tuple[GrantItem, ...] = ()
    conditional: tuple[GrantItem, ...] = ()  # excess allowed only under undecided conditions
    missing: tuple[MissingItem, ...] = ()
    conditional_needs: tuple[Need, ...] = ()  # needs met only under undecided conditions
    roles: tuple[str, ...] = ()  # roles it can assume, directly or in a chain
    admin: bool = False
    escalations: tuple[EscalationItem, ...] = ()
    policy: Mapping[str, Any] | None = None  # the least-privilege policy to apply
    trust: Mapping[str, Any] | None = None  # a role's least trust
    by_service: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # granted counts


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentGap:
    agent: str
    identities: tuple[IdentityGap, ...]

    @property
    def excess(self) -> tuple[GrantItem, ...]:
        return _unique(item for gap in self.identities for item in gap.excess)

    @property
    def excess_scope(self) -> tuple[GrantItem, ...]:
        return _unique(item for gap in self.identities for item in gap.excess_scope)

    @property
    def conditional(self) -> tuple[GrantItem, ...]:
        return _unique(item for gap in self.identities for item in gap.conditional)

    @property
    def missing(self) -> tuple[MissingItem, ...]:
        seen: dict[tuple[str, str], MissingItem] = {}
        for gap in self.identities:
            for item in gap.missing:
                seen.setdefault((item.action, item.resource), item)
        return tuple(seen.values())

    @property
    def escalations(self) -> tuple[EscalationItem, ...]:
        return tuple(dict.fromkeys(e for gap in self.identities for e in gap.escalations))

    @property
    def admin(self) -> bool:
        return any(gap.admin for gap in self.identities)


def _unique(items: Iterable[GrantItem]) -> tuple[GrantItem, ...]:
    seen: dict[tuple[str, str, tuple[str, ...]], GrantItem] = {}
    for item in items:
        seen.setdefault((item.action, item.resource, item.via), item)
    return tuple(seen.values())


class GapAnalyzer:
    """Built once per analysis; caches each principal's grants across agents."""

    def __init__(self, estate: Estate, graph: ReachGraph, catalog: Catalog) -> None:
        self.estate = estate
        self.graph = graph
        self.catalog = catalog
        authorizer = graph.authorizer
        if not isinstance(authorizer, EstateAuthorizer):
            authorizer = EstateAuthorizer(estate, catalog)
        self.authorizer = authorizer
        self._grants: dict[str, dict[tuple[str, str], GrantItem]] = {}

    def agent(self, plan: AgentPlan, identity_ids: Iterable[str]) -> AgentGap:
        ids = tuple(identity_ids)
        return AgentGap(agent=plan.name, identities=tuple(self.identity(plan, i, ids) for i in ids))

    def identity(
        self, plan: AgentPlan, identity_id: str, agent_ids: tuple[str, ...]
    ) -> IdentityGap:
        identity = self.estate.identities[identity_id]
        if identity.provider is not Provider.AWS or identity.kind not in PRINCIPALS:
            return IdentityGap(
                identity=identity.id,
                provider=identity.provider,
                account=identity.account,
                analysed=False,
                reason=f"gap analysis for {identity.provider} {identity.kind} is not supported yet",
            )
        chain = self.chain(identity.id)
        onward = tuple(r for r in chain if r in agent_ids and r != identity.id)
        needs = self.needs(plan, identity, onward)
        granted = self.granted(identity.id, chain)
        missing, conditional_needs = self.coverage(identity.id, chain, needs)
        excess, scope, conditional = classify(granted.values(), needs)
        return IdentityGap(
            identity=identity.id,
            provider=identity.provider,
            account=identity.account,
            needed=needs,
            granted=len(granted),
            excess=excess,
            excess_scope=scope,
            conditional=conditional,
            missing=missing,
            conditional_needs=conditional_needs,
            roles=tuple(r for r in chain if r != identity.id),
            admin=any(self._is_admin(p) for p in chain),
            escalations=self.escalations(chain),
            policy=self.least_policy(plan, identity, onward),
            trust=self.least_trust(identity, agent_ids),
            by_service=_by_service(granted.values()),
        )

    # --- granted ------------------------------------------------------------------------------

    def chain(self, start: str) -> dict[str, tuple[str, ...]]:
        """``start`` and every role it can assume, directly or in a chain, with the roles
        assumed on the way (breadth-first: the shortest chain)."""
        found: dict[str, tuple[str, ...]] = {start: ()}
        queue = [start]
        while queue:
            node = queue.pop(0)
            for hop in self.graph.hops_from(node):
                if hop.edge is EdgeKind.CAN_ASSUME and hop.target not in found:
                    found[hop.target] = (*found[node], hop.target)
                    queue.append(hop.target)
        return found

    def granted(
        self, start: str, chain: Mapping[str, tuple[str, ...]]
    ) -> dict[tuple[str, str], GrantItem]:
        items: dict[tuple[str, str], GrantItem] = {}
        for principal, via in chain.items():
            for key, item in self._principal_grants(principal).items():
                if key not in items:
                    items[key] = item if not via else replace(item, via=via)
        return items

    def _principal_grants(self, principal: str) -> dict[tuple[str, str], GrantItem]:
        found = self._grants.get(principal)
        if found is None:
            found = self._grants[principal] = dict(self._compute_grants(principal))
        return found

    def _compute_grants(self, principal: str) -> Iterator[tuple[tuple[str, str], GrantItem]]:
        identity = self.estate.identities.get(principal)
        if identity is None or identity.kind not in PRINCIPALS:
            return
        seen: dict[tuple[str, str], GrantItem] = {}
        for ref, statement in self._allow_statements(identity):
            for action in self._actions(statement):
                for resource in statement.resources or ("*",):
                    self._add(seen, principal, identity, action, resource, ref)
        for hop in self.graph.hops_from(principal):
            if hop.edge is EdgeKind.CAN_ACCESS:
                for action in hop.actions:
                    key = (action.lower(), hop.target)
                    if not any(_covers(r, hop.target) for (a, r) in seen if a == key[0]):
                        seen[key] = self._item(
                            action, hop.target, hop.statements, action in hop.conditional_actions
                        )
        yield from seen.items()

    def _add(
        self,
        seen: dict[tuple[str, str], GrantItem],
        principal: str,
        identity: Identity,
        action: str,
        resource: str,
        ref: StatementRef,
    ) -> None:
        key = (action.lower(), resource)
        if key in seen:
            old = seen[key]
            seen[key] = _with_statement(old, ref)
            return
        result = self.authorizer.evaluate(principal, action, _probe(resource, identity))
        if result.decision.possible:
            seen[key] = self._item(
                action, resource, (ref,), result.decision is Decision.CONDITIONAL
            )

    def _item(
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

    def _allow_statements(self, identity: Identity) -> Iterator[tuple[StatementRef, Statement]]:
        policy_ids = list(identity.policies)
        for group_id in identity.member_of:
            group = self.estate.groups.get(group_id)
            policy_ids += list(group.policies) if group is not None else []
        for policy_id in dict.fromkeys(policy_ids):
            policy = self.estate.policies.get(policy_id)
            if policy is None:
                continue
            for index, statement in indexed_statements(policy.document):
                if statement.allows:
                    yield (
                        StatementRef(policy_id=policy_id, index=index, sid=statement.sid),
                        statement,
                    )

    def _actions(self, statement: Statement) -> list[str]:
        if statement.actions:
            found = set().union(*(self.catalog.expand(a) for a in statement.actions))
        else:
            excluded = set().union(*(self.catalog.expand(a) for a in statement.not_actions))
            found = set(self.catalog.expand("*")) - excluded
        return sorted(found, key=str.lower)

    def _is_admin(self, principal: str) -> bool:
        return self.authorizer.is_admin(principal).decision is Decision.ALLOW

    def escalations(self, chain: Mapping[str, tuple[str, ...]]) -> tuple[EscalationItem, ...]:
        return tuple(
            EscalationItem(
                principal=e.principal, method=e.method, target=e.target, conditional=e.conditional
            )
            for e in self.graph.escalations
            if e.principal in chain
        )

    # --- needed -------------------------------------------------------------------------------

    def needs(
        self, plan: AgentPlan, identity: Identity, onward: tuple[str, ...]
    ) -> tuple[Need, ...]:
        bound = [
            Need(
                provider=n.provider,
                action=n.action,
                resource=bind_account(n, identity.account),
                steps=n.steps,
                conditions=n.conditions,
            )
            for n in plan.needs
            if n.provider is Provider.AWS
        ]
        bound += [
            Need(provider=Provider.AWS, action=ASSUME_ROLE, resource=role, steps=())
            for role in onward
        ]
        return tuple(bound)

    def coverage(
        self, principal: str, chain: Mapping[str, tuple[str, ...]], needs: Iterable[Need]
    ) -> tuple[tuple[MissingItem, ...], tuple[Need, ...]]:
        missing, conditional = [], []
        for need in needs:
            results = [self._allows(p, need) for p in chain]
            if any(r.decision is Decision.ALLOW for r in results):
                continue
            if any(r.decision is Decision.CONDITIONAL for r in results):
                conditional.append(need)
                continue
            missing.append(
                MissingItem(
                    provider=need.provider,
                    action=need.action,
                    resource=need.resource,
                    steps=need.steps,
                    reason=results[0].reason or "nothing allows it",
                )
            )
        return tuple(missing), tuple(conditional)

    def _allows(self, principal: str, need: Need) -> Evaluation:
        identity = self.estate.identities[principal]
        context: dict[str, str | list[str] | None] = {
            key: list(values) for tests in need.conditions.values() for key, values in tests.items()
        }
        targets = self._concrete(need.resource)
        results = [
            self.authorizer.evaluate(principal, need.action, _probe(t, identity), context or None)
            for t in targets
        ]
        worst = min(results, key=lambda r: _RANK[r.decision])
        return worst

    def _concrete(self, resource: str) -> list[str]:
        """A need named with ``?`` placeholders (a secret's random suffix) is checked on the
        collected resources it names, when there are any."""
        if "?" not in resource:
            return [resource]
        found = [r for r in self.estate.resources if glob_match(resource, r)]
        return found or [resource]

    # --- least privilege ----------------------------------------------------------------------

    def least_policy(
        self, plan: AgentPlan, identity: Identity, onward: tuple[str, ...]
    ) -> Mapping[str, Any] | None:
        if onward:  # the entry of a declared chain only needs to assume the next role
            needs = [
                Need(provider=Provider.AWS, action=ASSUME_ROLE, resource=r, steps=())
                for r in onward
            ]
            return identity_policy(needs, identity.account)
        return identity_policy(plan.needs, identity.account)

    def least_trust(
        self, identity: Identity, agent_ids: tuple[str, ...]
    ) -> Mapping[str, Any] | None:
        if identity.kind is not IdentityKind.IAM_ROLE:
            return None
        callers = [
            other
            for other in agent_ids
            if other != identity.id
            and any(
                h.edge is EdgeKind.CAN_ASSUME and h.target == identity.id
                for h in self.graph.hops_from(other)
            )
        ]
        services = sorted(
            {
                COMPUTE_SERVICES[r.kind]
                for r in self.estate.resources.values()
                if r.kind in COMPUTE_SERVICES and _runs_as(self.estate, r.runs_as) == identity.id
            }
        )
        return trust_policy(callers, services)


_RANK = {
    Decision.DENY: 0,
    Decision.IMPLICIT_DENY: 1,
    Decision.CONDITIONAL: 2,
    Decision.ALLOW: 3,
}


def _runs_as(estate: Estate, runs_as: str | None) -> str | None:
    """The role a compute resource runs as (an instance profile stands for its role)."""
    if runs_as is None:
        return None
    for identity in estate.identities.values():
        if runs_as in identity.instance_profiles:
            return identity.id
    return runs_as


def classify(
    granted: Iterable[GrantItem], needs: Iterable[Need]
) -> tuple[tuple[GrantItem, ...], tuple[GrantItem, ...], tuple[GrantItem, ...]]:
    """(excess, excess scope, conditional excess), each sorted by service, action, resource."""
    needed: dict[str, list[str]] = {}
    for need in needs:
        needed.setdefault(need.action.lower(), []).append(need.resource)
    excess: list[GrantItem] = []
    scope: list[GrantItem] = []
    conditional: list[GrantItem] = []
    for item in granted:
        resources = needed.get(item.action.lower())
        if resources and any(_covers(r, item.resource) for r in resources):
            continue
        if resources:
            item = replace(item, needed_on=tuple(sorted(set(resources))))
        target = conditional if item.conditional else scope if resources else excess
        target.append(item)
    order = lambda i: (i.service, i.action.lower(), i.resource, i.via)  # noqa: E731
    return (
        tuple(sorted(excess, key=order)),
        tuple(sorted(scope, key=order)),
        tuple(sorted(conditional, key=order)),
    )


def _covers(needed: str, granted: str) -> bool:
    """Whether a grant on ``granted`` is within ``needed``: the needed pattern matches the
    granted one read literally (``s3:::docs/*`` covers ``s3:::docs/2026/*``)."""
    return needed == granted or glob_match(needed, granted)


def _probe(resource: str, identity: Identity) -> str:
    """The resource to ask the evaluator about: policy variables filled in for the identity."""
    if "${" not in resource:
        return resource
    return resource.replace("${aws:username}", identity.name).replace(
        "${aws:userid}", identity.native_id or identity.name
    )


def _with_statement(item: GrantItem, ref: StatementRef) -> GrantItem:
    return item if ref in item.statements else replace(item, statements=(*item.statements, ref))


def _by_service(items: Iterable[GrantItem]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for item in items:
        level = item.access_level or "Unknown"
        counts.setdefault(item.service, {}).setdefault(level, 0)
        counts[item.service][level] += 1
    return {s: dict(sorted(v.items())) for s, v in sorted(counts.items())}

"""Privilege escalation: one rule per method family (``scanner.escalation.Family``; role
assumption is not a rule: it is the reach graph's can_assume), for every provider. Each
provider finds its escalations and says what each method is (``ProviderFacts.
escalation_methods``: description, reference, table order) and how to fix it in its words
(``ProviderFacts.remediations``).

Findings are bounded: ONE per (principal, method), whatever the number of targets (a principal
allowed to create keys for 5,000 users gives one finding, not 5,000). Its target is the most
valuable one: admin first, then a target that reaches admin in the graph, then certain before
conditional, then the first by id; ``evidence.targets`` counts them all and
``evidence.sample_targets`` lists up to 10 (an admin target of another scope by its admin
sink, ``admin:<scope>``). ``evidence.scope`` names the scope an escalation to admin lands in
when it is not the principal's own (owner of another project, of a folder); it is left out
otherwise.

A concrete escalation's ``path`` is its escalates_to hop, then the graph's shortest onward path
to admin when the target reaches one. One whose provider says what could stop it that the
snapshot cannot tell (``Escalation.missing`` on a concrete escalation: "X already has a
console password") is conditional, ranked by its target's power, and its title ends
"unless ...". A potential escalation (a resource it needs is not in the snapshot) has no path:
it is titled "could escalate ... if ... existed" and is at most medium.

Severity: critical when it reaches admin and the principal is exposed (a non-human identity with
an active long-lived key, or what its provider says exposes it: a public or cross-account
trust, a public binding); high when it reaches admin; medium otherwise. Potential ones: medium
when they would reach admin, else low. An escalation into a scope the principal administers
outright (admin of its landing scope, or of the target identity's scope) is skipped (the admin
finding covers it), and so are the identities only the cloud acts through
(``provider_managed``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.rules.common import capital, describe
from nhiscan.rules.escalation_meta import FAMILY_METAS
from nhiscan.rules.reach_support import (
    SAMPLE_SIZE,
    AdminReach,
    admin_reach,
    admin_target,
    administered,
    conditional,
    exposure,
    label,
    per_graph,
    provider_managed,
    sample,
    scope_words,
)
from nhiscan.scanner.authz import Decision, StatementRef
from nhiscan.scanner.escalation import Escalation, Family, Member, Step, TargetSet, expand
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import MethodInfo
from nhiscan.scanner.graph import EdgeKind, Hop, ReachGraph, path_json
from nhiscan.scanner.graph.reach import through
from nhiscan.scanner.model import Finding, Identity, Severity
from nhiscan.scanner.provider import ProviderSet

ADMIN = "admin"
UNKNOWN = "unknown"


class EscalationRule:
    """The rule of one method family; subclasses set ``family`` and ``meta``."""

    family: Family
    meta: RuleMeta

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        graph = ctx.require_graph(self.meta)
        providers = ctx.providers
        reach = admin_reach(graph)
        held = administered(graph)

        def grouped(g: ReachGraph) -> Grouped:
            return _grouped(g, estate, providers)

        for (principal, _), found in per_graph(graph, "escalations", grouped).get(self.family, ()):
            identity = estate.identities.get(principal)
            if identity is None or provider_managed(providers, identity):
                continue
            mine = held.get(principal, frozenset())
            if len(found) == 1 and found[0].within is not None:
                members = _ranked_members(graph, estate, providers, identity, found[0], mine)
                if not members:
                    continue
                chosen = _pick_member(providers, identity, graph, members, found[0])
            else:
                found = list(expand(found))
                if mine:  # most principals administer no scope: nothing to leave out
                    found = [
                        e for e in found if _landing(estate, providers, identity, e) not in mine
                    ]
                if not found:
                    continue
                chosen = _pick(providers, identity, graph, reach, found)
            yield self._finding(estate, providers, identity, chosen)

    def _finding(
        self, estate: Estate, providers: ProviderSet, identity: Identity, chosen: _Chosen
    ) -> Finding:
        exposed = exposure(estate, identity, providers)
        facts = providers.facts(identity.provider)
        return make_finding(
            self.meta,
            subject=identity.id,
            provider=identity.provider,
            title=_title(estate, providers, identity, chosen),
            evidence=_evidence(identity, chosen, exposed, facts.escalation_evidence, providers),
            key=(chosen.escalation.method,),
            severity=_severity(chosen, bool(exposed)),
            path=path_json(chosen.path),
            remediation=facts.remediations.get(self.meta.id),
        )


Grouped = dict[Family, list[tuple[tuple[str, str], list[Escalation]]]]


def _grouped(graph: ReachGraph, estate: Estate, providers: ProviderSet) -> Grouped:
    """Every escalation by family, then by (principal, method): principal id, then the order
    of its provider's method table (a method the table does not list comes last, by name)."""
    groups: dict[Family, dict[tuple[str, str], list[Escalation]]] = {}
    for escalation in (*graph.escalations, *graph.potential):
        by_key = groups.setdefault(escalation.family, {})
        by_key.setdefault((escalation.principal, escalation.method), []).append(escalation)
    orders: dict[str, dict[str, int]] = {}

    def order(principal: str, method: str) -> int:
        identity = estate.identities.get(principal)
        name = str(identity.provider) if identity is not None else ""
        if name not in orders:
            methods = providers.facts(name).escalation_methods if name else {}
            orders[name] = {m: index for index, m in enumerate(methods)}
        return orders[name].get(method, len(orders[name]))

    return {
        family: sorted(found.items(), key=lambda i: (i[0][0], order(*i[0]), i[0][1]))
        for family, found in groups.items()
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class _Chosen:
    """The escalation a finding reports, and what it reaches."""

    escalation: Escalation
    info: MethodInfo | None  # what its provider's table says of the method
    admin: bool  # reaches admin, directly or through its target
    targets: int  # how many targets ("unknown" left out)
    samples: list[str]  # the first of them, most valuable first
    path: tuple[Hop, ...]  # () for a potential escalation


def _landing(
    estate: Estate, providers: ProviderSet, identity: Identity, escalation: Escalation
) -> str:
    """The admin sink of the scope the escalation gains power in: the one it lands on for an
    escalation to admin, else the target identity's own scope's (the principal's when the
    target is no identity of the snapshot): an admin of that scope already holds it."""
    if escalation.target == ADMIN:
        return admin_target(providers, identity, escalation.scope)
    target = estate.identities.get(escalation.target)
    return admin_target(providers, target if target is not None else identity, None)


def _node(providers: ProviderSet, identity: Identity, escalation: Escalation) -> str:
    """The graph node the escalation's hop leads to."""
    if escalation.target == ADMIN:
        return admin_target(providers, identity, escalation.scope)
    return escalation.target


def _target_id(escalation: Escalation) -> str:
    """How ``evidence.targets`` names a target: its id, "admin" for the principal's own
    scope, the admin sink of another scope."""
    if escalation.target == ADMIN and escalation.scope is not None:
        return f"{ADMIN}:{escalation.scope}"
    return escalation.target


def _pick(
    providers: ProviderSet,
    identity: Identity,
    graph: ReachGraph,
    reach: AdminReach,
    found: list[Escalation],
) -> _Chosen:
    """The most valuable concrete escalation, or potential one when none is concrete."""
    pool = [e for e in found if not e.potential] or found

    def rank(e: Escalation) -> tuple[bool, bool, bool, str, str]:
        node = _node(providers, identity, e)
        return (e.target != ADMIN, not reach.reaches(node), e.conditional, e.target, e.scope or "")

    ranked = sorted(pool, key=rank)
    best = ranked[0]
    node = _node(providers, identity, best)
    methods = providers.facts(identity.provider).escalation_methods
    targets = list(dict.fromkeys(_target_id(e) for e in ranked if e.target != UNKNOWN))
    return _Chosen(
        escalation=best,
        info=methods.get(best.method),
        admin=best.target == ADMIN or reach.reaches(node),
        targets=len(targets),
        samples=sample(targets),
        path=() if best.potential else _path(graph, reach, best, node),
    )


def _pick_member(
    providers: ProviderSet,
    identity: Identity,
    graph: ReachGraph,
    members: Sequence[Member],
    escalation: Escalation,
) -> _Chosen:
    """The most valuable member of a target set (the order :func:`_ranked_members` keeps),
    as ``_pick`` would choose among one escalation per member."""
    reach = admin_reach(graph)
    within = escalation.within
    assert within is not None
    best = members[0]
    [chosen] = expand((replace(escalation, within=replace(within, members=(best,))),))
    methods = providers.facts(identity.provider).escalation_methods
    path: tuple[Hop, ...] = ()
    if not chosen.potential:
        path = _set_path(graph, reach, escalation, best.target)
    return _Chosen(
        escalation=chosen,
        info=methods.get(chosen.method),
        admin=reach.reaches(best.target),
        targets=len(members),
        samples=[m.target for m in members[:SAMPLE_SIZE]],
        path=path,
    )


def _ranked_members(
    graph: ReachGraph,
    estate: Estate,
    providers: ProviderSet,
    identity: Identity,
    escalation: Escalation,
    held: frozenset[str],
) -> list[Member]:
    """The members of the escalation's target set, most valuable first (reaching admin,
    certain, by id), less the principal and the targets whose scope it already administers:
    sorted once per set and graph, filtered per principal without sorting again."""
    within = escalation.within
    assert within is not None
    order = per_graph(
        graph, f"set-order:{within.id}", lambda g: _set_order(g, estate, providers, within)
    )
    ranked = order[escalation.conditional]
    found = []
    for landing, member in ranked:
        if member.target == escalation.principal or landing in held:
            continue
        found.append(member)
    return found


def _set_order(
    graph: ReachGraph, estate: Estate, providers: ProviderSet, within: TargetSet
) -> dict[bool, list[tuple[str, Member]]]:
    """A set's members with where each lands, in rank order: for an escalation that is
    certain (key False) and one that is conditional (key True, every member conditional)."""
    reach = admin_reach(graph)
    landed = []
    for member in dict((m.target, m) for m in reversed(within.members)).values():
        target = estate.identities.get(member.target)
        landing = admin_target(providers, target, None) if target is not None else ""
        landed.append((landing, member))
    return {
        conditional: sorted(
            landed,
            key=lambda lm: (
                not reach.reaches(lm[1].target),
                conditional or lm[1].conditional,
                lm[1].target,
            ),
        )
        for conditional in (False, True)
    }


def _path(
    graph: ReachGraph, reach: AdminReach, escalation: Escalation, node: str
) -> tuple[Hop, ...]:
    """The escalates_to hop, then the shortest onward path to admin from its target."""
    for hop in graph.hops_from(escalation.principal):
        if (hop.edge, hop.method, hop.target) == (EdgeKind.ESCALATES_TO, escalation.method, node):
            return (hop, *(reach.path(node) or ()))
    return ()


def _set_path(
    graph: ReachGraph, reach: AdminReach, escalation: Escalation, member: str
) -> tuple[Hop, ...]:
    """The escalates_to hop into the target set and out to ``member`` as one hop (as walks
    show it), then the shortest onward path to admin from the member."""
    assert escalation.within is not None
    hub = escalation.within.id
    for hop in graph.hops_from(escalation.principal):
        if (hop.edge, hop.method, hop.target) != (EdgeKind.ESCALATES_TO, escalation.method, hub):
            continue
        for out in graph.hops_from(hub):
            if out.target == member:
                return (through(hop, out), *(reach.path(member) or ()))
    return ()


def _severity(chosen: _Chosen, exposed: bool) -> Severity:
    if chosen.escalation.potential:
        return Severity.MEDIUM if chosen.admin else Severity.LOW
    if chosen.admin:
        return Severity.CRITICAL if exposed else Severity.HIGH
    return Severity.MEDIUM


def _evidence(
    identity: Identity,
    chosen: _Chosen,
    exposed: list[str],
    fields: tuple[str, ...],
    providers: ProviderSet,
) -> dict[str, Any]:
    escalation, info = chosen.escalation, chosen.info
    evidence: dict[str, Any] = {
        "principal": identity.id,
        "account": identity.account,
        "is_human": identity.is_human,
        "method": escalation.method,
        "family": escalation.family.value,
        "description": info.description if info is not None else None,
        "reference": info.reference if info is not None else None,
        "target": escalation.target,
    }
    if escalation.scope is not None:
        evidence["scope"] = escalation.scope
    evidence |= {
        "reaches_admin": chosen.admin,
        "potential": escalation.potential,
        "missing": escalation.missing,
        "conditional": escalation.conditional or conditional(chosen.path),
        "targets": chosen.targets,
        "sample_targets": chosen.samples,
        "steps": [_step(step) for step in escalation.steps],
        "exposure": exposed,
    }
    return evidence | {name: getattr(identity, name) for name in fields}


def _step(step: Step) -> dict[str, Any]:
    """One permission used; a conditional one with why (the condition keys it depends on)."""
    found = {
        "action": step.action,
        "resource": step.resource,
        "decision": step.evaluation.decision.value,
        "statements": [_ref(ref) for ref in step.evaluation.allowed_by],
    }
    if step.evaluation.decision is Decision.CONDITIONAL and step.evaluation.reason:
        found["depends_on"] = step.evaluation.reason
    return found


def _ref(ref: StatementRef) -> dict[str, Any]:
    return {"policy_id": ref.policy_id, "index": ref.index, "sid": ref.sid, "effect": ref.effect}


def _title(estate: Estate, providers: ProviderSet, identity: Identity, chosen: _Chosen) -> str:
    escalation = chosen.escalation
    who = capital(describe(identity, identity.id, providers))
    where = _target_words(estate, providers, identity, chosen)
    others = chosen.targets - 1
    more = f" (and {others:,} other target{'s' if others > 1 else ''})" if others > 0 else ""
    if escalation.potential:
        waits = _if(escalation, chosen.info)
        return f"{who} could escalate{where} through {escalation.method}{waits}{more}."
    unless = f", unless {escalation.missing.split(' (')[0]}" if escalation.missing else ""
    return f"{who} can escalate{where} through {escalation.method}{more}{unless}."


def _if(escalation: Escalation, info: MethodInfo | None) -> str:
    """What a potential escalation waits for, as the end of its title."""
    missing = escalation.missing or (info.missing if info is not None else None) or "a target"
    head = missing.split(" (")[0]
    if head.startswith("whether "):
        return f", depending on {head}"
    if head.startswith("the role of "):
        return f" if {head} were in the snapshot"
    return f" if {head} existed"


def _target_words(
    estate: Estate, providers: ProviderSet, identity: Identity, chosen: _Chosen
) -> str:
    escalation = chosen.escalation
    target = escalation.target
    if target == ADMIN:
        scope = _node(providers, identity, escalation).removeprefix(f"{ADMIN}:")
        return f" to administrator of {scope_words(providers, identity, scope)}"
    if target == UNKNOWN:
        return ""
    name = label(estate, target, lambda i: _kind_words(providers, i))
    return f" to {name}, which reaches admin," if chosen.admin else f" to {name}"


def _kind_words(providers: ProviderSet, identity: Identity) -> Mapping[str, str]:
    return providers.facts(identity.provider).kind_words


class PolicyModificationEscalation(EscalationRule):
    family = Family.POLICY_MODIFICATION
    meta = FAMILY_METAS[Family.POLICY_MODIFICATION]


class GroupMembershipEscalation(EscalationRule):
    family = Family.GROUP_MEMBERSHIP
    meta = FAMILY_METAS[Family.GROUP_MEMBERSHIP]


class CredentialCreationEscalation(EscalationRule):
    family = Family.CREDENTIAL_CREATION
    meta = FAMILY_METAS[Family.CREDENTIAL_CREATION]


class TrustModificationEscalation(EscalationRule):
    family = Family.TRUST_MODIFICATION
    meta = FAMILY_METAS[Family.TRUST_MODIFICATION]


class PassRoleComputeEscalation(EscalationRule):
    family = Family.PASSROLE_COMPUTE
    meta = FAMILY_METAS[Family.PASSROLE_COMPUTE]


class ExistingComputeEscalation(EscalationRule):
    family = Family.EXISTING_COMPUTE
    meta = FAMILY_METAS[Family.EXISTING_COMPUTE]

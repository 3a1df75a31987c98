"""Privilege escalation: one rule per method family of nhiscan/providers/aws/privesc/method.py
(role assumption is not a rule: it is the reach graph's can_assume).

Findings are bounded: ONE per (principal, method), whatever the number of targets (a principal
allowed iam:CreateAccessKey on 5,000 users gives one finding, not 5,000). Its target is the most
valuable one: admin first, then a target that reaches admin in the graph, then certain before
conditional, then the first by id; ``evidence.targets`` counts them all and
``evidence.sample_targets`` lists up to 10.

A concrete escalation's ``path`` is its escalates_to hop, then the graph's shortest onward path
to admin when the target reaches one. A potential escalation (a resource it needs is not in the
snapshot) has no path: it is titled "could escalate ... if ... existed" and is at most medium.

Severity: critical when it reaches admin and the principal is exposed (a non-human identity with
an active access key, or a role with a public or cross-account trust); high when it reaches
admin; medium otherwise. Potential ones: medium when they would reach admin, else low.
Principals that are administrators outright are skipped (the admin finding covers them), and
service-linked roles too (AWS alone acts through them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nhiscan.providers.aws.facts import KIND_WORDS
from nhiscan.providers.aws.privesc import BY_NAME, METHODS
from nhiscan.providers.aws.privesc.methods import missing_words
from nhiscan.providers.aws.privesc.targets import ADMIN, UNKNOWN
from nhiscan.providers.aws.rules.escalation_meta import FAMILY_METAS
from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.rules.common import capital, named
from nhiscan.rules.reach_support import (
    AdminReach,
    admin_reach,
    certain_admins,
    conditional,
    exposure,
    label,
    per_graph,
    sample,
)
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.escalation import Escalation, Family, Step
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph import EdgeKind, Hop, ReachGraph, admin_node, path_json
from nhiscan.scanner.model import Finding, Identity, Severity

_TABLE_ORDER = {method.name: index for index, method in enumerate(METHODS)}


class EscalationRule:
    """The rule of one method family; subclasses set ``family`` and ``meta``."""

    family: Family
    meta: RuleMeta

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        graph = ctx.require_graph(self.meta)
        reach = admin_reach(graph)
        skip = certain_admins(graph)
        for (principal, _), found in per_graph(graph, "escalations", _grouped).get(self.family, ()):
            identity = estate.identities.get(principal)
            if identity is None or identity.service_linked or principal in skip:
                continue
            chosen = _pick(estate, graph, reach, found)
            yield self._finding(estate, identity, chosen, exposure(estate, identity, ctx.providers))

    def _finding(
        self, estate: Estate, identity: Identity, chosen: _Chosen, exposed: list[str]
    ) -> Finding:
        return make_finding(
            self.meta,
            subject=identity.id,
            provider=identity.provider,
            title=_title(estate, identity, chosen),
            evidence=_evidence(identity, chosen, exposed),
            key=(chosen.escalation.method,),
            severity=_severity(chosen, bool(exposed)),
            path=path_json(chosen.path),
        )


Grouped = dict[Family, list[tuple[tuple[str, str], list[Escalation]]]]


def _grouped(graph: ReachGraph) -> Grouped:
    """Every escalation by family, then by (principal, method): principal id, table order."""
    groups: dict[Family, dict[tuple[str, str], list[Escalation]]] = {}
    for escalation in (*graph.escalations, *graph.potential):
        if escalation.method not in BY_NAME:
            continue  # another cloud's method: its provider's rules report it
        by_key = groups.setdefault(escalation.family, {})
        by_key.setdefault((escalation.principal, escalation.method), []).append(escalation)
    return {
        family: sorted(found.items(), key=lambda i: (i[0][0], _TABLE_ORDER.get(i[0][1], -1)))
        for family, found in groups.items()
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class _Chosen:
    """The escalation a finding reports, and what it reaches."""

    escalation: Escalation
    admin: bool  # reaches admin, directly or through its target
    targets: list[str]  # every target, most valuable first ("unknown" left out)
    path: tuple[Hop, ...]  # () for a potential escalation


def _pick(estate: Estate, graph: ReachGraph, reach: AdminReach, found: list[Escalation]) -> _Chosen:
    """The most valuable concrete escalation, or potential one when none is concrete."""
    pool = [e for e in found if not e.potential] or found
    account = estate.identities[pool[0].principal].account

    def node(e: Escalation) -> str:
        return admin_node(account) if e.target == ADMIN else e.target

    def rank(e: Escalation) -> tuple[bool, bool, bool, str]:
        return (e.target != ADMIN, not reach.reaches(node(e)), e.conditional, e.target)

    ranked = sorted(pool, key=rank)
    best = ranked[0]
    return _Chosen(
        escalation=best,
        admin=best.target == ADMIN or reach.reaches(node(best)),
        targets=list(dict.fromkeys(e.target for e in ranked if e.target != UNKNOWN)),
        path=() if best.potential else _path(graph, reach, best, node(best)),
    )


def _path(
    graph: ReachGraph, reach: AdminReach, escalation: Escalation, node: str
) -> tuple[Hop, ...]:
    """The escalates_to hop, then the shortest onward path to admin from its target."""
    for hop in graph.hops_from(escalation.principal):
        if (hop.edge, hop.method, hop.target) == (EdgeKind.ESCALATES_TO, escalation.method, node):
            return (hop, *(reach.path(node) or ()))
    return ()


def _severity(chosen: _Chosen, exposed: bool) -> Severity:
    if chosen.escalation.potential:
        return Severity.MEDIUM if chosen.admin else Severity.LOW
    if chosen.admin:
        return Severity.CRITICAL if exposed else Severity.HIGH
    return Severity.MEDIUM


def _evidence(identity: Identity, chosen: _Chosen, exposed: list[str]) -> dict[str, Any]:
    escalation = chosen.escalation
    method = BY_NAME[escalation.method]
    return {
        "principal": identity.id,
        "account": identity.account,
        "is_human": identity.is_human,
        "method": method.name,
        "family": method.family.value,
        "description": method.description,
        "reference": method.reference,
        "target": escalation.target,
        "reaches_admin": chosen.admin,
        "potential": escalation.potential,
        "missing": escalation.missing if escalation.potential else None,
        "conditional": escalation.conditional or conditional(chosen.path),
        "targets": len(chosen.targets),
        "sample_targets": sample(chosen.targets),
        "steps": [_step(step) for step in escalation.steps],
        "exposure": exposed,
        "permissions_boundary": identity.permissions_boundary,
    }


def _step(step: Step) -> dict[str, Any]:
    return {
        "action": step.action,
        "resource": step.resource,
        "decision": step.evaluation.decision.value,
        "statements": [_ref(ref) for ref in step.evaluation.allowed_by],
    }


def _ref(ref: StatementRef) -> dict[str, Any]:
    return {"policy_id": ref.policy_id, "index": ref.index, "sid": ref.sid, "effect": ref.effect}


def _title(estate: Estate, identity: Identity, chosen: _Chosen) -> str:
    escalation = chosen.escalation
    who = capital(named(identity, KIND_WORDS))
    where = _target_words(estate, identity, chosen)
    others = len(chosen.targets) - 1
    more = f" (and {others:,} other target{'s' if others > 1 else ''})" if others > 0 else ""
    if escalation.potential:
        return f"{who} could escalate{where} through {escalation.method}{_if(escalation)}{more}."
    return f"{who} can escalate{where} through {escalation.method}{more}."


def _if(escalation: Escalation) -> str:
    """What a potential escalation waits for, as the end of its title."""
    missing = escalation.missing or missing_words(BY_NAME[escalation.method])
    head = missing.split(" (")[0]
    if head.startswith("whether "):
        return f", depending on {head}"
    if head.startswith("the role of "):
        return f" if {head} were in the snapshot"
    return f" if {head} existed"


def _target_words(estate: Estate, identity: Identity, chosen: _Chosen) -> str:
    target = chosen.escalation.target
    if target == ADMIN:
        return f" to administrator of account {identity.account}"
    if target == UNKNOWN:
        return ""
    name = label(estate, target, lambda _: KIND_WORDS)
    return f" to {name}, which reaches admin," if chosen.admin else f" to {name}"


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

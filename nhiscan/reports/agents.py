"""The agents section of the reports: each agent's needs, grants, excess, missing access (and
the needs that could not be judged, with why), score and least-privilege policies, and the
identities no agent claims. JSON shapes here; the HTML report renders the same data
(``html_agents.py``). With an activity source, each agent has its ``activity``: needed vs
granted vs used (``agent_usage.py``).

Each long list (excess, excess scope, conditional excess, missing, escalations, unjudged needs,
the unclaimed identities) keeps its riskiest ``Report.list_cap`` items, and its exact length is
in ``totals`` (``unclaimed_count`` for the unclaimed): ``--detail full`` keeps every item.
Grants are ordered by their weight in the score (permissions management before writes before
reads, data stores and ``*`` weighing more), then by service, action and resource."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from nhiscan.reports.agent_usage import usage_json
from nhiscan.reports.model import Report
from nhiscan.scanner.agents.plan import need_json, ref_json
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.gaps import EscalationItem, GrantItem, IdentityGap, MissingItem
from nhiscan.scanner.gaps.analysis import AgentResult, Unclaimed
from nhiscan.scanner.gaps.model import add_counts, count_by_service
from nhiscan.scanner.gaps.score import SCORE_DOC, Score, weight

T = TypeVar("T")

NO_AGENT_FILES = (
    "no agent files were given (--agents, [agents] path, ./agents.yaml or ./agents/): the gap "
    "analysis was skipped and every non-human identity is unclaimed"
)
NO_REACH = (
    "reach analysis was turned off (--no-reach): needs were compiled and identities claimed, "
    "but granted access, excess and missing access were not computed"
)


def agents_json(report: Report) -> list[dict[str, Any]] | None:
    """The ``agents`` list of the JSON contract; None when no agent files were given."""
    if report.agents is None:
        return None
    return [agent_json(result, cap=report.list_cap) for result in report.agents.results]


def analysis_json(report: Report) -> dict[str, Any]:
    """``agent_analysis``: whether it ran, from which files, the score's definition and the
    unclaimed NHIs (largest reach first)."""
    analysis = report.agents
    if analysis is None:
        machines = sum(1 for i in report.estate.identities.values() if not i.is_human)
        return {"analysed": False, "skipped": NO_AGENT_FILES, "unclaimed_count": machines}
    data: dict[str, Any] = {
        "analysed": True,
        "gaps_analysed": analysis.gaps_analysed,
        "sources": list(analysis.sources),
        "source_hash": analysis.source_hash,
        "score": SCORE_DOC,
        "unclaimed": [unclaimed_json(u) for u in capped(analysis.unclaimed, report.list_cap)],
        "unclaimed_count": len(analysis.unclaimed),
    }
    if not analysis.gaps_analysed:
        data["skipped"] = NO_REACH
    return data


def agent_json(result: AgentResult, *, cap: int | None = None) -> dict[str, Any]:
    """One agent; its long lists keep their first ``cap`` items (None: all), with their
    lengths in ``totals``."""
    data = _agent_json(result) | _lists_json(result, cap)
    if result.gap is not None and result.gap.unjudged:  # left out when every need was judged
        data["unjudged"] = [missing_json(m) for m in capped(result.gap.unjudged, cap)]
    if result.usage is not None:  # left out when no activity source was read
        data["activity"] = usage_json(result.usage, cap=cap)
    return data


def capped(items: Sequence[T], cap: int | None) -> Sequence[T]:
    return items if cap is None else items[:cap]


def riskiest(items: Iterable[GrantItem], *, scope: bool = False) -> list[GrantItem]:
    """Grants heaviest first (their weight in the score), in the analyzer's order on ties."""
    return sorted(items, key=lambda item: -weight(item, scope=scope))


def _lists_json(result: AgentResult, cap: int | None) -> dict[str, Any]:
    gap = result.gap
    if gap is None:
        nothing = dict.fromkeys(("excess", "excess_scope", "conditional", "missing", "escalations"))
        return nothing | {"totals": None}
    lists: dict[str, tuple[Sequence[Any], Callable[[Any], dict[str, Any]]]] = {
        "excess": (riskiest(gap.excess), grant_json),
        "excess_scope": (riskiest(gap.excess_scope, scope=True), grant_json),
        "conditional": (riskiest(gap.conditional), grant_json),
        "missing": (gap.missing, missing_json),
        "escalations": (gap.escalations, escalation_json),
    }
    data: dict[str, Any] = {
        key: [to(item) for item in capped(items, cap)] for key, (items, to) in lists.items()
    }
    data["totals"] = {key: len(items) for key, (items, _) in lists.items()} | {
        "unjudged": len(gap.unjudged)
    }
    return data


def _agent_json(result: AgentResult) -> dict[str, Any]:
    agent, gap = result.agent, result.gap
    identities = gap.identities if gap is not None else ()
    return {
        "name": agent.name,
        "owner": agent.owner,
        "description": agent.description,
        "status": agent.status.value,
        "decommissioned_at": agent.decommissioned_at.isoformat()
        if agent.decommissioned_at
        else None,
        "where": str(agent.where),
        "max_key_age_days": result.plan.max_key_age_days,
        "identities": [_identity(i, gap_of(identities, i)) for i in result.identities],
        "references": [ref_json(r) for r in agent.identities],
        "unmatched": [ref_json(r) for r in result.unmatched],
        "unchecked": [ref_json(r) for r in result.unchecked],
        "steps": [{"index": s.index, "where": str(s.where), "text": s.text} for s in agent.steps],
        "needed": [need_json(n) for n in result.plan.needs],
        "analysed": gap is not None,
        "granted_summary": _granted_summary(identities) if gap is not None else None,
        "excess_by_service": count_by_service(gap.excess) if gap is not None else None,
        "score": score_json(result.score),
        "least_privilege": {
            i.identity: {"policy": i.policy, "trust": i.trust} for i in identities if i.analysed
        }
        if gap is not None
        else None,
    }


def gap_of(gaps: Iterable[IdentityGap], identity: str) -> IdentityGap | None:
    return next((g for g in gaps if g.identity == identity), None)


def _identity(identity: str, gap: IdentityGap | None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": identity}
    if gap is None:
        return data
    data.update(
        provider=gap.provider.value,
        account=gap.account,
        analysed=gap.analysed,
        reason=gap.reason,
        granted=gap.granted,
        admin=gap.admin,
        roles=list(gap.roles),
        excess=len(gap.excess),
        excess_scope=len(gap.excess_scope),
        conditional=len(gap.conditional),
        missing=len(gap.missing),
        conditional_needs=[need_json(n) for n in gap.conditional_needs],
        uncollected_policies=list(gap.uncollected),
    )
    if gap.unjudged:  # needs its provider could not judge: neither met nor missing
        data["unjudged_needs"] = [missing_json(m) for m in gap.unjudged]
    return data


def _granted_summary(gaps: Iterable[IdentityGap]) -> dict[str, Any]:
    gaps = list(gaps)
    return {
        "granted": sum(g.granted for g in gaps),
        "admin": any(g.admin for g in gaps),
        "roles": sorted({r for g in gaps for r in g.roles}),
        "by_service": add_counts(g.by_service for g in gaps),
    }


def grant_json(item: GrantItem) -> dict[str, Any]:
    data: dict[str, Any] = {
        "provider": item.provider.value,
        "action": item.action,
        "resource": item.resource,
        "service": item.service,
        "access_level": item.access_level,
        "statements": [statement_json(s) for s in item.statements],
    }
    if item.conditional:
        data["conditional"] = True
    if item.via:
        data["via"] = list(item.via)
    if item.needed_on:
        data["needed_on"] = list(item.needed_on)
    if item.except_resources:
        data["except_resources"] = list(item.except_resources)
    return data


def statement_json(ref: StatementRef) -> dict[str, Any]:
    return {"policy_id": ref.policy_id, "index": ref.index, "sid": ref.sid}


def missing_json(item: MissingItem) -> dict[str, Any]:
    return {
        "provider": item.provider.value,
        "action": item.action,
        "resource": item.resource,
        "steps": list(item.steps),
        "reason": item.reason,
    }


def escalation_json(item: EscalationItem) -> dict[str, Any]:
    return {
        "principal": item.principal,
        "method": item.method,
        "target": item.target,
        "targets": item.targets,
        "samples": list(item.samples),
        "conditional": item.conditional,
    }


def score_json(score: Score | None) -> dict[str, Any] | None:
    if score is None:
        return None
    return {
        "value": score.value,
        "band": score.band.value if score.band is not None else None,
        "excess_points": score.excess_points,
        "admin": score.admin,
        "escalation_methods": list(score.escalation_methods),
    }


def unclaimed_json(item: Unclaimed) -> dict[str, Any]:
    return {
        "identity": item.identity,
        "reach": item.reach,
        "resources": item.resources,
        "admin": item.admin,
    }

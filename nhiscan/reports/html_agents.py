"""The "Agents" section of the HTML report: one card per declared agent (who it runs as, what
its workflow needs, what it is granted beyond that, what it is missing, its score and the
least-privilege policy to apply), then the non-human identities no agent claims.

The page lists a bounded sample of each agent's excess: an administrator holds tens of
thousands of excess grants and the page must stay small. Counts are always exact; report.json
lists every item. Names, owners, descriptions and step texts come from agent files and ids from
clouds: the template escapes them all (nothing here is marked safe).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from nhiscan.reports.agents import NO_AGENT_FILES, NO_REACH, gap_of
from nhiscan.reports.evidence import Subject, subject_of
from nhiscan.reports.html_agent_items import (
    AGENT_ITEMS,
    GROUP_ITEMS,
    Capped,
    ExcessView,
    GrantedView,
    GrantRow,
    capped,
    capped_grants,
    excess_view,
    granted_view,
)
from nhiscan.reports.html_usage import UsageView, usage_view
from nhiscan.reports.model import Report
from nhiscan.scanner.agents.model import AgentStatus, IdentityRef, Need
from nhiscan.scanner.gaps import AgentGap, EscalationItem, MissingItem
from nhiscan.scanner.gaps.analysis import AgentAnalysis, AgentResult, Unclaimed
from nhiscan.scanner.gaps.score import SCORE_DOC, Score

UNCLAIMED_ROWS = 200  # unclaimed identities listed


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityView:
    subject: Subject
    analysed: bool | None  # None: reach analysis off, nothing computed
    reason: str | None
    granted: int
    admin: bool
    roles: int
    excess: int
    missing: int
    policy: str | None  # pretty-printed JSON, ready to copy
    trust: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RefView:
    text: str  # "id arn:…", "tag team=x"
    where: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StepView:
    index: int
    where: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NeedRow:
    action: str
    resource: str
    steps: tuple[int, ...]
    conditions: str | None
    own_account: bool  # the reference named no account: the identity's own


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingRow:
    action: str
    resource: str
    steps: tuple[int, ...]
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreView:
    value: int
    band: str | None  # a severity name; None: no excess at all
    excess_points: str  # "12", "3.5"
    admin: bool
    escalation_methods: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentCard:
    anchor: str  # "agent-3": names are free text, ids are positional
    name: str
    owner: str
    description: str | None
    decommissioned: bool
    decommissioned_at: str | None  # ISO date
    where: str
    identities: tuple[IdentityView, ...]
    analysed_identities: int  # how many of them the gap analysis could examine
    unmatched: tuple[RefView, ...]
    unchecked: tuple[RefView, ...]
    steps: tuple[StepView, ...]
    needs: tuple[NeedRow, ...]
    analysed: bool  # False: reach analysis was off, no gap was computed
    score: ScoreView | None
    granted: GrantedView | None
    excess: ExcessView | None
    excess_scope: Capped[GrantRow] | None
    conditional: Capped[GrantRow] | None
    missing: tuple[MissingRow, ...]
    escalations: Capped[EscalationItem] | None
    unjudged: tuple[MissingRow, ...] = ()  # needs that could not be judged, with why
    usage: UsageView | None = None  # what the audit trail saw; None: no activity source read


@dataclass(frozen=True, slots=True, kw_only=True)
class UnclaimedRow:
    subject: Subject
    admin: bool
    reach: int
    resources: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentsView:
    given: bool  # False: no agent files, nothing below but the note
    note: str | None  # NO_AGENT_FILES or NO_REACH
    gaps_analysed: bool
    score_doc: str
    sources: tuple[str, ...]
    cards: tuple[AgentCard, ...]
    unclaimed: Capped[UnclaimedRow]
    group_items: int = GROUP_ITEMS
    agent_items: int = AGENT_ITEMS


def agents_view(report: Report) -> AgentsView:
    analysis = report.agents
    if analysis is None:
        return AgentsView(
            given=False,
            note=NO_AGENT_FILES,
            gaps_analysed=False,
            score_doc=SCORE_DOC,
            sources=(),
            cards=(),
            unclaimed=Capped(rows=(), total=0),
        )
    return AgentsView(
        given=True,
        note=None if analysis.gaps_analysed else NO_REACH,
        gaps_analysed=analysis.gaps_analysed,
        score_doc=SCORE_DOC,
        sources=analysis.sources,
        cards=tuple(agent_card(report, result, n) for n, result in enumerate(analysis.results, 1)),
        unclaimed=unclaimed_rows(report, analysis),
    )


def agent_card(report: Report, result: AgentResult, number: int) -> AgentCard:
    agent, gap = result.agent, result.gap
    return AgentCard(
        anchor=f"agent-{number}",
        name=agent.name,
        owner=agent.owner,
        description=agent.description,
        decommissioned=agent.status is AgentStatus.DECOMMISSIONED,
        decommissioned_at=_day(agent.decommissioned_at),
        where=str(agent.where),
        identities=tuple(identity_view(report, i, gap) for i in result.identities),
        analysed_identities=sum(g.analysed for g in gap.identities) if gap is not None else 0,
        unmatched=refs(result.unmatched),
        unchecked=refs(result.unchecked),
        steps=tuple(StepView(index=s.index, where=str(s.where), text=s.text) for s in agent.steps),
        needs=tuple(need_row(n) for n in result.plan.needs),
        analysed=gap is not None,
        score=score_view(result.score),
        granted=granted_view(gap.identities) if gap is not None else None,
        excess=excess_view(gap.excess) if gap is not None else None,
        excess_scope=capped_grants(gap.excess_scope) if gap is not None else None,
        conditional=capped_grants(gap.conditional) if gap is not None else None,
        missing=missing_rows(gap),
        escalations=capped(gap.escalations) if gap is not None else None,
        unjudged=tuple(missing_row(m) for m in gap.unjudged) if gap is not None else (),
        usage=usage_view(report, result.usage),
    )


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- who it runs as --------------------------------------------------------------------------


def identity_view(report: Report, identity: str, agent_gap: AgentGap | None) -> IdentityView:
    gap = gap_of(agent_gap.identities, identity) if agent_gap is not None else None
    subject = subject_of(report, identity)
    if gap is None:
        return IdentityView(
            subject=subject, analysed=None, reason=None, granted=0, admin=False, roles=0,
            excess=0, missing=0, policy=None, trust=None,
        )  # fmt: skip
    return IdentityView(
        subject=subject,
        analysed=gap.analysed,
        reason=gap.reason,
        granted=gap.granted,
        admin=gap.admin,
        roles=len(gap.roles),
        excess=len(gap.excess),
        missing=len(gap.missing),
        policy=pretty(gap.policy) if gap.analysed else None,
        trust=pretty(gap.trust) if gap.analysed else None,
    )


def refs(items: Iterable[IdentityRef]) -> tuple[RefView, ...]:
    return tuple(RefView(text=ref.describe(), where=str(ref.where)) for ref in items)


def pretty(document: Mapping[str, Any] | None) -> str | None:
    """A policy document as a person copies it: two-space JSON, keys in the document's order."""
    return None if document is None else json.dumps(document, indent=2, default=str)


# --- what it needs ---------------------------------------------------------------------------


def need_row(need: Need) -> NeedRow:
    conditions = None
    if need.conditions:
        plain = {op: {k: list(v) for k, v in t.items()} for op, t in need.conditions.items()}
        conditions = json.dumps(plain, sort_keys=True)
    return NeedRow(
        action=need.action,
        resource=need.resource,
        steps=need.steps,
        conditions=conditions,
        own_account=need.account_implicit,
    )


def missing_rows(gap: AgentGap | None) -> tuple[MissingRow, ...]:
    if gap is None:
        return ()
    return tuple(missing_row(m) for m in gap.missing)


def missing_row(item: MissingItem) -> MissingRow:
    return MissingRow(
        action=item.action, resource=item.resource, steps=item.steps, reason=item.reason
    )


def score_view(score: Score | None) -> ScoreView | None:
    if score is None:
        return None
    return ScoreView(
        value=score.value,
        band=score.band.value if score.band is not None else None,
        excess_points=f"{score.excess_points:.1f}".removesuffix(".0"),
        admin=score.admin,
        escalation_methods=score.escalation_methods,
    )


# --- identities no agent claims --------------------------------------------------------------


def unclaimed_rows(report: Report, analysis: AgentAnalysis) -> Capped[UnclaimedRow]:
    """Largest reach first, as the analysis ordered them."""
    listed = analysis.unclaimed[:UNCLAIMED_ROWS]
    rows = tuple(unclaimed_row(report, u) for u in listed)
    return Capped(rows=rows, total=len(analysis.unclaimed))


def unclaimed_row(report: Report, item: Unclaimed) -> UnclaimedRow:
    return UnclaimedRow(
        subject=subject_of(report, item.identity),
        admin=item.admin,
        reach=item.reach,
        resources=item.resources,
    )

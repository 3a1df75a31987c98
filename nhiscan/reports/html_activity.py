"""The "Seen in the audit trail" section of the HTML report: every identity the activity sources
saw, agent or not, in one compact row (first and last seen, events, the actions it used and
those it was refused), the busiest first, and what each source covered.

Only when the snapshot read an activity source (``--aws-cloudtrail``): a report without one has
no such section, byte for byte as before. report.json's ``activity`` section holds every
session and use; this is the overview.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from nhiscan.reports.evidence import Subject, subject_of
from nhiscan.reports.html_agent_items import Capped
from nhiscan.reports.model import Report
from nhiscan.scanner.activity import ActivityScope, ActivitySummary, Outcome

TRAIL_ROWS = 200  # identities listed (summary detail); report.json holds every one
ACTIONS_NAMED = 6  # actions named per row; the rest are counted


@dataclass(frozen=True, slots=True, kw_only=True)
class TrailRow:
    subject: Subject
    in_inventory: bool
    kind: str | None
    sessions: int
    events: int
    first_seen: datetime
    last_seen: datetime
    actions: tuple[str, ...]  # the mapped actions it used, at most ACTIONS_NAMED
    actions_total: int
    denied: tuple[str, ...]  # the actions it was refused, at most ACTIONS_NAMED
    denied_total: int
    denied_events: int
    unmapped_events: int  # events no table maps to an action


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRow:
    scope: ActivityScope
    service_events: int
    unmapped: int
    unattributed: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TrailView:
    sources: tuple[SourceRow, ...]
    identities: Capped[TrailRow]
    events: int
    not_in_inventory: int


def trail_view(report: Report) -> TrailView | None:
    snapshot = report.snapshot
    if not snapshot.activity_sources and not snapshot.activity:
        return None
    by_identity: dict[str, list[ActivitySummary]] = defaultdict(list)
    for summary in snapshot.activity:
        by_identity[summary.identity].append(summary)
    ordered = sorted(by_identity.items(), key=lambda item: (-_count(item[1]), item[0]))
    listed = ordered if report.list_cap is None else ordered[:TRAIL_ROWS]
    return TrailView(
        sources=tuple(_source(scope) for scope in snapshot.activity_sources),
        identities=Capped(rows=tuple(_row(report, i, s) for i, s in listed), total=len(ordered)),
        events=sum(s.count for s in snapshot.activity),
        not_in_inventory=sum(identity not in report.estate.identities for identity in by_identity),
    )


def _count(summaries: Sequence[ActivitySummary]) -> int:
    return sum(s.count for s in summaries)


def _row(report: Report, identity: str, summaries: Sequence[ActivitySummary]) -> TrailRow:
    known = report.estate.identities.get(identity)
    uses = [use for s in summaries for use in s.uses]
    allowed = sorted({u.action for u in uses if u.action and u.outcome is Outcome.ALLOWED})
    refused = sorted({u.action or u.event for u in uses if u.outcome is Outcome.DENIED})
    return TrailRow(
        subject=subject_of(report, identity), in_inventory=known is not None,
        kind=known.kind.value if known is not None else None, sessions=len(summaries),
        events=_count(summaries), first_seen=min(s.first_seen for s in summaries),
        last_seen=max(s.last_seen for s in summaries),
        actions=tuple(allowed[:ACTIONS_NAMED]), actions_total=len(allowed),
        denied=tuple(refused[:ACTIONS_NAMED]), denied_total=len(refused),
        denied_events=sum(u.count for u in uses if u.outcome is Outcome.DENIED),
        unmapped_events=sum(u.count for u in uses if u.action is None),
    )  # fmt: skip


def _source(scope: ActivityScope) -> SourceRow:
    return SourceRow(
        scope=scope,
        service_events=sum(scope.service_events.values()),
        unmapped=sum(scope.unmapped.values()),
        unattributed=sum(scope.unattributed.values()),
    )

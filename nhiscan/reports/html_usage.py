"""An agent's activity in the HTML report (issue #19): what the audit trail saw its sessions do,
set against what its plan needs and what it is granted.

Per agent with ``AgentResult.usage``: the timeline of its sessions' events by service
(``html_timeline``), then the needed / granted / used table, one row per (action, resource) with
its status, the alarming ones first (used outside the plan, denied, revocable, planned but
unused, used as planned), each with its counts, when it was last seen, the plan steps that need
it and the sample events an investigator pulls from the trail; then the sessions counted for the
agent, those the trail cannot tell apart from another agent's said so.

Lists are capped like the rest of the page (``Report.list_cap`` per status), the riskiest
listed first (permissions management, then writes: an administrator's thousands of revocable
grants start with what matters); counts are exact. A long list of a quiet status (revocable,
planned but unused, used as planned) sits behind an expander; what was used outside the plan or
denied is always open.
Actions, resources, session names, tags, addresses and user agents come from the trail and are
attacker-controlled: the template escapes them all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nhiscan.reports.evidence import Subject, subject_of
from nhiscan.reports.html_agent_items import Capped, statement_text
from nhiscan.reports.html_events import Events, event_rows
from nhiscan.reports.html_timeline import Mark, Timeline, timeline
from nhiscan.reports.model import Report
from nhiscan.scanner.agents.sessions import Verdict
from nhiscan.scanner.gaps.score import LEVEL_WEIGHT
from nhiscan.scanner.usage import AgentUsage, AttributedSession, UsageItem, UseStatus

SESSION_ROWS = 50  # sessions listed per agent (summary detail)
# The statuses in the order the page lists them, each with how it reads.
STATUSES: tuple[tuple[UseStatus, str], ...] = (
    (UseStatus.USED_UNPLANNED, "used outside the plan"),
    (UseStatus.DENIED, "denied"),
    (UseStatus.REVOCABLE, "revocable: granted, not planned, not used"),
    (UseStatus.PLANNED_UNUSED, "planned, not used"),
    (UseStatus.USED_PLANNED, "used as planned"),
)
WRITE_LEVELS = frozenset({"Write", "Permissions management"})
ALWAYS_OPEN = frozenset({UseStatus.USED_UNPLANNED, UseStatus.DENIED})
OPEN_ROWS = 10  # a quieter status with more items than this is shown behind an expander


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageRow:
    status: str  # a UseStatus value: a class in report.css
    action: str
    level: str | None
    write: bool  # a write or permission-management action
    resource: str
    count: int
    first_seen: datetime | None
    last_seen: datetime | None
    steps: tuple[int, ...]
    identities: tuple[str, ...]
    events: Events
    statements: tuple[str, ...]  # for a revocable grant: the statements to change
    error: str | None
    unmapped: bool = False  # ``action`` is the provider's event name: no table maps it
    # The last use is the identity's, before the trail's window (the grant's was no later).
    last_seen_identity: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusGroup:
    status: str
    label: str
    rows: tuple[UsageRow, ...]
    total: int
    collapsed: bool  # behind an expander

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRow:
    subject: Subject
    principal: str
    source_identity: str | None
    session_name: str | None
    tags: tuple[tuple[str, str], ...]
    assumed_by: str | None
    count: int
    first_seen: datetime
    last_seen: datetime
    source_ips: tuple[str, ...]
    source_ips_more: int
    user_agents: tuple[str, ...]
    user_agents_more: int
    indistinguishable: bool
    shared_with: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageView:
    since: datetime
    until: datetime
    unused_days: int
    covered: tuple[Subject, ...]
    not_covered: tuple[Subject, ...]
    events: int  # every event of the sessions counted for the agent
    indistinguishable_events: int  # ... of sessions that may be another agent's
    timeline: Timeline | None
    counts: tuple[tuple[str, str, int], ...]  # (status, label, items), every status
    groups: tuple[StatusGroup, ...]  # the statuses with items, in STATUSES order
    sessions: Capped[SessionRow]
    least_privilege: tuple[tuple[str, str], ...]  # (identity, policy as pretty JSON)

    @property
    def items(self) -> int:
        return sum(count for _, _, count in self.counts)


def usage_view(report: Report, usage: AgentUsage | None) -> UsageView | None:
    if usage is None:
        return None
    cap = report.list_cap
    sessions = usage.sessions
    return UsageView(
        since=usage.since, until=usage.until, unused_days=usage.unused_days,
        covered=tuple(subject_of(report, i) for i in usage.covered),
        not_covered=tuple(subject_of(report, i) for i in usage.not_covered),
        events=sum(s.summary.count for s in sessions),
        indistinguishable_events=sum(s.summary.count for s in sessions if _shared(s)),
        timeline=timeline(
            [day for s in sessions for day in s.summary.daily], usage.since, usage.until,
            marks(usage.items),
        ),
        counts=tuple((s.value, label, len(usage.of(s))) for s, label in STATUSES),
        groups=tuple(
            _group(status, label, usage.of(status), cap)
            for status, label in STATUSES if usage.of(status)
        ),
        sessions=_sessions(report, sessions, None if cap is None else SESSION_ROWS),
        least_privilege=_policies(usage.least_privilege_used),
    )  # fmt: skip


def marks(items: Sequence[UsageItem]) -> list[Mark]:
    """Where the timeline points: the first use of each action outside the plan, the first
    refusal of each denied attempt."""
    found = []
    for item in items:
        if item.first_seen is None:
            continue
        if item.status is UseStatus.USED_UNPLANNED:
            what = "first use outside the plan"
            kind = "unplanned"
        elif item.status is UseStatus.DENIED:
            what = "first denied"
            kind = "denied"
        else:
            continue
        title = f"{what}: {item.action} on {item.resource}, {item.first_seen:%Y-%m-%d %H:%M} UTC"
        found.append(Mark(when=item.first_seen, kind=kind, title=title))
    return found


def _shared(session: AttributedSession) -> bool:
    return session.verdict is not Verdict.MINE


def _group(
    status: UseStatus, label: str, items: Sequence[UsageItem], cap: int | None
) -> StatusGroup:
    ordered = sorted(items, key=lambda item: -LEVEL_WEIGHT.get(item.access_level or "", 2.0))
    listed = ordered if cap is None else ordered[:cap]
    return StatusGroup(
        status=status.value, label=label, rows=tuple(_row(i) for i in listed),
        total=len(items), collapsed=status not in ALWAYS_OPEN and len(items) > OPEN_ROWS,
    )  # fmt: skip


def _row(item: UsageItem) -> UsageRow:
    return UsageRow(
        status=item.status.value, action=item.action, level=item.access_level,
        write=item.access_level in WRITE_LEVELS, resource=item.resource, count=item.count,
        first_seen=item.first_seen, last_seen=item.last_seen, steps=item.steps,
        identities=item.identities, events=event_rows(item.events),
        statements=tuple(statement_text(s) for s in item.statements), error=item.error,
        unmapped=item.unmapped, last_seen_identity=item.last_seen_from == "identity",
    )  # fmt: skip


def _sessions(
    report: Report, sessions: Sequence[AttributedSession], cap: int | None
) -> Capped[SessionRow]:
    """The busiest first."""
    ordered = sorted(sessions, key=lambda s: (-s.summary.count, s.summary.identity))
    listed = ordered if cap is None else ordered[:cap]
    rows = []
    for session in listed:
        s = session.summary
        rows.append(SessionRow(
            subject=subject_of(report, s.identity), principal=s.principal,
            source_identity=s.source_identity, session_name=s.session_name,
            tags=tuple(sorted(s.session_tags.items())), assumed_by=s.assumed_by, count=s.count,
            first_seen=s.first_seen, last_seen=s.last_seen, source_ips=s.source_ips,
            source_ips_more=s.source_ips_more, user_agents=s.user_agents,
            user_agents_more=s.user_agents_more, indistinguishable=_shared(session),
            shared_with=session.shared_with,
        ))  # fmt: skip
    return Capped(rows=tuple(rows), total=len(sessions))


def _policies(policies: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """Each identity's policy narrowed to planned and used, as a person copies it (as the
    card's least-privilege policy)."""
    if not policies:
        return ()
    return tuple(
        (identity, json.dumps(policies[identity], indent=2, default=str))
        for identity in sorted(policies)
    )

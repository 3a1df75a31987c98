"""Needed, granted and used (issue #19): each agent's compiled plan, its identities' grants (the
gap analysis) and what the audit trail saw its sessions do, action by action.

Every (action, resource) of an agent gets one status:

- ``used-planned``: seen allowed, and a plan step needs it;
- ``used-unplanned``: seen allowed, and no plan step needs it (NHI700: a compromise, or a plan
  that no longer describes the workflow; critical for writes and permission management);
- ``planned-unused``: a plan step needs it and no session of the agent used it in the window
  (the plan may be stale; says nothing when the trail did not cover the identity);
- ``revocable``: granted, not planned, and not used for ``[activity] unused_days`` (NHI701,
  with the exact policy change);
- ``denied``: attempted and refused (NHI703: the plan is wrong, or something probes).

Which sessions are the agent's: every session of its identities, narrowed by the session
selectors of its identity references (``scanner/agents/sessions.py``); a session the selectors
cannot tell apart from another agent's is kept with the ``unknown`` verdict and said to be
indistinguishable, never counted silently for one agent.

Pure: the agent analysis and the snapshot's activity records in, ``AgentUsage`` out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from nhiscan.scanner.activity import ActivitySummary, EventRef
from nhiscan.scanner.agents.sessions import Verdict
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.kinds import Provider

RECORD = dict(frozen=True, slots=True, kw_only=True)


class UseStatus(StrEnum):
    USED_PLANNED = "used-planned"
    USED_UNPLANNED = "used-unplanned"
    PLANNED_UNUSED = "planned-unused"
    REVOCABLE = "revocable"
    DENIED = "denied"


@dataclass(**RECORD)
class UsageItem:
    """One (action, resource) of one agent with its status and the evidence for it."""

    provider: Provider
    action: str
    resource: str  # the plan's or grant's resource; for a use, the resource pattern seen
    status: UseStatus
    steps: tuple[int, ...] = ()  # the plan steps that need it
    identities: tuple[str, ...] = ()  # the identities that used (or hold) it
    count: int = 0  # events seen
    first_seen: datetime | None = None
    # The last use known: from the trail's events, else from coarser data (service
    # last-accessed); None: never seen in what was read.
    last_seen: datetime | None = None
    events: tuple[EventRef, ...] = ()  # the sample events (id, time, source) to pull
    # The catalogue's access level ("Write", "Permissions management", "Read", "List",
    # "Tagging"); None when the catalogue does not know the action.
    access_level: str | None = None
    # For a revocable grant: the statements that grant it (what to change).
    statements: tuple[StatementRef, ...] = ()
    error: str | None = None  # a denied attempt's error code
    # The sessions it was seen in (``session_label``), so a finding names who acted.
    sessions: tuple[str, ...] = ()
    # No table maps the event to an action: ``action`` is the provider's event name
    # ("s3.amazonaws.com:Foo"), and the use is never planned.
    unmapped: bool = False
    # Where ``last_seen`` comes from: "trail" (the grant's own use), "identity" (the identity's
    # last use, before the trail's window: the grant was used no later); None with no last use.
    last_seen_from: str | None = None


@dataclass(**RECORD)
class AttributedSession:
    """A session kind of one of the agent's identities, with whether it is the agent's."""

    summary: ActivitySummary
    verdict: Verdict  # MINE, or UNKNOWN (indistinguishable from another agent's)
    # The other agents whose selectors also admit it (for UNKNOWN: who else it may be).
    shared_with: tuple[str, ...] = ()


@dataclass(**RECORD)
class AgentUsage:
    agent: str
    since: datetime  # the window the activity sources covered (earliest since, latest until)
    until: datetime
    unused_days: int  # [activity] unused_days
    # The agent's identities whose account an activity source covered, and those it did not:
    # nothing is said "unused" of an uncovered identity.
    covered: tuple[str, ...] = ()
    not_covered: tuple[str, ...] = ()
    sessions: tuple[AttributedSession, ...] = ()
    items: tuple[UsageItem, ...] = ()  # by status, then action, then resource
    # The least-privilege policy narrowed to planned and used, per identity (as
    # ``IdentityGap.policy``); None when nothing planned was used.
    least_privilege_used: Mapping[str, Any] | None = None
    # The compiled plan's hash (sha256 of its canonical JSON): the store keeps it per run, so
    # drift can tell a behaviour change the plan explains from one it does not.
    plan_hash: str = ""

    def of(self, status: UseStatus) -> tuple[UsageItem, ...]:
        return tuple(item for item in self.items if item.status is status)


def session_label(summary: ActivitySummary) -> str:
    """How a finding names a session: its identity and what tells it apart
    ("<identity> (source identity intake-b, session intake-b-*, assumed by <caller>)")."""
    parts = [
        f"{word} {value}"
        for word, value in (
            ("source identity", summary.source_identity),
            ("session", summary.session_name),
            ("assumed by", summary.assumed_by),
        )
        if value
    ]
    parts += [f"tag {key}={value}" for key, value in sorted(summary.session_tags.items())]
    return f"{summary.identity} ({', '.join(parts)})" if parts else summary.identity

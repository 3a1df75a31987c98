"""Each agent's ``activity`` in report.json (issue #19): needed vs granted vs used
(``scanner/gaps/usage.py``). Written only when an activity source was read, so reports without
a trail are unchanged.

The window and ``unused_days``; the agent's identities a source covered and those it did not
(nothing is said unused of those); its sessions with their verdict (``mine``, or ``unknown``:
indistinguishable from another agent's, with who else it may be); its items by status, each
with its events (id, time, source file) so an investigator can pull them, the longest lists
kept to ``Report.list_cap`` items with their lengths in ``totals``; the least-privilege policy
of what was planned and used; the plan's hash."""

from __future__ import annotations

from typing import Any

from nhiscan.rules.agent_usage import use_json
from nhiscan.scanner.agents.sessions import Verdict
from nhiscan.scanner.codec import iso
from nhiscan.scanner.usage import AgentUsage, AttributedSession, UsageItem, UseStatus, session_label


def usage_json(usage: AgentUsage, *, cap: int | None = None) -> dict[str, Any]:
    by_status = {status.value: usage.of(status) for status in UseStatus}
    return {
        "since": iso(usage.since),
        "until": iso(usage.until),
        "unused_days": usage.unused_days,
        "covered": list(usage.covered),
        "not_covered": list(usage.not_covered),
        "sessions": [session_json(s) for s in usage.sessions],
        "items": {
            status: [item_json(i) for i in (items if cap is None else items[:cap])]
            for status, items in by_status.items()
        },
        "totals": {status: len(items) for status, items in by_status.items()},
        "least_privilege_used": usage.least_privilege_used,
        "plan_hash": usage.plan_hash,
    }


def session_json(attributed: AttributedSession) -> dict[str, Any]:
    summary = attributed.summary
    return {
        "session": session_label(summary),
        "identity": summary.identity,
        "principal": summary.principal,
        "source_identity": summary.source_identity,
        "session_name": summary.session_name,
        "session_tags": dict(summary.session_tags),
        "assumed_by": summary.assumed_by,
        "verdict": attributed.verdict.value,
        "indistinguishable": attributed.verdict is Verdict.UNKNOWN,
        "shared_with": list(attributed.shared_with),
        "count": summary.count,
        "first_seen": iso(summary.first_seen),
        "last_seen": iso(summary.last_seen),
        "source_ips": list(summary.source_ips),
        "user_agents": list(summary.user_agents),
    }


def item_json(item: UsageItem) -> dict[str, Any]:
    data = use_json(item) | {"status": item.status.value, "steps": list(item.steps)}
    if item.status is UseStatus.REVOCABLE:
        data["statements"] = [
            {"policy_id": s.policy_id, "index": s.index, "sid": s.sid} for s in item.statements
        ]
        data["last_seen_from"] = item.last_seen_from
    return data

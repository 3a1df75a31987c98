"""The report's ``activity`` section: what each identity was seen doing in the audit trail.

Written only when the snapshot read an activity source (``--aws-cloudtrail``,
``--gcp-audit-log``, ``--azure-activity-log``, ``--entra-signin-log``), so reports without one
are unchanged. Identities of every provider are named by the inventory's ids (an ARN, a service
account's e-mail, an Entra object id), so ``in_inventory`` joins them the same way. Per
identity (busiest first): whether the inventory has it, the actions it used and those it was
refused, and its summaries (one per kind of session: source identity, session name pattern,
tags, assuming principal) with their action uses; per source, what was read and what was
counted apart (the cloud's services acting for themselves, events no table maps, callers
nhiscan cannot name). The needed / granted / used analysis reads the same records (issue #19,
later).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from nhiscan.reports.model import Report
from nhiscan.scanner.activity import ActivitySummary, Outcome
from nhiscan.scanner.codec import encode, iso


def activity_json(report: Report) -> dict[str, Any]:
    snapshot = report.snapshot
    by_identity: dict[str, list[ActivitySummary]] = defaultdict(list)
    for summary in snapshot.activity:
        by_identity[summary.identity].append(summary)
    entries = [
        _identity(identity, summaries, report)
        for identity, summaries in sorted(
            by_identity.items(), key=lambda item: (-sum(s.count for s in item[1]), item[0])
        )
    ]
    return {
        "sources": [encode(scope) for scope in snapshot.activity_sources],
        "identities": entries,
        "not_in_inventory": sum(1 for entry in entries if not entry["in_inventory"]),
    }


def _identity(identity: str, summaries: list[ActivitySummary], report: Report) -> dict[str, Any]:
    known = report.estate.identities.get(identity)
    return {
        "identity": identity,
        "in_inventory": known is not None,
        "kind": known.kind.value if known is not None else None,
        "count": sum(s.count for s in summaries),
        "first_seen": iso(min(s.first_seen for s in summaries)),
        "last_seen": iso(max(s.last_seen for s in summaries)),
        "actions": _actions(summaries, Outcome.ALLOWED),
        "denied_actions": _actions(summaries, Outcome.DENIED),
        "sessions": [encode(s) for s in summaries],
    }


def _actions(summaries: list[ActivitySummary], outcome: Outcome) -> list[str]:
    """The mapped actions of the identity's uses with ``outcome``, sorted (unmapped events are
    in the sessions, by event name)."""
    return sorted(
        {
            u.action
            for s in summaries
            for u in s.uses
            if u.action is not None and u.outcome is outcome
        }
    )

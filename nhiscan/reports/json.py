"""The JSON report. Its contract (later issues extend it, never break it):

top level ``schema_version``, ``tool`` (name, version, catalog_date; ``catalogs``: each
catalogue's provider, name, version and date, when several clouds or one other than the
default were analysed), ``scanned_at``, ``identities``, ``credentials``, ``findings``,
``gaps``; plus ``sources``, ``accounts``,
``summary``, ``blast_radius`` (what each active credential reaches, worst first: see
``blast.py``) and ``graph`` (node, edge and escalation counts of the reach graph). Repository
scans add ``repositories`` (what each scan covered), ``exposures`` (each distinct secret found,
redacted and hashed: never in clear) and ``skipped`` (files and blobs not scanned, and why).
``suppressions`` (null without [[suppress]] in nhiscan.toml) lists the suppressed findings with
their reason, and the expired and unused suppressions; ``history`` (null unless the scan was
recorded in the store) the run, the previous one, the drift since and the trend. Agent files
add ``agents`` (per agent: needs, granted summary, excess with the statements granting it,
missing access, score and the least-privilege policies; null without agent files) and
``agent_analysis`` (whether it ran, the score's definition, and the unclaimed NHIs, largest
reach first). ``detail`` says how much of the long lists is written: in ``summary`` detail (the
default) each agent's lists and the unclaimed NHIs keep their first ``list_cap`` items, the
riskiest first, with the exact lengths in the agent's ``totals`` (and ``unclaimed_count``);
``--detail full`` writes every item and ``list_cap`` is null. ``remediations`` is the fix-first
list (``remediations.py``). ``federation`` lists every keyless trust the providers read
(issue #20: an outside issuer's tokens admitted into an identity) with its judgement (what it
admits, in words; the wildcard kind, pull requests, whether the audience is pinned) and every
issuer registered (``registrations``). ``activity`` (only when an activity source
(--aws-cloudtrail, --gcp-audit-log, --azure-activity-log, --entra-signin-log) was
read) lists what each identity was seen doing (``activity.py``).
Timestamps are ISO 8601 UTC.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from nhiscan.reports.activity import activity_json
from nhiscan.reports.agents import agents_json, analysis_json
from nhiscan.reports.history import drift_json, run_json
from nhiscan.reports.model import Report
from nhiscan.reports.remediations import remediations_json
from nhiscan.scanner.codec import encode, iso
from nhiscan.scanner.history.view import HistoryView
from nhiscan.scanner.suppress import Suppression

REPORT_SCHEMA_VERSION = 1
SKIPPED = (
    "reach analysis was turned off (--no-reach): no privilege-escalation, admin, cross-account "
    "or data-reach findings were computed, and blast_radius and graph are null, not empty"
)


def report_document(report: Report, history: HistoryView | None = None) -> dict[str, Any]:
    identities = list(report.estate.identities.values())
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": encode(report.tool),
        "scanned_at": iso(report.scanned_at),
        "collected_at": iso(report.snapshot.collected_at),
        "sources": list(report.snapshot.sources),
        "summary": summary(report),
        "accounts": encode(report.snapshot.accounts),
        "identities": [encode(i) for i in identities],
        "credentials": [encode(c) for c in report.snapshot.credentials],
        "findings": [encode(f) for f in report.findings],
        "gaps": [encode(g) for g in report.gaps],
        "repositories": [encode(r) for r in report.snapshot.repositories],
        "exposures": [encode(e) for e in report.snapshot.exposures],
        "skipped": [encode(s) for s in report.snapshot.skipped],
        "blast_radius": (
            [radius.to_json() for radius in report.blast_radius()] if report.reach else None
        ),
        "graph": graph_counts(report) if report.reach else None,
        "baseline": _baseline(report),
        "reach": {"analysed": report.reach} | ({} if report.reach else {"skipped": SKIPPED}),
        "suppressions": _suppressions(report),
        "history": _history(report, history),
        "agents": agents_json(report),
        "agent_analysis": analysis_json(report),
        "detail": {"level": report.detail.value, "list_cap": report.list_cap},
        "remediations": remediations_json(report),
        "federation": federation_json(report),
        **({"activity": activity_json(report)} if report.snapshot.activity_sources else {}),
    }


def federation_json(report: Report) -> dict[str, Any]:
    return {
        "trusts": [judgement.to_json() for judgement in report.federation],
        "registrations": [
            {
                "provider": str(r.provider),
                "id": r.id,
                "account": r.account,
                "issuer": r.issuer,
                "platform": r.platform.value,
                "audiences": None if r.audiences is None else list(r.audiences),
                "disabled": r.disabled,
            }
            for r in report.registrations
        ],
        "repositories_not_judged": list(report.repositories_not_judged),
    }


def _baseline(report: Report) -> dict[str, Any] | None:
    """With --baseline: which findings it accepted (not in ``findings``) and its stale
    entries (they matched nothing: the finding was fixed, or the secret is gone)."""
    if report.baseline_file is None:
        return None
    return {
        "file": report.baseline_file,
        "baselined": [
            {
                "fingerprint": f.fingerprint,
                "rule_id": f.rule_id,
                "severity": f.severity.value,
                "title": f.title,
            }
            for f in report.baselined
        ],
        "stale": [e.to_json() for e in report.stale_baseline],
    }


def _suppressions(report: Report) -> dict[str, Any] | None:
    """With [[suppress]] in nhiscan.toml: the findings suppressed (not in ``findings``) with
    the reason, the suppressions that expired (no longer suppressing) and those that match
    nothing."""
    if not report.suppressions_configured:
        return None
    return {
        "suppressed": [
            {
                "fingerprint": s.finding.fingerprint,
                "rule_id": s.finding.rule_id,
                "severity": s.finding.severity.value,
                "title": s.finding.title,
                "subject": s.finding.subject,
                "reason": s.by.reason,
                "expires": s.by.expires.isoformat() if s.by.expires else None,
                "where": s.by.where,
            }
            for s in report.suppressed
        ],
        "expired": [_suppression(s) for s in report.expired_suppressions],
        "unused": [_suppression(s) for s in report.unused_suppressions],
    }


def _history(report: Report, view: HistoryView | None) -> dict[str, Any] | None:
    """A scan recorded in the history store: this run, the previous run of its scope, what
    changed since (see nhiscan/scanner/history/drift.py) and the trend of the last runs; null
    when the run was not recorded (analyze, --no-store)."""
    if view is None:
        return None

    return {
        "store": view.store,
        "run": run_json(view.run),
        "previous": run_json(view.previous) if view.previous else None,
        "since_last": drift_json(view.drift) if view.drift else None,
        "trend": [run_json(r) for r in view.trend],
        "behaviour": _behaviour(report),
    }


def _behaviour(report: Report) -> dict[str, Any] | None:
    """What NHI706 compared the agents' behaviour with: the previous run, or why nothing."""
    previous = report.previous_behaviour
    if previous is None:
        return None
    return {"compared_with": previous.run if previous.note is None else None,
            "note": previous.note}  # fmt: skip


def _suppression(s: Suppression) -> dict[str, Any]:
    return {
        "where": s.where,
        "fingerprint": s.fingerprint,
        "rule": s.rule,
        "subject": s.subject if s.fingerprint is None else None,
        "reason": s.reason,
        "expires": s.expires.isoformat() if s.expires else None,
    }


def graph_counts(report: Report) -> dict[str, int]:
    graph = report.reach_graph()
    return {
        "nodes": graph.graph.number_of_nodes(),
        "edges": graph.graph.number_of_edges(),
        "escalations": sum(e.count for e in graph.escalations),
        "potential_escalations": sum(e.count for e in graph.potential),
    }


def summary(report: Report) -> dict[str, Any]:
    identities = report.estate.identities.values()
    humans = Counter(
        "unknown" if i.is_human is None else ("human" if i.is_human else "machine")
        for i in identities
    )
    return {
        "identities": len(report.estate.identities),
        "credentials": len(report.snapshot.credentials),
        "findings": len(report.findings),
        "suppressed": len(report.suppressed),
        "gaps": len(report.gaps),
        "exposures": len(report.snapshot.exposures),
        "skipped_files": len(report.snapshot.skipped),
        "findings_by_severity": dict(Counter(f.severity.value for f in report.findings)),
        "identities_by_kind": dict(Counter(f"{i.provider}:{i.kind}" for i in identities)),
        "humans": dict(humans),
    }


class JsonReporter:
    def render(self, report: Report, *, history: HistoryView | None = None) -> bytes:
        # Compact: the pretty printer is pure Python and several times slower on large estates.
        return (json.dumps(report_document(report, history), separators=(",", ":")) + "\n").encode()


REPORTER = JsonReporter()

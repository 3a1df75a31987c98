"""``nhiscan history`` and ``nhiscan diff`` output, as text for people and JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from nhiscan.scanner.codec import iso
from nhiscan.scanner.history.behaviour import AgentBehaviourChange
from nhiscan.scanner.history.drift import CHANGES, Drift, GrantChange, KeyChange
from nhiscan.scanner.history.records import RunSummary, StoredFinding

SEVERITIES = ("critical", "high", "medium", "low", "info")


def run_json(run: RunSummary) -> dict[str, Any]:
    return {
        "id": run.id,
        "scope": run.scope,
        "sources": list(run.sources),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "tool_version": run.tool_version,
        "catalog_date": run.catalog_date,
        "identities": run.identities,
        "credentials": run.credentials,
        "findings": run.findings,
        "gaps": run.gaps,
        "by_severity": dict(run.by_severity),
    }


def history_text(runs: Sequence[RunSummary]) -> str:
    if not runs:
        return "no runs recorded yet\n"
    lines = [f"{'run':>5}  {'finished (UTC)':<17}  {'ids':>5}  {'keys':>5}  {'findings':>8}  "
             f"{'crit':>4} {'high':>4} {'med':>4} {'low':>4}  {'gaps':>4}  scope"]  # fmt: skip
    for run in runs:
        counts = [run.by_severity.get(s, 0) for s in SEVERITIES[:4]]
        lines.append(
            f"{run.id:>5}  {run.finished_at:%Y-%m-%d %H:%M}  {run.identities:>5}  "
            f"{run.credentials:>5}  {run.findings:>8}  "
            + " ".join(f"{c:>4}" for c in counts)
            + f"  {run.gaps:>4}  {run.scope}"
        )
    return "\n".join(lines) + "\n"


def history_json(runs: Sequence[RunSummary]) -> str:
    return json.dumps({"runs": [run_json(r) for r in runs]}, indent=2) + "\n"


def drift_json(change: Drift) -> dict[str, Any]:
    data: dict[str, Any] = {"before": run_json(change.before), "after": run_json(change.after)}
    for name in CHANGES:
        data[name] = [
            item if isinstance(item, str) else asdict(item) for item in getattr(change, name)
        ]
    data["behaviour_not_comparable"] = list(change.behaviour_not_comparable)
    return data


def drift_text(change: Drift) -> str:
    head = (
        f"run {change.before.id} ({change.before.finished_at:%Y-%m-%d %H:%M}) -> "
        f"run {change.after.id} ({change.after.finished_at:%Y-%m-%d %H:%M}), scope "
        f"{change.after.scope}"
    )
    if change.empty:
        return head + "\nno change\n"
    lines = [head]
    lines += _findings("new findings", change.new_findings)
    lines += _findings("resolved findings", change.resolved_findings)
    lines += _ids("identities created", change.identities_created)
    lines += _ids("identities removed", change.identities_removed)
    lines += _keys("keys created", change.keys_created)
    lines += _keys("keys rotated", change.keys_rotated)
    lines += _keys("keys deactivated", change.keys_deactivated)
    lines += _keys("keys deleted", change.keys_deleted)
    lines += _grants("grants per identity", change.grants)
    lines += _ids("policy documents changed", change.policies_changed)
    lines += _grants("grants per agent", change.agents)
    lines += _behaviour(change.behaviour)
    return "\n".join(lines) + "\n"


def behaviour_lines(change: AgentBehaviourChange) -> list[str]:
    """One line per new item: what it is, and whether the plan change explains it."""
    return [
        f"{change.agent}: new {item.kind.value} {item.value} ("
        + ("explained by the plan change" if item.explained else "unexplained")
        + ")"
        for item in change.items
    ]


def _behaviour(changes: Sequence[AgentBehaviourChange]) -> list[str]:
    if not changes:
        return []
    lines = [f"agent behaviour ({len(changes)} agents):"]
    return lines + [f"  {line}" for change in changes for line in behaviour_lines(change)]


def _findings(title: str, items: Sequence[StoredFinding]) -> list[str]:
    if not items:
        return []
    return [f"{title} ({len(items)}):"] + [
        f"  {f.severity:<8} {f.rule_id}  {f.subject}  {f.title}" for f in items
    ]


def _ids(title: str, items: Sequence[str]) -> list[str]:
    return [f"{title} ({len(items)}):", *(f"  {i}" for i in items)] if items else []


def _keys(title: str, items: Sequence[KeyChange]) -> list[str]:
    if not items:
        return []
    lines = [f"{title} ({len(items)}):"]
    for item in items:
        was = f" (replaces {item.previous})" if item.previous else ""
        lines.append(f"  {item.identity}: {item.key}{was}")
    return lines


def _grants(title: str, items: Sequence[GrantChange]) -> list[str]:
    if not items:
        return []
    lines = [f"{title} ({len(items)}):"]
    for item in items:
        lines.append(f"  {item.subject}:")
        lines += [f"    + {g}" for g in item.added]
        lines += [f"    - {g}" for g in item.removed]
    return lines

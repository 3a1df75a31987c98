"""What a finished scan leaves in the store: its scope, counts, snapshot, findings, gaps and a
summary of each agent's grants (for drift per agent). Pure: the parts of a report in, a
``RunRecord`` out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from nhiscan.scanner import snapshot as snapshots
from nhiscan.scanner.gaps.analysis import AgentAnalysis, AgentResult
from nhiscan.scanner.history.records import StoredFinding
from nhiscan.scanner.model import Finding, ToolInfo
from nhiscan.store.store import RunRecord


def scope_of(snapshot: snapshots.Snapshot) -> str:
    """What a scan looked at, as a key: the cloud accounts and the repositories it covered (how
    they were reached, a profile, a role or an export file, does not matter: the same account is
    the same estate). A scan that covered neither is keyed by its sources. Two runs of the same
    scope are compared by ``nhiscan diff`` and for "since the last scan"."""
    parts = sorted(f"{a.provider}:{a.id}" for a in snapshot.accounts)
    parts += sorted(s for s in snapshot.sources if s.startswith("git:"))
    return ",".join(parts or sorted(snapshot.sources))


def run_record(
    snap: snapshots.Snapshot,
    *,
    tool: ToolInfo,
    findings: Sequence[Finding],
    agents: AgentAnalysis | None,
    started_at: datetime,
    finished_at: datetime,
    snapshot_json: str | None = None,
) -> RunRecord:
    """The run of ``snap`` analysed by ``tool``, with its ``findings`` and agent results.
    ``snapshot_json``: ``snap`` as compact JSON when the caller has it (encoded once)."""
    if snapshot_json is None:
        snapshot_json = snapshots.to_json(snap, compact=True)
    return RunRecord(
        scope=scope_of(snap),
        sources=snap.sources,
        started_at=started_at,
        finished_at=finished_at,
        tool_version=tool.version,
        catalog_date=tool.catalog_date,
        identities=len(snap.identities),
        credentials=len(snap.credentials),
        by_severity=dict(Counter(f.severity.value for f in findings)),
        snapshot_json=snapshot_json,
        agents=agent_summaries(agents),
        findings=[stored(f) for f in findings],
        gaps=[
            {
                "provider": g.provider.value,
                "scope": g.scope,
                "operation": g.operation,
                "reason": g.reason.value,
                "detail": g.detail,
            }
            for g in snap.gaps
        ],
    )


def stored(finding: Finding) -> StoredFinding:
    agent = finding.evidence.get("agent")
    if isinstance(agent, list):
        agent = ", ".join(str(a) for a in agent)
    return StoredFinding(
        fingerprint=finding.fingerprint,
        rule_id=finding.rule_id,
        severity=finding.severity.value,
        subject=finding.subject,
        title=finding.title,
        agent=None if agent is None else str(agent),
    )


def agent_summaries(agents: AgentAnalysis | None) -> list[dict[str, Any]] | None:
    if agents is None:
        return None
    return [_summary(result) for result in agents.results]


def _summary(result: AgentResult) -> dict[str, Any]:
    return {
        "name": result.agent.name,
        "identities": list(result.identities),
        "granted": sorted(granted_keys(result)) if result.gap is not None else None,
        "score": result.score.value if result.score is not None else None,
    }


def granted_keys(result: AgentResult) -> set[str]:
    """Every (action, resource) the agent's identities hold, as "action resource": the needs
    they meet and the excess, excess scope and conditional grants."""
    keys: set[str] = set()
    for gap in result.gap.identities if result.gap is not None else ():
        missing = {(m.action, m.resource) for m in gap.missing}
        keys.update(
            f"{n.action} {n.resource}" for n in gap.needed if (n.action, n.resource) not in missing
        )
        keys.update(_keys((*gap.excess, *gap.excess_scope, *gap.conditional)))
    return keys


def _keys(items: Iterable[Any]) -> Iterable[str]:
    return (f"{i.action} {i.resource}" for i in items)

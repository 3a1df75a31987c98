"""What a finished scan leaves in the store: its scope, counts, snapshot, findings, gaps and a
summary of each agent: its grants (for drift per agent), its plan's hash and needs and what its
sessions did (behaviour drift, ``scanner/history/behaviour.py``). Pure: the parts of a report in, a
``RunRecord`` out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from nhiscan.rules.agent_behaviour import BEHAVIOUR
from nhiscan.scanner import snapshot as snapshots
from nhiscan.scanner.activity import ActivitySummary
from nhiscan.scanner.gaps.analysis import AgentAnalysis, AgentResult
from nhiscan.scanner.history.behaviour import Matched, stored_agent
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
        agents=agent_summaries(agents, snap, findings),
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


def agent_summaries(
    agents: AgentAnalysis | None,
    snap: snapshots.Snapshot | None = None,
    findings: Sequence[Finding] = (),
) -> list[dict[str, Any]] | None:
    """Each agent's stored summary. Its behaviour is read from ``snap``'s activity (None when
    no activity source was read); what NHI706 flagged in ``findings`` is kept with it, so that
    the next run carries a standing deviation."""
    if agents is None:
        return None
    activity = snap.activity if snap is not None and snap.activity_sources else None
    flagged = flagged_items(findings)
    return [
        _summary(result, activity, agents.claims.matched, flagged.get(result.agent.name, ()))
        for result in agents.results
    ]


def _summary(
    result: AgentResult,
    activity: Sequence[ActivitySummary] | None,
    matched: Matched,
    flagged: Sequence[str],
) -> dict[str, Any]:
    return {
        "name": result.agent.name,
        "identities": list(result.identities),
        "granted": sorted(granted_keys(result)) if result.gap is not None else None,
        "score": result.score.value if result.score is not None else None,
        **stored_agent(result, activity, matched, flagged),
    }


def flagged_items(findings: Sequence[Finding]) -> dict[str, list[str]]:
    """Per agent, the behaviour items its NHI706 finding flags (``evidence.flagged``)."""
    found: dict[str, list[str]] = {}
    for finding in findings:
        if finding.rule_id == BEHAVIOUR.id:
            agent = str(finding.evidence.get("agent"))
            found.setdefault(agent, []).extend(finding.evidence.get("flagged", ()))
    return found


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

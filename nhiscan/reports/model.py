"""The ``Report``: what an analysis found, the record every reporter renders (built by
``nhiscan.app.pipeline.analyze``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from nhiscan.rules.base import RuleMeta
from nhiscan.rules.thresholds import LifecycleThresholds
from nhiscan.scanner import baseline as baselines
from nhiscan.scanner.blast import BlastRadius
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import Registration
from nhiscan.scanner.federation_judge import Judgement
from nhiscan.scanner.gaps.analysis import AgentAnalysis
from nhiscan.scanner.graph import ReachGraph
from nhiscan.scanner.history.behaviour import PreviousBehaviour
from nhiscan.scanner.model import CollectionGap, Finding, Severity, ToolInfo
from nhiscan.scanner.snapshot import Snapshot
from nhiscan.scanner.suppress import Suppressed, Suppression

LIST_CAP = 50
"""How many items of each per-agent list (excess, excess scope, conditional excess, missing,
escalations, unjudged needs) and of the unclaimed identities ``report.json`` carries in
``summary`` detail; each list's exact length is written beside it (``totals``)."""


class Detail(StrEnum):
    """How much of the long lists the reports carry (``--detail``). An agent granted ``*``
    has tens of thousands of excess actions; listing them all made a 10-identity demo's
    report.json 10 MB, so by default the reports carry counts and the riskiest items, and
    ``full`` every item."""

    SUMMARY = "summary"
    FULL = "full"


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    tool: ToolInfo
    scanned_at: datetime
    snapshot: Snapshot
    estate: Estate
    findings: tuple[Finding, ...]
    thresholds: LifecycleThresholds  # [lifecycle]: what the report says the ages are judged by
    suppressions_configured: bool = False  # nhiscan.toml has [[suppress]] entries
    graph: ReachGraph | None = None
    reach: bool = True  # False: reach analysis was turned off (--no-reach)
    # What each usable credential reaches, worst first; None exactly when ``graph`` is None.
    blast: tuple[BlastRadius, ...] | None = None
    # With --baseline: ``findings`` are the new ones only; these were accepted before.
    baseline_file: str | None = None
    baselined: tuple[Finding, ...] = ()
    stale_baseline: tuple[baselines.Entry, ...] = ()  # entries that matched no finding
    # The agent analysis; None when no agent files were given (then every NHI is unclaimed
    # and the report says the gap analysis was skipped).
    agents: AgentAnalysis | None = None
    # What NHI706 compared the agents' behaviour with (the previous recorded run, or why
    # nothing): None when the scan is not recorded.
    previous_behaviour: PreviousBehaviour | None = None
    # [[suppress]] in nhiscan.toml: findings moved out of ``findings`` with their reason, and
    # the suppressions that expired (no longer suppressing) or match nothing.
    suppressed: tuple[Suppressed, ...] = ()
    expired_suppressions: tuple[Suppression, ...] = ()
    unused_suppressions: tuple[Suppression, ...] = ()
    # Gaps the analysis adds to those of the collection (records of a cloud no installed
    # provider analyses); ``gaps`` is both.
    analysis_gaps: tuple[CollectionGap, ...] = ()
    # The registered rules' metadata, in the rule table's order (SARIF's tool.driver.rules);
    # not written to report.json.
    rules: tuple[RuleMeta, ...] = ()
    detail: Detail = Detail.SUMMARY  # --detail: capped lists (LIST_CAP) or every item
    # Keyless trusts (issue #20): every trust the providers read, judged, and the issuers
    # registered in the scanned clouds.
    federation: tuple[Judgement, ...] = ()
    registrations: tuple[Registration, ...] = ()
    # GitHub repositories trusts name whose owner [federation] does not declare complete:
    # NHI605 (trusted repository missing) could not judge them.
    repositories_not_judged: tuple[str, ...] = ()

    @property
    def list_cap(self) -> int | None:
        """How many items a long list keeps; None: all of them."""
        return None if self.detail is Detail.FULL else LIST_CAP

    def reach_graph(self) -> ReachGraph:
        """The reach graph of a report made with reach analysis (never rebuilt here)."""
        if self.graph is None:
            raise ValueError("this report was made without its reach graph: analyse with reach")
        return self.graph

    def blast_radius(self) -> tuple[BlastRadius, ...]:
        """``blast`` of a report made with reach analysis (never recomputed here)."""
        if self.blast is None:
            raise ValueError("this report was made without its blast radius: analyse with reach")
        return self.blast

    @property
    def gaps(self) -> tuple[CollectionGap, ...]:
        return self.snapshot.gaps + self.analysis_gaps

    def findings_at_least(self, severity: Severity) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity.at_least(severity))

"""The rule seam: ``meta`` and ``evaluate(estate, ctx) -> Iterator[Finding]``.

Rules are pure: the estate, a clock and thresholds in, findings out. A finding's fingerprint is
stable across runs (rule, subject and a rule-chosen key; never line numbers or timestamps).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from nhiscan.rules.thresholds import ActivitySettings, FederationSettings, LifecycleThresholds
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.gaps.analysis import AgentAnalysis
from nhiscan.scanner.graph import ReachGraph
from nhiscan.scanner.history.behaviour import PreviousBehaviour
from nhiscan.scanner.model import Finding, Provider, Severity
from nhiscan.scanner.provider import ProviderSet


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleMeta:
    id: str  # NHI###
    name: str  # kebab-case
    severity: Severity
    summary: str
    remediation: str
    needs_graph: bool = False  # a reach rule: skipped when reach analysis is off (--no-reach)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleContext:
    now: datetime
    thresholds: LifecycleThresholds  # [lifecycle] of nhiscan.toml
    graph: ReachGraph | None = None  # the reach graph, built once by the caller
    # The agent analysis (plans, claims, gaps); None when no agent files were given.
    agents: AgentAnalysis | None = None
    # The snapshot's providers and their analyses: facts (kind words, data stores, last-used
    # operations) and provider answers come from here, never from a provider module.
    providers: ProviderSet = field(default_factory=ProviderSet)
    # [federation] of nhiscan.toml: the GitHub owners whose repositories are known (NHI605).
    federation: FederationSettings = field(default_factory=FederationSettings)
    # [activity] of nhiscan.toml: the audit trail rules' "unused" (NHI70x).
    activity: ActivitySettings = field(default_factory=ActivitySettings)
    # The previous recorded run of the scan's scope, each agent's stored behaviour (NHI706);
    # None when the scan is not recorded (analyze, --no-store): nothing is compared.
    previous_behaviour: PreviousBehaviour | None = None

    def require_graph(self, meta: RuleMeta) -> ReachGraph:
        """The reach graph a ``needs_graph`` rule reads. It is never built here: a context
        without one is a programming error (``app.pipeline.analyze`` builds the graph once and
        does not run these rules without it)."""
        if self.graph is None:
            raise ValueError(
                f"{meta.id} ({meta.name}) needs the reach graph: build it once and pass it in "
                "RuleContext(graph=...)"
            )
        return self.graph


class Rule(Protocol):
    meta: RuleMeta

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]: ...


def fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def make_finding(
    meta: RuleMeta,
    *,
    subject: str,
    provider: Provider,
    title: str,
    evidence: Mapping[str, Any],
    key: Sequence[str] = (),
    severity: Severity | None = None,
    path: Sequence[Mapping[str, Any]] = (),
    remediation: str | None = None,
) -> Finding:
    """A finding of ``meta``'s rule; ``key`` tells apart several findings on one subject;
    ``remediation`` replaces the rule's own (a provider's words for its cloud)."""
    return Finding(
        rule_id=meta.id,
        rule_name=meta.name,
        severity=severity or meta.severity,
        title=title,
        subject=subject,
        provider=provider,
        evidence=dict(evidence),
        fingerprint=fingerprint(meta.id, subject, *key),
        remediation=remediation or meta.remediation,
        path=tuple(path),
    )


def days_between(earlier: datetime, later: datetime) -> int:
    return (later - earlier).days

"""collect → snapshot → analyze. The only place the stages are wired together."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime

from nhiscan import __version__, providers
from nhiscan.app.config import Settings
from nhiscan.app.estates import estate_of
from nhiscan.app.rules import all_rules
from nhiscan.cluster.run import Cluster, run_units, split_records
from nhiscan.cluster.units import Splittable, UnitContext
from nhiscan.connectors.base import CollectContext, Connector
from nhiscan.reports.model import Report
from nhiscan.rules.base import Rule, RuleContext
from nhiscan.rules.federation import judged, registered
from nhiscan.rules.federation_repos import not_judged
from nhiscan.scanner import baseline as baselines
from nhiscan.scanner import suppress as suppressions
from nhiscan.scanner.agents.model import AgentFile
from nhiscan.scanner.blast import blast_radius
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import CatalogInfo
from nhiscan.scanner.gaps.analysis import analyze_agents
from nhiscan.scanner.graph import ReachGraph, build_graph
from nhiscan.scanner.graph.sources import CompositeSource
from nhiscan.scanner.history.behaviour import PreviousBehaviour
from nhiscan.scanner.model import (
    CollectionGap,
    Finding,
    GapReason,
    Provider,
    Record,
    Severity,
    ToolInfo,
)
from nhiscan.scanner.provider import CloudProvider, ProviderSet
from nhiscan.scanner.snapshot import Snapshot, build_snapshot

TOOL = ToolInfo(name="nhiscan", version=__version__)


def collect(
    connectors: Iterable[Connector], ctx: CollectContext, *, cluster: Cluster | None = None
) -> Snapshot:
    """The connectors' records as a snapshot. With a cluster, a connector that can be split
    (``Splittable``) runs as work units on its executor, each writing its shard, and the
    snapshot is read back from the shards in the order the connector would have yielded."""
    connectors = list(connectors)
    sources = [s for c in connectors for s in c.sources]
    records = (record for connector in connectors for record in _records(connector, ctx, cluster))
    return build_snapshot(records, tool=TOOL, collected_at=ctx.now, sources=sources)


def _records(
    connector: Connector, ctx: CollectContext, cluster: Cluster | None
) -> Iterator[Record]:
    if cluster is None or not isinstance(connector, Splittable):
        yield from connector.collect(ctx)
        return
    unit_ctx = UnitContext(now=ctx.now, as_of=ctx.as_of)
    split = connector.split(replace(unit_ctx, progress=ctx.progress))
    outcomes = run_units(cluster, split.units, unit_ctx)
    yield from split_records(cluster.store, split.before, outcomes, split.after, split.merge)


def provider_set(estate: Estate) -> ProviderSet:
    """The estate's providers and their analyses: the registered providers its records name
    (``providers.analysed``: the default one when it names none). Records of a cloud with no
    registered provider get no analysis, only the neutral defaults."""
    found = {p.name: p for p in providers.analysed(estate.snapshot)}
    return ProviderSet(
        providers=found, analyses={name: p.analyse(estate) for name, p in found.items()}
    )


def reach_graph(estate: Estate, found: ProviderSet | None = None) -> ReachGraph:
    """The reach graph, every decision asked of the providers' analyses of ``estate`` (one
    ``CompositeSource``: each record answered by its own provider's analysis)."""
    found = found if found is not None else provider_set(estate)
    source = CompositeSource(estate, found.analyses)
    return build_graph(estate, source)


def primary(found: ProviderSet) -> CloudProvider:
    """The provider whose catalogue a report names (its date) and the agent analysis and the
    queries read: the default provider when it analyses the snapshot, else the first by name."""
    chosen = found.get(providers.DEFAULT)
    return chosen if chosen is not None else found.providers[min(found.providers)]


def catalogs(found: ProviderSet) -> tuple[CatalogInfo, ...]:
    """Each catalogue the analysis read (by provider name), for ``ToolInfo.catalogs``: none
    when the default provider alone analyses the snapshot (``catalog_date`` names its
    catalogue, as reports always did), else every provider's, with its name and date."""
    if list(found.providers) in ([], [providers.DEFAULT]):
        return ()
    return tuple(_catalog(found.providers[name]) for name in sorted(found.providers))


def _catalog(provider: CloudProvider) -> CatalogInfo:
    catalog = provider.catalog
    return CatalogInfo(
        provider=provider.name,
        name=provider.facts.catalog_name,
        version=catalog.version or None,
        date=catalog.updated_at or None,
    )


def unanalysed(snapshot: Snapshot) -> tuple[CollectionGap, ...]:
    """One gap per cloud whose records no installed provider analyses: their reach is unknown,
    so the report must not read as "no risk" (``--strict`` exits 3)."""
    return tuple(_no_provider(snapshot, name) for name in providers.unregistered(snapshot))


def _no_provider(snapshot: Snapshot, name: str) -> CollectionGap:
    records = (snapshot.identities, snapshot.credentials, snapshot.groups, snapshot.policies,
               snapshot.resources)  # fmt: skip
    count = sum(1 for kind in records for record in kind if str(record.provider) == name)
    return CollectionGap(
        provider=Provider(name),
        scope=name,
        operation="analyse",
        reason=GapReason.NO_PROVIDER,
        detail=(
            f"{count} records name the cloud {name!r}, which no installed nhiscan provider "
            f"analyses (known: {', '.join(sorted(providers.REGISTRY))}): they are inventoried "
            "and their lifecycle checked, but what they can reach is not analysed"
        ),
    )


def analyze(
    snapshot: Snapshot,
    *,
    settings: Settings,
    now: datetime,
    rules: Sequence[Rule] | None = None,
    reach: bool = True,
    agents: AgentFile | None = None,
    previous: PreviousBehaviour | None = None,
    built: Callable[[ReachGraph], None] | None = None,
) -> Report:
    """``reach=False`` skips the reach graph and the rules that need it (lifecycle only: fast
    enough for every CI run on very large estates); the report says it was skipped. With
    ``agents``, each agent's plan is compared with its identities' grants (the gap analysis
    needs the reach graph; without it, only the agent lifecycle rules run). ``previous``: the
    previous recorded run's agent behaviour (NHI706), when the scan is recorded. ``built`` is
    given the reach graph as soon as it is built (before the rules run)."""
    added = unanalysed(snapshot)  # the rules see them too (an unknown is not a clean answer)
    estate = estate_of(replace(snapshot, gaps=snapshot.gaps + added) if added else snapshot)
    found = provider_set(estate)
    catalog = primary(found).catalog
    graph = reach_graph(estate, found) if reach else None
    if graph is not None and built is not None:
        built(graph)
    analysis = None
    if agents is not None:
        max_age = settings.lifecycle.key_max_age_days
        analysis = analyze_agents(
            agents,
            estate,
            graph,
            found,
            default_max_key_age=max_age,
            now=now,
            unused_days=settings.activity.unused_days,
        )
    ctx = RuleContext(now=now, thresholds=settings.lifecycle, graph=graph, agents=analysis,
                      providers=found, federation=settings.federation,
                      activity=settings.activity, previous_behaviour=previous)  # fmt: skip
    findings = _findings(_rules_for(rules, reach=reach), estate, ctx)
    suppression = suppressions.split(findings, settings.suppressions, now)
    return Report(
        tool=replace(TOOL, catalog_date=catalog.updated_at, catalogs=catalogs(found)),
        graph=graph,
        blast=None
        if graph is None
        else blast_radius(graph, estate.snapshot.credentials, found.facts),
        reach=reach,
        scanned_at=now,
        snapshot=snapshot,  # as collected: what the store and the snapshot copy keep
        analysis_gaps=added,
        estate=estate,
        findings=suppression.kept,
        thresholds=settings.lifecycle,
        suppressions_configured=bool(settings.suppressions),
        agents=analysis,
        previous_behaviour=previous,
        suppressed=suppression.suppressed,
        expired_suppressions=suppression.expired,
        unused_suppressions=suppression.unused,
        rules=tuple(rule.meta for rule in all_rules()),
        federation=tuple(judged(found)),
        registrations=registered(found),
        repositories_not_judged=not_judged(estate, settings.federation, found.federated_trusts()),
    )


def _rules_for(rules: Sequence[Rule] | None, *, reach: bool) -> Sequence[Rule]:
    """``rules`` (every rule by default), without the reach rules when reach is off."""
    if rules is None:
        rules = all_rules()
    return rules if reach else [rule for rule in rules if not rule.meta.needs_graph]


def _findings(rules: Sequence[Rule], estate: Estate, ctx: RuleContext) -> list[Finding]:
    """Every rule's findings, worst first, in a stable order."""
    findings = [f for rule in rules for f in rule.evaluate(estate, ctx)]
    findings.sort(key=lambda f: (-f.severity.rank, f.rule_id, f.subject, f.fingerprint))
    return findings


def apply_baseline(report: Report, baseline: baselines.Baseline, *, source: str) -> Report:
    """Keep only the findings the baseline does not accept; list its stale entries."""
    split = baselines.split(report.findings, baseline)
    return replace(
        report,
        findings=split.new,
        baselined=split.baselined,
        stale_baseline=split.stale,
        baseline_file=source,
    )


def exit_code(report: Report, *, fail_on: Severity | None, strict: bool) -> int:
    """0 clean, 1 findings at or above ``fail_on``, 3 incomplete collection under ``strict``.

    Findings take precedence over gaps: a finding is certain, a gap is an unknown.
    """
    if fail_on is not None and report.findings_at_least(fail_on):
        return 1
    if strict and report.gaps:
        return 3
    return 0

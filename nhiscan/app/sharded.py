"""``nhiscan scan --analysis sharded``: the sharded analysis (issue #21). The estate is never held
in the client's memory: it reads summaries, and streams findings and the snapshot copy.

1. collect: every connector that can be split runs as work units, each writing its shard;
   what the client collects itself (a split's ``before``/``after``, a connector that cannot be
   split, a unit's gap) is written as a shard too, so every record is in exactly one shard;
2. summarise (workers): each shard's accounts, the accounts it names, its counts
   (``sharded_links``);
3. group (client): the shards whose accounts are linked join one analysis group;
4. analyse (workers): one job per group reads its shards (and the org-wide ones) in the order
   the local scan would have read them, builds the group's snapshot, runs
   ``pipeline.analyze`` without suppressions, and writes the group's findings as a shard;
5. merge (client, ``sharded_report``): the findings, sorted as ``pipeline._findings`` sorts
   them, one copy of a finding several groups made (an org-wide record's); then suppressions
   (an unused one is unused in every group), the baseline and the exit code, as a local scan.

The report of a sharded run is its own JSON document (``sharded_report.FORMAT``): the
findings, the gaps, the identities per account and where the shards are. Agent files (the gap
analysis compares agents with identities anywhere in the estate) and the other report formats
are refused with a ConfigError; the scan is not recorded in the history store (a printed
note), and the reach graph file beside the snapshot copy (for queries) is not written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from nhiscan.app import pipeline
from nhiscan.app.agents import load_agent_files
from nhiscan.app.cluster import opened
from nhiscan.app.config import Settings
from nhiscan.app.options import ClusterOptions, Gate, SourceOptions
from nhiscan.app.outputs import DEFAULT_REPORT_DIR, check_writable
from nhiscan.app.sharded_links import Grouping, ShardLinks, group_shards, read_links
from nhiscan.app.sharded_order import Segment, group_records
from nhiscan.app.sharded_report import FORMAT, merged_items, write_report
from nhiscan.app.sharded_snapshot import write_snapshot_copy
from nhiscan.app.sources import asked_names, build_connectors
from nhiscan.cluster.run import Cluster, run_units
from nhiscan.cluster.shards import ShardRef, ShardStore, record_item
from nhiscan.cluster.units import Splittable, UnitContext
from nhiscan.connectors.base import CollectContext, Connector
from nhiscan.errors import ClusterError, ConfigError
from nhiscan.scanner import baseline as baselines
from nhiscan.scanner.codec import decode, encode
from nhiscan.scanner.model import Account, CollectionGap, Finding, GapReason, Provider, Record
from nhiscan.scanner.snapshot import build_snapshot


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryJob:
    store: ShardStore
    ref: ShardRef


def summarise(job: SummaryJob) -> ShardLinks:
    """On a worker: one collection shard's links and counts."""
    return read_links(job.ref.url, job.store.read(job.ref))


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupJob:
    """What a worker gets to analyse one group."""

    key: str
    store: ShardStore
    run: str
    segments: tuple[Segment, ...]
    settings: Settings  # without suppressions: the client applies them over every group
    now: datetime
    collected_at: datetime
    sources: tuple[str, ...]
    reach: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupResult:
    findings: ShardRef
    analysis_gaps: tuple[CollectionGap, ...]
    tool: Any  # the analysis's ToolInfo (its catalogue's date)


def analyse_group(job: GroupJob) -> GroupResult:
    """On a worker: one group's snapshot, analysed; its findings written as a shard."""
    records = group_records(job.store, job.segments)
    snap = build_snapshot(records, tool=pipeline.TOOL, collected_at=job.collected_at,
                          sources=job.sources)  # fmt: skip
    report = pipeline.analyze(snap, settings=job.settings, now=job.now, reach=job.reach)
    found = (encode(finding) for finding in report.findings)
    ref = job.store.write(job.run, "findings", job.key, found)
    return GroupResult(findings=ref, analysis_gaps=report.analysis_gaps, tool=report.tool)


def collect_shards(
    connectors: Sequence[Connector], ctx: CollectContext, cluster: Cluster
) -> list[Segment]:
    """Every connector's records as shards (see the module's text, step 1)."""
    segments = []
    for index, connector in enumerate(connectors):
        if not isinstance(connector, Splittable):
            ref = _client_shard(cluster, f"{index}-collect", connector.collect(ctx))
            segments.append(Segment(before=ref))
            continue
        unit_ctx = UnitContext(now=ctx.now, as_of=ctx.as_of)
        split = connector.split(replace(unit_ctx, progress=ctx.progress))
        outcomes = run_units(cluster, split.units, unit_ctx)
        units = []
        for outcome in outcomes:
            ref = outcome.shard
            if ref is None and outcome.gap is not None:
                ref = _client_shard(cluster, f"{index}-gap-{outcome.unit.key}", [outcome.gap])
            if ref is not None:
                units.append(ref)
        segments.append(
            Segment(
                before=_client_shard(cluster, f"{index}-before", split.before),
                units=tuple(units),
                after=_client_shard(cluster, f"{index}-after", split.after),
            )
        )
    return segments


def _client_shard(cluster: Cluster, key: str, records: Any) -> ShardRef | None:
    """What the client collected, as a shard (None when there is nothing)."""
    ref = cluster.store.write(cluster.run, "client", key, (record_item(r) for r in records))
    return ref if ref.items else None


def _in_group(segment: Segment, chosen: set[str]) -> Segment:
    return Segment(
        before=segment.before if segment.before and segment.before.url in chosen else None,
        units=tuple(ref for ref in segment.units if ref.url in chosen),
        after=segment.after if segment.after and segment.after.url in chosen else None,
    )


def group_jobs(
    segments: Sequence[Segment], grouping: Grouping, refs: Sequence[ShardRef], base: GroupJob
) -> list[GroupJob]:
    org = {refs[i].url for i in grouping.org_wide}
    jobs = []
    for number, members in enumerate(grouping.groups):
        chosen = org | {refs[i].url for i in members}
        kept = tuple(_in_group(s, chosen) for s in segments)
        jobs.append(replace(base, key=f"group-{number:05d}", segments=kept))
    return jobs


@dataclass(frozen=True, slots=True, kw_only=True)
class ShardedAnalysis:
    """The outcome of steps 1 to 4: the groups' findings (merged by ``items``), the shards'
    summaries, the groups and their results, and the shards in record order."""

    store: ShardStore
    finding_shards: list[ShardRef]  # each group's, sorted as the local analysis sorts
    links: list[ShardLinks]
    grouping: Grouping
    results: list[GroupResult]
    segments: list[Segment]
    sources: tuple[str, ...]
    failed: tuple[CollectionGap, ...] = ()  # a gap per account of a group that failed

    def items(self) -> Iterator[dict[str, Any]]:
        """Every group's findings (encoded), merged (``sharded_report.merged_items``)."""
        return merged_items(self.store, self.finding_shards)

    def findings(self) -> Iterator[Finding]:
        for item in self.items():
            yield decode(Finding, item)


def analyse_sharded(
    connectors: Sequence[Connector],
    cluster: Cluster,
    *,
    settings: Settings,
    collected_at: datetime,
    now: datetime,
    reach: bool = True,
) -> ShardedAnalysis:
    """Collect into shards, summarise, group, analyse each group (steps 1 to 4; the
    settings' suppressions are left to the merge)."""
    ctx = CollectContext(now=collected_at, progress=cluster.progress)
    sources = tuple(s for c in connectors for s in c.sources)
    segments = collect_shards(connectors, ctx, cluster)
    refs = [ref for segment in segments for ref in segment.refs()]
    links = _summaries(cluster, refs)
    grouping = group_shards(links)
    base = GroupJob(key="", store=cluster.store, run=cluster.run, segments=(),
                    settings=replace(settings, suppressions=()), now=now,
                    collected_at=collected_at, sources=sources, reach=reach)  # fmt: skip
    jobs = group_jobs(segments, grouping, refs, base)
    owners = [sorted(set().union(*(links[i].owners for i in g))) for g in grouping.groups]
    results, failed = _analyse(cluster, jobs, owners)
    return ShardedAnalysis(store=cluster.store, finding_shards=[r.findings for r in results],
                           links=links, grouping=grouping, results=results, segments=segments,
                           sources=sources, failed=failed)  # fmt: skip


def run_sharded_scan(
    src: SourceOptions, settings: Settings, gate: Gate, options: ClusterOptions
) -> int:
    """``nhiscan scan`` with a non-local executor (see the module's text)."""
    report_path, copy_path = _check(src, settings, gate)
    accepted = baselines.load(gate.baseline) if gate.baseline is not None else None
    if gate.record:
        click.echo(
            "history: a sharded analysis is not recorded in the history store (its estate is in "
            "the shards, not in this process)",
            err=True,
        )
    connectors = build_connectors(src, settings)
    now = datetime.now(UTC)
    analysed_at = gate.now or now
    with opened(options, now) as cluster:
        if cluster is None:
            raise ClusterError("--analysis sharded needs --executor other than local, or --shards")
        done = analyse_sharded(connectors, cluster, settings=settings, collected_at=now,
                               now=analysed_at, reach=gate.reach)  # fmt: skip
        if done.grouping.whole is not None:
            click.echo(f"analysis: every account in one group: {done.grouping.whole}", err=True)
        code = conclude(done, settings, gate, accepted, cluster, report_path, now=analysed_at)
        if copy_path is not None:
            write_snapshot_copy(copy_path, cluster.store, done.segments, tool=pipeline.TOOL,
                                collected_at=now, sources=done.sources)  # fmt: skip
            click.echo(f"wrote {copy_path} (the graph file for queries is not written)", err=True)
    return code


def _check(src: SourceOptions, settings: Settings, gate: Gate) -> tuple[Path | None, Path | None]:
    """The refusals, before anything runs; the report's file (None: standard output) and the
    snapshot copy's (beside the report when -o names a directory)."""
    agents = load_agent_files(
        gate.agents, settings, demo="demo" in asked_names(src), disabled=gate.no_agents
    )
    if agents is not None:
        raise ConfigError(
            "--analysis sharded does not compare agents with their identities yet: give "
            "--no-agents, or scan with --analysis client (the default)"
        )
    if any(fmt != "json" for fmt in gate.formats):
        raise ConfigError(
            "--analysis sharded writes its JSON report only (--format json): the other "
            "formats draw on the whole inventory, which stays in the shards (--analysis "
            "client writes them all)"
        )
    if gate.output == "-":
        return None, None
    path = Path(gate.output or DEFAULT_REPORT_DIR)
    if gate.output is None or gate.output.endswith("/") or path.is_dir() or not path.suffix:
        check_writable(path / "report.json")
        check_writable(path / "snapshot.json")
        return path / "report.json", path / "snapshot.json"
    check_writable(path)
    return path, None


def _summaries(cluster: Cluster, refs: Sequence[ShardRef]) -> list[ShardLinks]:
    jobs = [SummaryJob(store=cluster.store, ref=ref) for ref in refs]
    outcomes = cluster.run_stage("summarise", summarise, jobs, names=[r.url for r in refs])
    return [_value(o, refs[o.index].url) for o in outcomes]


def _analyse(
    cluster: Cluster, jobs: Sequence[GroupJob], owners: Sequence[Sequence[str]]
) -> tuple[list[GroupResult], tuple[CollectionGap, ...]]:
    """Each group's result; a group whose analysis failed every attempt is a gap per account
    of the group (its findings are missing: the report and --strict say so), and the other
    groups' findings are kept."""
    outcomes = cluster.run_stage("analyse", analyse_group, jobs, names=[j.key for j in jobs],
                                 measure=lambda r: (r.findings.items, r.findings.size))  # fmt: skip
    results = [o.value for o in outcomes if o.value is not None]
    failed = tuple(
        _unanalysed(account, jobs[o.index].key, o.attempts, o.error or "", cluster)
        for o in outcomes
        if o.value is None
        for account in owners[o.index] or [jobs[o.index].key]
    )
    return results, failed


def _unanalysed(
    account: str, group: str, attempts: int, error: str, cluster: Cluster
) -> CollectionGap:
    return CollectionGap(
        provider=Provider.AWS,
        scope=account,
        operation="analyse",
        reason=GapReason.FAILED,
        detail=(
            f"not analysed: its analysis group ({group}) failed {attempts} attempts on "
            f"{cluster.executor.description}; the last: {error}. Its findings are missing: "
            f"scan again with --resume {cluster.run} (the collection's shards are kept)"
        ),
    )


def _value(outcome: Any, name: str) -> Any:
    """A stage's value; an analysis that failed every attempt fails the scan (a group's
    findings silently missing would read as a clean estate)."""
    if outcome.value is None:
        raise ClusterError(f"{name}: failed after {outcome.attempts} attempts: {outcome.error}")
    return outcome.value


def conclude(
    done: ShardedAnalysis,
    settings: Settings,
    gate: Gate,
    accepted: baselines.Baseline | None,
    cluster: Cluster,
    path: Path | None,
    *,
    now: datetime,
) -> int:
    """Step 5: merge, judge and write the report (``sharded_report``); the exit code."""
    gaps = gaps_of(done)
    verdict = write_report(path, header(done, cluster, gaps, now=now), done.items(),
                           suppress=settings.suppressions, accepted=accepted, now=now)  # fmt: skip
    if path is not None:
        click.echo(f"wrote {path}", err=True)
    for expired in verdict.expired:
        click.echo(f"{expired.describe()}: expired on {expired.expires}, no longer "
                   f"suppressing (reason was: {expired.reason})", err=True)  # fmt: skip
    for unused in verdict.unused:
        click.echo(f"{unused.describe()}: matches no finding any more", err=True)
    identities = sum(link.counts.get("identities", 0) for link in done.links)
    text = (f"{identities} identities (in the shards), {verdict.findings} findings, analysed "
            f"in {len(done.grouping.groups)} groups")  # fmt: skip
    if gaps:
        text += f"; {len(gaps)} collection gaps: results are incomplete (see the report)"
    click.echo(text, err=True)
    if gate.fail_on is not None and verdict.at_least(gate.fail_on):
        return 1
    return 3 if gate.strict and gaps else 0


def gaps_of(done: ShardedAnalysis) -> tuple[CollectionGap, ...]:
    """The collection's gaps in record order, then the analysis's, each once."""
    records: list[Record] = [decode(CollectionGap, g) for link in done.links for g in link.gaps]
    records += [gap for result in done.results for gap in result.analysis_gaps]
    records += done.failed
    return build_snapshot(
        records, tool=pipeline.TOOL, collected_at=datetime.now(UTC), sources=()
    ).gaps


def header(
    done: ShardedAnalysis, cluster: Cluster, gaps: Sequence[CollectionGap], *, now: datetime
) -> dict[str, Any]:
    """The report of a sharded run but its findings: it says where the inventory is."""
    by_account: dict[str, int] = {}
    totals: dict[str, int] = {}
    for link in done.links:
        for account, count in link.identities_by_account.items():
            by_account[account] = by_account.get(account, 0) + count
        for name, count in link.counts.items():
            totals[name] = totals.get(name, 0) + count
    accounts = [decode(Account, a) for link in done.links for a in link.accounts]
    kept = build_snapshot(accounts, tool=pipeline.TOOL, collected_at=now, sources=()).accounts
    tool = done.results[0].tool if done.results else pipeline.TOOL
    return {
        "format": FORMAT,
        "tool": encode(tool),
        "scanned_at": encode(now),
        "sources": list(done.sources),
        "inventory": {
            "where": (
                "in the shards of this run (records, compressed JSON lines) and the snapshot "
                "copy beside this report: this report holds the findings, the gaps and counts"
            ),
            "run": cluster.run,
            "shards": cluster.store.url,
            "records": totals,
            "identities_by_account": dict(sorted(by_account.items())),
            "analysis_groups": len(done.grouping.groups),
            "one_group_because": done.grouping.whole,
        },
        "accounts": encode(kept),
        "gaps": encode(tuple(gaps)),
    }

"""``nhiscan collect``, ``analyze`` and ``scan``, between parsing (``nhiscan.cli``) and the
pipeline: run the stages, write outputs, choose the exit code.

Every option is checked before anything is collected: agent files, the baseline, the outputs
(resolved and writable, ``outputs``) and the history store (opened). A scan is recorded in
the store only once all its reports and its snapshot copy are written.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from nhiscan.app import pipeline, snapshots
from nhiscan.app.agents import echo_unmatched, load_agent_files
from nhiscan.app.config import Settings
from nhiscan.app.forked import Background, forked
from nhiscan.app.graphs import write_graph
from nhiscan.app.options import ClusterOptions, Gate, SourceOptions
from nhiscan.app.outputs import (
    Target,
    check_writable,
    graph_path,
    prepare_outputs,
    snapshot_copy_path,
    temporary,
    write_output,
    write_reports,
)
from nhiscan.app.sources import Collect, asked_names, collect_snapshot, collecting
from nhiscan.collector import no_cycle_collection
from nhiscan.errors import ConfigError
from nhiscan.reports.model import Report
from nhiscan.scanner import baseline as baselines
from nhiscan.scanner import fanout, snapshot
from nhiscan.scanner.agents.model import AgentFile
from nhiscan.scanner.history.behaviour import PreviousBehaviour
from nhiscan.scanner.history.view import HistoryView
from nhiscan.scanner.model import Severity

if TYPE_CHECKING:
    from nhiscan.scanner.graph import ReachGraph
    from nhiscan.store.store import Store


def run_collect(
    src: SourceOptions,
    settings: Settings,
    *,
    output: Path,
    strict: bool | None,
    cluster: ClusterOptions | None = None,
) -> int:
    check_writable(output)
    snap = collect_snapshot(src, settings, cluster=cluster)
    write_output(output, snapshot.to_json(snap).encode())
    click.echo(f"wrote {output}", err=True)
    _echo_gaps(len(snap.gaps))
    strict = settings.strict if strict is None else strict
    return 3 if strict and snap.gaps else 0


def run_analyze(path: Path, settings: Settings, gate: Gate) -> int:
    targets = prepare_outputs(gate.output, gate.formats)
    accepted = _load_baseline(gate)
    snap = snapshots.load(path)
    return _report(snap, settings, gate, targets=targets, accepted=accepted)


def run_scan(
    src: SourceOptions, settings: Settings, gate: Gate, *, cluster: ClusterOptions | None = None
) -> int:
    if cluster is not None and cluster.sharded_analysis:
        if cluster.local and cluster.shards is None:
            raise ConfigError(
                "--analysis sharded runs the analysis as shards: give --executor (a Dask "
                "cluster, or local-cluster:N), or --shards to run them in this process"
            )
        from nhiscan.app.sharded import run_sharded_scan

        return run_sharded_scan(src, settings, gate, cluster)
    started = datetime.now(UTC)
    # every option is checked before collecting: agent files, baseline, outputs, store
    agents = load_agent_files(
        gate.agents, settings, demo="demo" in asked_names(src), disabled=gate.no_agents
    )
    accepted = _load_baseline(gate)
    targets = prepare_outputs(gate.output, gate.formats, snapshot_copy=True)
    store = _open_history(gate)
    try:
        with collecting(src, settings, cluster=cluster) as collect:
            snap = collect(gate.now)
            previous = None
            if store is not None:
                previous = _previous_behaviour(store, collect, settings, gate, agents, snap)
        return _report(
            snap,
            settings,
            gate,
            targets=targets,
            accepted=accepted,
            agents=agents,
            recording=(store, started) if store is not None else None,
            snapshot_copy=True,
            previous=previous,
        )
    finally:
        if store is not None:
            store.close()


def _previous_behaviour(
    store: Store,
    collect: Collect,
    settings: Settings,
    gate: Gate,
    agents: AgentFile | None,
    snap: snapshot.Snapshot,
) -> PreviousBehaviour:
    """The previous run's agent behaviour, for NHI706. The demo's first run into a store, when
    it read an audit trail, records last week's scheduled scan first, so that it shows a
    behaviour change between two recorded runs (``seed_demo_week``)."""
    from nhiscan.store.history import previous_behaviour

    found = previous_behaviour(store, snap)
    if found.run is None and is_demo(snap) and snap.activity_sources:
        seed_demo_week(store, collect, settings, gate, agents)
        found = previous_behaviour(store, snap)
    if found.note and agents is not None and snap.activity_sources:
        click.echo(f"behaviour drift: {found.note}", err=True)
    return found


DEMO_WEEK = timedelta(days=7)


def seed_demo_week(
    store: Store,
    collect: Collect,
    settings: Settings,
    gate: Gate,
    agents: AgentFile | None,
) -> None:
    """Record "last week's scheduled scan" of the demo: the same estate (``collect`` reuses
    the scan's moto estate), its audit trail read with the window ending a week before the scan
    (``CollectContext.as_of``), analysed and recorded as of then. The demo trail's deviation
    (loan-review's deletes from a new address, the last three days) is not in it, so the scan
    that follows flags it (NHI706)."""
    from nhiscan.app.history import record_scan

    began = datetime.now(UTC)
    week = (gate.now or began) - DEMO_WEEK
    earlier = replace(collect(week), collected_at=week)
    first = PreviousBehaviour(note="last week's scheduled scan: the first of its scope")
    report = pipeline.analyze(
        earlier, settings=settings, now=week, reach=gate.reach, agents=agents, previous=first
    )
    view = record_scan(
        store, report, started_at=week, finished_at=week + (datetime.now(UTC) - began)
    )
    click.echo(
        f"history: the store had no run of the demo's scope: recorded last week's scheduled "
        f"scan first (run {view.run.id}, as of {week:%Y-%m-%d %H:%M} UTC), so that this run "
        "shows what changed since",
        err=True,
    )


def _load_baseline(gate: Gate) -> baselines.Baseline | None:
    return baselines.load(gate.baseline) if gate.baseline is not None else None


def _open_history(gate: Gate) -> Store | None:
    if not gate.record:  # --no-store: not even the store's imports (SQLAlchemy) are paid
        return None
    from nhiscan.app.history import open_history

    return open_history(gate)


def _report(
    snap: snapshot.Snapshot,
    settings: Settings,
    gate: Gate,
    *,
    targets: list[Target],
    accepted: baselines.Baseline | None,
    agents: AgentFile | None = None,
    recording: tuple[Store, datetime] | None = None,
    snapshot_copy: bool = False,
    previous: PreviousBehaviour | None = None,
) -> int:
    """Analyse, write the reports (and the snapshot copy), then record the run when asked.
    ``previous``: the previous recorded run's agent behaviour (NHI706)."""
    now = gate.now or datetime.now(UTC)
    if agents is None and not snapshot_copy:
        agents = load_agent_files(
            gate.agents, settings, demo=is_demo(snap), disabled=gate.no_agents
        )
    copy = snapshot_copy_path(targets) if snapshot_copy else None
    early: list[Background] = []

    def built(graph: ReachGraph) -> None:
        """On a large estate the snapshot copy and the stored graph are encoded and written
        by a forked process from the moment the graph is built, while this one runs the
        rules and writes the reports (neither reads what the other writes)."""
        if copy is not None and len(snap.identities) >= ALONGSIDE_FROM:
            early.append(Background(lambda: _copy(copy, snapshot.to_json(snap), graph)))

    # The escalation search on two cores where there are two (app/forked.py); no cycle
    # collection over the analysis's heap while it is built and written (collector.py).
    try:
        with fanout.using(forked), no_cycle_collection():
            report = pipeline.analyze(
                snap, settings=settings, now=now, reach=gate.reach, agents=agents,
                previous=previous, built=built,
            )  # fmt: skip
            report = replace(report, detail=gate.detail)
            echo_unmatched(report)
            _echo_suppressions(report)
            if accepted is not None:
                report = pipeline.apply_baseline(report, accepted, source=str(gate.baseline))
            _write_and_record(
                report, targets, gate, recording, snapshot_copy=snapshot_copy,
                early=early[0] if early else None,
            )  # fmt: skip
    except BaseException:
        for started in early:  # a failed scan leaves no copy half written
            started.stop()
            if copy is not None:
                for path in (copy, graph_path(copy)):
                    temporary(path).unlink(missing_ok=True)
        raise
    click.echo(summary_line(report), err=True)
    return pipeline.exit_code(report, fail_on=gate.fail_on, strict=gate.strict)


def _write_and_record(
    report: Report,
    targets: list[Target],
    gate: Gate,
    recording: tuple[Store, datetime] | None,
    *,
    snapshot_copy: bool,
    early: Background | None = None,
) -> None:
    """Write the reports (and the snapshot copy), recording the run when asked. The snapshot
    is encoded once: the store's compact text is also what the copy is written from.
    ``early``: the copy already being written by a forked process."""
    if recording is None:
        _write_all(report, targets, snapshot_copy=snapshot_copy, early=early)
        return
    from nhiscan.app.history import recorded

    store, started = recording
    stored = snapshot.to_json(report.snapshot, compact=True)
    with recorded(store, report, gate, started=started, snapshot_json=stored) as history:
        _write_all(
            report, targets, snapshot_copy=snapshot_copy, stored=stored, history=history,
            early=early,
        )  # fmt: skip


def _write_all(
    report: Report,
    targets: list[Target],
    *,
    snapshot_copy: bool,
    stored: str | None = None,
    history: HistoryView | None = None,
    early: Background | None = None,
) -> None:
    """The reports, then the snapshot copy (indented; from ``stored``, the compact text, when
    the run is recorded, so that the snapshot is not encoded again) and the reach graph beside
    it, for the queries (``app/graphs.py``), unless a forked process is writing them
    (``early``: done when this returns); the messages say what was written in that order."""
    path = snapshot_copy_path(targets) if snapshot_copy else None
    write_reports(report, targets, history=history)
    if path is None:
        return
    if early is not None:
        early.join()
    else:
        if stored is not None:
            text = snapshot.dumps(json.loads(stored))
        else:
            text = snapshot.to_json(report.snapshot)
        _copy(path, text, report.graph)
    click.echo(f"wrote {path}", err=True)
    if report.graph is not None:
        click.echo(f"wrote {graph_path(path)}", err=True)


def _copy(path: Path, text: str, graph: ReachGraph | None) -> None:
    """The snapshot copy (``text``) and the reach graph beside it."""
    data = text.encode()
    write_output(path, data)
    write_graph(path, data, graph)


# Identities from which the snapshot copy and the stored graph are written by a forked
# process while the rules run and the reports are written (a fork costs more than it saves
# on small estates).
ALONGSIDE_FROM = 2000


def _echo_suppressions(report: Report) -> None:
    for expired in report.expired_suppressions:
        click.echo(
            f"{expired.describe()}: expired on {expired.expires}, no longer suppressing "
            f"(reason was: {expired.reason})",
            err=True,
        )
    for unused in report.unused_suppressions:
        click.echo(f"{unused.describe()}: matches no finding any more", err=True)


def is_demo(snap: snapshot.Snapshot) -> bool:
    return any(source.startswith("demo:") for source in snap.sources)


def summary_line(report: Report) -> str:
    counts = {s: 0 for s in Severity}
    for finding in report.findings:
        counts[finding.severity] += 1
    by_sev = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
    gaps = len(report.gaps)
    text = (
        f"{len(report.estate.identities)} identities, {len(report.snapshot.credentials)} "
        f"credentials, {len(report.findings)} findings" + (f" ({by_sev})" if by_sev else "")
    )
    if gaps:
        text += f"; {gaps} collection gaps: results are incomplete (see the report)"
    if report.suppressed:
        text += f"; {len(report.suppressed)} suppressed in nhiscan.toml"
    if report.expired_suppressions:
        text += f"; {len(report.expired_suppressions)} suppressions expired"
    if report.baseline_file is not None:
        text += f"; {len(report.baselined)} accepted in the baseline"
        if report.stale_baseline:
            text += f", {len(report.stale_baseline)} baseline entries match nothing any more"
    skipped = len(report.snapshot.skipped)
    if skipped:
        files = "file" if skipped == 1 else "files"
        text += f"; {skipped} {files} not scanned (binary or too large, listed in the report)"
    return text


def _echo_gaps(count: int) -> None:
    if count:
        click.echo(f"{count} collection gaps: some parts could not be examined", err=True)

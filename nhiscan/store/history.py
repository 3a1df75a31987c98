"""The store around a scan: record the finished run, and what the reports say about history
("since the last scan": the drift from the previous run of the same scope, and the trend of the
last runs). I/O glue between the store and the pure drift."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nhiscan.errors import ConfigError
from nhiscan.scanner import snapshot as snapshots
from nhiscan.scanner.history.behaviour import PreviousBehaviour, comparable
from nhiscan.scanner.history.drift import Drift, HeldIn, RunData, drift
from nhiscan.scanner.history.records import RunSummary
from nhiscan.scanner.history.view import HistoryView
from nhiscan.scanner.snapshot import Snapshot
from nhiscan.store.record import scope_of
from nhiscan.store.store import RunRecord, Store, redact

TREND_RUNS = 12  # runs shown in the report's trend


@contextmanager
def recording(
    store: Store, record: RunRecord, snapshot: Snapshot, *, held: HeldIn
) -> Iterator[HistoryView]:
    """The run's history view, for its reports; the run (``record``, of ``snapshot``) is
    committed when the block ends normally (the reports are written) and never when it raises
    (``Store.recording``). ``held``: what each run's identities hold (drift)."""
    with store.recording(record) as run_id:
        yield _view(store, snapshot, record, run_id, held)


def _view(
    store: Store, snapshot: Snapshot, record: RunRecord, run_id: int, held: HeldIn
) -> HistoryView:
    run = store.run(run_id)
    previous = store.previous(run.scope, before=run_id)
    change = None
    if previous is not None:  # this run is in memory already: only the previous one is loaded
        current = RunData(
            summary=run, snapshot=snapshot, findings=record.findings, agents=record.agents
        )
        change = drift(load_run(store, previous.id), current, held=held)
    trend = tuple(reversed(store.runs(scope=run.scope, limit=TREND_RUNS)))
    return HistoryView(
        run=run, previous=previous, drift=change, trend=trend, store=redact(store.url)
    )


def previous_behaviour(store: Store, snapshot: Snapshot) -> PreviousBehaviour:
    """What NHI706 compares this scan's agents with: the agents of the latest recorded run of
    ``snapshot``'s scope, or why nothing can be compared (the report says it)."""
    scope = scope_of(snapshot)
    previous = store.previous(scope)
    if previous is None:
        return PreviousBehaviour(
            note="no previous run of this scope in the store: behaviour drift (NHI706) is "
            "judged from the next run on"
        )
    agents = {a["name"]: a for a in store.agents(previous.id) or ()}
    note = None
    if not snapshot.activity_sources:
        note = "this scan read no audit trail: behaviour drift (NHI706) not judged"
    elif not any(comparable(a) for a in agents.values()):
        note = (
            f"run {previous.id} recorded no agent behaviour (no audit trail read, or recorded "
            "by an older nhiscan): not comparable, behaviour drift (NHI706) not judged"
        )
    return PreviousBehaviour(
        run=previous.id, started_at=previous.started_at, agents=agents, note=note
    )


def load_run(store: Store, run_id: int) -> RunData:
    return RunData(
        summary=store.run(run_id),
        snapshot=snapshots.from_json(store.snapshot_json(run_id), source=f"run {run_id}"),
        findings=store.findings(run_id),
        agents=store.agents(run_id),
    )


def compare(store: Store, first: int | None, second: int | None, *, held: HeldIn) -> Drift:
    """``nhiscan diff [A] [B]``: by default the last two runs of the latest run's scope; with
    one run, that run against the previous run of its scope. ``held``: as ``recording``'s."""
    if second is None:
        latest = store.run(first) if first is not None else _latest(store)
        earlier = store.previous(latest.scope, before=latest.id)
        if earlier is None:
            raise ConfigError(f"run {latest.id} is the first of its scope: nothing to compare with")
        first, second = earlier.id, latest.id
    assert first is not None
    return drift(load_run(store, first), load_run(store, second), held=held)


def _latest(store: Store) -> RunSummary:
    runs = store.runs(limit=1)
    if not runs:
        raise ConfigError("the store holds no runs yet: run `nhiscan scan` first")
    return runs[0]


__all__ = ["compare", "load_run", "previous_behaviour", "recording", "scope_of"]

"""The client's side of a sharded scan: run a stage's jobs on the executor, skip the shards a
resumed run already wrote, count retries and time, report progress, and turn a unit that
failed every attempt into a ``CollectionGap`` naming it (never a silently missing account)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from nhiscan.scanner.model import CollectionGap, GapReason, Record

from .executor import Executor, Outcome
from .shards import ShardRef, ShardStore, item_record, record_item
from .units import Later, UnitContext, WorkUnit

J = TypeVar("J")
R = TypeVar("R")

DEFAULT_RETRIES = 2
RATE_EVERY = 5.0  # seconds between two throughput figures in the progress lines


def _quiet(message: str) -> None:
    del message


@dataclass(frozen=True, slots=True, kw_only=True)
class StageSummary:
    """One stage of a run ("collect", "analyse"): its jobs and what became of them."""

    stage: str
    jobs: int
    done: int
    failed: int
    resumed: int  # shards a resumed run had already written: not run again
    retries: int  # attempts beyond each job's first
    seconds: float  # wall time of the stage on the client
    work_seconds: float  # the sum of the jobs' own times on the workers
    items: int = 0  # records (or findings) in the stage's shards
    size: int = 0  # bytes of the stage's shards (compressed)


@dataclass(slots=True, kw_only=True)
class Cluster:
    """An executor, the shard store and this run's id, for one scan; it keeps each stage's
    summary as the stages run (``stages``)."""

    executor: Executor
    store: ShardStore
    run: str
    retries: int = DEFAULT_RETRIES
    resume: bool = False  # skip the shards of ``run`` already written
    progress: Callable[[str], None] = field(default=_quiet)
    stages: list[StageSummary] = field(default_factory=list)
    # The throughput is figured again after this many seconds (and at a stage's end): between
    # two figures the progress lines differ only in their count, which a log off a terminal
    # shows at most every few seconds (``StderrProgress``), not once per shard.
    rate_every: float = RATE_EVERY

    def run_stage(
        self,
        stage: str,
        fn: Callable[[J], R],
        jobs: Sequence[J],
        *,
        names: Sequence[str],
        resumed: int = 0,
        measure: Callable[[R], tuple[int, int]] | None = None,
    ) -> list[Outcome[R]]:
        """Run ``jobs`` (outcomes in job order), reporting "stage: done/total" with the
        throughput, and record the stage's summary. ``measure`` gives a value's (items,
        bytes) for the summary."""
        began = time.perf_counter()
        total = len(jobs) + resumed
        outcomes: list[Outcome[R] | None] = [None] * len(jobs)
        items = size = 0
        self.progress(f"{stage}: {resumed}/{total} shards ({self.executor.description})")
        ran = self.executor.run(fn, jobs, names=names, retries=self.retries)
        rate, rated = "", began
        try:  # an interrupted stage is summarised too: what it had done
            for finished, outcome in enumerate(ran, start=1):
                outcomes[outcome.index] = outcome
                if outcome.value is not None and measure is not None:
                    more_items, more_size = measure(outcome.value)
                    items, size = items + more_items, size + more_size
                now = time.perf_counter()
                if not rate or now - rated >= self.rate_every or finished == len(jobs):
                    rate, rated = f"{finished / max(now - began, 1e-9):.1f} shards/s", now
                    rate = f"done in {now - began:.1f} s, {rate}" if finished == len(jobs) else rate
                failed = "" if outcome.ok else f", {names[outcome.index]} failed"
                self.progress(f"{stage}: {rate}{failed}: {finished + resumed}/{total} shards")
        finally:
            done = [o for o in outcomes if o is not None]
            self.stages.append(_summary(stage, done, jobs=total, resumed=resumed, began=began,
                                        items=items, size=size))  # fmt: skip
        return done


def _summary(
    stage: str, done: Sequence[Outcome[Any]], *, jobs: int, resumed: int, began: float,
    items: int, size: int,
) -> StageSummary:  # fmt: skip
    return StageSummary(
        stage=stage,
        jobs=jobs,
        done=sum(1 for o in done if o.ok) + resumed,
        failed=sum(1 for o in done if not o.ok),
        resumed=resumed,
        retries=sum(o.attempts - 1 for o in done),
        seconds=time.perf_counter() - began,
        work_seconds=sum(o.seconds for o in done),
        items=items,
        size=size,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitJob:
    """What a worker gets for one unit: the unit, where to write, the clock."""

    unit: WorkUnit
    store: ShardStore
    run: str
    ctx: UnitContext


def collect_unit(job: UnitJob) -> ShardRef:
    """On a worker: run the unit's task and write its shard (whole, or not at all)."""
    unit = job.unit
    records = unit.task(unit.payload, job.ctx)
    return job.store.write(job.run, unit.kind, unit.key, (record_item(r) for r in records))


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitOutcome:
    unit: WorkUnit
    shard: ShardRef | None  # None: every attempt failed (``gap`` says so)
    gap: CollectionGap | None = None
    resumed: bool = False


def run_units(
    cluster: Cluster, units: Sequence[WorkUnit], ctx: UnitContext, *, stage: str = "collect"
) -> list[UnitOutcome]:
    """Every unit's shard (in unit order): the ones a resumed run wrote are found, the others
    run on the executor; a unit that failed every attempt gets a gap instead."""
    found: dict[int, ShardRef] = {}
    if cluster.resume:
        for index, unit in enumerate(units):
            ref = cluster.store.find(cluster.run, unit.kind, unit.key)
            if ref is not None:
                found[index] = ref
    todo = [i for i in range(len(units)) if i not in found]
    jobs = [UnitJob(unit=units[i], store=cluster.store, run=cluster.run, ctx=ctx) for i in todo]
    outcomes = cluster.run_stage(
        stage,
        collect_unit,
        jobs,
        names=[units[i].name for i in todo],
        resumed=len(found),
        measure=lambda ref: (ref.items, ref.size),
    )
    results: dict[int, UnitOutcome] = {
        i: UnitOutcome(unit=units[i], shard=ref, resumed=True) for i, ref in found.items()
    }
    for outcome in outcomes:
        index = todo[outcome.index]
        unit = units[index]
        if outcome.value is not None:
            results[index] = UnitOutcome(unit=unit, shard=outcome.value)
        else:
            results[index] = UnitOutcome(
                unit=unit, shard=None, gap=unit_gap(unit, outcome, cluster.executor.description)
            )
    return [results[i] for i in range(len(units))]


def unit_gap(unit: WorkUnit, outcome: Outcome[Any], executor: str) -> CollectionGap:
    return CollectionGap(
        provider=unit.provider,
        scope=unit.key,
        operation=f"collect {unit.kind}",
        reason=GapReason.FAILED,
        detail=(
            f"{unit.label}: not collected: {outcome.attempts} attempts on {executor} failed; "
            f"the last: {outcome.error}"
        ),
    )


def shard_records(store: ShardStore, ref: ShardRef) -> Iterator[Record | Later]:
    for item in store.read(ref):
        yield item_record(item, source=ref.url)


def split_records(
    store: ShardStore, before: Sequence[Record], outcomes: Sequence[UnitOutcome],
    after: Sequence[Record],
    merge: Callable[[Sequence[Record]], Iterable[Record]] | None = None,
) -> Iterator[Record]:  # fmt: skip
    """A split collection's records in the unsplit connector's order: ``before``, each unit's
    (or its gap), the units' ``Later`` records in unit order (through ``merge`` when the
    split has one), ``after``."""
    yield from before
    later: list[Record] = []
    for outcome in outcomes:
        if outcome.shard is None:
            if outcome.gap is not None:
                yield outcome.gap
            continue
        for record in shard_records(store, outcome.shard):
            if isinstance(record, Later):
                later.append(record.record)
            else:
                yield record
    yield from later if merge is None else merge(later)
    yield from after


def summary_lines(cluster: Cluster) -> list[str]:
    """The per-run summary for people: shards, retries and time per stage."""
    lines = [f"run {cluster.run} on {cluster.executor.description}, shards in {cluster.store.url}"]
    for s in cluster.stages:
        lines.append(
            f"  {s.stage}: {s.done}/{s.jobs} shards done ({s.resumed} resumed, {s.failed} "
            f"failed, {s.retries} retries), {s.seconds:.1f} s wall, {s.work_seconds:.1f} s of "
            f"work, {s.items} items, {s.size / 1e6:.1f} MB"
        )
    return lines

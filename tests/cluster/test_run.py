"""``run_units``: records back in unit order whatever order the units finish in, a unit that
fails every attempt becomes a gap naming it, ``--resume`` runs only what is missing or cut,
and the stage summaries count what happened."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from nhiscan.app.progress import StderrProgress
from nhiscan.cluster.executor import DaskExecutor, Executor, LocalExecutor
from nhiscan.cluster.run import (
    Cluster,
    StageSummary,
    UnitOutcome,
    run_units,
    split_records,
    summary_lines,
)
from nhiscan.cluster.shards import ShardStore
from nhiscan.cluster.units import UnitContext
from nhiscan.scanner.model import GapReason, Record
from tests import factories as f
from tests.cluster import jobs
from tests.toy.provider import TOY

TENANTS = ("acme", "globex", "initech", "umbrella", "hooli")
RUN = "20250601T120000Z-abc123"
CTX = UnitContext(now=f.NOW)


def cluster_of(
    executor: Executor, store: Path, *, lines: list[str] | None = None, retries: int = 2,
    resume: bool = False,
) -> Cluster:  # fmt: skip
    """A cluster whose progress lines go to ``lines``."""
    return Cluster(executor=executor, store=ShardStore.at(str(store)), run=RUN, retries=retries,
                   resume=resume, progress=(lines if lines is not None else []).append)  # fmt: skip


def expected(tenants: tuple[str, ...]) -> list[Record]:
    """What the unsplit collection yields: each tenant's records in order, then the ``Later``
    records in unit order."""
    records = [r for t in tenants for r in jobs.tenant_records_of(t)]
    return records + [jobs.later_gap(t) for t in tenants]


def back(cluster: Cluster, outcomes: list[UnitOutcome]) -> list[Record]:
    return list(split_records(cluster.store, (), outcomes, ()))


@pytest.fixture(params=["local", "local-cluster:2"])
def executor(request: pytest.FixtureRequest) -> Executor:
    if request.param == "local":
        return LocalExecutor()
    dask: DaskExecutor = request.getfixturevalue("dask_executor")
    return dask


def test_records_come_back_in_unit_order(executor: Executor, tmp_path: Path) -> None:
    units = [jobs.tenant_unit(tmp_path, t) for t in TENANTS]
    cluster = cluster_of(executor, tmp_path / "shards")
    outcomes = run_units(cluster, units, CTX)
    assert [o.unit.key for o in outcomes] == list(TENANTS)
    assert back(cluster, outcomes) == expected(TENANTS)
    files = sorted(p.name for p in (tmp_path / "shards" / RUN / "toy-tenant").iterdir())
    assert files == sorted(f"{t}.jsonl.gz" for t in TENANTS)


def test_a_unit_failing_every_attempt_is_a_gap_naming_it(
    executor: Executor, tmp_path: Path
) -> None:
    units = [jobs.tenant_unit(tmp_path, "acme"), jobs.tenant_unit(tmp_path, "globex", broken=True),
             jobs.tenant_unit(tmp_path, "hooli")]  # fmt: skip
    lines: list[str] = []
    cluster = cluster_of(executor, tmp_path / "shards", retries=1, lines=lines)
    outcomes = run_units(cluster, units, CTX)
    broken = outcomes[1]
    assert (broken.shard, broken.resumed) == (None, False)
    gap = broken.gap
    assert gap is not None
    assert (gap.provider, gap.scope, gap.operation, gap.reason) == (
        TOY, "globex", "collect toy-tenant", GapReason.FAILED
    )  # fmt: skip
    assert gap.detail == (
        f"toy tenant globex: not collected: 2 attempts on {executor.description} failed; the "
        "last: PermissionError: AccessDenied: cannot assume the role of toy tenant globex"
    )
    assert jobs.runs(tmp_path, "run-globex") == 2
    assert back(cluster, outcomes) == [  # the gap where the tenant's records would be
        *jobs.tenant_records_of("acme"), gap, *jobs.tenant_records_of("hooli"),
        jobs.later_gap("acme"), jobs.later_gap("hooli"),
    ]  # fmt: skip
    [stage] = cluster.stages
    assert (stage.jobs, stage.done, stage.failed, stage.resumed, stage.retries) == (3, 2, 1, 0, 1)
    assert [line for line in lines if "failed" in line] == [
        next(line for line in lines if line.endswith(", toy-tenant/globex failed: 2/3 shards")
             or "toy-tenant/globex failed" in line)
    ]  # fmt: skip
    assert lines[-1].endswith(": 3/3 shards")


def test_resume_runs_only_the_missing_and_the_cut_shards(
    executor: Executor, tmp_path: Path
) -> None:
    store = tmp_path / "shards"
    units = [jobs.tenant_unit(tmp_path, t) for t in TENANTS]
    first = cluster_of(executor, store)
    written = run_units(first, units[:3], CTX)  # the first run stopped after three tenants
    cut = Path(written[1].shard.url)  # type: ignore[union-attr]
    cut.write_bytes(cut.read_bytes()[:40])  # and its worker died writing globex
    lines: list[str] = []
    resumed = cluster_of(executor, store, resume=True, lines=lines)
    outcomes = run_units(resumed, units, CTX)
    assert [o.resumed for o in outcomes] == [True, False, True, False, False]
    assert {t: jobs.runs(tmp_path, f"run-{t}") for t in TENANTS} == {
        "acme": 1, "globex": 2, "initech": 1, "umbrella": 1, "hooli": 1
    }  # fmt: skip
    assert back(resumed, outcomes) == expected(TENANTS)
    [stage] = resumed.stages
    assert (stage.jobs, stage.done, stage.failed, stage.resumed, stage.retries) == (5, 5, 0, 2, 0)
    assert lines[0] == f"collect: 2/5 shards ({executor.description})"
    assert [line.rsplit(": ", 1)[1] for line in lines[1:]] == ["3/5 shards", "4/5 shards",
                                                               "5/5 shards"]  # fmt: skip
    assert all(" shards/s" in line for line in lines[1:])  # the throughput
    assert lines[-1].startswith("collect: done in ")


def test_without_resume_every_unit_runs_again(tmp_path: Path) -> None:
    units = [jobs.tenant_unit(tmp_path, t) for t in TENANTS[:2]]
    run_units(cluster_of(LocalExecutor(), tmp_path / "s"), units, CTX)
    run_units(cluster_of(LocalExecutor(), tmp_path / "s"), units, CTX)
    assert jobs.runs(tmp_path, "run-acme") == 2


def test_the_stage_summary_counts_retries_items_and_bytes(tmp_path: Path) -> None:
    units = [jobs.tenant_unit(tmp_path, t) for t in TENANTS[:2]]
    units.append(jobs.tenant_unit(tmp_path, "broken", broken=True))
    cluster = cluster_of(LocalExecutor(), tmp_path / "shards", retries=2)
    outcomes = run_units(cluster, units, CTX)
    [stage] = cluster.stages
    items = len(jobs.tenant_records_of("acme")) + 1  # and its Later gap
    assert stage == StageSummary(
        stage="collect", jobs=3, done=2, failed=1, resumed=0, retries=2,
        seconds=stage.seconds, work_seconds=stage.work_seconds, items=2 * items,
        size=sum(o.shard.size for o in outcomes if o.shard is not None),
    )  # fmt: skip
    assert stage.size > 0 and stage.seconds >= 0
    [head, line] = summary_lines(cluster)
    assert head == f"run {RUN} on local, shards in {cluster.store.url}"
    assert line.startswith("  collect: 2/3 shards done (0 resumed, 1 failed, 2 retries), ")
    assert f"{2 * items} items" in line
    assert json.dumps(stage.__class__.__name__)  # a plain dataclass: written to summary.json


def test_a_log_off_a_terminal_gets_a_line_per_step_not_per_shard(tmp_path: Path) -> None:
    """The throughput is figured at the first shard and the last (and every ``rate_every``
    seconds): between, lines differ only in their count, and ``StderrProgress`` off a terminal
    prints only the first of them; a failed shard is always told."""
    stream = io.StringIO()
    units = [jobs.tenant_unit(tmp_path, t) for t in TENANTS]
    units.insert(2, jobs.tenant_unit(tmp_path, "broken", broken=True))
    cluster = Cluster(executor=LocalExecutor(), store=ShardStore.at(str(tmp_path / "s")), run=RUN,
                      retries=0, progress=StderrProgress(stream, interval=3600),
                      rate_every=3600)  # fmt: skip
    run_units(cluster, units, CTX)
    shown = [line.split(": ", 1)[1] for line in stream.getvalue().splitlines()]
    rate = r"\d+\.\d shards/s"
    assert len(shown) == 5, shown
    assert shown[0] == "0/6 shards (local)"
    assert re.fullmatch(rf"{rate}: 1/6 shards", shown[1])
    assert re.fullmatch(rf"{rate}, toy-tenant/broken failed: 3/6 shards", shown[2])
    assert re.fullmatch(rf"{rate}: 4/6 shards", shown[3])  # the step changed back
    assert re.fullmatch(rf"done in \d+\.\d s, {rate}: 6/6 shards", shown[4])  # always told

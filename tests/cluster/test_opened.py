"""``app.cluster.opened``: the scan's cluster is undone whatever ends the scan: its worker
processes stopped, a temporary shard folder removed, the summary printed."""

from __future__ import annotations

import tempfile
from pathlib import Path

import psutil
import pytest

from nhiscan.app.cluster import opened
from nhiscan.app.options import ClusterOptions
from nhiscan.cluster.executor import LocalExecutor
from nhiscan.cluster.run import run_units
from nhiscan.cluster.units import UnitContext
from tests import factories as f
from tests.cluster import jobs
from tests.cluster.conftest import children


def temporary_folders() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("nhiscan-shards-*"))


def test_a_failed_scan_stops_its_workers_and_removes_its_shards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, processes = temporary_folders(), {p.pid for p in children()}
    failing = pytest.raises(RuntimeError, match="the report cannot be written")
    with failing, opened(ClusterOptions(executor="local-cluster:1"), f.NOW) as cluster:
        assert cluster is not None
        outcomes = run_units(cluster, [jobs.tenant_unit(tmp_path, "acme")],
                             UnitContext(now=f.NOW))  # fmt: skip
        [written] = temporary_folders() - before
        assert outcomes[0].shard is not None
        assert Path(outcomes[0].shard.url).is_relative_to(written)
        raise RuntimeError("the report cannot be written")
    assert temporary_folders() == before
    started = [p for p in children() if p.pid not in processes]
    assert [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    err = capsys.readouterr().err
    assert f"run {cluster.run} on local-cluster:1 (1 workers), shards in {written}" in err
    assert "  collect: 1/1 shards done (0 resumed, 0 failed, 0 retries)" in err


def test_local_without_shards_opens_nothing_and_with_shards_runs_here(tmp_path: Path) -> None:
    with opened(ClusterOptions(), f.NOW) as none:
        assert none is None
    shards = tmp_path / "shards"
    with opened(ClusterOptions(shards=str(shards)), f.NOW) as cluster:
        assert cluster is not None and isinstance(cluster.executor, LocalExecutor)
        run_units(cluster, [jobs.tenant_unit(tmp_path, "acme")], UnitContext(now=f.NOW))
    assert (shards / cluster.run / "toy-tenant" / "acme.jsonl.gz").is_file()
    assert (shards / cluster.run / "summary.json").is_file()

"""Issue #21 end to end through the command line, with the toy cloud split into one work unit
per tenant: the same snapshot on ``--executor local`` and on a ``LocalCluster`` of two worker
processes, the progress and summary on standard error, ``summary.json`` beside the shards,
``--resume``, and the option combinations refused with exit 2."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
from click.testing import CliRunner, Result

from tests.toy.connector import HANGING, UNREACHABLE

ROOT = Path(__file__).resolve().parents[2]
TENANTS = "acme,globex,initech"
RUN_LINE = re.compile(r"^run (\S+) on (.+), shards in (\S+)$", re.M)


def collect(cli: Any, out: Path, *extra: str) -> Result:
    args = ["collect", "--toy-tenant", TENANTS, "-o", str(out), *extra]
    return CliRunner().invoke(cli, args)


def snapshot_of(path: Path) -> dict[str, Any]:
    """The snapshot without its collection time (each run collects at its own ``now``; the
    toy's records are relative to it)."""
    doc: dict[str, Any] = json.loads(path.read_text())
    doc.pop("collected_at")
    return doc


def without_times(doc: dict[str, Any]) -> str:
    return re.sub(r'"\d{4}-\d\d-\d\dT[^"]*"', '"T"', json.dumps(doc, sort_keys=True))


def test_a_local_cluster_collects_the_snapshot_local_does(cli: Any, tmp_path: Path) -> None:
    local = collect(cli, tmp_path / "local.json")
    assert local.exit_code == 0, local.output
    assert "shards" not in local.stderr  # --executor local splits nothing: today's scan
    shards = tmp_path / "shards"
    split = collect(cli, tmp_path / "split.json", "--executor", "local-cluster:2",
                    "--shards", str(shards))  # fmt: skip
    assert split.exit_code == 0, split.output
    one, two = snapshot_of(tmp_path / "local.json"), snapshot_of(tmp_path / "split.json")
    assert [i["id"] for i in two["identities"]] == [i["id"] for i in one["identities"]]
    assert without_times(two) == without_times(one)
    assert len(two["identities"]) == 9 and two["gaps"] == []

    err = split.stderr
    [(run, executor, where)] = RUN_LINE.findall(err)[:1]
    assert executor == "local-cluster:2 (2 workers)" and where == str(shards)
    assert re.search(r"^dask dashboard: http://\S+/status$", err, re.M)
    assert f"collect: 0/3 shards ({executor})" in err
    assert re.search(r"^collect: done in [\d.]+ s, [\d.]+ shards/s: 3/3 shards$", err, re.M)
    assert re.search(r"^  collect: 3/3 shards done \(0 resumed, 0 failed, 0 retries\), ", err,
                     re.M)  # fmt: skip
    summary = json.loads((shards / run / "summary.json").read_text())
    assert (summary["run"], summary["executor"]) == (run, executor)
    [stage] = summary["stages"]
    assert {k: stage[k] for k in ("stage", "jobs", "done", "failed", "resumed", "retries")} == {
        "stage": "collect", "jobs": 3, "done": 3, "failed": 0, "resumed": 0, "retries": 0
    }  # fmt: skip
    assert stage["items"] == 30 and stage["size"] > 0
    names = sorted(p.name for p in (shards / run / "toy-tenant").iterdir())
    assert names == ["acme.jsonl.gz", "globex.jsonl.gz", "initech.jsonl.gz"]


def test_resume_keeps_the_shards_written(cli: Any, tmp_path: Path) -> None:
    """``--executor local --shards`` runs the units in this process and keeps their shards;
    ``--resume RUN`` then reads them back without running them."""
    shards = tmp_path / "shards"
    first = collect(cli, tmp_path / "first.json", "--shards", str(shards))
    assert first.exit_code == 0, first.output
    [(run, executor, _)] = RUN_LINE.findall(first.stderr)[:1]
    assert executor == "local"
    (shards / run / "toy-tenant" / "globex.jsonl.gz").unlink()  # as if it was never written
    again = collect(cli, tmp_path / "again.json", "--shards", str(shards), "--resume", run)
    assert again.exit_code == 0, again.output
    assert "  collect: 3/3 shards done (2 resumed, 0 failed, 0 retries)" in again.stderr
    assert "collect: 2/3 shards (local)" in again.stderr
    again_doc, first_doc = (
        snapshot_of(tmp_path / "again.json"),
        snapshot_of(tmp_path / "first.json"),
    )
    assert without_times(again_doc) == without_times(first_doc)
    bots = {i["id"]: i["created"] for i in again_doc["identities"]}  # the resumed ones as written
    assert (
        bots["toy://acme/bot/keeper"]
        == {i["id"]: i["created"] for i in first_doc["identities"]}["toy://acme/bot/keeper"]
    )
    assert json.loads((shards / run / "summary.json").read_text())["stages"][0]["resumed"] == 2


def test_an_unreachable_tenant_is_a_gap_naming_it(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(UNREACHABLE, "globex")
    result = collect(cli, tmp_path / "s.json", "--shards", str(tmp_path / "shards"),
                     "--shard-retries", "1", "--strict")  # fmt: skip
    assert result.exit_code == 3, result.output  # --strict: an incomplete collection
    [gap] = json.loads((tmp_path / "s.json").read_text())["gaps"]
    assert (gap["scope"], gap["operation"], gap["reason"]) == ("globex", "collect toy-tenant",
                                                               "failed")  # fmt: skip
    assert gap["detail"] == (
        "toy tenant globex: not collected: 2 attempts on local failed; the last: "
        "PermissionError: AccessDenied: cannot assume the role of toy tenant globex"
    )
    assert "toy-tenant/globex failed: " in result.stderr
    assert "  collect: 2/3 shards done (0 resumed, 1 failed, 1 retries)" in result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--resume", "20261206T221500Z-3f9a0c"], "--resume needs --shards"),
        (["--executor", "spark://x"], "--executor 'spark://x': expected local, dask://HOST:PORT"),
        (["--executor", "local-cluster:0"], "the worker count must be a whole number from 1"),
        (["--executor", "tcp://10.0.0.5:8786"], "runs on other machines: give --shards"),
        (["--resume", "../x", "--shards", "s"], "not a run id"),
        (["--resume", "20261206T221500Z-3f9a0c", "--shards", "s"],
         "--resume 20261206T221500Z-3f9a0c: the shard store "),
    ],
)  # fmt: skip
def test_options_that_cannot_work_exit_2(
    cli: Any, tmp_path: Path, args: list[str], says: str
) -> None:
    result = collect(cli, tmp_path / "s.json", *args)
    assert result.exit_code == 2, result.output
    assert says in result.stderr
    assert result.stderr.startswith("nhiscan: error: ")
    assert not (tmp_path / "s.json").exists()


SCRIPT = """\
import sys
from nhiscan import connectors, providers
from tests.toy.conftest import CONNECTOR
from tests.toy.provider import PROVIDER
providers.register("toy", PROVIDER)
connectors.register("toy", CONNECTOR)
from nhiscan.cli import main
sys.argv = ["nhiscan", *sys.argv[1:]]
if __name__ == "__main__":
    main()
"""


def nhiscan(tmp_path: Path, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """``nhiscan`` in a process of its own (the toy registered), for what only a process
    shows: its worker processes' output, and a signal."""
    script = tmp_path / "toy_nhiscan.py"
    script.write_text(SCRIPT)
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "NHISCAN_STORE": f"sqlite:///{tmp_path}/h.db",
               **env}  # fmt: skip
    return subprocess.Popen([sys.executable, str(script), *args], cwd=tmp_path, env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def test_worker_errors_do_not_flood_standard_error(tmp_path: Path) -> None:
    """Each failed attempt on a worker is one progress line and, at the end, one gap: not
    Dask's "Compute Failed" report with its traceback, once per attempt."""
    process = nhiscan(tmp_path, "collect", "--toy-tenant", TENANTS, "-o", "s.json",
                      "--executor", "local-cluster:2", env={UNREACHABLE: "globex"})  # fmt: skip
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "Compute Failed" not in err and "Traceback" not in err, err
    assert err.count("PermissionError") == 0  # the error is in the gap, read from the snapshot
    assert "toy-tenant/globex failed" in err
    assert "  collect: 2/3 shards done (0 resumed, 1 failed, 2 retries)" in err


def test_ctrl_c_stops_the_scan_and_its_workers(tmp_path: Path) -> None:
    """Interrupted while a unit hangs on a worker: exit 130, the summary of what was done, and
    the cluster's worker processes stopped (the busy one too)."""
    process = nhiscan(tmp_path, "collect", "--toy-tenant", TENANTS, "-o", "s.json",
                      "--executor", "local-cluster:2", env={HANGING: "globex"})  # fmt: skip
    assert process.stderr is not None
    workers: list[psutil.Process] = []
    for line in process.stderr:  # the units are running once the first shard is done
        if re.search(r"^collect: .*: 1/3 shards", line):
            break
    workers = psutil.Process(process.pid).children(recursive=True)
    assert len(workers) >= 2
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=60)
    assert process.returncode == 130, rest
    assert "interrupted by SIGINT" in rest
    assert re.search(r"^  collect: [12]/3 shards done \(0 resumed, 0 failed", rest, re.M), rest
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [w.pid for w in workers if _alive(w)] == []
    assert not (tmp_path / "s.json").exists()


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False

"""The fan-out runner that shares an analysis's parts with a forked process (``app/forked.py``):
the parts come back in order whoever ran them, the child's failure costs time, never results,
and the child never outlives the run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nhiscan.app import forked as forked_module
from nhiscan.app.forked import alongside, available, forked
from nhiscan.providers.aws.policy import EstateAuthorizer
from nhiscan.providers.aws.privesc import engine, find_escalations
from nhiscan.scanner import fanout
from tests import factories as f
from tests.connectors.aws.helpers import context

pytestmark = pytest.mark.skipif(not available(), reason="needs fork and two cores")

SHARED = ("a", "set", "many", "parts", "hold")


def _part(index: int) -> list[object]:
    time.sleep(0.02)  # long enough for the child to start before this process ends them all
    return [index, os.getpid(), SHARED]


def _parts(count: int) -> list[list[object]]:
    return list(forked(_part, count))


def test_the_parts_come_back_in_order_and_both_processes_ran_some() -> None:
    found = _parts(64)
    assert [part[0] for part in found] == list(range(64))
    pids = {part[1] for part in found}
    assert os.getpid() in pids and len(pids) == 2  # the child took parts from the back
    theirs = [part[2] for part in found if part[1] != os.getpid()]
    # One unpickler for all the child's parts: what they share is one object again.
    assert all(shared is theirs[0] for shared in theirs) and theirs[0] == SHARED


def test_a_few_parts_are_run_here() -> None:
    assert {part[1] for part in _parts(forked_module.MIN_PARTS - 1)} == {os.getpid()}


def test_a_child_that_fails_leaves_its_parts_to_this_process(
    capfd: pytest.CaptureFixture[str],
) -> None:
    parent = os.getpid()

    def work(index: int) -> list[int]:
        if os.getpid() != parent:
            raise RuntimeError("lost worker")
        time.sleep(0.02)  # the child starts, and fails, before this process is done
        return [index * index]

    assert list(forked(work, 40)) == [[i * i] for i in range(40)]
    assert "lost worker" in capfd.readouterr().err


def test_an_error_here_stops_the_child(tmp_path: Path) -> None:
    parent = os.getpid()
    seen = tmp_path / "child"

    def work(index: int) -> list[int]:
        if os.getpid() != parent:
            (tmp_path / "writing").write_text(str(os.getpid()))
            os.replace(tmp_path / "writing", seen)
            time.sleep(60)  # still working when the parent fails
        elif index == 2:
            while not seen.exists():
                time.sleep(0.01)
            raise ValueError("bad part")
        return [index]

    with pytest.raises(ValueError, match="bad part"):
        list(forked(work, 40))
    child = int(seen.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # killed and reaped: no process left


def test_the_escalation_search_shared_with_a_child_finds_what_it_finds_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "dense.json"
    generator = Path(__file__).resolve().parents[2] / "bench" / "gaad_dense.py"
    small = ["--roles", "150", "--users", "75", "--groups", "6", "--policies", "40"]
    subprocess.run([sys.executable, str(generator), str(export), *small, "--managed", "12"],
                   check=True, capture_output=True)  # fmt: skip
    from nhiscan.connectors.aws.gaad_file import GaadFileConnector

    estate = f.estate(*GaadFileConnector([export]).collect(context()))
    monkeypatch.setattr(engine, "SPLIT_FROM", 2)
    alone = list(find_escalations(estate, EstateAuthorizer(estate), fanout=fanout.serial))
    shared = list(find_escalations(estate, EstateAuthorizer(estate), fanout=forked))
    assert len(alone) > 100
    assert [repr(e) for e in shared] == [repr(e) for e in alone]


def test_a_task_alongside_runs_in_another_process_while_this_one_works(tmp_path: Path) -> None:
    theirs, mine = tmp_path / "theirs", tmp_path / "mine"

    def here() -> None:
        while not theirs.exists():  # the task runs meanwhile, not after
            time.sleep(0.01)
        mine.write_text(str(os.getpid()))

    alongside(lambda: _atomic(theirs, str(os.getpid())), here)
    assert int(mine.read_text()) == os.getpid()
    assert int(theirs.read_text()) != os.getpid()


def test_a_task_whose_child_fails_is_run_here_and_raises_here(tmp_path: Path) -> None:
    parent = os.getpid()
    done = tmp_path / "done"

    def task() -> None:
        if os.getpid() != parent:
            raise OSError("the child could not write")
        done.write_text("here")

    alongside(task, lambda: None)
    assert done.read_text() == "here"

    def failing() -> None:
        raise OSError("no space left")

    with pytest.raises(OSError, match="no space left"):
        alongside(failing, lambda: None)


def test_an_error_here_stops_the_task_alongside(tmp_path: Path) -> None:
    seen = tmp_path / "child"

    def task() -> None:
        _atomic(seen, str(os.getpid()))
        time.sleep(60)

    def here() -> None:
        while not seen.exists():
            time.sleep(0.01)
        raise ValueError("reports failed")

    with pytest.raises(ValueError, match="reports failed"):
        alongside(task, here)
    with pytest.raises(ProcessLookupError):
        os.kill(int(seen.read_text()), 0)


def test_the_snapshot_copy_and_graph_written_alongside_are_those_written_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A scan's outputs and messages are the same whether the snapshot copy and the stored
    graph are written by a forked process or after the reports."""
    from nhiscan.app import pipeline
    from nhiscan.app import scan as scan_module
    from nhiscan.app.outputs import prepare_outputs
    from nhiscan.connectors.aws.gaad_file import GaadFileConnector

    export = tmp_path / "dense.json"
    generator = Path(__file__).resolve().parents[2] / "bench" / "gaad_dense.py"
    small = ["--roles", "40", "--users", "20", "--groups", "3", "--policies", "10"]
    subprocess.run([sys.executable, str(generator), str(export), *small, "--managed", "4"],
                   check=True, capture_output=True)  # fmt: skip
    snap = f.snapshot(*GaadFileConnector([export]).collect(context()))
    report = pipeline.analyze(snap, settings=f.settings(), now=f.NOW)
    assert report.graph is not None

    def write(folder: str, alongside_from: int) -> list[str]:
        monkeypatch.setattr(scan_module, "ALONGSIDE_FROM", alongside_from)
        targets = prepare_outputs(str(tmp_path / folder), ("json", "html"), snapshot_copy=True)
        capfd.readouterr()
        scan_module._write_all(report, targets, snapshot_copy=True)
        return capfd.readouterr().err.replace(folder, "<out>").splitlines()

    after = write("after", 10**9)
    beside = write("beside", 0)
    assert beside == after
    assert after[-2:] == [
        f"wrote {tmp_path / '<out>' / 'snapshot.json'}",
        f"wrote {tmp_path / '<out>' / 'snapshot.graph.json.gz'}",
    ]
    for name in ("snapshot.json", "snapshot.graph.json.gz", "report.json"):
        assert (tmp_path / "beside" / name).read_bytes() == (tmp_path / "after" / name).read_bytes()


def _atomic(path: Path, text: str) -> None:
    path.with_suffix(".writing").write_text(text)
    os.replace(path.with_suffix(".writing"), path)

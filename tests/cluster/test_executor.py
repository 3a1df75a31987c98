"""Executors: the local one retries in this process; a real ``LocalCluster`` of two worker
processes runs every job, reports a job that fails every attempt, and finishes every job with
the same results when a worker process is killed while it runs one."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from nhiscan.cluster.executor import DaskExecutor, LocalExecutor, Outcome, open_executor
from nhiscan.errors import ClusterError
from tests.cluster import jobs
from tests.cluster.conftest import children


def by_index(outcomes: list[Outcome[int]]) -> dict[int, tuple[int | None, str | None, int]]:
    return {o.index: (o.value, o.error, o.attempts) for o in outcomes}


def test_local_runs_jobs_in_order() -> None:
    outcomes = list(LocalExecutor().run(jobs.double, [1, 2, 3], names=["a", "b", "c"], retries=0))
    assert [(o.index, o.value, o.attempts, o.ok) for o in outcomes] == [
        (0, 2, 1, True), (1, 4, 1, True), (2, 6, 1, True)
    ]  # fmt: skip


def test_local_retries_then_reports_the_last_error(tmp_path: Path) -> None:
    [failed] = LocalExecutor().run(jobs.fail, [7], names=["a"], retries=2)
    assert (failed.value, failed.attempts, failed.ok) == (None, 3, False)
    assert failed.error == "RuntimeError: job 7 cannot assume its role"
    [recovered] = LocalExecutor().run(jobs.fail_twice, [(str(tmp_path), 5)], names=["b"],
                                      retries=2)  # fmt: skip
    assert (recovered.value, recovered.attempts) == (10, 3)
    assert jobs.runs(tmp_path, "attempt-5") == 3


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("dask", "expected local, dask://HOST:PORT"),
        ("dask://", "expected local, dask://HOST:PORT"),
        ("http://10.0.0.5:8786", "expected local, dask://HOST:PORT"),
        ("local-cluster:0", "the worker count must be a whole number from 1"),
        ("local-cluster:two", "the worker count must be a whole number from 1"),
    ],
)
def test_open_executor_refuses_bad_specs(spec: str, says: str) -> None:
    with pytest.raises(ClusterError, match=says) as caught:
        open_executor(spec)
    assert repr(spec) in str(caught.value)


def test_a_scheduler_that_does_not_answer_is_a_cluster_error() -> None:
    with pytest.raises(ClusterError, match=r"did not answer .* start it"):
        open_executor("tcp://127.0.0.1:9", timeout="1s")


def test_local_is_the_default() -> None:
    assert isinstance(open_executor("local"), LocalExecutor)
    assert isinstance(open_executor(" "), LocalExecutor)


# --- a LocalCluster of two worker processes ---------------------------------------------------


def test_every_job_has_an_outcome(dask_executor: DaskExecutor) -> None:
    assert dask_executor.workers == 2
    assert dask_executor.description == "local-cluster:2 (2 workers)"
    names = [f"aws-account/{n:012d}" for n in range(12)]
    outcomes = list(dask_executor.run(jobs.double, list(range(12)), names=names, retries=1))
    assert by_index(outcomes) == {n: (n * 2, None, 1) for n in range(12)}


def test_a_job_failing_every_attempt_is_an_error_outcome(
    dask_executor: DaskExecutor, tmp_path: Path
) -> None:
    outcomes = list(dask_executor.run(jobs.fail, [1, 2], names=["a", "b"], retries=2))
    assert by_index(outcomes) == {
        0: (None, "RuntimeError: job 1 cannot assume its role", 3),
        1: (None, "RuntimeError: job 2 cannot assume its role", 3),
    }
    [recovered] = dask_executor.run(jobs.fail_twice, [(str(tmp_path), 4)], names=["c"],
                                    retries=2)  # fmt: skip
    assert (recovered.value, recovered.attempts) == (8, 3)


def _kill_when_written(pid_file: Path, killed: list[int]) -> None:
    for _ in range(3000):  # 30 s at most
        if pid_file.exists():
            pid = int(pid_file.read_text())
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return
        time.sleep(0.01)


def test_a_worker_killed_while_running_a_job_loses_nothing(
    dask_executor: DaskExecutor, tmp_path: Path
) -> None:
    """Job 3 writes its worker's process id and waits; the test kills that process (SIGKILL).
    Dask reschedules the job on a worker that lives (the nanny starts a new one), where it
    answers: every job finishes, with the results of a run nobody killed, and no retry of
    ours is spent (the loss is Dask's to recover)."""
    killed: list[int] = []
    killer = threading.Thread(target=_kill_when_written, args=(tmp_path / "victim.pid", killed))
    killer.start()
    try:
        work = [(str(tmp_path), n, 3) for n in range(8)]
        names = [f"j/{n}" for n in range(8)]
        outcomes = list(dask_executor.run(jobs.wait_to_be_killed, work, names=names, retries=0))
    finally:
        killer.join()
    assert len(killed) == 1
    assert by_index(outcomes) == {n: (n * 2, None, 1) for n in range(8)}
    deadline = time.monotonic() + 30
    while dask_executor.workers < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # the nanny restarts the killed worker: the next test has two again
    assert dask_executor.workers == 2


def test_a_running_scheduler_is_reached_by_its_address(dask_executor: DaskExecutor) -> None:
    """``--executor dask://HOST:PORT`` (the scheduler of the module's cluster): a client of
    its own, whose close leaves the cluster running for the scan that started it."""
    address = dask_executor.client.scheduler.address
    assert address.startswith("tcp://")
    remote = open_executor("dask://" + address.removeprefix("tcp://"))
    try:
        assert remote.description == f"dask {address} (2 workers)"
        outcomes = list(remote.run(jobs.double, [5, 6], names=["a", "b"], retries=0))
        assert by_index(outcomes) == {0: (10, None, 1), 1: (12, None, 1)}
    finally:
        remote.close()
    assert dask_executor.workers == 2  # still there


def test_a_job_that_kills_every_worker_it_runs_on_ends_as_an_error(
    dask_executor: DaskExecutor,
) -> None:
    """Dask gives up on a job after it has killed ``allowed-failures`` workers (KilledWorker):
    an error outcome (then a gap naming the unit), never a scan that waits for it forever."""
    outcomes = list(dask_executor.run(jobs.die, [1], names=["aws-account/1"], retries=0))
    [outcome] = outcomes
    assert (outcome.value, outcome.attempts) == (None, 1)
    assert outcome.error is not None and outcome.error.startswith("KilledWorker")
    deadline = time.monotonic() + 60
    while dask_executor.workers < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert dask_executor.workers == 2


def test_values_lost_with_their_workers_before_they_are_read_are_computed_again(
    dask_executor: DaskExecutor, tmp_path: Path
) -> None:
    """Jobs finish, their values wait on the workers, the client reads the first one; then
    every worker process is killed: the values not read yet are lost with them. Dask runs
    those jobs again and the client gets every value, none reported as failed."""
    work = [(str(tmp_path), n) for n in range(4)]
    ran = dask_executor.run(jobs.pid_of, work, names=[f"j/{n}" for n in range(4)], retries=0)
    first = next(ran)
    for _ in range(3000):  # until every job has run once (30 s at most)
        if len(list(tmp_path.glob("done-*"))) >= 4:
            break
        time.sleep(0.01)
    for worker in children():
        worker.kill()
    outcomes = [first, *ran]
    assert sorted(o.index for o in outcomes) == [0, 1, 2, 3]
    assert [(o.ok, o.attempts) for o in outcomes] == [(True, 1)] * 4, outcomes
    assert len(list(tmp_path.glob("done-*"))) > 4  # some ran again
    deadline = time.monotonic() + 60
    while dask_executor.workers < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert dask_executor.workers == 2

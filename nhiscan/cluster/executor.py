"""Executors: ``local`` (this process, one job after another) or a Dask cluster.

``open_executor(spec)`` reads ``--executor``:

- ``local``: today's behaviour; nothing is split.
- ``dask://HOST:PORT`` or ``tcp://HOST:PORT`` (``tls://`` too): a running Dask scheduler whose
  workers have nhiscan installed (the same version) and their own cloud credentials.
- ``local-cluster`` or ``local-cluster:N``: a ``LocalCluster`` of N worker processes (2 by
  default) started for this scan and stopped after it: the laptop example of the README.

``run`` submits every job, yields each outcome as it completes, and resubmits a job that raised
(or whose workers died more often than Dask allows: ``KilledWorker``) up to ``retries`` more
times; after that the outcome carries the last error. A worker lost while running a job is
Dask's to reschedule: the job runs again elsewhere and its result is the same (jobs are
functions of their input that write their shard whole or not at all).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from nhiscan import interrupts
from nhiscan.errors import ClusterError

J = TypeVar("J")
R = TypeVar("R")

LOCAL_CLUSTER = "local-cluster"
CONNECT_TIMEOUT = "30s"
DEFAULT_WORKERS = 2  # local-cluster without a count


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome(Generic[R]):
    """One job's end: ``index`` in the jobs given, its value (None when every attempt
    failed, then ``error`` says why), attempts made, seconds of the attempt that counted."""

    index: int
    value: R | None
    error: str | None
    attempts: int
    seconds: float

    @property
    def ok(self) -> bool:
        return self.error is None


class Executor(Protocol):
    @property
    def description(self) -> str:
        """For people: "local", "dask tcp://10.0.0.5:8786 (8 workers)"."""
        ...

    @property
    def dashboard(self) -> str | None:
        """The Dask dashboard's address, when it serves one."""
        ...

    @property
    def workers(self) -> int: ...

    def run(
        self, fn: Callable[[J], R], jobs: Sequence[J], *, names: Sequence[str], retries: int
    ) -> Iterator[Outcome[R]]:
        """Each job's outcome, in completion order (see the module's text)."""
        ...

    def close(self) -> None: ...


def _timed(fn: Callable[[J], R], job: J) -> tuple[R, float]:
    began = time.perf_counter()
    value = fn(job)
    return value, time.perf_counter() - began


def _why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if type(exc).__name__ in text else f"{type(exc).__name__}: {text}"


class LocalExecutor:
    """Every job in this process, one after another."""

    description = "local"
    dashboard = None
    workers = 1

    def run(
        self, fn: Callable[[J], R], jobs: Sequence[J], *, names: Sequence[str], retries: int
    ) -> Iterator[Outcome[R]]:
        del names
        for index, job in enumerate(jobs):
            error = ""
            for attempt in range(1, retries + 2):
                try:
                    value, seconds = _timed(fn, job)
                except Exception as exc:  # any failure of a job is retried, then reported
                    error = _why(exc)
                    continue
                yield Outcome(index=index, value=value, error=None, attempts=attempt,
                              seconds=seconds)  # fmt: skip
                break
            else:
                yield Outcome(index=index, value=None, error=error, attempts=retries + 1,
                              seconds=0.0)  # fmt: skip

    def close(self) -> None:
        return None


class DaskExecutor:
    """Jobs on a Dask cluster (``distributed.Client``)."""

    def __init__(
        self, client: Any, *, description: str, cluster: Any = None, scratch: str | None = None
    ) -> None:
        self._client = client
        self._cluster = cluster  # a LocalCluster this executor started (stopped on close)
        self._scratch = scratch  # its workers' scratch folder (removed on close)
        self._description = description
        self._final: str | None = None  # the description when closed (for the summary)

    @property
    def client(self) -> Any:
        return self._client

    @property
    def description(self) -> str:
        if self._final is not None:
            return self._final
        return f"{self._description} ({self.workers} workers)"

    @property
    def dashboard(self) -> str | None:
        services = self._client.scheduler_info().get("services", {})
        return str(self._client.dashboard_link) if "dashboard" in services else None

    @property
    def workers(self) -> int:
        return len(self._client.scheduler_info().get("workers", {}))

    def run(
        self, fn: Callable[[J], R], jobs: Sequence[J], *, names: Sequence[str], retries: int
    ) -> Iterator[Outcome[R]]:
        as_completed = _distributed().as_completed
        tag = uuid.uuid4().hex[:8]
        meta: dict[Any, tuple[int, int]] = {}

        def submit(index: int, attempt: int) -> Any:
            key = f"nhiscan-{names[index]}-{tag}-{attempt}".replace("/", ":")
            future = self._client.submit(_timed, fn, jobs[index], key=key, pure=False)
            meta[future] = (index, attempt)
            return future

        pending = as_completed([submit(i, 1) for i in range(len(jobs))], loop=self._client.loop)
        try:
            yield from self._outcomes(pending, meta, submit, retries)
        finally:  # abandoned (an interrupted scan): nothing left running for it
            self._client.cancel(list(meta))

    def _outcomes(
        self,
        pending: Any,
        meta: dict[Any, tuple[int, int]],
        submit: Callable[[int, int], Any],
        retries: int,
    ) -> Iterator[Outcome[Any]]:
        # A job's end as Dask tells it: its value, its exception, Dask giving up on it
        # (KilledWorker), or its cancellation (the scheduler lost it). ``result`` also waits
        # for a value that was lost with its worker after the job finished: Dask runs the
        # job again, so the status seen when it first finished is not the last word.
        for future in pending:
            index, attempt = meta.pop(future)
            try:
                value, seconds = future.result()
            except Exception as exc:  # Dask's CancelledError and KilledWorker are Exceptions
                error = _why(exc)
            else:
                future.release()
                yield Outcome(index=index, value=value, error=None, attempts=attempt,
                              seconds=seconds)  # fmt: skip
                continue
            future.release()
            if attempt <= retries:
                pending.add(submit(index, attempt + 1))
                continue
            yield Outcome(index=index, value=None, error=error, attempts=attempt, seconds=0.0)

    def close(self) -> None:
        if self._final is None:
            self._final = self.description
        try:
            self._client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()
            if self._scratch is not None:
                shutil.rmtree(self._scratch, ignore_errors=True)


def open_executor(spec: str, *, timeout: str = CONNECT_TIMEOUT) -> Executor:
    """The executor ``--executor`` names (see the module's text); ClusterError when it
    cannot be reached within ``timeout`` (a Dask duration: "30s") or Dask is not installed."""
    kind, where = parse_spec(spec)
    if kind == "local":
        return LocalExecutor()
    if kind == LOCAL_CLUSTER:
        return _local_cluster(int(where))
    return _connect(where, timeout)


def parse_spec(spec: str) -> tuple[str, str]:
    """``--executor`` read without acting on it: ("local", ""), ("local-cluster", worker
    count) or ("scheduler", its address); ClusterError saying what is expected otherwise."""
    spec = spec.strip()
    if spec in ("", "local"):
        return "local", ""
    if spec == LOCAL_CLUSTER or spec.startswith(LOCAL_CLUSTER + ":"):
        _, _, count = spec.partition(":")
        if count and not (count.isdigit() and int(count) >= 1):
            raise ClusterError(
                f"--executor {spec!r}: the worker count must be a whole number from 1"
            )
        return LOCAL_CLUSTER, count or str(DEFAULT_WORKERS)
    for scheme in ("dask://", "tcp://", "tls://"):
        if spec.startswith(scheme) and len(spec) > len(scheme):
            return "scheduler", "tcp://" + spec[len(scheme) :] if scheme == "dask://" else spec
    raise ClusterError(
        f"--executor {spec!r}: expected local, dask://HOST:PORT, tcp://HOST:PORT, "
        "tls://HOST:PORT or local-cluster[:WORKERS]"
    )


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise ClusterError(
            "a Dask executor needs the dask extra: pip install 'nhiscan[dask]'"
        ) from exc
    return distributed


def _connect(address: str, timeout: str) -> Executor:
    distributed = _distributed()
    try:
        client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"--executor: the Dask scheduler at {address} did not answer within "
            f"{timeout}: {exc}; start it (dask scheduler) or check the address"
        ) from exc
    return DaskExecutor(client, description=f"dask {address}")


def _local_cluster(workers: int) -> Executor:
    distributed = _distributed()
    started: DaskExecutor | None = None
    # An interrupt while the cluster starts would leave its half-started workers to the exit
    # (Dask cannot close a cluster whose start was cut): it is raised once the cluster is ours
    # to close, a second or two later, and closes it.
    try:
        with interrupts.deferred():
            # Dask's workers log each failed attempt with its traceback ("Compute Failed"):
            # with retries over thousands of accounts that buries the progress, and the last
            # error of each unit is in its gap already; a worker's death still reaches us.
            # The workers' scratch space in a folder of this scan's, removed with the cluster
            # (Dask's default, TMPDIR/dask-scratch-space, would outlive it).
            scratch = tempfile.mkdtemp(prefix="nhiscan-dask-")
            try:
                cluster = distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True,
                    dashboard_address=":0", silence_logs=logging.CRITICAL,
                    local_directory=scratch,
                )  # fmt: skip
            except BaseException:
                shutil.rmtree(scratch, ignore_errors=True)
                raise
            try:
                client = distributed.Client(cluster, set_as_default=False)
            except BaseException:
                cluster.close()
                shutil.rmtree(scratch, ignore_errors=True)
                raise
            started = DaskExecutor(client, description=f"{LOCAL_CLUSTER}:{workers}",
                                   cluster=cluster, scratch=scratch)  # fmt: skip
    except BaseException:
        if started is not None:
            started.close()
        raise
    return started

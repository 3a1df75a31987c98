"""Jobs and unit tasks for the cluster tests. Module-level, so Dask worker processes import
them by name (``tests.cluster.jobs``) as they import a real connector's tasks from ``nhiscan``.
Each leaves marker files in a folder the test names, which is how a test counts what ran on
worker processes it cannot otherwise see."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from nhiscan.cluster.units import Later, UnitContext, WorkUnit
from nhiscan.scanner.model import CollectionGap, GapReason, Record
from tests import factories as f
from tests.toy.connector import tenant_records
from tests.toy.provider import TOY

WAIT = 60.0  # seconds a job waits to be killed: far longer than a test may take


def double(n: int) -> int:
    return n * 2


def fail(n: int) -> int:
    raise RuntimeError(f"job {n} cannot assume its role")


def fail_twice(job: tuple[str, int]) -> int:
    """Fails on its first two attempts (counted with marker files), then doubles."""
    folder, n = job
    mark(folder, f"attempt-{n}")
    if len(list(Path(folder).glob(f"attempt-{n}-*"))) <= 2:
        raise RuntimeError(f"job {n}: throttled")
    return n * 2


def wait_to_be_killed(job: tuple[str, int, int]) -> int:
    """Job ``victim`` writes its process id to ``folder/victim.pid`` and waits to be killed, the
    first time only: run again (on another worker, after the kill) it answers at once."""
    folder, n, victim = job
    pid = Path(folder, "victim.pid")
    if n == victim and not pid.exists():
        tmp = pid.with_suffix(f".{os.getpid()}")
        tmp.write_text(str(os.getpid()))
        tmp.replace(pid)
        time.sleep(WAIT)
    return n * 2


def mark(folder: str, name: str) -> None:
    Path(folder, f"{name}-{uuid.uuid4().hex}").touch()


def runs(folder: Path, name: str) -> int:
    return len(list(folder.glob(f"{name}-*")))


# --- unit tasks ------------------------------------------------------------------------------


def tenant_task(payload: tuple[str, str], ctx: UnitContext) -> Iterator[Record | Later]:
    """A toy tenant's records, a marker file for each run, and one ``Later`` record (a gap
    naming the tenant) that the client places after every unit's records."""
    folder, tenant = payload
    mark(folder, f"run-{tenant}")
    yield from tenant_records(tenant, ctx.now)
    yield Later(record=later_gap(tenant))


def broken_task(payload: tuple[str, str], ctx: UnitContext) -> Iterator[Record | Later]:
    folder, tenant = payload
    mark(folder, f"run-{tenant}")
    raise PermissionError(f"AccessDenied: cannot assume the role of toy tenant {tenant}")
    yield  # a generator, as a connector's task is


def tenant_records_of(tenant: str) -> list[Record]:
    """What ``tenant_task`` yields before its ``Later`` record, at the tests' clock."""
    return list(tenant_records(tenant, f.NOW))


def later_gap(tenant: str) -> CollectionGap:
    return CollectionGap(provider=TOY, scope=tenant, operation="toy:ReadTrail",
                         reason=GapReason.FAILED, detail=f"no trail in {tenant}")  # fmt: skip


def tenant_unit(folder: Path, tenant: str, *, broken: bool = False) -> WorkUnit:
    return WorkUnit(kind="toy-tenant", key=tenant, label=f"toy tenant {tenant}", provider=TOY,
                    task=broken_task if broken else tenant_task,
                    payload=(str(folder), tenant))  # fmt: skip


def die(n: int) -> int:
    """Kills the worker process running it, every time (as a shard that exhausts its memory)."""
    os._exit(70 + n)


def pid_of(job: tuple[str, int]) -> int:
    """The worker process's id, after a marker file saying the job ran."""
    folder, n = job
    mark(folder, f"done-{n}")
    return os.getpid()

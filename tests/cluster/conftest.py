"""A real Dask ``LocalCluster`` of two worker processes for a test module (module-scoped: it
takes about a second to start), closed afterwards; no worker process may outlive it."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

import psutil
import pytest

from nhiscan.cluster.executor import DaskExecutor, open_executor


def children() -> list[psutil.Process]:
    """This process's descendants but multiprocessing's resource tracker (started with the
    first spawned process, it lives as long as this one)."""
    found = psutil.Process().children(recursive=True)
    return [p for p in found if "resource_tracker" not in " ".join(_cmdline(p))]


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:  # gone meanwhile
        return []


@pytest.fixture(scope="module")
def dask_executor() -> Iterator[DaskExecutor]:
    before = {p.pid for p in children()}
    executor = open_executor("local-cluster:2")
    assert isinstance(executor, DaskExecutor)
    try:
        yield executor
    finally:
        executor.close()
        assert multiprocessing.active_children() == []
        left = [_cmdline(p) for p in children() if p.pid not in before and p.is_running()]
        assert left == [], f"worker processes outlived their cluster: {left}"

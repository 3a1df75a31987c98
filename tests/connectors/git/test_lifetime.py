"""Worker processes and git commands end with the scan: a scan that stops reading stops its
pool at once, and on Linux each worker and git command asks to be signalled when its parent
dies (the subprocess tests in tests/test_signals.py kill real scans)."""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

import pytest

from nhiscan.connectors.git import work
from nhiscan.connectors.git.lifetime import GIT_CHILD_SETUP, die_with_parent, is_alive


def _items(root: Path, count: int) -> list[work.Item]:
    items = []
    for n in range(count):
        (root / f"f{n}.py").write_text(f"value_{n} = compute({n})\n" * 200)
        items.append(work.Item(key=f"f{n}.py", path=f"f{n}.py", size=4_000, seq=n))
    return items


def test_a_pool_whose_results_are_abandoned_leaves_no_worker(tmp_path: Path) -> None:
    others = set(multiprocessing.active_children())
    outcomes = work.scan(
        _items(tmp_path, 2_000), work.Reading(root=str(tmp_path)), max_file_size=10**6, workers=2
    )
    first = next(outcomes)
    assert first.error is None
    workers = [p for p in multiprocessing.active_children() if p not in others]
    assert len(workers) == 2  # the pool is running
    outcomes.close()  # the consumer stops (an interrupt unwinding through it does the same)
    assert set(multiprocessing.active_children()) <= others
    assert not any(is_alive(p.pid) for p in workers if p.pid is not None)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_on_linux_children_ask_to_die_with_their_parent() -> None:
    assert GIT_CHILD_SETUP is not None
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        assert pool.apply(die_with_parent) is True
    assert is_alive(os.getpid())

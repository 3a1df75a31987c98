"""The cycle collector off while an audit log is read: every activity reader's loop.

Reading makes no cycles (the decoded records are untracked msgspec structs, the tallies a
tree), but it allocates containers by the million, and the collector's passes over them cost
more than the decoding (bench/bench_cloudtrail.py: 6.7 µs per event with it, 4.6 without)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

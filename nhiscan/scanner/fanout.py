"""Independent parts of one analysis, run by the runner the command chose.

An analysis step whose work splits into parts that share nothing but what was built before
them (the escalation search: one part per slice of the principals) asks ``runner()`` to run
them and gets each part's result back in order, so its output is the same whoever ran them.
The default runs them here, one after the other; ``nhiscan scan`` on a machine with more
than one core sets a runner that also hands parts to a forked process (``app/forked.py``)
for the analysis it runs (``using``). The analysis stays pure: it never starts a process
itself, and a part must return what can be pickled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol, TypeVar

T = TypeVar("T")


class Fanout(Protocol):
    def __call__(self, work: Callable[[int], list[T]], count: int) -> Iterator[list[T]]:
        """``work(0)`` to ``work(count - 1)``, their results in that order."""
        ...


def serial(work: Callable[[int], list[T]], count: int) -> Iterator[list[T]]:
    """Every part here, in order."""
    for index in range(count):
        yield work(index)


_RUNNER: ContextVar[Fanout] = ContextVar("fanout", default=serial)


def runner() -> Fanout:
    """The runner the command set for the analysis under way; ``serial`` by default."""
    return _RUNNER.get()


@contextmanager
def using(chosen: Fanout) -> Iterator[None]:
    """``chosen`` runs the parts asked for while the block runs."""
    token = _RUNNER.set(chosen)
    try:
        yield
    finally:
        _RUNNER.reset(token)

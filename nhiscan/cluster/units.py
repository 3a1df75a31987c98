"""Work units: the natural shards of a scan, as data a worker process can receive.

A connector that can be split (``Splittable``) hands the client a ``Split``: what it collected
itself (an organization's accounts and SCPs, a gap) and one ``WorkUnit`` per shard. A unit's
``task`` is a module-level function (pickled by reference, so a worker imports it) called with
the unit's ``payload`` (plain picklable data: profile names, role ARNs, paths; never an open
client) and a ``UnitContext``; it yields the shard's records. Records that the unsplit
connector yields after every unit's (an event history summed over accounts) are yielded
wrapped in ``Later``: the client puts them after all units' records, in unit order (or as the
split's ``merge`` gives them back: an event history summed over accounts), so that a split
collection builds the same snapshot as the unsplit one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from nhiscan.scanner.model import Provider, Record


def _quiet(message: str) -> None:
    del message


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitContext:
    """What a unit's task gets besides its payload (the collection's clock)."""

    now: datetime
    as_of: datetime | None = None
    progress: Callable[[str], None] = field(default=_quiet)


@dataclass(frozen=True, slots=True, kw_only=True)
class Later:
    """A record the client places after every unit's records (see the module's text)."""

    record: Record


UnitTask = Callable[[Any, UnitContext], Iterable["Record | Later"]]


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkUnit:
    """One shard: ``kind`` and ``key`` name it in the shard store and in a gap ("aws-account",
    "123456789012"); ``label`` is for people ("aws account 123456789012 (prod)")."""

    kind: str
    key: str
    label: str
    provider: Provider  # whose gap a unit that failed every attempt is
    task: UnitTask
    payload: Any

    @property
    def name(self) -> str:
        return f"{self.kind}/{self.key}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Split:
    """A connector's collection, split: ``before`` (collected on the client, first in the
    snapshot), the units (their records next, in this order), ``after`` (last)."""

    before: tuple[Record, ...] = ()
    units: tuple[WorkUnit, ...] = ()
    after: tuple[Record, ...] = ()
    # The units' ``Later`` records (in unit order) as the unsplit connector yields them:
    # partial summaries of each unit added up, sorted as one pass sorts them. Called on the
    # client; None: as they are.
    merge: Callable[[Sequence[Record]], Iterable[Record]] | None = None


@runtime_checkable
class Splittable(Protocol):
    """A connector whose collection can run as work units on an executor. ``split`` may
    collect a little on the client (the organization's account list) and must not collect
    what its units will."""

    def split(self, ctx: UnitContext) -> Split: ...

"""The order of a sharded run's records (issue #21): a ``Segment`` per connector, its shards
in the order the local scan's snapshot takes their records (``cluster.run.split_records``),
so that a group's snapshot, and the snapshot copy, keep the local order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from nhiscan.cluster.shards import ShardRef, ShardStore, item_record
from nhiscan.cluster.units import Later
from nhiscan.scanner.model import Record


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    """One connector's shards, in the order its records enter the snapshot: ``before``, the
    units (their ``Later`` records after all of them), ``after``. None: not in this group."""

    before: ShardRef | None = None
    units: tuple[ShardRef, ...] = ()
    after: ShardRef | None = None

    def refs(self) -> Iterator[ShardRef]:
        if self.before is not None:
            yield self.before
        yield from self.units
        if self.after is not None:
            yield self.after


def group_records(store: ShardStore, segments: Sequence[Segment]) -> Iterator[Record]:
    """The group's records in the local scan's order (``cluster.run.split_records``)."""
    for segment in segments:
        if segment.before is not None:
            yield from _plain(store, segment.before)
        later: list[Record] = []
        for ref in segment.units:
            for item in store.read(ref):
                record = item_record(item, source=ref.url)
                if isinstance(record, Later):
                    later.append(record.record)
                else:
                    yield record
        yield from later
        if segment.after is not None:
            yield from _plain(store, segment.after)


def _plain(store: ShardStore, ref: ShardRef) -> Iterator[Record]:
    for item in store.read(ref):
        record = item_record(item, source=ref.url)
        yield record.record if isinstance(record, Later) else record


def ordered_items(store: ShardStore, segments: Sequence[Segment]) -> Iterator[dict[str, Any]]:
    """Every shard item in the local scan's record order (``sharded.group_records``)."""
    for segment in segments:
        if segment.before is not None:
            yield from store.read(segment.before)
        later = []
        for ref in segment.units:
            for item in store.read(ref):
                if item.get("later"):
                    later.append(item)
                else:
                    yield item
        yield from later
        if segment.after is not None:
            yield from store.read(segment.after)

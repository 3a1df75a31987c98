"""The event history's records of several accounts, each read on its own worker (a split
collection, issue #21), put together as one ``LookupSink`` over every account gives them.

One sink sorts its gaps by scope and its scopes by source, and sums an identity's sessions over
every account's history (a cross-account call is logged in both accounts). Each account's sink
gives its own sorted records and summaries; ``merge_records`` sorts the accounts' gaps and scopes
together and adds up the summaries of one identity and session kind: counts add, first and last
seen are the min and the max, samples the earliest, the daily counts add.

Where one pass and the merge can differ (docs/dev/cluster-aws.md): a session whose
AssumeRole event is in one account's history and whose calls are in another's is joined to its
start (tags, assuming principal) by one pass only; and past ``set_limit`` addresses or user
agents, which values are kept and how many are counted apart depends on the order read, as it
does in one pass over several regions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from nhiscan.connectors.aws.lookup_events import LookupConfig
from nhiscan.scanner.activity import ActionUse, ActivityScope, ActivitySummary, DailyCount
from nhiscan.scanner.model import CollectionGap, Record


def merge_records(records: Sequence[Record], *, config: LookupConfig) -> list[Record]:
    """Several accounts' ``LookupSink.records`` as one sink's: the gaps, then the summaries,
    then the scopes."""
    gaps = [r for r in records if isinstance(r, CollectionGap)]
    scopes = [r for r in records if isinstance(r, ActivityScope)]
    merged: dict[tuple[Any, ...], ActivitySummary] = {}
    for record in records:
        if isinstance(record, ActivitySummary):
            key = _key(record)
            found = merged.get(key)
            merged[key] = record if found is None else _merge(found, record, config)
    others = [r for r in records if not isinstance(r, CollectionGap | ActivityScope
                                                   | ActivitySummary)]  # fmt: skip
    return [
        *sorted(gaps, key=lambda gap: (gap.scope, gap.operation)),
        *(merged[key] for key in sorted(merged, key=_order)),
        *sorted(scopes, key=lambda scope: scope.source),
        *others,
    ]


def _key(summary: ActivitySummary) -> tuple[Any, ...]:
    """What tells two summaries apart in ``Aggregator.summaries``: the caller and the start."""
    return (
        summary.identity, summary.principal, summary.account, summary.source_identity,
        summary.session_name, tuple(sorted(summary.session_tags.items())), summary.assumed_by,
    )  # fmt: skip


def _order(key: tuple[Any, ...]) -> tuple[str, ...]:
    """``Aggregator``'s order: a summary with neither tags nor an assuming principal is
    taken for one whose session start was not read."""
    identity, principal, _, source_identity, session_name, tags, by = key
    started = bool(tags) or by is not None
    return (identity, principal, source_identity or "", session_name or "",
            repr(tags) if started else "", by or "")  # fmt: skip


def _merge(a: ActivitySummary, b: ActivitySummary, config: LookupConfig) -> ActivitySummary:
    uses = _merge_uses((*a.uses, *b.uses), config.samples)
    ips, ips_more = _bounded((a.source_ips, b.source_ips), config.set_limit)
    agents, agents_more = _bounded((a.user_agents, b.user_agents), config.set_limit)
    return replace(
        a,
        first_seen=min(u.first_seen for u in uses),
        last_seen=max(u.last_seen for u in uses),
        count=sum(u.count for u in uses),
        uses=uses,
        source_ips=ips,
        source_ips_more=ips_more + a.source_ips_more + b.source_ips_more,
        user_agents=agents,
        user_agents_more=agents_more + a.user_agents_more + b.user_agents_more,
        daily=_merge_daily((*a.daily, *b.daily)),
    )


def _merge_uses(uses: Iterable[ActionUse], samples: int) -> tuple[ActionUse, ...]:
    merged: dict[tuple[str, str, str, str], ActionUse] = {}
    for use in uses:
        source, _, name = use.event.partition(":")
        key = (source, name, use.resource, use.error or "")
        found = merged.get(key)
        if found is None:
            merged[key] = use
            continue
        kept = sorted((*found.samples, *use.samples), key=lambda sample: sample.time)
        merged[key] = replace(
            found,
            first_seen=min(found.first_seen, use.first_seen),
            last_seen=max(found.last_seen, use.last_seen),
            count=found.count + use.count,
            samples=tuple(kept[:samples]),
        )
    return tuple(merged[key] for key in sorted(merged))


def _merge_daily(counts: Iterable[DailyCount]) -> tuple[DailyCount, ...]:
    summed: dict[tuple[Any, str], int] = {}
    for count in counts:
        summed[(count.day, count.service)] = summed.get((count.day, count.service), 0) + count.count
    return tuple(DailyCount(day=day, service=service, count=n)
                 for (day, service), n in sorted(summed.items()) if n)  # fmt: skip


def _bounded(values: Iterable[tuple[str, ...]], limit: int) -> tuple[tuple[str, ...], int]:
    union = sorted(set().union(*values))
    return tuple(union[:limit]), max(0, len(union) - limit)

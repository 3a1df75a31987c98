"""Reading every location of one kind of export: the loop GCP's and Azure's readers share."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from nhiscan.collector import no_cycle_collection
from nhiscan.connectors.auditlog import files
from nhiscan.connectors.auditlog.summary import BadEntry, Counters, scope
from nhiscan.connectors.base import CollectContext
from nhiscan.scanner.model import CollectionGap, Provider, Record

_PROGRESS_EVERY = 200  # files


@dataclass(frozen=True, slots=True, kw_only=True)
class Export:
    """One kind of export: how its files are found and decoded, and what counts its records
    (``add(records, source, counters)``, raising ``BadEntry`` for a record it cannot read)."""

    name: str  # for progress lines: "gcp-audit-log"
    flag: str  # the option naming its locations
    provider: Provider
    suffixes: tuple[str, ...]
    day: re.Pattern[str]  # captures year, month, day from a file's path
    decoders: files.Decoders[Any]
    expected: str  # what a record is, for errors: "a Cloud Audit Logs entry"
    add: Callable[[list[Any], str, Counters], None]


def read_export(
    export: Export,
    locations: tuple[str, ...],
    window: tuple[datetime, datetime],
    ctx: CollectContext,
    *,
    samples: int,
    set_limit: int,
) -> tuple[list[Record], list[Record]]:
    """Every location read: (the gaps met, one scope per location)."""
    gaps: list[Record] = []
    scopes: list[Record] = []
    day_of = files.walk_days(export.day)
    with no_cycle_collection():
        for location in locations:
            counters = _read_location(export, location, window, ctx, day_of, gaps)
            scopes.append(scope(export.provider, location, window, counters, samples=samples,
                                set_limit=set_limit))  # fmt: skip
    return gaps, scopes


def _read_location(
    export: Export,
    location: str,
    window: tuple[datetime, datetime],
    ctx: CollectContext,
    day_of: Callable[[str], date | None],
    gaps: list[Record],
) -> Counters:
    """One location's files counted into its ``Counters``; what could not be read into
    ``gaps``."""
    found = files.find(
        location, flag=export.flag, provider=export.provider, suffixes=export.suffixes,
        day_of=day_of, window=(window[0].date(), window[1].date()),
    )  # fmt: skip
    gaps.extend(found.gaps)
    counters = Counters(skipped=found.skipped)
    for item in found.files:
        data = files.read(item, export.provider, location)
        if isinstance(data, CollectionGap):
            gaps.append(data)
            continue
        decoded = files.records(data, item.name, export.decoders, export.expected)
        try:
            export.add(decoded, item.name, counters)
        except BadEntry as bad:
            raise bad.error(data, item.name) from None
        counters.files += 1
        if counters.files % _PROGRESS_EVERY == 0:
            ctx.progress(_progress(export, location, counters))
    ctx.progress(_progress(export, location, counters) + f", {counters.skipped} skipped")
    return counters


def _progress(export: Export, location: str, counters: Counters) -> str:
    return f"{export.name} {location}: {counters.files} files, {counters.events} events"

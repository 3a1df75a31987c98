"""Audit-trail events as the HTML report shows them: the event id, when, and the log file it is
in, which is what an investigator needs to pull the event from the trail.

A finding's ``evidence["events"]`` (NHI700-NHI703, and any rule that names events) is a list
of ``{"id", "time", "source"}``: shown as a table of its own rather than flattened into one
line of evidence. A finding about several uses (NHI703's ``denied``: a list of uses, each with
its ``events``) has its events gathered from them too, each said what it was for (the use's
action and resource). The time may come as a datetime (a report made in this run) or as ISO
text (read back from report.json); anything else is left to the plain evidence lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nhiscan.scanner.activity import EventRef
from nhiscan.scanner.codec import iso, parse_time

EVENTS_KEY = "events"
EVENT_ROWS = 20  # events listed per finding or per item; report.json holds them all


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRow:
    id: str
    time: datetime | None  # None: the evidence had no readable time
    time_text: str  # as given when it could not be read
    source: str
    what: str | None = None  # the use it is evidence of, for events gathered from several


@dataclass(frozen=True, slots=True, kw_only=True)
class Events:
    rows: tuple[EventRow, ...]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)

    @property
    def labelled(self) -> bool:
        """Whether the rows say what use each is evidence of (a column of its own)."""
        return any(row.what is not None for row in self.rows)


def event_rows(events: Iterable[EventRef], limit: int = EVENT_ROWS) -> Events:
    every = list(events)
    rows = tuple(
        EventRow(id=e.id, time=e.time, time_text=iso(e.time), source=e.source)
        for e in every[:limit]
    )
    return Events(rows=rows, total=len(every))


def evidence_events(evidence: Mapping[str, Any], limit: int = EVENT_ROWS) -> Events | None:
    """``evidence["events"]``, then the events of the uses a top-level list holds, as rows;
    None when there is no list of events (each a mapping with at least an id)."""
    found: list[tuple[Mapping[str, Any], str | None]] = []
    own = _events(evidence.get(EVENTS_KEY))
    if own is not None:
        found += [(event, None) for event in own]
    for value in evidence.values():
        if not isinstance(value, list | tuple):
            continue
        for use in value:
            nested = _events(use.get(EVENTS_KEY)) if isinstance(use, Mapping) else None
            if nested is not None:
                found += [(event, _what(use)) for event in nested]
    if not found:
        return None
    return Events(rows=tuple(_row(e, what) for e, what in found[:limit]), total=len(found))


def _events(value: Any) -> list[Mapping[str, Any]] | None:
    if not isinstance(value, list | tuple) or not value:
        return None
    if not all(isinstance(item, Mapping) and item.get("id") is not None for item in value):
        return None
    return list(value)


def _what(use: Mapping[str, Any]) -> str | None:
    action, resource = use.get("action"), use.get("resource")
    if action is None:
        return None
    return f"{action} on {resource}" if resource is not None else str(action)


def _row(item: Mapping[str, Any], what: str | None = None) -> EventRow:
    raw = item.get("time")
    when: datetime | None = None
    if isinstance(raw, datetime):
        when = raw
    elif isinstance(raw, str):
        try:
            when = parse_time(raw)
        except ValueError:
            when = None
    text = iso(when) if when is not None else ("" if raw is None else str(raw))
    source = item.get("source")
    return EventRow(id=str(item["id"]), time=when, time_text=text,
                    source="" if source is None else str(source), what=what)  # fmt: skip

"""An agent's activity over the audit trail's window, drawn as inline SVG: one row per service,
one bar per day (per few days when the window is long), each row scaled to its own busiest
column so that a service used a few times stays visible beside one used thousands of times.
Marks above the rows show when something happened that an investigator looks for first: the
first use of an action outside the plan, a refused attempt.

Laid out here like ``html_svg``: Python places every element, the template emits one element
per item with autoescape on. Every bar and mark carries its numbers in a ``<title>`` (what a
pointer shows and a screen reader reads), each row its total as text, and the picture's
accessible name says the same totals in words, so it reads without colour and without the
picture; the table beside it lists each action with its counts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from nhiscan.scanner.activity import DailyCount

MAX_COLUMNS = 120  # a longer window puts several days in a column
PLOT_WIDTH = 720  # the plot's width, about
COLUMN_MAX = 12  # the widest column (a short window)
LABEL_WIDTH = 120  # the service names, right-aligned
TOTAL_SPACE = 150  # right of the plot: the row's total and peak
ROW = 22
BAR = 16  # the tallest bar of a row
MARKS = 16  # room above the rows for the marks
AXIS = 22  # room below the rows for the dates
TICK_SPACE = 64  # at least this many pixels between two dates on the axis
SERVICES = 10  # rows; a longer list folds its quietest services into the last row
# The kinds of mark (each a class in report.css), in the order the summary names them.
MARK_WORDS = {"unplanned": "used outside the plan", "denied": "denied"}
MARK_TITLES = 5  # lines in a mark's title; the rest are counted


@dataclass(frozen=True, slots=True, kw_only=True)
class Mark:
    """Something to point at on the timeline: ``kind`` is a closed set (a class in report.css,
    never text from the report), ``title`` says what it is."""

    when: datetime
    kind: str  # "unplanned" or "denied"
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Cell:
    x: int
    y: int
    width: int
    height: int
    count: int
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    service: str  # as shown: a service, or "3 other services"
    title: str  # the services of the row, for its <title>
    y: int  # the row's top
    total: int
    peak: int  # events in its busiest column
    cells: tuple[Cell, ...]  # columns with events only

    @property
    def text_y(self) -> int:
        return self.y + ROW // 2 + 4

    @property
    def base(self) -> int:
        """The bars' bottom."""
        return self.y + (ROW + BAR) // 2

    @property
    def total_text(self) -> str:
        return (
            f"{self.total:,} (peak {self.peak:,})" if self.peak != self.total else f"{self.total:,}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Tick:
    x: int
    label: str  # "11-02"
    title: str  # "2026-11-02"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlacedMark:
    x: int
    kind: str
    points: str  # a small triangle pointing down at its column
    title: str

    @property
    def top(self) -> int:
        """Where its line down through the rows starts."""
        return MARKS - 3


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeline:
    width: int
    height: int
    label_x: int  # where the service names end
    plot_x: int
    plot_width: int
    total_x: int
    axis_y: int  # the line under the rows
    first: date
    last: date
    span: int  # days per column
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    marks: tuple[PlacedMark, ...]
    total: int
    summary: str  # the totals in words, for the picture's accessible name

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of mark shown (the legend names only those)."""
        return frozenset(mark.kind for mark in self.marks)


def timeline(
    daily: Iterable[DailyCount], since: datetime, until: datetime, marks: Sequence[Mark] = ()
) -> Timeline | None:
    """The daily counts (of any number of sessions) over [since, until), days in UTC. The window
    grows to hold a count outside it rather than drop it. None when there is no event."""
    by_service: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for count in daily:
        by_service[count.service][_day(count.day)] += count.count
    if not any(count for days in by_service.values() for count in days.values()):
        return None
    seen = [day for days in by_service.values() for day in days]
    first = min([_day(since), *seen])
    last = max([_day(until - timedelta(microseconds=1)), *seen])
    span = math.ceil(((last - first).days + 1) / MAX_COLUMNS)
    columns = math.ceil(((last - first).days + 1) / span)
    width = max(2, min(COLUMN_MAX, PLOT_WIDTH // columns))
    rows = _rows(_fold(by_service), first, span, width)
    plot_width = columns * width
    axis_y = MARKS + len(rows) * ROW
    placed = _marks(marks, first, span, width)
    total = sum(row.total for row in rows)
    return Timeline(
        width=LABEL_WIDTH + plot_width + TOTAL_SPACE, height=axis_y + AXIS,
        label_x=LABEL_WIDTH - 8, plot_x=LABEL_WIDTH, plot_width=plot_width,
        total_x=LABEL_WIDTH + plot_width + 8, axis_y=axis_y, first=first, last=last, span=span,
        rows=rows, ticks=_ticks(first, columns, span, width), marks=placed, total=total,
        summary=_summary(rows, first, last, marks),
    )  # fmt: skip


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _fold(by_service: dict[str, dict[date, int]]) -> list[tuple[str, str, dict[date, int]]]:
    """(label, title, counts by day) per row, the busiest first; past ``SERVICES`` rows the
    quietest services share the last one."""
    ordered = sorted(by_service.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    rows = [(service, service, days) for service, days in ordered]
    if len(rows) <= SERVICES:
        return rows
    kept, rest = rows[: SERVICES - 1], rows[SERVICES - 1 :]
    merged: dict[date, int] = defaultdict(int)
    for _, _, days in rest:
        for day, count in days.items():
            merged[day] += count
    names = ", ".join(service for service, _, _ in rest)
    return [*kept, (f"{len(rest)} other services", names, merged)]


def _rows(
    folded: list[tuple[str, str, dict[date, int]]], first: date, span: int, width: int
) -> tuple[Row, ...]:
    rows = []
    for index, (label, title, days) in enumerate(folded):
        columns: dict[int, int] = defaultdict(int)
        for day, count in days.items():
            columns[(day - first).days // span] += count
        peak = max(columns.values(), default=0) or 1
        y = MARKS + index * ROW
        cells = []
        for column, count in sorted(columns.items()):
            if not count:
                continue
            height = max(2, round(count / peak * BAR))
            cells.append(Cell(
                x=LABEL_WIDTH + column * width, y=y + (ROW + BAR) // 2 - height,
                width=max(1, width - 1), height=height, count=count,
                title=f"{title}, {_dates(first, column, span)}: {_events(count)}",
            ))  # fmt: skip
        rows.append(Row(service=label, title=title, y=y, total=sum(days.values()),
                        peak=max(columns.values(), default=0), cells=tuple(cells)))  # fmt: skip
    return tuple(rows)


def _dates(first: date, column: int, span: int) -> str:
    start = first + timedelta(days=column * span)
    if span == 1:
        return start.isoformat()
    return f"{start.isoformat()} to {(start + timedelta(days=span - 1)).isoformat()}"


def _events(count: int) -> str:
    return f"{count:,} event" if count == 1 else f"{count:,} events"


def _ticks(first: date, columns: int, span: int, width: int) -> tuple[Tick, ...]:
    """A date every few columns, the first column's always."""
    every = max(1, math.ceil(TICK_SPACE / width))
    ticks = []
    for column in range(0, columns, every):
        start = first + timedelta(days=column * span)
        ticks.append(Tick(x=LABEL_WIDTH + column * width, label=f"{start:%m-%d}",
                          title=start.isoformat()))  # fmt: skip
    return tuple(ticks)


def _marks(marks: Sequence[Mark], first: date, span: int, width: int) -> tuple[PlacedMark, ...]:
    """One mark per (column, kind): the things in one column share it, listed in its title."""
    grouped: dict[tuple[int, str], list[str]] = defaultdict(list)
    for mark in sorted(marks, key=lambda m: (m.when, m.kind, m.title)):
        grouped[((_day(mark.when) - first).days // span, mark.kind)].append(mark.title)
    placed = []
    for (column, kind), titles in sorted(grouped.items()):
        x = LABEL_WIDTH + column * width + width // 2
        more = len(titles) - MARK_TITLES
        title = "\n".join(titles[:MARK_TITLES]) + (f"\nand {more} more" if more > 0 else "")
        points = f"{x - 5},{MARKS - 12} {x + 5},{MARKS - 12} {x},{MARKS - 3}"
        placed.append(PlacedMark(x=x, kind=kind, points=points, title=title))
    return tuple(placed)


def _summary(rows: Sequence[Row], first: date, last: date, marks: Sequence[Mark]) -> str:
    words = "; ".join(f"{row.service}: {_events(row.total)}" for row in rows)
    text = f"{first.isoformat()} to {last.isoformat()}: {words}"
    for kind, words in MARK_WORDS.items():
        count = sum(mark.kind == kind for mark in marks)
        if count:
            text += f"; {count} marked {words}"
    return text

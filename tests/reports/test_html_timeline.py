"""The activity timeline's layout: a bar per day (per few days for a long window) at the right
place, each row scaled to its own peak, the quietest services folded past the row limit, no
count dropped, marks grouped by column."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nhiscan.reports import html_timeline as tl
from nhiscan.reports.html_timeline import Mark, timeline
from nhiscan.scanner.activity import DailyCount

SINCE = datetime(2026, 8, 1, 6, 0, tzinfo=UTC)


def count(n: int, service: str, events: int) -> DailyCount:
    return DailyCount(day=datetime(2026, 8, 1, tzinfo=UTC) + timedelta(days=n), service=service,
                      count=events)  # fmt: skip


def test_a_bar_per_day_at_its_column_scaled_to_its_row() -> None:
    drawn = timeline(
        [count(0, "s3", 10), count(9, "s3", 5), count(9, "kms", 1)],
        SINCE,
        SINCE + timedelta(days=10),
    )
    assert drawn is not None
    assert (f"{drawn.first} {drawn.last}", drawn.span) == ("2026-08-01 2026-08-11", 1)
    s3, kms = drawn.rows
    assert (s3.service, s3.total, s3.peak, kms.service, kms.total) == ("s3", 15, 10, "kms", 1)
    width = drawn.plot_width // drawn.days
    assert [(c.x - drawn.plot_x) // width for c in s3.cells] == [0, 9]
    assert [c.height for c in s3.cells] == [tl.BAR, tl.BAR // 2]
    assert [c.height for c in kms.cells] == [tl.BAR]  # its own peak
    assert s3.cells[1].title == "s3, 2026-08-10: 5 events"
    assert drawn.summary == "2026-08-01 to 2026-08-11: s3: 15 events; kms: 1 event"
    assert drawn.ticks[0].title == "2026-08-01"


def test_a_long_window_puts_several_days_in_a_bar() -> None:
    counts = [count(n, "s3", 1) for n in range(365)]
    drawn = timeline(counts, SINCE, SINCE + timedelta(days=365))
    assert drawn is not None
    assert drawn.span == 4 and len(drawn.rows[0].cells) <= tl.MAX_COLUMNS
    assert sum(c.count for c in drawn.rows[0].cells) == 365
    assert drawn.rows[0].cells[0].title == "s3, 2026-08-01 to 2026-08-04: 4 events"
    assert drawn.plot_width <= tl.PLOT_WIDTH


def test_past_the_row_limit_the_quietest_services_share_a_row() -> None:
    counts = [count(1, f"svc{n:02d}", 100 - n) for n in range(14)]
    drawn = timeline(counts, SINCE, SINCE + timedelta(days=3))
    assert drawn is not None
    assert [r.service for r in drawn.rows][: tl.SERVICES - 1] == [f"svc{n:02d}" for n in range(9)]
    other = drawn.rows[-1]
    assert other.service == "5 other services"
    assert other.title == "svc09, svc10, svc11, svc12, svc13"
    assert other.total == sum(100 - n for n in range(9, 14))
    assert drawn.total == sum(100 - n for n in range(14))


def test_a_count_outside_the_window_widens_it_rather_than_vanish() -> None:
    drawn = timeline([count(-2, "s3", 3), count(1, "s3", 1)], SINCE, SINCE + timedelta(days=3))
    assert drawn is not None
    assert drawn.first.isoformat() == "2026-07-30" and drawn.rows[0].total == 4


def test_marks_in_one_column_share_one_mark_listing_them() -> None:
    when = SINCE + timedelta(days=2)
    marks = [Mark(when=when + timedelta(hours=h), kind="unplanned", title=f"use {h}")
             for h in range(7)] + [Mark(when=when, kind="denied", title="refused")]  # fmt: skip
    drawn = timeline([count(2, "s3", 1)], SINCE, SINCE + timedelta(days=5), marks)
    assert drawn is not None
    denied, unplanned = drawn.marks
    assert (denied.kind, unplanned.kind, denied.x) == ("denied", "unplanned", unplanned.x)
    assert unplanned.title == "use 0\nuse 1\nuse 2\nuse 3\nuse 4\nand 2 more"
    assert drawn.summary.endswith("; 7 marked used outside the plan; 1 marked denied")


def test_nothing_to_draw_without_an_event() -> None:
    assert timeline([], SINCE, SINCE + timedelta(days=3)) is None
    assert timeline([count(1, "s3", 0)], SINCE, SINCE + timedelta(days=3)) is None

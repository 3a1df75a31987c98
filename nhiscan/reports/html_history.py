"""The "Since the last scan" section of the HTML report: what changed since the previous run of
the same scope (from the history store) and the trend of findings by severity over the last
runs, drawn as inline SVG computed here (stacked bars with their totals as text)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nhiscan.reports.history import behaviour_lines
from nhiscan.scanner.history.drift import Drift, GrantChange
from nhiscan.scanner.history.records import RunSummary
from nhiscan.scanner.history.view import HistoryView

LISTED = 50  # items named per kind of change; report.json (history.since_last) has them all
SEVERITIES = ("critical", "high", "medium", "low", "info")
COLUMN = 46  # the width of one run's bar and its gap
BAR = 30
CHART_HEIGHT = 120  # the tallest bar
TOP = 18  # room above the tallest bar for its total
BOTTOM = 34  # room below the bars for the run labels


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    severity: str
    y: int
    height: int
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    x: int
    label: str  # "#12"
    date: str  # "11-28"
    total: int
    total_y: int
    segments: tuple[Segment, ...]
    current: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Trend:
    width: int
    height: int
    base: int  # the y of the bars' bottom
    columns: tuple[Column, ...]
    summary: str  # the same numbers in words, for the aria-label


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    title: str
    count: int
    lines: tuple[str, ...]  # at most LISTED


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryPage:
    view: HistoryView
    changes: tuple[Change, ...]  # the kinds that changed, in a fixed order
    trend: Trend
    # Why the agents' behaviour was not compared (no previous run, no audit trail, an old run)
    behaviour_note: str | None = None


def history_page(view: HistoryView | None, behaviour_note: str | None = None) -> HistoryPage | None:
    if view is None:
        return None
    changes = _changes(view.drift) if view.drift is not None else ()
    if view.drift is not None and view.drift.behaviour_not_comparable and behaviour_note is None:
        names = ", ".join(view.drift.behaviour_not_comparable)
        behaviour_note = f"not comparable with the previous run for {names} (no behaviour recorded)"
    return HistoryPage(view=view, changes=changes, trend=trend(view.trend, view.run.id),
                       behaviour_note=behaviour_note)  # fmt: skip


def _changes(drift: Drift) -> tuple[Change, ...]:
    kinds = [
        ("New findings", [f"[{f.severity}] {f.rule_id} {f.title}" for f in drift.new_findings]),
        (
            "Resolved findings",
            [f"[{f.severity}] {f.rule_id} {f.title}" for f in drift.resolved_findings],
        ),
        ("Identities created", list(drift.identities_created)),
        ("Identities removed", list(drift.identities_removed)),
        ("Keys created", [f"{k.identity}: {k.key}" for k in drift.keys_created]),
        ("Keys rotated", [f"{k.identity}: {k.previous} → {k.key}" for k in drift.keys_rotated]),
        ("Keys deactivated", [f"{k.identity}: {k.key}" for k in drift.keys_deactivated]),
        ("Keys deleted", [f"{k.identity}: {k.key}" for k in drift.keys_deleted]),
        ("Grants per identity", _grant_lines(drift.grants)),
        ("Policy documents changed", list(drift.policies_changed)),
        ("Grants per agent", _grant_lines(drift.agents)),
        ("Agent behaviour", [line for c in drift.behaviour for line in behaviour_lines(c)]),
    ]
    return tuple(
        Change(title=title, count=len(lines), lines=tuple(lines[:LISTED]))
        for title, lines in kinds
        if lines
    )


def _grant_lines(changes: Sequence[GrantChange]) -> list[str]:
    lines = []
    for change in changes:
        lines += [f"{change.subject}: + {g}" for g in change.added]
        lines += [f"{change.subject}: - {g}" for g in change.removed]
    return lines


def trend(runs: Sequence[RunSummary], current: int) -> Trend:
    """Findings by severity per run, oldest first, as stacked bars scaled to the largest."""
    largest = max([r.findings for r in runs] + [1])
    base = TOP + CHART_HEIGHT
    columns = []
    for index, run in enumerate(runs):
        x = index * COLUMN + (COLUMN - BAR) // 2
        segments, top = [], base
        for severity in SEVERITIES:
            count = int(run.by_severity.get(severity, 0))
            if not count:
                continue
            height = max(1, round(count / largest * CHART_HEIGHT))
            top -= height
            segments.append(Segment(severity=severity, y=top, height=height, count=count))
        columns.append(
            Column(x=x, label=f"#{run.id}", date=f"{run.finished_at:%m-%d}", total=run.findings,
                   total_y=top - 4, segments=tuple(segments), current=run.id == current)
        )  # fmt: skip
    words = "; ".join(f"run {r.id}: {r.findings} findings" for r in runs)
    return Trend(width=max(1, len(runs)) * COLUMN, height=base + BOTTOM, base=base,
                 columns=tuple(columns), summary=words)  # fmt: skip

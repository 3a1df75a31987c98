"""What the reports say about a scan's history: this run, the previous one of its scope, the
drift since and the trend. Built by the store (``nhiscan.store.history``), handed to the
reporters beside the report."""

from __future__ import annotations

from dataclasses import dataclass

from nhiscan.scanner.history.drift import Drift
from nhiscan.scanner.history.records import RunSummary


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryView:
    run: RunSummary  # this scan, as recorded
    previous: RunSummary | None  # the last run of the same scope before it
    drift: Drift | None  # since the previous run
    trend: tuple[RunSummary, ...]  # the last runs of the scope, oldest first, this one last
    store: str  # the store's URL, password hidden

"""A recorded run as the history shows it: its summary and its findings (stored by
``nhiscan.store``, compared by ``drift``, rendered by ``nhiscan.reports.history``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class RunSummary:
    id: int
    scope: str
    sources: tuple[str, ...]
    started_at: datetime
    finished_at: datetime
    tool_version: str
    catalog_date: str | None
    identities: int
    credentials: int
    findings: int
    gaps: int
    by_severity: Mapping[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredFinding:
    fingerprint: str
    rule_id: str
    severity: str
    subject: str
    title: str
    agent: str | None = None

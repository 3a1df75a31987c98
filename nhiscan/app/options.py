"""What a command asks for, once parsed: its sources (``SourceOptions``) and how its
results are written and gated (``Gate``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from nhiscan.reports.model import Detail
from nhiscan.scanner.model import Severity


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceOptions:
    """Each connector's option values, by connector name and option dest
    (``{"git": {"repos": ("."), "history": False, ...}}``); a connector missing here was given
    none of its options. Which connectors that asks for is ``app.sources``'s business."""

    values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def of(self, name: str) -> Mapping[str, Any]:
        return self.values.get(name, {})


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterOptions:
    """Where a scan's shards run (issue #21): ``--executor``, ``--shards``, ``--resume``,
    ``--shard-retries``. The default, ``local`` without ``--shards``, splits nothing (today's
    behaviour)."""

    executor: str = "local"
    shards: str | None = None  # a folder or s3://bucket/prefix; None: a temporary folder
    resume: str | None = None  # a run id whose written shards are kept
    retries: int = 2
    # --analysis sharded (scan only): each group of linked accounts analysed on a worker from
    # its shards, the client holding findings only (JSON report; app/sharded.py). False: the
    # shards are read back and analysed on the client, every report and feature as always.
    sharded_analysis: bool = False

    @property
    def local(self) -> bool:
        return self.executor.strip() in ("", "local")


@dataclass(frozen=True, slots=True, kw_only=True)
class Gate:
    output: str | None
    formats: tuple[str, ...]
    fail_on: Severity | None
    strict: bool
    now: datetime | None  # judge ages as of this time; None: when the analysis runs
    reach: bool = True  # build the reach graph and run the rules that need it
    detail: Detail = Detail.SUMMARY  # --detail: capped long lists, or every item
    baseline: Path | None = None  # accepted findings: only new ones gate and are reported
    agents: Path | None = None  # --agents: an agent file or folder
    no_agents: bool = False  # --no-agents: do not look for agent files
    # scan only: the history store (None: the default) and whether to record the run there
    store: str | None = None
    record: bool = True
    notify_webhook: str | None = None  # post new findings at or above notify_on here
    notify_on: Severity = Severity.HIGH

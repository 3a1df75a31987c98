"""``nhiscan baseline create`` and ``update``: accept the current findings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from nhiscan.app import pipeline, snapshots
from nhiscan.app.agents import load_agent_files
from nhiscan.app.config import Settings
from nhiscan.app.options import SourceOptions
from nhiscan.app.outputs import check_writable, write_output
from nhiscan.app.scan import is_demo
from nhiscan.app.sources import asked_names, asked_sources, collect_snapshot
from nhiscan.errors import ConfigError
from nhiscan.scanner import baseline as baselines


def run_baseline(
    path: Path | None,
    src: SourceOptions,
    settings: Settings,
    *,
    output: Path,
    update: bool,
    now: datetime | None,
    agents: tuple[Path | None, bool] = (None, False),
) -> None:
    """``baseline create``: accept every current finding; ``baseline update``: the current
    findings, keeping notes, dropping entries that match nothing (and saying which)."""
    if path is not None and asked_sources(src):
        raise ConfigError(f"{path}: give a snapshot or source options, not both")
    given, disabled = agents
    agent_files = load_agent_files(
        given, settings, demo="demo" in asked_names(src), disabled=disabled
    )
    old = baselines.load(output) if update else None
    check_writable(output)
    snap = snapshots.load(path) if path is not None else collect_snapshot(src, settings)
    if agent_files is None and not disabled and path is not None and is_demo(snap):
        agent_files = load_agent_files(None, settings, demo=True)
    report = pipeline.analyze(
        snap, settings=settings, now=now or datetime.now(UTC), agents=agent_files
    )
    if old is not None:
        accepted, dropped = baselines.update(old, report.findings)
        for entry in dropped:
            click.echo(f"dropped (matches nothing): {entry.rule_id} {entry.subject}", err=True)
    else:
        accepted = baselines.create(report.findings)
    write_output(output, baselines.to_json(accepted).encode("utf-8"))
    click.echo(f"wrote {output} ({len(accepted.entries)} accepted findings)", err=True)

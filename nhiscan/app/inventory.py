"""``nhiscan inventory``: the estate's identities and credentials as a table."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from nhiscan.app import snapshots
from nhiscan.app.config import Settings
from nhiscan.app.options import SourceOptions
from nhiscan.app.outputs import check_writable, write_output
from nhiscan.app.sources import collect_snapshot


def run_inventory(
    path: Path | None,
    src: SourceOptions,
    settings: Settings,
    *,
    fmt: str,
    output: Path | None,
    now: datetime | None,
) -> None:
    from nhiscan.app.estates import estate_of
    from nhiscan.reports.inventory import render_inventory

    if output is not None:
        check_writable(output)
    snap = snapshots.load(path) if path is not None else collect_snapshot(src, settings)
    text = render_inventory(estate_of(snap), fmt=fmt, now=now or datetime.now(UTC))
    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(output, text.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)

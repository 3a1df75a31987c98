"""The history commands: ``history`` (and ``history prune``), ``diff`` and ``watch``."""

from __future__ import annotations

from typing import Any

import click

from nhiscan.cli.options import (
    common_options,
    format_option,
    output_options,
    settings_and_gate,
    store_options,
)
from nhiscan.cli.sources import source_options, sources_of
from nhiscan.errors import NhiError

store_option = click.option(
    "--store",
    metavar="URL",
    help="The history store (default: $NHISCAN_STORE, else the user's data directory).",
)


@click.group("history", invoke_without_command=True)
@store_option
@click.option("--scope", help="Only the runs of this scope.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Show at most this many runs.",
)
@format_option
@click.pass_context
def history_group(
    ctx: click.Context, store: str | None, scope: str | None, limit: int, fmt: str
) -> None:
    """The recorded scans, newest first, with their counts (and `history prune`)."""
    if ctx.invoked_subcommand is None:
        from nhiscan.app.history import run_history

        click.echo(run_history(store, scope=scope, limit=limit, fmt=fmt), nl=False)


@history_group.command("prune")
@store_option
@click.option("--keep", type=click.IntRange(min=1), help="Keep the newest N runs of each scope.")
@click.option("--older-than", metavar="AGE", help="Delete runs older than this (30d, 12h).")
def history_prune(store: str | None, keep: int | None, older_than: str | None) -> None:
    """Delete old runs (with their findings, gaps and deliveries)."""
    from nhiscan.app.history import run_prune

    click.echo(run_prune(store, keep=keep, older_than=older_than), nl=False, err=True)


@click.command("diff")
@click.argument("runs", nargs=-1, type=int, metavar="[RUN_A] [RUN_B]")
@store_option
@format_option
def diff_command(runs: tuple[int, ...], store: str | None, fmt: str) -> None:
    """What changed between two runs (default: the last two of the latest run's scope):
    findings, identities, keys, grants per identity and per agent, and what agents newly do
    (explained by a plan change or not)."""
    if len(runs) > 2:
        raise click.UsageError("diff takes at most two run ids")
    from nhiscan.app.history import run_diff

    first = runs[0] if runs else None
    second = runs[1] if len(runs) == 2 else None
    click.echo(run_diff(store, first, second, fmt=fmt), nl=False)


@click.command("watch")
@source_options
@common_options
@output_options
@store_options
@click.option("--every", metavar="INTERVAL", help="Run now and then every INTERVAL (6h, 30m).")
@click.option("--cron", metavar="EXPR", help="Run at the times of a cron expression (UTC).")
@click.option("--max-runs", type=click.IntRange(min=1), help="Stop after this many runs.")
@click.pass_context
def watch_command(
    ctx: click.Context, /, every: str | None, cron: str | None, max_runs: int | None, **kw: Any
) -> None:
    """Run scans on a schedule in the foreground (one watcher per store; SIGTERM stops it
    cleanly after the current run). Each run is recorded in the history store."""
    from nhiscan.app.scan import run_scan
    from nhiscan.app.watch import run_watch

    settings, gate = settings_and_gate(kw)
    sources = sources_of(kw)

    def one_run() -> int:
        try:
            return run_scan(sources, settings, gate)
        except NhiError as exc:
            click.echo(f"nhiscan: error: {exc}", err=True)
            return 2

    ctx.exit(run_watch(one_run, every=every, cron=cron, max_runs=max_runs, store_url=gate.store))

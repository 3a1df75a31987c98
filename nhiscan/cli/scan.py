"""The estate commands: ``collect``, ``analyze``, ``scan``, ``inventory``, ``rules`` and
``baseline create``/``update``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from nhiscan.cli.options import (
    agents_option,
    as_of,
    cluster_of,
    cluster_options,
    common_options,
    config_option,
    output_options,
    settings_and_gate,
    store_options,
)
from nhiscan.cli.sources import cloud_source_options, source_options, sources_of


@click.command()
@source_options
@config_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default="nhiscan-snapshot.json",
    show_default=True,
    help="The snapshot file to write (JSON; read by analyze, inventory and the queries).",
)
@click.option("--strict", is_flag=True, default=None, help="Exit 3 on collection gaps.")
@cluster_options
@click.pass_context
def collect(ctx: click.Context, /, output: Path, strict: bool | None, **kw: Any) -> None:
    """Collect an inventory snapshot (the only step that talks to clouds)."""
    from nhiscan.app.config import load_settings
    from nhiscan.app.scan import run_collect

    settings = load_settings(kw.pop("config_path"))
    cluster = cluster_of(kw)
    ctx.exit(run_collect(sources_of(kw), settings, output=output, strict=strict, cluster=cluster))


@click.command()
@click.argument("snapshot", type=click.Path(path_type=Path, dir_okay=False))
@common_options
@output_options
@click.pass_context
def analyze(ctx: click.Context, /, snapshot: Path, **kw: Any) -> None:
    """Analyse a snapshot offline and write reports."""
    from nhiscan.app.scan import run_analyze

    settings, gate = settings_and_gate(kw)
    ctx.exit(run_analyze(snapshot, settings, gate))


@click.command()
@source_options
@common_options
@output_options
@store_options
@cluster_options
@click.option(
    "--analysis",
    type=click.Choice(["client", "sharded"]),
    default="client",
    show_default=True,
    help="client: the shards are read back and analysed here (every report, agents, "
    "history). sharded: each group of linked accounts is analysed on a worker and only the "
    "findings come back (organisation scale; JSON report only, no agent files, not recorded).",
)
@click.pass_context
def scan(ctx: click.Context, /, **kw: Any) -> None:
    """Collect and analyse in one go, and write reports (and the snapshot beside them)."""
    from dataclasses import replace

    from nhiscan.app.scan import run_scan

    cluster = replace(cluster_of(kw), sharded_analysis=kw.pop("analysis") == "sharded")
    settings, gate = settings_and_gate(kw)
    ctx.exit(run_scan(sources_of(kw), settings, gate, cluster=cluster))


@click.command()
@click.argument("snapshot", required=False, type=click.Path(path_type=Path, dir_okay=False))
@cloud_source_options
@common_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv", "json"]),
    default="text",
    show_default=True,
    help="text (a table), csv or json.",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write to a file (default: stdout)."
)
def inventory(snapshot: Path | None, fmt: str, output: Path | None, **kw: Any) -> None:
    """List identities and credentials (from a snapshot, or collected now)."""
    from nhiscan.app.config import load_settings
    from nhiscan.app.inventory import run_inventory

    settings = load_settings(kw.pop("config_path"))
    moment = as_of(kw.pop("as_of"))
    run_inventory(snapshot, sources_of(kw), settings, fmt=fmt, output=output, now=moment)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text (one rule a line) or json.",
)
def rules(fmt: str) -> None:
    """List the rules: ids, severities, summaries."""
    from nhiscan.app.rules import render_rules

    click.echo(render_rules(fmt), nl=False)


@click.group("baseline")
def baseline_group() -> None:
    """Accepted findings, so that a CI gate fails on new ones only."""


DEFAULT_BASELINE = ".nhiscan-baseline.json"


@baseline_group.command("create")
@click.argument("snapshot", required=False, type=click.Path(path_type=Path, dir_okay=False))
@source_options
@common_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_BASELINE,
    show_default=True,
    help="The baseline file to write (replaced if it exists).",
)
@agents_option
def baseline_create(snapshot: Path | None, output: Path, **kw: Any) -> None:
    """Accept every current finding (of a snapshot, or of a scan now) into a baseline file."""
    from nhiscan.app.baseline import run_baseline
    from nhiscan.app.config import load_settings

    settings = load_settings(kw.pop("config_path"))
    now = as_of(kw.pop("as_of"))
    agents = (kw.pop("agents"), kw.pop("no_agents"))
    run_baseline(
        snapshot, sources_of(kw), settings, output=output, update=False, now=now, agents=agents
    )


@baseline_group.command("update")
@click.argument("snapshot", required=False, type=click.Path(path_type=Path, dir_okay=False))
@source_options
@common_options
@click.option(
    "-b",
    "--baseline",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    show_default=DEFAULT_BASELINE,
    help="The baseline file to read and update in place (it must exist: baseline create).",
)
@click.option(
    "-o",
    "--output",
    "legacy_baseline",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    hidden=True,
    help="Deprecated spelling of --baseline (the file is read and rewritten, not an output).",
)
@agents_option
def baseline_update(
    snapshot: Path | None, baseline: Path | None, legacy_baseline: Path | None, **kw: Any
) -> None:
    """Accept the current findings, keep the notes of entries still matching, and drop (and
    list) the entries that match nothing any more."""
    from nhiscan.app.baseline import run_baseline
    from nhiscan.app.config import load_settings

    if legacy_baseline is not None:
        click.echo("nhiscan: warning: -o/--output is deprecated here: use --baseline", err=True)
    baseline = baseline or legacy_baseline or Path(DEFAULT_BASELINE)
    if not baseline.is_file():
        raise click.BadParameter(
            f"{baseline} does not exist: create it with `nhiscan baseline create`",
            param_hint="'-b' / '--baseline'",
        )
    settings = load_settings(kw.pop("config_path"))
    now = as_of(kw.pop("as_of"))
    agents = (kw.pop("agents"), kw.pop("no_agents"))
    run_baseline(
        snapshot, sources_of(kw), settings, output=baseline, update=True, now=now, agents=agents
    )

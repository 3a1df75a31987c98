"""The agent file commands: ``compile`` and ``schema``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from nhiscan.cli.options import (
    config_option,
)


@click.command("compile")
@click.argument("agents", type=click.Path(path_type=Path, exists=True))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="The plan file (default: -).")
@click.option(
    "--previous",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A previous plan: print the access this change adds and revokes.",
)
@click.option(
    "--snapshot",
    "snapshot_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Check every identity reference against this snapshot's inventory.",
)
@click.option(
    "--least-privilege",
    type=click.Choice(["plan", "used"]),
    help="With --snapshot: each agent's least-privilege policy from what it needs (plan) or "
    "from what it needs and the snapshot's audit trail saw used (used). Default: [activity] "
    "least_privilege_used in nhiscan.toml, else plan.",
)
@config_option
@click.pass_context
def compile_command(
    ctx: click.Context,
    /,
    agents: Path,
    output: Path | None,
    previous: Path | None,
    snapshot_path: Path | None,
    least_privilege: str | None,
    config_path: Path | None,
) -> None:
    """Compile agent files into the exact access each agent needs (plan.json), with the
    least-privilege policy per identity."""
    from nhiscan.app.agents import run_compile
    from nhiscan.app.config import load_settings

    settings = load_settings(config_path)
    if least_privilege is not None:
        used = least_privilege == "used"
        settings = replace(settings, activity=replace(settings.activity, least_privilege_used=used))
    if least_privilege == "used" and snapshot_path is None:
        raise click.UsageError("--least-privilege used needs --snapshot (its audit trail)")
    ctx.exit(
        run_compile(
            agents,
            output=output,
            previous=previous,
            snapshot_path=snapshot_path,
            settings=settings,
        )
    )


@click.command("schema")
@click.argument("name", type=click.Choice(["agents", "report"]))
def schema_command(name: str) -> None:
    """Print a published JSON Schema (agents: the agent file format; report: report.json)."""
    from nhiscan.app.agents import render_schema

    click.echo(render_schema(name), nl=False)

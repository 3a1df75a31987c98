"""Thin click commands: parse, build options, call the pipeline, render.

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad usage or input, 3 incomplete
collection under --strict. ``NhiError`` is caught here and only here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from nhiscan import __version__
from nhiscan.commands import (
    Gate,
    SourceOptions,
    render_rules,
    render_schema,
    run_analyze,
    run_baseline,
    run_collect,
    run_compile,
    run_inventory,
    run_query,
    run_scan,
    verify_plan,
)
from nhiscan.config import Settings, load_settings, parse_severity
from nhiscan.errors import NhiError
from nhiscan.scanner.model import Severity

F = TypeVar("F", bound=Callable[..., Any])

SEVERITIES = [s.value for s in Severity] + ["never"]


class _Cli(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NhiError as exc:
            click.echo(f"nhiscan: error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nhiscan")
def cli() -> None:
    """Inventory non-human identities, what they can reach, and what is stale or unowned."""


def main() -> None:
    cli(prog_name="nhiscan")


# --- shared options ------------------------------------------------------------------------


def source_options(func: F) -> F:
    options = [
        click.option("--demo", is_flag=True, help="Scan the built-in demo estate (no account)."),
        click.option("--aws-profile", "aws_profiles", multiple=True, help="AWS profile (repeat)."),
        click.option("--aws-region", "aws_regions", multiple=True, help="AWS region (repeat)."),
        click.option("--aws-assume-role", metavar="ARN", help="Assume this role first."),
        click.option(
            "--aws-org-role", metavar="NAME", help="Assume NAME in every Organization account."
        ),
        click.option(
            "--aws-gaad",
            multiple=True,
            type=click.Path(path_type=Path, dir_okay=False),
            help="Read an `aws iam get-account-authorization-details` export (repeat).",
        ),
        click.option(
            "--repo",
            "repos",
            multiple=True,
            metavar="PATH|URL",
            help="Scan a repository or directory for secrets (repeat); a URL is cloned.",
        ),
        click.option("--history", is_flag=True, help="Scan every commit on every ref."),
        click.option("--since", metavar="REV", help="Scan only the commits after REV (CI)."),
        click.option("--staged", is_flag=True, help="Scan only staged changes (pre-commit)."),
        click.option(
            "--max-file-size",
            type=click.IntRange(min=1),
            metavar="BYTES",
            help="Skip (and list) files larger than this. Default 5 MiB ([git] in nhiscan.toml).",
        ),
        click.option(
            "--verify",
            is_flag=True,
            help="Check found AWS keys with sts:GetCallerIdentity (off by default).",
        ),
        click.option(
            "--dry-run",
            is_flag=True,
            help="With --verify: list the endpoints it would contact, then stop.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def common_options(func: F) -> F:
    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Settings file (default: ./nhiscan.toml when present).",
        ),
        click.option(
            "--as-of",
            type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"]),
            help="Judge ages as of this UTC time instead of now.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def output_options(func: F) -> F:
    options = [
        click.option(
            "-o", "--output", help="A file, a directory (gets report.json, report.html) or -."
        ),
        click.option(
            "--format",
            "formats",
            multiple=True,
            type=click.Choice(["json", "html", "sarif", "md", "csv"]),
            help="Output format (repeat): json, html, sarif, md (a pull-request summary), csv "
            "(the inventory). Default: by file suffix, or json and html.",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(SEVERITIES, case_sensitive=False),
            help="Exit 1 when a finding is at or above this severity.",
        ),
        click.option("--strict", is_flag=True, default=None, help="Exit 3 on collection gaps."),
        click.option(
            "--baseline",
            type=click.Path(path_type=Path, dir_okay=False, exists=True),
            help="Accepted findings (nhiscan baseline create): only new ones are reported "
            "and gate.",
        ),
        click.option(
            "--agents",
            type=click.Path(path_type=Path, exists=True),
            help="Agent files (a file or a folder): compare each agent's workflow with its "
            "identities' access. Default: [agents] path in nhiscan.toml, else ./agents.yaml or "
            "./agents/ when present.",
        ),
        click.option(
            "--no-agents", is_flag=True, help="Do not look for agent files (no gap analysis)."
        ),
        click.option(
            "--reach/--no-reach",
            default=True,
            help="Build the reach graph (escalation, admin, data reach). --no-reach: lifecycle "
            "rules only, for fast gates on very large estates.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def store_options(func: F) -> F:
    options = [
        click.option(
            "--store",
            metavar="URL",
            help="The history store: sqlite:///path.db or postgresql://user@host/db "
            "(default: $NHISCAN_STORE, else a SQLite file in the user's data directory).",
        ),
        click.option(
            "--no-store", is_flag=True, help="Do not record this scan in the history store."
        ),
        click.option(
            "--notify-webhook",
            metavar="URL",
            help="Post the run's new findings (since the last run) to this webhook "
            "(Slack-compatible JSON).",
        ),
        click.option(
            "--notify-on",
            type=click.Choice(SEVERITIES[:-1], case_sensitive=False),
            default="high",
            show_default=True,
            help="The lowest severity that is posted.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def agents_option(func: F) -> F:
    func = click.option(
        "--no-agents", is_flag=True, help="Do not look for agent files (no gap analysis)."
    )(func)
    return click.option(
        "--agents",
        type=click.Path(path_type=Path, exists=True),
        help="Agent files (default: [agents] path in nhiscan.toml, ./agents.yaml or ./agents/).",
    )(func)


# --- commands ------------------------------------------------------------------------------


@cli.command()
@source_options
@common_options
@click.option("-o", "--output", type=click.Path(path_type=Path), default="nhiscan-snapshot.json")
@click.option("--strict", is_flag=True, default=None, help="Exit 3 on collection gaps.")
@click.pass_context
def collect(ctx: click.Context, /, output: Path, strict: bool | None, **kw: Any) -> None:
    """Collect an inventory snapshot (the only step that talks to clouds)."""
    settings = load_settings(kw.pop("config_path"))
    kw.pop("as_of")
    ctx.exit(run_collect(_sources(kw), settings, output=output, strict=strict))


@cli.command()
@click.argument("snapshot", type=click.Path(path_type=Path, dir_okay=False))
@common_options
@output_options
@click.pass_context
def analyze(ctx: click.Context, /, snapshot: Path, **kw: Any) -> None:
    """Analyse a snapshot offline and write reports."""
    settings, gate = _settings_and_gate(kw)
    ctx.exit(run_analyze(snapshot, settings, gate))


@cli.command()
@source_options
@common_options
@output_options
@store_options
@click.pass_context
def scan(ctx: click.Context, /, **kw: Any) -> None:
    """Collect and analyse in one go, and write reports (and the snapshot beside them)."""
    settings, gate = _settings_and_gate(kw)
    ctx.exit(run_scan(_sources(kw), settings, gate))


@cli.command()
@click.argument("snapshot", required=False, type=click.Path(path_type=Path, dir_okay=False))
@source_options
@common_options
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to a file.")
def inventory(snapshot: Path | None, fmt: str, output: Path | None, **kw: Any) -> None:
    """List identities and credentials (from a snapshot, or collected now)."""
    settings = load_settings(kw.pop("config_path"))
    as_of = _as_of(kw.pop("as_of"))
    run_inventory(snapshot, _sources(kw), settings, fmt=fmt, output=output, now=as_of)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def rules(fmt: str) -> None:
    """List the rules: ids, severities, summaries."""
    click.echo(render_rules(fmt), nl=False)


@cli.command("compile")
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
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Settings file (default: ./nhiscan.toml when present).",
)
@click.pass_context
def compile_command(
    ctx: click.Context,
    /,
    agents: Path,
    output: Path | None,
    previous: Path | None,
    snapshot_path: Path | None,
    config_path: Path | None,
) -> None:
    """Compile agent files into the exact access each agent needs (plan.json), with the
    least-privilege policy per identity."""
    settings = load_settings(config_path)
    ctx.exit(
        run_compile(
            agents,
            output=output,
            previous=previous,
            snapshot_path=snapshot_path,
            settings=settings,
        )
    )


@cli.command("schema")
@click.argument("name", type=click.Choice(["agents", "report"]))
def schema_command(name: str) -> None:
    """Print a published JSON Schema (agents: the agent file format; report: report.json)."""
    click.echo(render_schema(name), nl=False)


@cli.group("baseline")
def baseline_group() -> None:
    """Accepted findings, so that a CI gate fails on new ones only."""


DEFAULT_BASELINE = ".nhiscan-baseline.json"


@baseline_group.command("create")
@click.argument("snapshot", required=False, type=click.Path(path_type=Path, dir_okay=False))
@source_options
@common_options
@click.option("-o", "--output", type=click.Path(path_type=Path), default=DEFAULT_BASELINE)
@agents_option
def baseline_create(snapshot: Path | None, output: Path, **kw: Any) -> None:
    """Accept every current finding (of a snapshot, or of a scan now) into a baseline file."""
    settings = load_settings(kw.pop("config_path"))
    now = _as_of(kw.pop("as_of"))
    agents = (kw.pop("agents"), kw.pop("no_agents"))
    run_baseline(
        snapshot, _sources(kw), settings, output=output, update=False, now=now, agents=agents
    )


@baseline_group.command("update")
@click.argument("snapshot", required=False, type=click.Path(path_type=Path, dir_okay=False))
@source_options
@common_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=DEFAULT_BASELINE,
    help="The baseline to update in place.",
)
@agents_option
def baseline_update(snapshot: Path | None, output: Path, **kw: Any) -> None:
    """Accept the current findings, keep the notes of entries still matching, and drop (and
    list) the entries that match nothing any more."""
    settings = load_settings(kw.pop("config_path"))
    now = _as_of(kw.pop("as_of"))
    agents = (kw.pop("agents"), kw.pop("no_agents"))
    run_baseline(
        snapshot, _sources(kw), settings, output=output, update=True, now=now, agents=agents
    )


# --- reach queries -------------------------------------------------------------------------


def query_options(func: F) -> F:
    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Settings file (default: ./nhiscan.toml when present).",
        ),
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text"),
    ]
    for option in reversed(options):
        func = option(func)
    return source_options(func)


@cli.command("reach")
@click.argument("args", nargs=-1, required=True, metavar="[SNAPSHOT] IDENTITY")
@query_options
def reach_command(args: tuple[str, ...], fmt: str, **kw: Any) -> None:
    """What IDENTITY can reach, directly and through chains: the identities it can act as, the
    accounts it is admin of, and the resources by service and access level, each with a
    shortest path. IDENTITY is an ARN, a user or role name, an access key id, or compute (a
    Lambda function or EC2 instance, acting as its role)."""
    snapshot, (identity,) = _positional(args, "IDENTITY")
    _query(snapshot, kw, lambda s: _queries().answer_reach(s, identity, fmt))


@cli.command("who-can")
@click.argument("args", nargs=-1, required=True, metavar="[SNAPSHOT] ACTION RESOURCE")
@query_options
def who_can_command(args: tuple[str, ...], fmt: str, **kw: Any) -> None:
    """Every principal that may perform ACTION on RESOURCE (an ARN, a resource name, or * for
    actions that take no resource): directly, with the statements that grant it, and through
    chains, with the path."""
    snapshot, (action, resource) = _positional(args, "ACTION", "RESOURCE")
    _query(snapshot, kw, lambda s: _queries().answer_who_can(s, action, resource, fmt))


@cli.command("path")
@click.argument("args", nargs=-1, required=True, metavar="[SNAPSHOT] FROM TO")
@query_options
def path_command(args: tuple[str, ...], fmt: str, **kw: Any) -> None:
    """The shortest path from FROM to TO, hop by hop with the statements behind each hop.
    TO may be `admin`: any account's admin. No path is not an error: exit 0, "no path" (JSON:
    "path": null)."""
    snapshot, (source, target) = _positional(args, "FROM", "TO")
    _query(snapshot, kw, lambda s: _queries().answer_path(s, source, target, fmt))


@cli.group("graph")
def graph_group() -> None:
    """The reach graph itself."""


@graph_group.command("export")
@click.argument("snapshot", required=False, type=click.Path(path_type=Path, dir_okay=False))
@source_options
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Settings file (default: ./nhiscan.toml when present).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["graphml", "json"]),
    help="GraphML (Gephi, yEd) or JSON node-link (Neo4j). Default: by the suffix of -o.",
)
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="A file, or -."
)
def graph_export(snapshot: Path | None, fmt: str | None, output: Path, **kw: Any) -> None:
    """Write the reach graph (every node and edge) as GraphML or JSON."""
    fmt = fmt or _export_format(output)
    _query(snapshot, kw, lambda s: _queries().export(s, fmt), output=output)


# --- history ---------------------------------------------------------------------------------


store_option = click.option(
    "--store",
    metavar="URL",
    help="The history store (default: $NHISCAN_STORE, else the user's data directory).",
)


@cli.group("history", invoke_without_command=True)
@store_option
@click.option("--scope", help="Only the runs of this scope.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def history_group(
    ctx: click.Context, store: str | None, scope: str | None, limit: int, fmt: str
) -> None:
    """The recorded scans, newest first, with their counts (and `history prune`)."""
    if ctx.invoked_subcommand is None:
        from nhiscan.commands_history import run_history

        click.echo(run_history(store, scope=scope, limit=limit, fmt=fmt), nl=False)


@history_group.command("prune")
@store_option
@click.option("--keep", type=click.IntRange(min=1), help="Keep the newest N runs of each scope.")
@click.option("--older-than", metavar="AGE", help="Delete runs older than this (30d, 12h).")
def history_prune(store: str | None, keep: int | None, older_than: str | None) -> None:
    """Delete old runs (with their findings, gaps and deliveries)."""
    from nhiscan.commands_history import run_prune

    click.echo(run_prune(store, keep=keep, older_than=older_than), nl=False, err=True)


@cli.command("diff")
@click.argument("runs", nargs=-1, type=int, metavar="[RUN_A] [RUN_B]")
@store_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def diff_command(runs: tuple[int, ...], store: str | None, fmt: str) -> None:
    """What changed between two runs (default: the last two of the latest run's scope):
    findings, identities, keys, grants per identity and per agent."""
    if len(runs) > 2:
        raise click.UsageError("diff takes at most two run ids")
    from nhiscan.commands_history import run_diff

    first = runs[0] if runs else None
    second = runs[1] if len(runs) == 2 else None
    click.echo(run_diff(store, first, second, fmt=fmt), nl=False)


@cli.command("watch")
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
    from nhiscan.commands_history import run_watch

    settings, gate = _settings_and_gate(kw)
    sources = _sources(kw)

    def one_run() -> int:
        try:
            return run_scan(sources, settings, gate)
        except NhiError as exc:
            click.echo(f"nhiscan: error: {exc}", err=True)
            return 2

    ctx.exit(run_watch(one_run, every=every, cron=cron, max_runs=max_runs, store_url=gate.store))


def _export_format(output: Path) -> str:
    suffix = output.suffix.lower()
    if suffix in (".graphml", ".xml"):
        return "graphml"
    if suffix == ".json":
        return "json"
    raise click.UsageError(f"-o {output}: cannot tell the format from the suffix; add --format")


def _positional(args: tuple[str, ...], *names: str) -> tuple[Path | None, tuple[str, ...]]:
    """[SNAPSHOT] followed by ``names``: one argument more than the names is the snapshot.
    A snapshot file given with an argument missing is a usage error, not a live collection."""
    usage = " ".join(names)
    if len(args) == len(names):
        first = Path(args[0])
        if first.suffix.lower() == ".json" and first.is_file():
            raise click.UsageError(f"{first} is a snapshot: give {usage} after it")
        return None, args
    if len(args) == len(names) + 1:
        return Path(args[0]), args[1:]
    raise click.UsageError(f"expected [SNAPSHOT] {usage}, got {len(args)} argument(s)")


def _query(
    snapshot: Path | None,
    kw: dict[str, Any],
    ask: Callable[[Any], str],
    *,
    output: Path | None = None,
) -> None:
    settings = load_settings(kw.pop("config_path"))
    run_query(snapshot, _sources(kw), settings, ask, output=output)


# --- helpers -------------------------------------------------------------------------------


def _queries() -> Any:
    """The reach queries, imported when a query command runs: they load the graph stack,
    which a pre-commit scan (--staged) should not pay for at start-up."""
    from nhiscan import queries

    return queries


def _sources(kw: dict[str, Any]) -> SourceOptions:
    dry_run = kw.pop("dry_run")
    if dry_run:
        if not kw["verify"]:
            raise click.UsageError("--dry-run goes with --verify")
        click.echo(verify_plan(), nl=False)
        raise click.exceptions.Exit(0)
    return SourceOptions(
        repos=kw.pop("repos"),
        history=kw.pop("history"),
        since=kw.pop("since"),
        staged=kw.pop("staged"),
        max_file_size=kw.pop("max_file_size"),
        verify=kw.pop("verify"),
        demo=kw.pop("demo"),
        aws_profiles=kw.pop("aws_profiles"),
        aws_regions=kw.pop("aws_regions"),
        aws_assume_role=kw.pop("aws_assume_role"),
        aws_org_role=kw.pop("aws_org_role"),
        aws_gaad=kw.pop("aws_gaad"),
    )


def _settings_and_gate(kw: dict[str, Any]) -> tuple[Settings, Gate]:
    settings = load_settings(kw.pop("config_path"))
    fail_on_text = kw.pop("fail_on")
    if fail_on_text is None:
        fail_on = settings.fail_on
    elif fail_on_text.lower() == "never":
        fail_on = None
    else:
        fail_on = parse_severity(fail_on_text, where="--fail-on")
    strict = kw.pop("strict")
    gate = Gate(
        output=kw.pop("output"),
        formats=kw.pop("formats"),
        fail_on=fail_on,
        strict=settings.strict if strict is None else strict,
        now=_as_of(kw.pop("as_of")),
        reach=kw.pop("reach"),
        baseline=kw.pop("baseline"),
        agents=kw.pop("agents"),
        no_agents=kw.pop("no_agents"),
        store=kw.pop("store", None),
        record=not kw.pop("no_store", False),
        notify_webhook=kw.pop("notify_webhook", None),
        notify_on=parse_severity(kw.pop("notify_on", None) or "high", where="--notify-on"),
    )
    if gate.notify_webhook and not gate.record:
        raise click.UsageError(
            "--notify-webhook needs the store (new findings are found there): drop --no-store"
        )
    if gate.agents is not None and gate.no_agents:
        raise click.UsageError("--agents and --no-agents contradict each other")
    return settings, gate


def _as_of(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


if __name__ == "__main__":  # pragma: no cover
    main()

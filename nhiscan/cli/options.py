"""The options the commands share (settings, outputs, the store, agents) and how they become
``Settings`` and a ``Gate``. The source options are in ``sources``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from nhiscan.scanner.model import Severity

if TYPE_CHECKING:  # the orchestration is imported when a command runs, not by --help
    from nhiscan.app.config import Settings
    from nhiscan.app.options import ClusterOptions, Gate

F = TypeVar("F", bound=Callable[..., Any])

SEVERITIES = [s.value for s in Severity] + ["never"]


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Settings file (default: ./nhiscan.toml when present).",
)


# --format of the commands that print for people or for programs (history, diff, queries).
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text (for people) or json (for programs).",
)


def common_options(func: F) -> F:
    options = [
        config_option,
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
            show_default="fail_on in nhiscan.toml, else never",
            help="Exit 1 when a finding is at or above this severity (never: always exit 0).",
        ),
        click.option("--strict", is_flag=True, default=None, help="Exit 3 on collection gaps."),
        click.option(
            "--detail",
            type=click.Choice(["summary", "full"]),
            default="summary",
            show_default=True,
            help="summary: report.json keeps the first 50 items of each agent's long lists "
            "(excess, missing...), riskiest first, with exact totals; full: every item.",
        ),
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
        click.option(
            "--least-privilege",
            type=click.Choice(["plan", "used"]),
            help="The least-privilege policy NHI300 proposes: what the plan needs, or (used) "
            "what it needs and the audit trail saw used. Default: [activity] "
            "least_privilege_used in nhiscan.toml, else plan.",
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


def cluster_options(func: F) -> F:
    """Where the scan's shards run (issue #21)."""
    options = [
        click.option(
            "--executor",
            metavar="SPEC",
            default="local",
            show_default=True,
            help="Run the scan's shards (one account, one repository) on: local (this "
            "process), dask://HOST:8786 or tcp://HOST:8786 (a Dask scheduler; needs "
            "nhiscan[dask]), or local-cluster[:N] (N worker processes on this machine).",
        ),
        click.option(
            "--shards",
            metavar="PATH|s3://BUCKET/PREFIX",
            help="Where workers write the shards: a folder they all share, or S3 (default: "
            "a temporary folder, removed after the scan; needed with a remote scheduler). "
            "With --executor local, the shards run in this process and can be resumed.",
        ),
        click.option(
            "--resume",
            metavar="RUN_ID",
            help="Continue the run RUN_ID (printed by the scan that wrote to --shards): the "
            "shards it wrote are kept, the others run.",
        ),
        click.option(
            "--shard-retries",
            type=click.IntRange(min=0, max=10),
            default=2,
            show_default=True,
            help="Attempts after a shard's first failure before it becomes a collection gap.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def cluster_of(kw: dict[str, Any]) -> ClusterOptions:
    from nhiscan.app.options import ClusterOptions

    return ClusterOptions(
        executor=kw.pop("executor"),
        shards=kw.pop("shards"),
        resume=kw.pop("resume"),
        retries=kw.pop("shard_retries"),
    )


def agents_option(func: F) -> F:
    func = click.option(
        "--no-agents", is_flag=True, help="Do not look for agent files (no gap analysis)."
    )(func)
    return click.option(
        "--agents",
        type=click.Path(path_type=Path, exists=True),
        help="Agent files (default: [agents] path in nhiscan.toml, ./agents.yaml or ./agents/).",
    )(func)


def settings_and_gate(kw: dict[str, Any]) -> tuple[Settings, Gate]:
    from nhiscan.app.config import load_settings, parse_severity
    from nhiscan.app.options import Gate
    from nhiscan.reports.model import Detail

    settings = load_settings(kw.pop("config_path"))
    narrowed = kw.pop("least_privilege", None)
    if narrowed is not None:
        activity = replace(settings.activity, least_privilege_used=narrowed == "used")
        settings = replace(settings, activity=activity)
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
        now=as_of(kw.pop("as_of")),
        detail=Detail(kw.pop("detail")),
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


def as_of(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

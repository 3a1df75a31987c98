"""The reach query commands: ``reach``, ``who-can``, ``path`` and ``graph export``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from nhiscan.cli.options import F, config_option, format_option
from nhiscan.cli.sources import cloud_source_options, sources_of


def query_options(func: F) -> F:
    options = [
        config_option,
        format_option,
    ]
    for option in reversed(options):
        func = option(func)
    return cloud_source_options(func)


@click.command("reach")
@click.argument("args", nargs=-1, required=True, metavar="[SNAPSHOT] IDENTITY")
@query_options
def reach_command(args: tuple[str, ...], fmt: str, **kw: Any) -> None:
    """What IDENTITY can reach, directly and through chains: the identities it can act as, the
    accounts it is admin of, and the resources by service and access level, each with a
    shortest path. IDENTITY is an ARN, a user or role name, an access key id, compute (a
    Lambda function or EC2 instance, acting as its role), or an outside principal of a keyless
    trust (repository:github.com/OWNER/NAME, a workflow: or external: node)."""
    snapshot, (identity,) = _positional(args, "IDENTITY")
    _query(snapshot, kw, lambda s: _queries().answer_reach(s, identity, fmt))


@click.command("who-can")
@click.argument("args", nargs=-1, required=True, metavar="[SNAPSHOT] ACTION RESOURCE")
@query_options
def who_can_command(args: tuple[str, ...], fmt: str, **kw: Any) -> None:
    """Every principal that may perform ACTION on RESOURCE (an ARN, a resource name, or * for
    actions that take no resource): directly, with the statements that grant it, and through
    chains, with the path."""
    snapshot, (action, resource) = _positional(args, "ACTION", "RESOURCE")
    _query(snapshot, kw, lambda s: _queries().answer_who_can(s, action, resource, fmt))


@click.command("path")
@click.argument("args", nargs=-1, required=True, metavar="[SNAPSHOT] FROM TO")
@query_options
def path_command(args: tuple[str, ...], fmt: str, **kw: Any) -> None:
    """The shortest path from FROM to TO, hop by hop with the statements behind each hop.
    TO may be `admin`: any account's admin. No path is not an error: exit 0, "no path" (JSON:
    "path": null)."""
    snapshot, (source, target) = _positional(args, "FROM", "TO")
    _query(snapshot, kw, lambda s: _queries().answer_path(s, source, target, fmt))


@click.group("graph")
def graph_group() -> None:
    """The reach graph itself."""


@graph_group.command("export")
@click.argument("snapshot", required=False, type=click.Path(path_type=Path, dir_okay=False))
@cloud_source_options
@config_option
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
    from nhiscan.app.config import load_settings
    from nhiscan.app.queries import run_query

    settings = load_settings(kw.pop("config_path"))
    run_query(snapshot, sources_of(kw), settings, ask, output=output)


# --- helpers -------------------------------------------------------------------------------


def _queries() -> Any:
    """The reach queries, imported when a query command runs: they load the graph stack,
    which a pre-commit scan (--staged) should not pay for at start-up."""
    from nhiscan import queries

    return queries

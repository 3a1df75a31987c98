"""The reach queries (``reach``, ``who-can``, ``path``, ``graph``): load a subject, ask, write."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from nhiscan.app.config import Settings
from nhiscan.app.options import SourceOptions
from nhiscan.app.outputs import check_writable, write_output
from nhiscan.app.sources import asked_sources, collect_snapshot, given_flags
from nhiscan.errors import ConfigError
from nhiscan.scanner import snapshot
from nhiscan.scanner.snapshot import Snapshot


def load_query_subject(path: Path | None, src: SourceOptions, settings: Settings) -> Any:
    """The reach graph of a snapshot file, or of an estate collected now from ``src``."""
    if path is not None and asked_sources(src):
        given = ", ".join(given_flags(src))
        raise ConfigError(f"{path}: give a snapshot or source options ({given}), not both")
    snap = snapshot.load(path) if path is not None else collect_snapshot(src, settings)
    return subject_of(snap)


def subject_of(snap: Snapshot) -> Any:
    """What the queries ask: the reach graph as the analysis builds it, with the authorizer it
    was built with and the catalogue and id scheme of the snapshot's provider (imported here,
    not at the top: ``nhiscan --help`` loads no provider)."""
    from nhiscan import queries
    from nhiscan.app.estates import estate_of
    from nhiscan.app.pipeline import primary, provider_set, reach_graph

    estate = estate_of(snap)
    found = provider_set(estate)
    graph = reach_graph(estate, found)
    main = primary(found)
    assert graph.authorizer is not None  # build_graph keeps the one it asked
    return queries.Subject(
        graph=graph, authorizer=graph.authorizer, catalog=main.catalog, ids=main.ids
    )


def run_query(
    path: Path | None,
    src: SourceOptions,
    settings: Settings,
    ask: Callable[[Any], str],
    *,
    output: Path | None = None,
) -> None:
    """Load, ask, and write the answer to standard output or ``output`` ("-" is stdout)."""
    to_file = output is not None and str(output) != "-"
    if output is not None and to_file:
        check_writable(output)
    text = ask(load_query_subject(path, src, settings))
    if output is None or not to_file:
        click.echo(text, nl=False)
        return
    write_output(output, text.encode("utf-8"))
    click.echo(f"wrote {output}", err=True)

"""The reach queries (``reach``, ``who-can``, ``path``, ``graph``): load a subject, ask, write."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from nhiscan.app import snapshots
from nhiscan.app.config import Settings
from nhiscan.app.options import SourceOptions
from nhiscan.app.outputs import check_writable, write_output
from nhiscan.app.sources import asked_sources, collect_snapshot, given_flags
from nhiscan.collector import no_cycle_collection
from nhiscan.errors import ConfigError
from nhiscan.scanner.authz import Authorizer, Evaluation
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.snapshot import Snapshot


def load_query_subject(path: Path | None, src: SourceOptions, settings: Settings) -> Any:
    """The reach graph of a snapshot file (the one stored beside it when it matches), or of an
    estate collected now from ``src``."""
    if path is not None and asked_sources(src):
        given = ", ".join(given_flags(src))
        raise ConfigError(f"{path}: give a snapshot or source options ({given}), not both")
    if path is None:
        return subject_of(collect_snapshot(src, settings))
    return subject_of(snapshots.load(path), stored_at=path)


def subject_of(snap: Snapshot, *, stored_at: Path | None = None) -> Any:
    """What the queries ask: the reach graph the scan stored beside the snapshot file
    ``stored_at`` (``app/graphs.py``) when there is one that matches, else the graph as the
    analysis builds it; the authorizer (built from the estate on first use, not by building
    the graph: only ``who-can`` asks it) and the catalogue and id scheme of the snapshot's
    provider. Imported here, not at the top: ``nhiscan --help`` loads no provider."""
    from nhiscan import providers, queries
    from nhiscan.app.estates import estate_of
    from nhiscan.app.graphs import load_graph
    from nhiscan.app.pipeline import primary, provider_set, reach_graph
    from nhiscan.scanner.provider import ProviderSet

    estate = estate_of(snap)
    graph = load_graph(stored_at, estate) if stored_at is not None else None
    if graph is None:
        graph = reach_graph(estate, provider_set(estate))
    else:
        graph.authorizer = Deferred(lambda: _authorizer(estate))
    found = {p.name: p for p in providers.analysed(estate.snapshot)}
    main = primary(ProviderSet(providers=found))
    assert graph.authorizer is not None  # build_graph keeps the one it asked
    return queries.Subject(
        graph=graph, authorizer=graph.authorizer, catalog=main.catalog, ids=main.ids
    )


def _authorizer(estate: Estate) -> Authorizer:
    """The authorizer ``build_graph`` would ask: the providers' analyses of ``estate`` as one
    (an analysis is set up from the estate alone; the graph is not built)."""
    from nhiscan.app.pipeline import provider_set
    from nhiscan.scanner.graph.sources import CompositeSource

    return CompositeSource(estate, provider_set(estate).analyses).authorizer


class Deferred:
    """An ``Authorizer`` built on its first question (``build``), then asked directly: a query
    that asks none (``reach``, ``path``) never sets the providers' analyses up."""

    def __init__(self, build: Callable[[], Authorizer]) -> None:
        self._build: Callable[[], Authorizer] | None = build
        self._built: Authorizer | None = None

    def _get(self) -> Authorizer:
        if self._built is None:
            assert self._build is not None
            self._built, self._build = self._build(), None
        return self._built

    def principals(self) -> Iterable[str]:
        return self._get().principals()

    def evaluate(
        self,
        principal: str,
        action: str,
        resource: str,
        context: Mapping[str, str | Sequence[str] | None] | None = None,
    ) -> Evaluation:
        return self._get().evaluate(principal, action, resource, context)

    def is_admin(self, principal: str) -> Evaluation:
        return self._get().is_admin(principal)

    def admin_of(self, principal: str) -> Iterable[tuple[str, Evaluation]]:
        return self._get().admin_of(principal)


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
    # Millions of objects live to the query's end: see nhiscan/collector.py.
    with no_cycle_collection():
        text = ask(load_query_subject(path, src, settings))
    if output is None or not to_file:
        click.echo(text, nl=False)
        return
    write_output(output, text.encode("utf-8"))
    click.echo(f"wrote {output}", err=True)

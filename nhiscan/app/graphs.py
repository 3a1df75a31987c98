"""The reach graph a scan stores beside its snapshot (``scanner/graph/stored/``): written by
``nhiscan scan`` next to ``snapshot.json`` as ``snapshot.graph.json.gz``, read by the queries.

A stored graph that is missing, stale (another snapshot's, another format's or another nhiscan
version's) or corrupt is never used: the queries say why on standard error, once, and build
the graph again from the snapshot, as they did before graphs were stored.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import click

from nhiscan import __version__
from nhiscan.app.outputs import graph_path, write_output
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph import stored
from nhiscan.scanner.graph.reach import ReachGraph

REBUILDING = "rebuilding it, this can take a while on a large estate"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_graph(snapshot: Path, snapshot_bytes: bytes, graph: ReachGraph | None) -> None:
    """Store ``graph`` beside the snapshot file ``snapshot`` (whose bytes are
    ``snapshot_bytes``; the caller says it was written). With no graph (``--no-reach``) a
    graph stored by an earlier scan is removed: it belongs to the snapshot just replaced."""
    path = graph_path(snapshot)
    if graph is None:
        path.unlink(missing_ok=True)
        return
    document = stored.encode_graph(
        graph, snapshot_sha256=digest(snapshot_bytes), nhiscan=__version__
    )
    write_output(path, stored.dumps(document))


def load_graph(snapshot: Path, estate: Estate) -> ReachGraph | None:
    """The graph stored for the snapshot file ``snapshot`` (``estate`` is its estate), or None
    once standard error says why none can be used."""
    path = graph_path(snapshot)
    try:
        data = path.read_bytes()
        current = digest(snapshot.read_bytes())
    except FileNotFoundError:
        click.echo(f"no stored graph for {snapshot} ({path.name} is not beside it): {REBUILDING}",
                   err=True)  # fmt: skip
        return None
    except OSError as exc:
        click.echo(f"stored graph {path} cannot be read ({exc.strerror}): {REBUILDING}", err=True)
        return None
    try:
        document = stored.loads(data)
        stored.check(document, snapshot_sha256=current, nhiscan=__version__)
        return stored.decode_graph(document, estate)
    except stored.StaleGraph as exc:
        click.echo(f"stored graph {path} is stale: {exc}; {REBUILDING}", err=True)
    except stored.CorruptGraph as exc:
        click.echo(f"stored graph {path} is corrupt, not used: {exc}; {REBUILDING}", err=True)
    return None

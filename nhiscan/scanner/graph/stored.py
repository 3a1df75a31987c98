"""The reach graph a scan built, stored beside its snapshot so that the queries (``reach``,
``who-can``, ``path``, ``graph export``) need not build it again: on a dense estate the build
is most of a scan, and a query must answer in seconds.

The file is gzip-compressed JSON, never pickle (a snapshot folder is handed around, and loading
it must not run code). It is tied to one snapshot by the SHA-256 of the snapshot file's bytes,
and to the code that reads it by ``FORMAT_VERSION`` and the nhiscan version that built it (the
graph is what that version's analysis made of the snapshot): any mismatch is ``StaleGraph``,
anything that does not decode is ``CorruptGraph``, and the caller builds the graph again.

Everything the queries read round-trips exactly: every node with its attributes (hubs are
ordinary nodes), every edge with its key and every field of its ``Hop``, and the escalations
and potential escalations with their steps. The document is compact because the graph repeats
itself: strings (node ids, actions, policy ids) are listed once and named by their position,
and so are statements, statement lists, action lists and evaluations, which thousands of edges
and escalation steps share. Loaded hops share those tuples, as the built ones largely do.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import zlib
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar, cast

import networkx as nx

from nhiscan.errors import SnapshotError
from nhiscan.scanner.authz import Evaluation, StatementRef
from nhiscan.scanner.codec import DecodeError, decode, encode
from nhiscan.scanner.escalation import Escalation, Step
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph.model import EdgeKind, Hop
from nhiscan.scanner.graph.reach import ReachGraph

FORMAT_NAME = "nhiscan-reach-graph"
# Bump on any change to what is written: a new Hop or Escalation field included (the meta-test
# in tests/scanner/graph/test_stored.py fails until this module knows every field).
FORMAT_VERSION = 1
HOP_FIELDS = ("source", "target", "edge", "method", "statements", "conditional", "actions",
              "conditional_actions")  # fmt: skip
_NODE_FIELDS = ("kind", "label", "account", "type")
_NODE_SHAPES = (frozenset(_NODE_FIELDS), frozenset(_NODE_FIELDS[:3]))

K = TypeVar("K", bound=Hashable)
_EdgeRows = Iterable[tuple[str, str, str, dict[str, Any]]]


class StaleGraph(SnapshotError):
    """A stored graph that is sound but not this snapshot's, or not this nhiscan's."""


class CorruptGraph(SnapshotError):
    """A stored graph that cannot be read (truncated, not gzip, not the expected shape)."""


class _Table(Generic[K]):
    """Values listed once, in first-seen order, each named by its position."""

    def __init__(self) -> None:
        self.index: dict[K, int] = {}

    def __call__(self, value: K) -> int:
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.index)
        return found

    def rows(self, fn: Callable[[K], Any] = lambda v: v) -> list[Any]:
        return [fn(value) for value in self.index]


def edge_key(hop: Hop) -> str:
    """The key ``build_graph`` gives a hop's edge (one edge per kind and method per pair)."""
    return hop.edge.value if hop.method is None else f"{hop.edge.value}:{hop.method}"


def encode_graph(graph: ReachGraph, *, snapshot_sha256: str, nhiscan: str) -> dict[str, Any]:
    """The JSON-ready document of ``graph``, built from the snapshot whose file bytes have
    ``snapshot_sha256``, by nhiscan version ``nhiscan``."""
    strings: _Table[str] = _Table()
    refs: _Table[StatementRef] = _Table()
    ref_lists: _Table[tuple[int, ...]] = _Table()
    action_lists: _Table[tuple[int, ...]] = _Table()
    evaluations: _Table[Evaluation] = _Table()
    g = graph.graph
    nodes: list[list[int | None]] = []
    extra: dict[str, dict[str, Any]] = {}
    for position, (node, data) in enumerate(g.nodes.items()):
        if frozenset(data) in _NODE_SHAPES:
            nodes.append(
                [strings(node), *(_opt(strings, data[k]) for k in _NODE_FIELDS if k in data)]
            )
        else:
            nodes.append([strings(node)])
            extra[str(position)] = data
    edges = []
    for source, target, key, data in cast(_EdgeRows, g.edges(keys=True, data=True)):
        if set(data) != {"hop"}:
            raise ValueError(f"edge {source} -> {target} ({key}) has data besides its hop")
        hop: Hop = data["hop"]
        edge: list[Any] = [
            strings(source), strings(target), strings(hop.edge.value),
            _opt(strings, hop.method), int(hop.conditional),
            ref_lists(tuple(refs(r) for r in hop.statements)),
            action_lists(tuple(strings(a) for a in hop.actions)),
            action_lists(tuple(strings(a) for a in hop.conditional_actions)),
        ]  # fmt: skip
        if (hop.source, hop.target) != (source, target):
            raise ValueError(f"edge {source} -> {target} holds the hop of another pair")
        if key != edge_key(hop):
            edge.append(strings(key))
        edges.append(edge)
    escalations = [_escalation(e, strings, evaluations) for e in graph.escalations]
    potential = [_escalation(e, strings, evaluations) for e in graph.potential]
    ref_rows = refs.rows(lambda r: _ref_row(r, strings))  # before the strings are listed
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "nhiscan": nhiscan,
        "snapshot_sha256": snapshot_sha256,
        "strings": strings.rows(),
        "nodes": nodes,
        "node_extra": extra,
        "refs": ref_rows,
        "ref_lists": ref_lists.rows(list),
        "action_lists": action_lists.rows(list),
        "edges": edges,
        "evaluations": evaluations.rows(encode),
        "escalations": escalations,
        "potential": potential,
    }


def _ref_row(ref: StatementRef, strings: _Table[str]) -> list[Any]:
    return [strings(ref.policy_id), ref.index, _opt(strings, ref.sid), strings(ref.effect)]


def _opt(strings: _Table[str], value: str | None) -> int | None:
    return None if value is None else strings(value)


def _escalation(
    escalation: Escalation, strings: _Table[str], evaluations: _Table[Evaluation]
) -> dict[str, Any]:
    """The codec's form of ``escalation``, its steps as [action, resource, evaluation] by
    position in the tables (a step is a NamedTuple, and evaluations repeat)."""
    row: dict[str, Any] = encode(dataclasses.replace(escalation, steps=()))
    row["steps"] = [
        [strings(s.action), strings(s.resource), evaluations(s.evaluation)]
        for s in escalation.steps
    ]
    return row


def dumps(document: dict[str, Any]) -> bytes:
    """The file's bytes (level 6: near the best size, several times faster than 9)."""
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)


def loads(data: bytes) -> dict[str, Any]:
    """The document in ``data``; CorruptGraph when it is no gzip-compressed JSON object."""
    try:
        document = json.loads(gzip.decompress(data))
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise CorruptGraph(f"not a gzip-compressed JSON document ({exc})") from None
    if not isinstance(document, dict):
        raise CorruptGraph("not a JSON object")
    return document


def check(document: dict[str, Any], *, snapshot_sha256: str, nhiscan: str) -> None:
    """StaleGraph (or CorruptGraph for another kind of file) unless ``document`` is a graph of
    this format, of the snapshot with ``snapshot_sha256``, built by nhiscan ``nhiscan``."""
    if document.get("format") != FORMAT_NAME:
        raise CorruptGraph(f"not a stored reach graph (format {document.get('format')!r:.40})")
    if document.get("version") != FORMAT_VERSION:
        raise StaleGraph(
            f"graph format version {document.get('version')!r:.20}, this nhiscan reads "
            f"version {FORMAT_VERSION}"
        )
    if document.get("snapshot_sha256") != snapshot_sha256:
        raise StaleGraph("built from another snapshot (its SHA-256 differs)")
    if document.get("nhiscan") != nhiscan:
        raise StaleGraph(
            f"built by nhiscan {document.get('nhiscan')!r:.40}, this is nhiscan {nhiscan}"
        )


def decode_graph(document: dict[str, Any], estate: Estate) -> ReachGraph:
    """The graph in ``document`` (``check`` it first), over ``estate`` (the snapshot's); no
    authorizer: the caller gives one when a question needs it. CorruptGraph on any part that
    does not fit."""
    try:
        return _decode(document, estate)
    except DecodeError as exc:
        raise CorruptGraph(f"an escalation or evaluation does not decode: {exc}") from None
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise CorruptGraph(f"not the expected shape ({type(exc).__name__}: {exc})") from None


def _decode(doc: dict[str, Any], estate: Estate) -> ReachGraph:
    strings: list[str] = _strings(doc["strings"])
    at = _checked(strings)
    refs = [
        StatementRef(policy_id=at(p), index=_int(i), sid=None if s is None else at(s),
                     effect=at(e))
        for p, i, s, e in doc["refs"]
    ]  # fmt: skip
    ref_lists = [tuple(refs[_int(i)] for i in row) for row in doc["ref_lists"]]
    action_lists = [tuple(at(i) for i in row) for row in doc["action_lists"]]
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    extra = doc["node_extra"]
    for row, node in enumerate(doc["nodes"]):
        attrs = extra[str(row)] if len(node) == 1 else _node_attrs(node, at)
        graph.add_node(at(node[0]), **attrs)
    kinds = {kind.value: kind for kind in EdgeKind}
    for source, target, key, hop in _edges(doc["edges"], at, kinds, ref_lists, action_lists):
        graph.add_edge(source, target, key=key, hop=hop)
    evaluations = [decode(Evaluation, item) for item in doc["evaluations"]]
    return ReachGraph(
        estate=estate,
        graph=graph,
        escalations=tuple(_escalations(doc["escalations"], at, evaluations)),
        potential=tuple(_escalations(doc["potential"], at, evaluations)),
    )


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise TypeError("strings: expected a list of strings")
    return value


def _checked(strings: list[str]) -> Callable[[Any], str]:
    """The string at a position, refusing what is no position (a negative index would pick
    another string silently)."""

    def at(index: Any) -> str:
        return strings[_int(index)]

    return at


def _int(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise ValueError(f"expected a position, got {value!r:.40}")
    return value


def _node_attrs(row: list[Any], at: Callable[[Any], str]) -> dict[str, Any]:
    if len(row) not in (4, 5):
        raise ValueError(f"a node row of {len(row)} values")
    return {
        name: None if v is None else at(v) for name, v in zip(_NODE_FIELDS, row[1:], strict=False)
    }


def _edges(
    rows: Iterable[list[Any]],
    at: Callable[[Any], str],
    kinds: dict[str, EdgeKind],
    ref_lists: list[tuple[StatementRef, ...]],
    action_lists: list[tuple[str, ...]],
) -> Iterable[tuple[str, str, str, Hop]]:
    for row in rows:
        source, target, kind, method, conditional, statements, actions, conditional_actions = row[
            :8
        ]
        hop = Hop(
            source=at(source), target=at(target), edge=kinds[at(kind)],
            method=None if method is None else at(method), statements=ref_lists[_int(statements)],
            conditional=bool(conditional), actions=action_lists[_int(actions)],
            conditional_actions=action_lists[_int(conditional_actions)],
        )  # fmt: skip
        key = at(row[8]) if len(row) > 8 else edge_key(hop)
        yield hop.source, hop.target, key, hop


def _escalations(
    rows: Iterable[dict[str, Any]], at: Callable[[Any], str], evaluations: list[Evaluation]
) -> Iterable[Escalation]:
    for row in rows:
        steps = tuple(
            Step(at(action), at(resource), evaluations[_int(evaluation)])
            for action, resource, evaluation in row["steps"]
        )
        plain = decode(Escalation, {**row, "steps": []})
        yield dataclasses.replace(plain, steps=steps)

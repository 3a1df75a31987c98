"""The reach graph a scan built, stored beside its snapshot so that the queries (``reach``,
``who-can``, ``path``, ``graph export``) need not build it again: on a dense estate the build
is most of a scan, and a query must answer in seconds.

The file is gzip-compressed JSON lines, never pickle (a snapshot folder is handed around, and
loading it must not run code): a header, the graph, and the escalations (read only when asked
for: the queries ask none, and on a dense estate they are a third of the file). It is tied to
one snapshot by the SHA-256 of the snapshot file's bytes, and to the code that reads it by
``FORMAT_VERSION`` and the nhiscan version that built it (the graph is what that version's
analysis made of the snapshot): any mismatch is ``StaleGraph``, anything that does not decode
is ``CorruptGraph``, and the caller builds the graph again.

Everything the queries read round-trips exactly: every node with its attributes (hubs are
ordinary nodes), every edge with its key and every field of its ``Hop``, and the escalations
and potential escalations with their steps. The document is compact because the graph repeats
itself: strings (node ids, actions, policy ids) are listed once and named by their position,
and so are statements, statement lists, action lists and evaluations, which thousands of edges
and escalation steps share. Loaded hops share those tuples, as the built ones largely do.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import networkx as nx

from nhiscan.errors import SnapshotError
from nhiscan.scanner.authz import Evaluation, StatementRef
from nhiscan.scanner.codec import DecodeError, decode, encode
from nhiscan.scanner.escalation import Escalation, Family, Step
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph.model import EdgeKind, Hop
from nhiscan.scanner.graph.reach import ReachGraph

FORMAT_NAME = "nhiscan-reach-graph"
# Bump on any change to what is written: a new Hop or Escalation field included (the meta-test
# in tests/scanner/graph/test_stored.py fails until this module knows every field).
FORMAT_VERSION = 1
HOP_FIELDS = ("source", "target", "edge", "method", "statements", "conditional", "actions",
              "conditional_actions")  # fmt: skip
ESCALATION_FIELDS = ("principal", "method", "family", "target", "potential", "conditional",
                     "missing", "steps", "scope")  # fmt: skip
_NODE_FIELDS = ("kind", "label", "account", "type")
_NODE_SHAPES = (frozenset(_NODE_FIELDS), frozenset(_NODE_FIELDS[:3]))

_EdgeRows = Iterable[tuple[str, str, str, dict[str, Any]]]


class StaleGraph(SnapshotError):
    """A stored graph that is sound but not this snapshot's, or not this nhiscan's."""


class CorruptGraph(SnapshotError):
    """A stored graph that cannot be read (truncated, not gzip, not the expected shape)."""


class _Table(dict[Any, int]):
    """Values listed once, in first-seen order, each named by its position: ``table[value]``
    (a plain dict lookup once the value is listed: the encoder's hot path)."""

    def __missing__(self, value: Any) -> int:
        position = self[value] = len(self)
        return position


def edge_key(hop: Hop) -> str:
    """The key ``build_graph`` gives a hop's edge (one edge per kind and method per pair)."""
    return hop.edge.value if hop.method is None else f"{hop.edge.value}:{hop.method}"


def encode_graph(graph: ReachGraph, *, snapshot_sha256: str, nhiscan: str) -> dict[str, Any]:
    """The JSON-ready parts of ``graph`` (``header``, ``graph``, ``escalations``), built from
    the snapshot whose file bytes have ``snapshot_sha256``, by nhiscan version ``nhiscan``."""
    strings = _Table()
    nodes, extra = _encode_nodes(graph.graph, strings)
    statements, actions = _Table(), _Table()  # tuples of refs, tuples of actions
    rows = cast(_EdgeRows, graph.graph.edges(keys=True, data=True))
    edges, odd_keys = [], {}
    for u, v, key, data in rows:
        edges.append(_encode_edge(u, v, key, data, strings, statements, actions))
        if key != edge_key(data["hop"]):
            odd_keys[str(len(edges) - 1)] = strings[key]
    escalations = _encode_escalations(graph, strings)
    refs = _Table()
    ref_lists = [[refs[ref] for ref in listed] for listed in statements]
    action_lists = [[strings[a] for a in listed] for listed in actions]
    ref_rows = [[strings[r.policy_id], r.index, _opt(strings, r.sid), strings[r.effect]]
                for r in refs]  # fmt: skip
    return {
        "header": {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "nhiscan": nhiscan,
            "snapshot_sha256": snapshot_sha256,
        },
        "graph": {
            "strings": list(strings),  # complete: every row above is made
            "nodes": nodes,
            "node_extra": extra,
            "refs": ref_rows,
            "ref_lists": ref_lists,
            "action_lists": action_lists,
            "edges": edges,
            "edge_keys": odd_keys,
        },
        "escalations": escalations,
    }


def _opt(strings: _Table, value: str | None) -> int | None:
    return None if value is None else strings[value]


def _encode_nodes(
    g: nx.MultiDiGraph[str], strings: _Table
) -> tuple[list[list[int | None]], dict[str, dict[str, Any]]]:
    """Nodes as [id, kind, label, account(, type)]; a node with other attributes as [id],
    its attributes in ``extra`` by position (as they are)."""
    nodes: list[list[int | None]] = []
    extra: dict[str, dict[str, Any]] = {}
    for position, (node, data) in enumerate(g.nodes.items()):
        if frozenset(data) in _NODE_SHAPES:
            values = (_opt(strings, data[k]) for k in _NODE_FIELDS if k in data)
            nodes.append([strings[node], *values])
        else:
            nodes.append([strings[node]])
            extra[str(position)] = data
    return nodes, extra


def _encode_edge(
    source: str,
    target: str,
    key: str,
    data: dict[str, Any],
    strings: _Table,
    statements: _Table,
    actions: _Table,
) -> list[Any]:
    """[from, to, edge, method, conditional, statements, actions, conditional actions] (a key
    other than the one ``build_graph`` gives is kept in ``edge_keys`` by the edge's position)."""
    hop = data.get("hop")
    if len(data) != 1 or not isinstance(hop, Hop):
        raise ValueError(f"edge {source} -> {target} ({key}): data other than its hop")
    if hop.source != source or hop.target != target:
        raise ValueError(f"edge {source} -> {target} holds the hop of another pair")
    edge, method = str(hop.edge), hop.method
    row = [
        strings[source], strings[target], strings[edge],
        None if method is None else strings[method], 1 if hop.conditional else 0,
        statements[hop.statements], actions[hop.actions], actions[hop.conditional_actions],
    ]  # fmt: skip
    return row


def _encode_escalations(graph: ReachGraph, strings: _Table) -> dict[str, Any]:
    """Escalations as rows of ``ESCALATION_FIELDS``, steps by a step list's position (a step
    is [action, resource, evaluation]; the evaluations, few and shared, in the codec's form)."""
    step_lists, steps, evaluations = _Table(), _Table(), _Table()

    def row(e: Escalation) -> list[Any]:
        return [
            strings[e.principal], strings[e.method], strings[str(e.family)],
            strings[e.target], 1 if e.potential else 0, 1 if e.conditional else 0,
            _opt(strings, e.missing), step_lists[e.steps], _opt(strings, e.scope),
        ]  # fmt: skip

    escalations = [row(e) for e in graph.escalations]
    potential = [row(e) for e in graph.potential]
    lists = [[steps[step] for step in listed] for listed in step_lists]
    step_rows = [[strings[s.action], strings[s.resource], evaluations[s.evaluation]]
                 for s in steps]  # fmt: skip
    return {
        "evaluations": [encode(e) for e in evaluations],
        "steps": step_rows,
        "step_lists": lists,
        "escalations": escalations,
        "potential": potential,
    }


_PARTS = ("header", "graph", "escalations")


def dumps(document: dict[str, Any]) -> bytes:
    """The file's bytes: one compact JSON line per part, gzip level 1 (the tables have taken
    out most repetition: level 6 makes it 15% smaller at four times the time, in the scan)."""
    lines = (json.dumps(document[part], separators=(",", ":"), ensure_ascii=False)
             for part in _PARTS)  # fmt: skip
    return gzip.compress("\n".join(lines).encode("utf-8"), compresslevel=1, mtime=0)


def loads(data: bytes) -> dict[str, Any]:
    """The parts in ``data``: the header read, the graph and the escalations still JSON bytes
    (``decode_graph`` reads them). CorruptGraph when it is not gzip (or its checksum fails:
    damage anywhere in the file is found here) or not three lines with a header."""
    try:
        lines = gzip.decompress(data).split(b"\n")
        header = json.loads(lines[0])
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise CorruptGraph(f"not a gzip-compressed JSON document ({exc})") from None
    if not isinstance(header, dict):
        raise CorruptGraph("its first line is not a JSON object")
    ours = header.get("format") == FORMAT_NAME and header.get("version") == FORMAT_VERSION
    if ours and len(lines) != len(_PARTS):
        raise CorruptGraph(f"{len(lines)} lines, not {len(_PARTS)}")
    return dict(zip(_PARTS, [header, *lines[1:]], strict=False))


def check(document: dict[str, Any], *, snapshot_sha256: str, nhiscan: str) -> None:
    """StaleGraph (or CorruptGraph for another kind of file) unless ``document`` is a graph of
    this format, of the snapshot with ``snapshot_sha256``, built by nhiscan ``nhiscan``."""
    header = document["header"]
    if header.get("format") != FORMAT_NAME:
        raise CorruptGraph(f"not a stored reach graph (format {header.get('format')!r:.40})")
    if header.get("version") != FORMAT_VERSION:
        raise StaleGraph(
            f"graph format version {header.get('version')!r:.20}, this nhiscan reads "
            f"version {FORMAT_VERSION}"
        )
    if header.get("snapshot_sha256") != snapshot_sha256:
        raise StaleGraph("built from another snapshot (its SHA-256 differs)")
    if header.get("nhiscan") != nhiscan:
        raise StaleGraph(
            f"built by nhiscan {header.get('nhiscan')!r:.40}, this is nhiscan {nhiscan}"
        )


def decode_graph(document: dict[str, Any], estate: Estate) -> ReachGraph:
    """The graph in ``document`` (``check`` it first), over ``estate`` (the snapshot's); no
    authorizer: the caller gives one when a question needs it. Its escalations are decoded
    when first read. CorruptGraph on any part that does not fit (gzip's checksum has already
    caught damage to the bytes; this catches a file of another shape)."""
    with _corrupt():
        graph, strings = _decode_graph(_parsed(document["graph"]))
    pending = document["escalations"]

    def escalations() -> tuple[tuple[Escalation, ...], tuple[Escalation, ...]]:
        with _corrupt():
            return _decode_escalations(_parsed(pending), strings)

    return StoredReachGraph(estate=estate, graph=graph, decoder=escalations)


@contextmanager
def _corrupt() -> Iterator[None]:
    try:
        yield
    except DecodeError as exc:
        raise CorruptGraph(f"an evaluation does not decode: {exc}") from None
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise CorruptGraph(f"not the expected shape ({type(exc).__name__}: {exc})") from None


def _parsed(part: Any) -> dict[str, Any]:
    found = json.loads(part) if isinstance(part, bytes) else part
    if not isinstance(found, dict):
        raise TypeError("a part is not a JSON object")
    return found


_SLOTS = {name: ReachGraph.__dict__[name] for name in ("escalations", "potential")}


class StoredReachGraph(ReachGraph):
    """A reach graph read from a file: its escalations and potential escalations are decoded
    the first time either is read (a rule or report that needs them reads them as from a built
    graph; a query never pays for them)."""

    __slots__ = ("_decoder",)

    def __init__(
        self,
        *,
        estate: Estate,
        graph: nx.MultiDiGraph[str],
        decoder: Callable[[], tuple[tuple[Escalation, ...], tuple[Escalation, ...]]],
    ) -> None:
        self._decoder: Callable[[], tuple[tuple[Escalation, ...], tuple[Escalation, ...]]] | None
        self._decoder = decoder
        super().__init__(estate=estate, graph=graph, escalations=(), potential=())

    def _settle(self) -> None:
        if self._decoder is not None:
            escalations, potential = self._decoder()
            self._decoder = None
            _SLOTS["escalations"].__set__(self, escalations)
            _SLOTS["potential"].__set__(self, potential)

    @property
    def escalations(self) -> tuple[Escalation, ...]:
        self._settle()
        found: tuple[Escalation, ...] = _SLOTS["escalations"].__get__(self)
        return found

    @escalations.setter
    def escalations(self, value: tuple[Escalation, ...]) -> None:
        _SLOTS["escalations"].__set__(self, value)

    @property
    def potential(self) -> tuple[Escalation, ...]:
        self._settle()
        found: tuple[Escalation, ...] = _SLOTS["potential"].__get__(self)
        return found

    @potential.setter
    def potential(self, value: tuple[Escalation, ...]) -> None:
        _SLOTS["potential"].__set__(self, value)


def _decode_graph(doc: dict[str, Any]) -> tuple[nx.MultiDiGraph[str], list[str]]:
    strings = doc["strings"]
    if not isinstance(strings, list) or not all(type(s) is str for s in strings):
        raise TypeError("strings: expected a list of strings")
    refs = [
        StatementRef(policy_id=strings[p], index=_int(i), sid=None if s is None else strings[s],
                     effect=strings[e])
        for p, i, s, e in doc["refs"]
    ]  # fmt: skip
    ref_lists = [tuple(refs[i] for i in row) for row in doc["ref_lists"]]
    action_lists = [tuple(strings[i] for i in row) for row in doc["action_lists"]]
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    extra = doc["node_extra"]
    for position, row in enumerate(doc["nodes"]):
        attrs = extra[str(position)] if len(row) == 1 else _node_attrs(row, strings)
        graph.add_node(strings[row[0]], **attrs)
    _add_edges(graph, doc["edges"], doc["edge_keys"], strings, ref_lists, action_lists)
    return graph, strings


def _decode_escalations(
    doc: dict[str, Any], strings: list[str]
) -> tuple[tuple[Escalation, ...], tuple[Escalation, ...]]:
    evaluations = [decode(Evaluation, item) for item in doc["evaluations"]]
    steps = [Step(strings[a], strings[r], evaluations[e]) for a, r, e in doc["steps"]]
    step_lists = [tuple(steps[i] for i in row) for row in doc["step_lists"]]
    families = {family.value: family for family in Family}
    return (
        _escalations(doc["escalations"], strings, families, step_lists),
        _escalations(doc["potential"], strings, families, step_lists),
    )


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {value!r:.40}")
    return value


def _node_attrs(row: list[Any], strings: list[str]) -> dict[str, Any]:
    if len(row) not in (4, 5):
        raise ValueError(f"a node row of {len(row)} values")
    return {
        k: None if v is None else strings[v] for k, v in zip(_NODE_FIELDS, row[1:], strict=False)
    }


def _add_edges(
    graph: nx.MultiDiGraph[str],
    rows: Iterable[list[Any]],
    odd_keys: dict[str, int],
    strings: list[str],
    ref_lists: list[tuple[StatementRef, ...]],
    action_lists: list[tuple[str, ...]],
) -> None:
    """Each row's hop, as ``build_graph`` adds it. The hot loop of a query's start: plain
    indexing, the key from the strings rather than from the hop, and the edge written into
    networkx's adjacency as ``MultiDiGraph.add_edge`` writes it (one key dict per pair, shared
    by the successor and the predecessor side), without its per-call checks, which cost more
    than the rest of the load. Both ends must be nodes already (a KeyError otherwise)."""
    kinds = {kind.value: kind for kind in EdgeKind}
    odd = {int(position): key for position, key in odd_keys.items()}
    adjacency = cast(Any, graph)
    succ, pred = adjacency._succ, adjacency._pred
    new_keys, new_data = adjacency.edge_key_dict_factory, adjacency.edge_attr_dict_factory
    for position, (source, target, kind, method, conditional, statements, actions,
                   conditional_actions) in enumerate(rows):  # fmt: skip
        edge, u, v = strings[kind], strings[source], strings[target]
        name = None if method is None else strings[method]
        hop = Hop(
            source=u, target=v, edge=kinds[edge], method=name, statements=ref_lists[statements],
            conditional=conditional == 1, actions=action_lists[actions],
            conditional_actions=action_lists[conditional_actions],
        )  # fmt: skip
        data = new_data()
        data["hop"] = hop
        out = succ[u]
        keys = out.get(v)
        if keys is None:
            keys = out[v] = new_keys()
            pred[v][u] = keys
        key = strings[odd[position]] if position in odd else _key(edge, name)
        keys[key] = data


def _key(edge: str, method: str | None) -> str:
    return edge if method is None else f"{edge}:{method}"


def _escalations(
    rows: Iterable[list[Any]],
    strings: list[str],
    families: dict[str, Family],
    step_lists: list[tuple[Step, ...]],
) -> tuple[Escalation, ...]:
    found = []
    for principal, method, family, target, potential, conditional, missing, steps, scope in rows:
        found.append(
            Escalation(
                principal=strings[principal],
                method=strings[method],
                family=families[strings[family]],
                target=strings[target],
                potential=potential == 1,
                conditional=conditional == 1,
                missing=None if missing is None else strings[missing],
                steps=step_lists[steps],
                scope=None if scope is None else strings[scope],
            )
        )
    return tuple(found)

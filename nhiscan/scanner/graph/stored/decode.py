"""The stored graph's parts back to a reach graph, its escalations when first read."""

from __future__ import annotations

import json
from array import array
from collections import deque
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import pairwise
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # networkx is imported where a graph is made: 0.07 s of any start-up
    import networkx as nx

from nhiscan.scanner.authz import Evaluation, StatementRef
from nhiscan.scanner.codec import DecodeError, decode
from nhiscan.scanner.escalation import Escalation, Family, Member, Step, TargetSet
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph.model import TRAVERSED, EdgeKind, Hop, NodeKind
from nhiscan.scanner.graph.reach import ReachGraph, through
from nhiscan.scanner.graph.stored.format import (
    COLUMN_TYPE,
    NODE_FIELDS,
    CorruptGraph,
    Pending,
    unpack,
)

_STOPS = frozenset({NodeKind.RESOURCE.value, NodeKind.ADMIN.value})  # as ReachGraph.is_stop


def decode_graph(document: dict[str, Any], estate: Estate) -> ReachGraph:
    """The graph in ``document`` (``check`` it first), over ``estate`` (the snapshot's); no
    authorizer: the caller gives one when a question needs it. Only its nodes and tables are
    decoded here: a hop when a question reads it, the networkx graph when ``graph`` is first
    read, the escalations when first read. CorruptGraph on any part that does not fit (gzip's
    checksum has already caught damage to the bytes; this catches a file of another shape)."""
    with _corrupt():
        index = _Index(_parsed(document["graph"]), document["columns"])
    pending = document["escalations"]

    def escalations() -> tuple[tuple[Escalation, ...], tuple[Escalation, ...]]:
        with _corrupt():
            return _decode_escalations(_parsed(pending), index.strings)

    return StoredReachGraph(estate=estate, index=index, decoder=escalations)


@contextmanager
def _corrupt() -> Iterator[None]:
    try:
        yield
    except DecodeError as exc:
        raise CorruptGraph(f"an evaluation does not decode: {exc}") from None
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise CorruptGraph(f"not the expected shape ({type(exc).__name__}: {exc})") from None


def _parsed(part: Any) -> dict[str, Any]:
    if isinstance(part, Pending):
        part = part.read()
    found = json.loads(part) if isinstance(part, bytes) else part
    if not isinstance(found, dict):
        raise TypeError("a part is not a JSON object")
    return found


_SLOTS = {name: ReachGraph.__dict__[name] for name in ("escalations", "potential", "graph")}
_Parent = int | tuple[int, int]  # an edge, or the edge into a hub and the edge out of it


class StoredReachGraph(ReachGraph):
    """A reach graph read from a file, answering from its index (``_Index``): the walks
    (``parents``, ``toward``), a node's hops and attributes decode only the hops they return.
    The networkx graph is built the first time ``graph`` is read (an export, a rule), and the
    escalations and potential escalations the first time either is read: a query pays for
    neither. Every answer is the one the built graph gives (``ReachGraph``'s own methods over
    networkx), in the same order; tests/scanner/graph/test_stored.py compares them."""

    __slots__ = ("_decoder", "_index")

    def __init__(
        self,
        *,
        estate: Estate,
        index: _Index,
        decoder: Callable[[], tuple[tuple[Escalation, ...], tuple[Escalation, ...]]],
    ) -> None:
        self._decoder: Callable[[], tuple[tuple[Escalation, ...], tuple[Escalation, ...]]] | None
        self._decoder = decoder
        self._index = index
        super().__init__(estate=estate, graph=cast(Any, None), escalations=(), potential=())

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

    @property
    def graph(self) -> nx.MultiDiGraph[str]:
        found: nx.MultiDiGraph[str] | None = _SLOTS["graph"].__get__(self)
        if found is None:
            found = self._index.networkx()
            _SLOTS["graph"].__set__(self, found)
        return found

    @graph.setter
    def graph(self, value: nx.MultiDiGraph[str]) -> None:
        _SLOTS["graph"].__set__(self, value)

    # --- what the queries ask, from the index ---------------------------------------------

    def __contains__(self, node: object) -> bool:
        return node in self._index.position

    def attrs(self, node: str) -> Mapping[str, Any]:
        return self._index.attrs[self._index.position[node]]

    def nodes_of(self, kind: NodeKind) -> list[str]:
        index = self._index
        return [n for n, a in zip(index.ids, index.attrs, strict=True) if a["kind"] == kind.value]

    def kind(self, node: str) -> NodeKind:
        return NodeKind(self.attrs(node)["kind"])

    def is_stop(self, node: str) -> bool:
        return self._index.position[node] in self._index.stops

    def label(self, node: str) -> str:
        return str(self.attrs(node).get("label", node))

    def out_hops(self, node: str) -> tuple[Hop, ...]:
        index = self._index
        at = index.position[node]
        return tuple(index.hop(e) for e in range(index.out_start[at], index.out_start[at + 1]))

    def hops_from(self, node: str, edge: EdgeKind | None = None) -> tuple[Hop, ...]:
        index = self._index
        edges = index.walk_of(index.position[node])
        if edge is None:
            return tuple(index.hop(e) for e in edges)
        kinds, types = index.kinds, index.column["type"]
        return tuple(index.hop(e) for e in edges if kinds[types[e]] is edge)

    def parents(
        self,
        start: str,
        *,
        within: Container[str] | None = None,
        until: Callable[[str], bool] | None = None,
    ) -> dict[str, Hop]:
        """``ReachGraph.parents`` over the index: the same hops, found in the same order."""
        index = self._index
        if start not in index.position:
            raise KeyError(start)
        origin = index.position[start]
        ids, target, stops, fed = index.ids, index.column["target"], index.stops, index.fed()
        found: dict[int, _Parent] = {origin: -1}  # the start, taken out at the end
        queue = deque([origin])
        expanded: set[int] = set()
        while queue:
            node = queue.popleft()
            if node != origin and node in stops:
                continue
            ways: Iterable[tuple[int, _Parent]]
            if node in fed:
                ways = index.onward(node, expanded)
            else:
                ways = ((target[e], e) for e in index.walk_of(node))
            for reached, way in ways:
                if reached in found or (within is not None and ids[reached] not in within):
                    continue
                found[reached] = way
                if until is not None and until(ids[reached]):
                    break
                queue.append(reached)
            else:
                continue
            break
        del found[origin]
        return {ids[node]: index.parent_hop(way) for node, way in found.items()}

    def toward(self, sinks: Iterable[str]) -> dict[str, Hop]:
        """``ReachGraph.toward`` over the index (whose in-edges are in the order it sorts)."""
        index = self._index
        source, into, into_start = index.column["source"], index.column["into"], index.into_start
        followed, types, stops = index.followed, index.column["type"], index.stops
        queue = deque(index.position[s] for s in sorted(sinks))
        seen = set(queue)
        found: dict[int, int] = {}
        while queue:
            node = queue.popleft()
            for edge in into[into_start[node] : into_start[node + 1]]:
                before = source[edge]
                if before in seen or not followed[types[edge]] or before in stops:
                    continue
                seen.add(before)
                found[before] = edge
                queue.append(before)
        return {index.ids[node]: index.hop(edge) for node, edge in found.items()}


class _Index:
    """The graph part of a stored file: its tables decoded, its columns as arrays, the nodes'
    ids and attributes; a hop decoded when first asked for (``hop``), then kept."""

    def __init__(self, doc: dict[str, Any], columns: bytes) -> None:
        strings = doc["strings"]
        if not isinstance(strings, list) or not all(type(s) is str for s in strings):
            raise TypeError("strings: expected a list of strings")
        self.strings: list[str] = strings
        if doc["column_type"] != COLUMN_TYPE:
            raise ValueError(f"columns of type {doc['column_type']!r:.40}, not {COLUMN_TYPE}")
        self.column = unpack(doc["columns"], columns)
        refs = [
            StatementRef(policy_id=strings[p], index=_int(i),
                         sid=None if s is None else strings[s], effect=strings[e])
            for p, i, s, e in doc["refs"]
        ]  # fmt: skip
        self.ref_lists = [tuple(refs[i] for i in row) for row in doc["ref_lists"]]
        self.action_lists = [tuple(strings[i] for i in row) for row in doc["action_lists"]]
        kinds = {kind.value: kind for kind in EdgeKind}
        self.types = [
            (kinds[strings[kind]], None if method is None else strings[method], _flag(flag))
            for kind, method, flag in doc["types"]
        ]
        self.kinds = [kind for kind, _, _ in self.types]
        self.followed = [k in TRAVERSED and k is not EdgeKind.CAN_ACCESS for k in self.kinds]
        self.odd_keys = {int(at): strings[key] for at, key in doc["edge_keys"].items()}
        extra = doc["node_extra"]
        rows = doc["nodes"]
        self.ids = [strings[row[0]] for row in rows]
        self.attrs = [extra[str(at)] if len(row) == 1 else _node_attrs(row, strings)
                      for at, row in enumerate(rows)]  # fmt: skip
        self.position = {node: at for at, node in enumerate(self.ids)}
        if len(self.position) != len(rows):
            raise ValueError("a node is listed twice")
        self.stops = {at for at, a in enumerate(self.attrs) if a["kind"] in _STOPS}
        self.hubs = {at for at, a in enumerate(self.attrs) if a["kind"] == NodeKind.HUB.value}
        self._check()
        self.out_start, self.into_start = self.column["out_start"], self.column["into_start"]
        self._walk, self._walk_start = self.column["walk"], self.column["walk_start"]
        self._hops: dict[int, Hop] = {}
        self._fed: set[int] | None = None

    def _check(self) -> None:
        """Every column's length, and every value a position in what it names: a query never
        meets a row that does not decode (a ValueError here, CorruptGraph for the caller)."""
        column, nodes = self.column, len(self.ids)
        edges = len(column["source"])
        bounds = {"source": nodes, "target": nodes, "type": len(self.types),
                  "statements": len(self.ref_lists), "actions": len(self.action_lists),
                  "conditional_actions": len(self.action_lists), "walk": edges, "into": edges,
                  "out_start": edges + 1, "walk_start": len(column["walk"]) + 1,
                  "into_start": edges + 1}  # fmt: skip
        for name, bound in bounds.items():
            values = column[name]
            starts = name.endswith("_start")
            if len(values) != (nodes + 1 if starts else edges) and name not in ("walk",):
                raise ValueError(f"column {name}: {len(values)} values")
            if values and max(values) >= bound:
                raise ValueError(f"column {name}: a value past the end of what it names")
            if starts and (
                values[0] != 0 or values[-1] != bound - 1 or any(a > b for a, b in pairwise(values))
            ):
                raise ValueError(f"column {name}: not where parts begin")  # fmt: skip
        if len(column["walk"]) > edges:
            raise ValueError("column walk: more values than edges")

    def walk_of(self, node: int) -> array[int]:
        """The node's traversed edges in ``hop_order``."""
        return self._walk[self._walk_start[node] : self._walk_start[node + 1]]

    def hop(self, edge: int) -> Hop:
        found = self._hops.get(edge)
        if found is None:
            column = self.column
            kind, method, conditional = self.types[column["type"][edge]]
            found = self._hops[edge] = Hop(
                source=self.ids[column["source"][edge]], target=self.ids[column["target"][edge]],
                edge=kind, method=method, statements=self.ref_lists[column["statements"][edge]],
                conditional=conditional, actions=self.action_lists[column["actions"][edge]],
                conditional_actions=self.action_lists[column["conditional_actions"][edge]],
            )  # fmt: skip
        return found

    def parent_hop(self, way: _Parent) -> Hop:
        if isinstance(way, int):
            return self.hop(way)
        return through(self.hop(way[0]), self.hop(way[1]))

    def fed(self) -> set[int]:
        """The nodes with a traversed hop into a hub (``ReachGraph._onward`` goes through it)."""
        if self._fed is None:
            source, walked = self.column["source"], set(self._walk)
            self._fed = {
                source[e]
                for hub in self.hubs
                for e in self.column["into"][self.into_start[hub] : self.into_start[hub + 1]]
                if e in walked
            }
        return self._fed

    def onward(self, node: int, expanded: set[int]) -> list[tuple[int, _Parent]]:
        """``ReachGraph._onward`` for a node with a hop into a hub: each hub's hops followed
        through as one hop (the hub once per walk), in ``hop_order`` with ties in the order
        ``_onward`` lists them. Each way as (the node it reaches, the parent it records)."""
        target, hubs, edges = self.column["target"], self.hubs, self.walk_of(node)
        if all(target[e] not in hubs or target[e] in expanded for e in edges):
            return [(target[e], e) for e in edges if target[e] not in hubs]
        found: list[tuple[tuple[Any, ...], int, _Parent]] = []
        for edge in edges:
            into = target[edge]
            if into not in hubs:
                found.append((self._order(edge, edge), into, edge))
            elif into not in expanded:
                expanded.add(into)
                found += (
                    (self._order(edge, onward), target[onward], (edge, onward))
                    for onward in self.walk_of(into)
                    if target[onward] != node
                )
        found.sort(key=lambda way: way[0])
        return [(reached, way) for _, reached, way in found]

    def _order(self, into: int, out: int) -> tuple[Any, ...]:
        """``hop_order`` of the hop ``into`` (an edge) and ``out`` as one (``through``): of
        the edge itself when they are the same."""
        types, column = self.types, self.column
        kind, method, conditional = types[column["type"][out]]
        if into != out:
            _, first, before = types[column["type"][into]]
            method, conditional = method or first, conditional or before
        return (conditional, kind.value, self.ids[column["target"][out]], method or "")

    def networkx(self) -> nx.MultiDiGraph[str]:
        """The whole graph, as ``build_graph`` made it: nodes and edges in its order, each
        edge under its key with its hop."""
        import networkx as nx

        graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        graph.add_nodes_from((node, dict(a)) for node, a in zip(self.ids, self.attrs, strict=True))
        _add_edges(graph, self)
        return graph


def _flag(value: Any) -> bool:
    if value not in (0, 1):
        raise ValueError(f"expected 0 or 1, got {value!r:.20}")
    return bool(value == 1)


def _decode_escalations(
    doc: dict[str, Any], strings: list[str]
) -> tuple[tuple[Escalation, ...], tuple[Escalation, ...]]:
    evaluations = [decode(Evaluation, item) for item in doc["evaluations"]]
    steps = [Step(strings[a], strings[r], evaluations[e]) for a, r, e in doc["steps"]]
    step_lists = [tuple(steps[i] for i in row) for row in doc["step_lists"]]
    families = {family.value: family for family in Family}
    sets = [_target_set(row, strings) for row in doc["sets"]]
    return (
        _escalations(doc["escalations"], strings, families, step_lists, sets),
        _escalations(doc["potential"], strings, families, step_lists, sets),
    )


def _target_set(row: list[Any], strings: list[str]) -> TargetSet:
    set_id, label, members = row
    return TargetSet(
        id=strings[set_id],
        label=strings[label],
        members=tuple(_member(member, strings) for member in members),
    )


def _member(row: list[Any], strings: list[str]) -> Member:
    target, resource, missing, conditional, unless = row
    return Member(
        target=strings[target],
        resource=strings[resource],
        missing=None if missing is None else strings[missing],
        conditional=conditional == 1,
        unless=None if unless is None else strings[unless],
    )


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {value!r:.40}")
    return value


def _node_attrs(row: list[Any], strings: list[str]) -> dict[str, Any]:
    if len(row) not in (4, 5):
        raise ValueError(f"a node row of {len(row)} values")
    return {
        k: None if v is None else strings[v] for k, v in zip(NODE_FIELDS, row[1:], strict=False)
    }


def _add_edges(graph: nx.MultiDiGraph[str], index: _Index) -> None:
    """Each edge's hop, as ``build_graph`` adds it: the key from the types rather than from
    the hop, and the edge written into networkx's adjacency as ``MultiDiGraph.add_edge`` writes
    it (one key dict per pair, shared by the successor and the predecessor side), without its
    per-call checks, which cost more than the rest of the load."""
    adjacency = cast(Any, graph)
    succ, pred = adjacency._succ, adjacency._pred
    new_keys, new_data = adjacency.edge_key_dict_factory, adjacency.edge_attr_dict_factory
    keys_of = [_key(kind.value, method) for kind, method, _ in index.types]
    types, odd = index.column["type"], index.odd_keys
    for edge in range(len(types)):
        hop = index.hop(edge)
        u, v = hop.source, hop.target
        data = new_data()
        data["hop"] = hop
        out = succ[u]
        keys = out.get(v)
        if keys is None:
            keys = out[v] = new_keys()
            pred[v][u] = keys
        keys[odd[edge] if edge in odd else keys_of[types[edge]]] = data


def _key(edge: str, method: str | None) -> str:
    return edge if method is None else f"{edge}:{method}"


def _escalations(
    rows: Iterable[list[Any]],
    strings: list[str],
    families: dict[str, Family],
    step_lists: list[tuple[Step, ...]],
    sets: list[TargetSet],
) -> tuple[Escalation, ...]:
    found = []
    for row in rows:
        principal, method, family, target, potential, conditional, missing, steps, scope, within = (
            row
        )
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
                within=None if within is None else sets[within],
            )
        )
    return tuple(found)

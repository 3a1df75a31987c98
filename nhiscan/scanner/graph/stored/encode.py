"""A reach graph to the stored graph's parts: every value that repeats listed once."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # networkx is imported where a graph is made: 0.07 s of any start-up
    import networkx as nx

from nhiscan.scanner.codec import encode
from nhiscan.scanner.escalation import Escalation, Member, TargetSet
from nhiscan.scanner.graph.model import TRAVERSED, Hop
from nhiscan.scanner.graph.reach import ReachGraph, hop_order
from nhiscan.scanner.graph.stored.format import (
    COLUMN_TYPE,
    COLUMNS,
    FORMAT_NAME,
    FORMAT_VERSION,
    NODE_FIELDS,
    NODE_SHAPES,
    Table,
    edge_key,
    pack,
)

_EdgeRows = Iterable[tuple[str, str, str, dict[str, Any]]]


def encode_graph(graph: ReachGraph, *, snapshot_sha256: str, nhiscan: str) -> dict[str, Any]:
    """The parts of ``graph``'s file (``header``, ``graph`` and ``escalations`` JSON-ready,
    ``columns`` bytes), built from the snapshot whose file bytes have ``snapshot_sha256``, by
    nhiscan version ``nhiscan``."""
    strings = Table()
    nodes, extra = _encode_nodes(graph.graph, strings)
    edges = _encode_edges(graph.graph, strings)
    escalations = _encode_escalations(graph, strings)
    refs = Table()
    ref_lists = [[refs[ref] for ref in listed] for listed in edges.statements]
    action_lists = [[strings[a] for a in listed] for listed in edges.actions]
    ref_rows = [[strings[r.policy_id], r.index, _opt(strings, r.sid), strings[r.effect]]
                for r in refs]  # fmt: skip
    types = [[strings[kind], _opt(strings, method), 1 if conditional else 0]
             for kind, method, conditional in edges.types]  # fmt: skip
    directory, columns = pack(edges.columns)
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
            "types": types,
            "edge_keys": edges.odd_keys,
            "column_type": COLUMN_TYPE,
            "columns": directory,
        },
        "escalations": escalations,
        "columns": columns,
    }


class _Edges:
    """The edges as columns (``format.COLUMNS``) and the tables their rows name."""

    def __init__(self) -> None:
        self.types: Table = Table()  # (kind, method, conditional)
        self.statements: Table = Table()  # tuples of refs
        self.actions: Table = Table()  # tuples of actions
        self.odd_keys: dict[str, int] = {}
        self.columns: dict[str, list[int]] = {name: [] for name in COLUMNS}


def _encode_edges(g: nx.MultiDiGraph[str], strings: Table) -> _Edges:
    """Every edge in networkx's order (grouped by source, in node order), and the index a
    query walks by: each node's traversed edges in ``hop_order`` (``walk``), and each node's
    edges in by (conditional, kind, source, edge): the order who-can's backwards walk takes."""
    found = _Edges()
    columns = found.columns
    position = {node: at for at, node in enumerate(g)}
    hops: list[Hop] = []
    for u, v, key, data in cast(_EdgeRows, g.edges(keys=True, data=True)):
        hop = _hop(u, v, key, data)
        if key != edge_key(hop):
            found.odd_keys[str(len(hops))] = strings[key]
        hops.append(hop)
        columns["source"].append(position[u])
        columns["target"].append(position[v])
        columns["type"].append(found.types[(str(hop.edge), hop.method, hop.conditional)])
        columns["statements"].append(found.statements[hop.statements])
        columns["actions"].append(found.actions[hop.actions])
        columns["conditional_actions"].append(found.actions[hop.conditional_actions])
    count = len(position)
    columns["out_start"] = _starts(columns["source"], count)
    walk: list[list[int]] = [[] for _ in range(count)]
    into: list[list[int]] = [[] for _ in range(count)]
    for edge, hop in enumerate(hops):
        into[columns["target"][edge]].append(edge)
        if hop.edge in TRAVERSED:
            walk[columns["source"][edge]].append(edge)
    for edges in walk:
        edges.sort(key=lambda e: hop_order(hops[e]))
    for edges in into:
        edges.sort(key=lambda e: (hops[e].conditional, hops[e].edge.value, hops[e].source, e))
    columns["walk"], columns["walk_start"] = _flat(walk)
    columns["into"], columns["into_start"] = _flat(into)
    return found


def _hop(source: str, target: str, key: str, data: dict[str, Any]) -> Hop:
    hop = data.get("hop")
    if len(data) != 1 or not isinstance(hop, Hop):
        raise ValueError(f"edge {source} -> {target} ({key}): data other than its hop")
    if hop.source != source or hop.target != target:
        raise ValueError(f"edge {source} -> {target} holds the hop of another pair")
    return hop


def _starts(sources: list[int], count: int) -> list[int]:
    """Where each node's edges begin in edges grouped by source in node order (and where the
    last ends)."""
    starts = [0] * (count + 1)
    for source in sources:
        starts[source + 1] += 1
    for node in range(count):
        starts[node + 1] += starts[node]
    if any(a > b for a, b in pairwise(sources)):
        raise ValueError("the graph's edges are not grouped by source in node order")
    return starts


def _flat(groups: list[list[int]]) -> tuple[list[int], list[int]]:
    flat, starts = [], [0]
    for group in groups:
        flat += group
        starts.append(len(flat))
    return flat, starts


def _opt(strings: Table, value: str | None) -> int | None:
    return None if value is None else strings[value]


def _encode_nodes(
    g: nx.MultiDiGraph[str], strings: Table
) -> tuple[list[list[int | None]], dict[str, dict[str, Any]]]:
    """Nodes as [id, kind, label, account(, type)]; a node with other attributes as [id],
    its attributes in ``extra`` by position (as they are)."""
    nodes: list[list[int | None]] = []
    extra: dict[str, dict[str, Any]] = {}
    for position, (node, data) in enumerate(g.nodes.items()):
        if frozenset(data) in NODE_SHAPES:
            values = (_opt(strings, data[k]) for k in NODE_FIELDS if k in data)
            nodes.append([strings[node], *values])
        else:
            nodes.append([strings[node]])
            extra[str(position)] = data
    return nodes, extra


def _encode_escalations(graph: ReachGraph, strings: Table) -> dict[str, Any]:
    """Escalations as rows of ``ESCALATION_FIELDS``, steps by a step list's position (a step
    is [action, resource, evaluation]; the evaluations, few and shared, in the codec's form)."""
    step_lists, steps, evaluations = Table(), Table(), Table()
    sets: dict[str, tuple[int, TargetSet]] = {}  # a target set's id -> (position, the set)

    def within(e: Escalation) -> int | None:
        found = e.within
        if found is None:
            return None
        if found.id not in sets:
            sets[found.id] = (len(sets), found)
        return sets[found.id][0]

    def row(e: Escalation) -> list[Any]:
        return [
            strings[e.principal], strings[e.method], strings[str(e.family)],
            strings[e.target], 1 if e.potential else 0, 1 if e.conditional else 0,
            _opt(strings, e.missing), step_lists[e.steps], _opt(strings, e.scope), within(e),
        ]  # fmt: skip

    def member(m: Member) -> list[Any]:
        return [strings[m.target], strings[m.resource], _opt(strings, m.missing),
                1 if m.conditional else 0, _opt(strings, m.unless)]  # fmt: skip

    escalations = [row(e) for e in graph.escalations]
    potential = [row(e) for e in graph.potential]
    lists = [[steps[step] for step in listed] for listed in step_lists]
    step_rows = [[strings[s.action], strings[s.resource], evaluations[s.evaluation]]
                 for s in steps]  # fmt: skip
    return {
        "sets": [
            [strings[found.id], strings[found.label], [member(m) for m in found.members]]
            for _, found in sets.values()
        ],
        "evaluations": [encode(e) for e in evaluations],
        "steps": step_rows,
        "step_lists": lists,
        "escalations": escalations,
        "potential": potential,
    }

"""A reach graph to the stored graph's parts: every value that repeats listed once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import networkx as nx

from nhiscan.scanner.codec import encode
from nhiscan.scanner.escalation import Escalation, Member, TargetSet
from nhiscan.scanner.graph.model import Hop
from nhiscan.scanner.graph.reach import ReachGraph
from nhiscan.scanner.graph.stored.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    NODE_FIELDS,
    NODE_SHAPES,
    Table,
    edge_key,
)

_EdgeRows = Iterable[tuple[str, str, str, dict[str, Any]]]


def encode_graph(graph: ReachGraph, *, snapshot_sha256: str, nhiscan: str) -> dict[str, Any]:
    """The JSON-ready parts of ``graph`` (``header``, ``graph``, ``escalations``), built from
    the snapshot whose file bytes have ``snapshot_sha256``, by nhiscan version ``nhiscan``."""
    strings = Table()
    nodes, extra = _encode_nodes(graph.graph, strings)
    statements, actions = Table(), Table()  # tuples of refs, tuples of actions
    rows = cast(_EdgeRows, graph.graph.edges(keys=True, data=True))
    edges, odd_keys = [], {}
    for u, v, key, data in rows:
        edges.append(_encode_edge(u, v, key, data, strings, statements, actions))
        if key != edge_key(data["hop"]):
            odd_keys[str(len(edges) - 1)] = strings[key]
    escalations = _encode_escalations(graph, strings)
    refs = Table()
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


def _encode_edge(
    source: str,
    target: str,
    key: str,
    data: dict[str, Any],
    strings: Table,
    statements: Table,
    actions: Table,
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

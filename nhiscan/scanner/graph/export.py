"""The reach graph as files other tools read: GraphML (Gephi, yEd, networkx) and a JSON
node-link document (Neo4j's ``apoc.load.json``, jq, any script).

Every node and edge of the graph is exported, including the edges reach does not follow
(``member_of``, ``runs_as``, ``can_pass_role``). Both forms list nodes by id and edges by
(from, to, edge, method), so exporting one snapshot twice gives the same bytes.

GraphML takes only strings, numbers and booleans as attribute values: a hop's actions become
a comma-separated list and its statements a ``; ``-separated list of ``policy[index]`` texts
(see :func:`ref_text`). An unknown value (an account or type nhiscan does not know) is left out
rather than written as an empty string.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # networkx is imported where a graph is made: 0.07 s of any start-up
    import networkx as nx

from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.graph.model import Hop
from nhiscan.scanner.graph.reach import ReachGraph

FORMAT_NAME = "nhiscan-graph"
FORMAT_VERSION = 1
NODE_FIELDS = ("kind", "label", "account", "type")


def ref_text(ref: StatementRef) -> str:
    """One statement for a person: ``<policy id>[1] (Sid)``, with its effect unless Allow."""
    text = f"{ref.policy_id}[{ref.index}]"
    if ref.sid:
        text += f" ({ref.sid})"
    if ref.effect != "Allow":
        text += f" {ref.effect}"
    return text


def ref_json(ref: StatementRef) -> dict[str, Any]:
    return {"policy_id": ref.policy_id, "index": ref.index, "sid": ref.sid, "effect": ref.effect}


def node_json(graph: ReachGraph, node: str) -> dict[str, Any]:
    """A node as the JSON outputs show it: id, kind, label, account and type (None: unknown)."""
    data = graph.attrs(node)
    return {"id": node, **{name: data.get(name) for name in NODE_FIELDS}}


def hops(graph: ReachGraph) -> Iterator[Hop]:
    """Every edge's hop, in a stable order."""
    found = [data["hop"] for _, _, data in graph.graph.edges(data=True)]
    yield from sorted(found, key=_edge_order)


def to_json(graph: ReachGraph) -> dict[str, Any]:
    """The node-link document: ``nodes`` (id, kind, label, account, type) and ``edges`` (from,
    to, edge, method, conditional, actions, conditional_actions, statements)."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "nodes": [node_json(graph, node) for node in sorted(graph.graph.nodes)],
        "edges": [_edge_json(hop) for hop in hops(graph)],
    }


def _edge_json(hop: Hop) -> dict[str, Any]:
    return {
        "from": hop.source,
        "to": hop.target,
        "edge": hop.edge.value,
        "method": hop.method,
        "conditional": hop.conditional,
        "actions": list(hop.actions),
        "conditional_actions": list(hop.conditional_actions),
        "statements": [ref_json(ref) for ref in hop.statements],
    }


def to_graphml_graph(graph: ReachGraph) -> nx.MultiDiGraph[str]:
    """A copy of the graph whose attributes are all GraphML-safe scalars."""
    import networkx as nx

    out: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for node in sorted(graph.graph.nodes):
        data = graph.graph.nodes[node]
        out.add_node(node, **{k: str(data[k]) for k in NODE_FIELDS if data.get(k) is not None})
    for hop in hops(graph):
        attrs: dict[str, Any] = {"edge": hop.edge.value, "conditional": hop.conditional}
        if hop.method is not None:
            attrs["method"] = hop.method
        if hop.actions:
            attrs["actions"] = ",".join(hop.actions)
        if hop.conditional_actions:
            attrs["conditional_actions"] = ",".join(hop.conditional_actions)
        if hop.statements:
            attrs["statements"] = "; ".join(ref_text(ref) for ref in hop.statements)
        out.add_edge(hop.source, hop.target, key=_key(hop), **attrs)
    return out


def to_graphml(graph: ReachGraph) -> str:
    import networkx as nx

    return "\n".join(nx.generate_graphml(to_graphml_graph(graph), named_key_ids=True)) + "\n"


def _key(hop: Hop) -> str:
    return hop.edge.value if hop.method is None else f"{hop.edge.value}:{hop.method}"


def _edge_order(hop: Hop) -> tuple[str, str, str, str]:
    return (hop.source, hop.target, hop.edge.value, hop.method or "")

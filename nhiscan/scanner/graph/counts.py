"""How much every node reaches, for all nodes at once: the number of nodes, resources and admin
sinks ``ReachGraph.parents`` would find from it, without a walk per node. (For a node that is
itself a stop, a resource or an admin sink, the count is 0: nothing asks about those.)

The traversed edges (resources and admin sinks end a path, as in ``ReachGraph.parents``) are
condensed into their strongly connected components, a DAG; in reverse topological order each
component's reach is its members plus its successors' reach, held as a bit set (a Python int
over the node indices). On the 15,000-principal bench estate this replaces 15,000 walks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx

from nhiscan.scanner.graph.model import TRAVERSED, NodeKind
from nhiscan.scanner.graph.reach import ReachGraph


@dataclass(frozen=True, slots=True)
class ReachCount:
    nodes: int  # every node reached (not counting itself)
    resources: int  # resource nodes among them
    admin: bool  # an account's admin sink among them


def reach_counts(graph: ReachGraph) -> Mapping[str, ReachCount]:
    names = list(graph.graph.nodes)
    index = {name: i for i, name in enumerate(names)}
    walk: nx.DiGraph[int] = nx.DiGraph()
    walk.add_nodes_from(range(len(names)))
    for source, target, data in graph.graph.edges(data=True):
        if data["hop"].edge in TRAVERSED and not graph.is_stop(source):
            walk.add_edge(index[source], index[target])
    dag = nx.condensation(walk)
    members = nx.get_node_attributes(dag, "members")
    reached: dict[int, int] = {}
    for component in reversed(list(nx.topological_sort(dag))):
        bits = 0
        for node in members[component]:
            bits |= 1 << node
        for successor in dag.successors(component):
            bits |= reached[successor]
        reached[component] = bits
    resources = _mask(graph, names, NodeKind.RESOURCE)
    admins = _mask(graph, names, NodeKind.ADMIN)
    hubs = _mask(graph, names, NodeKind.HUB)  # not a node reached: what is behind it is
    mapping = dag.graph["mapping"]
    counts = {}
    for name, i in index.items():
        bits = reached[mapping[i]] & ~(1 << i) & ~hubs
        counts[name] = ReachCount(
            nodes=bits.bit_count(),
            resources=(bits & resources).bit_count(),
            admin=bool(bits & admins),
        )
    return counts


def _mask(graph: ReachGraph, names: list[str], kind: NodeKind) -> int:
    bits = 0
    for i, name in enumerate(names):
        if graph.kind(name) is kind:
            bits |= 1 << i
    return bits

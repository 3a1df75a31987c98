"""How much every node reaches, for all nodes at once: the number of nodes, resources and admin
sinks ``ReachGraph.parents`` would find from it, without a walk per node. (For a node that is
itself a stop, a resource or an admin sink, the count is 0: nothing asks about those.)

Each node's reach is a bit set (a Python int over the node indices) summed up over the strongly
connected components of the hops paths follow (``closure``: resources and admin sinks end a
path, as in ``ReachGraph.parents``). On the 15,000-principal bench estate this replaces 15,000
walks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from nhiscan.scanner.graph.closure import closures
from nhiscan.scanner.graph.model import NodeKind
from nhiscan.scanner.graph.reach import ReachGraph


@dataclass(frozen=True, slots=True)
class ReachCount:
    nodes: int  # every node reached (not counting itself)
    resources: int  # resource nodes among them
    admin: bool  # an account's admin sink among them


def reach_counts(graph: ReachGraph) -> Mapping[str, ReachCount]:
    names = list(graph.graph.nodes)
    index = {name: i for i, name in enumerate(names)}
    starts = [name for name in names if not graph.is_stop(name)]
    reached = closures(graph, starts, lambda name: 1 << index[name])
    resources = _mask(graph, names, NodeKind.RESOURCE)
    admins = _mask(graph, names, NodeKind.ADMIN)
    hubs = _mask(graph, names, NodeKind.HUB)  # not a node reached: what is behind it is
    counts = {}
    for name, i in index.items():
        bits = reached.get(name, 0) & ~(1 << i) & ~hubs
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

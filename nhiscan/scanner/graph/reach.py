"""``ReachGraph``: the built graph and the questions asked of it (reach, paths, who can)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph.model import TRAVERSED, EdgeKind, Hop, NodeKind
from nhiscan.scanner.privesc import Escalation

Path = tuple[Hop, ...]
_STOPS = frozenset({NodeKind.RESOURCE.value, NodeKind.ADMIN.value})


@dataclass(slots=True)
class ReachGraph:
    estate: Estate
    graph: nx.MultiDiGraph[str]
    escalations: tuple[Escalation, ...]  # concrete: everything they need exists
    potential: tuple[Escalation, ...]  # would work if a missing resource existed
    _out: dict[str, tuple[Hop, ...]] = field(default_factory=dict)

    def hops_from(self, node: str) -> tuple[Hop, ...]:
        """The traversed hops leaving ``node``: certain ones first, then by kind and target."""
        found = self._out.get(node)
        if found is None:
            hops = [
                data["hop"]
                for _, _, data in self.graph.out_edges(node, data=True)
                if data["hop"].edge in TRAVERSED
            ]
            found = tuple(sorted(hops, key=_hop_order))
            self._out[node] = found
        return found

    def reach(self, start: str) -> dict[str, Path]:
        """Every node ``start`` reaches, with a shortest path (fewest hops, certain hops
        preferred). Resources and admin sinks end a path."""
        parents = self.parents(start)
        return {node: unwind(parents, node) for node in parents}

    def parents(self, start: str) -> dict[str, Hop]:
        """Breadth-first from ``start``: for each node reached, the hop it was first reached
        by (``unwind`` turns it into a path). Cheaper than paths when only the set matters."""
        if start not in self.graph:
            raise KeyError(start)
        parents: dict[str, Hop] = {}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if node != start and self.is_stop(node):
                continue
            for hop in self.hops_from(node):
                if hop.target not in parents and hop.target != start:
                    parents[hop.target] = hop
                    queue.append(hop.target)
        return parents

    def path(self, source: str, target: str) -> Path | None:
        return self.reach(source).get(target)

    def kind(self, node: str) -> NodeKind:
        return NodeKind(self.graph.nodes[node]["kind"])

    def is_stop(self, node: str) -> bool:
        return self.graph.nodes[node]["kind"] in _STOPS

    def label(self, node: str) -> str:
        return str(self.graph.nodes[node].get("label", node))

    def edges(self, kind: EdgeKind) -> Iterator[Hop]:
        for _, _, data in self.graph.edges(data=True):
            if data["hop"].edge is kind:
                yield data["hop"]

    def admin_path(self, start: str) -> Path | None:
        """The shortest path from ``start`` to any account's admin sink, if there is one."""
        best: Path | None = None
        for node, path in self.reach(start).items():
            if self.kind(node) is NodeKind.ADMIN and (best is None or len(path) < len(best)):
                best = path
        return best


def unwind(parents: dict[str, Hop], node: str) -> Path:
    hops = []
    while node in parents:
        hop = parents[node]
        hops.append(hop)
        node = hop.source
    return tuple(reversed(hops))


def _hop_order(hop: Hop) -> tuple[Any, ...]:
    return (hop.conditional, hop.edge.value, hop.target, hop.method or "")

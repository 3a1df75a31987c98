"""``ReachGraph``: the built graph and the questions asked of it (reach, paths, who can)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # networkx is imported where a graph is made: 0.07 s of any start-up
    import networkx as nx

from nhiscan.scanner.authz import Authorizer
from nhiscan.scanner.escalation import Escalation
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph.model import TRAVERSED, EdgeKind, Hop, NodeKind, is_hub

Path = tuple[Hop, ...]
_STOPS = frozenset({NodeKind.RESOURCE.value, NodeKind.ADMIN.value})


@dataclass(slots=True)
class ReachGraph:
    estate: Estate
    graph: nx.MultiDiGraph[str]
    escalations: tuple[Escalation, ...]  # concrete: everything they need exists
    potential: tuple[Escalation, ...]  # would work if a missing resource existed
    # The evaluator the graph was built with, kept so later analyses (gaps.py) ask the same one.
    authorizer: Authorizer | None = None
    _out: dict[str, tuple[Hop, ...]] = field(default_factory=dict)
    _into_hubs: frozenset[str] | None = None  # the nodes with a hop into a hub
    # What analyses compute once per graph (``admin_paths``, the rules' ``per_graph``): kept
    # with the graph and collected with it. A module-level WeakKeyDictionary keyed by the graph
    # never let go of it (its values refer back to the graph), so a process analysing one
    # group after another (a Dask worker, issue #21) kept every graph it had built.
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __contains__(self, node: object) -> bool:
        return node in self.graph

    def attrs(self, node: str) -> Mapping[str, Any]:
        """The node's attributes (kind, label, account, type, ...)."""
        found: Mapping[str, Any] = self.graph.nodes[node]
        return found

    def nodes_of(self, kind: NodeKind) -> list[str]:
        """The nodes of ``kind``, in the graph's order."""
        return [n for n, data in self.graph.nodes(data=True) if data["kind"] == kind.value]

    def out_hops(self, node: str) -> tuple[Hop, ...]:
        """Every hop leaving ``node``, traversed or not, in the graph's order."""
        return tuple(data["hop"] for _, _, data in self.graph.out_edges(node, data=True))

    def hops_from(self, node: str, edge: EdgeKind | None = None) -> tuple[Hop, ...]:
        """The traversed hops leaving ``node``: certain ones first, then by kind and target;
        with ``edge``, those of that kind alone."""
        found = self._out.get(node)
        if found is None:
            hops = [
                data["hop"]
                for _, _, data in self.graph.out_edges(node, data=True)
                if data["hop"].edge in TRAVERSED
            ]
            found = tuple(sorted(hops, key=hop_order))
            self._out[node] = found
        return found if edge is None else tuple(h for h in found if h.edge is edge)

    def toward(self, sinks: Iterable[str]) -> dict[str, Hop]:
        """Backwards breadth-first from ``sinks``: for each node that reaches one along the
        edges reach follows (can_access aside: a resource is no sink), the first hop of a
        shortest way there (certain hops preferred), in the order found. Resources and admin
        sinks are not entered; hubs are (a hop into one is shown through it by the caller)."""
        toward: dict[str, Hop] = {}
        queue = deque(sorted(sinks))
        seen = set(queue)
        while queue:
            node = queue.popleft()
            hops = [d["hop"] for _, _, d in self.graph.in_edges(node, data=True)]
            for hop in sorted(hops, key=lambda h: (h.conditional, h.edge.value, h.source)):
                source = hop.source
                if hop.edge not in TRAVERSED or hop.edge is EdgeKind.CAN_ACCESS or source in seen:
                    continue
                if self.is_stop(source):
                    continue
                seen.add(source)
                toward[source] = hop
                queue.append(source)
        return toward

    def reach(self, start: str) -> dict[str, Path]:
        """Every node ``start`` reaches, with a shortest path (fewest hops, certain hops
        preferred). Resources and admin sinks end a path. Hubs are never reached: a hop
        through one is one hop (``parents``)."""
        parents = self.parents(start)
        return {node: unwind(parents, node) for node in parents}

    def parents(
        self,
        start: str,
        *,
        within: Container[str] | None = None,
        until: Callable[[str], bool] | None = None,
    ) -> dict[str, Hop]:
        """Breadth-first from ``start``: for each node reached, the hop it was first reached
        by (``unwind`` turns it into a path). Cheaper than paths when only the set matters.
        ``within``: only nodes in it are entered (when the nodes that can lead to what is
        sought are known, the rest need not be walked); ``until``: stop at the first node
        reached that it accepts (the nearest, breadth-first). A hub is never a node reached: a
        hop into one and a hop out of it are one hop (``_onward``), as in a graph of pairs."""
        if start not in self.graph:
            raise KeyError(start)
        parents: dict[str, Hop] = {}
        queue = deque([start])
        expanded: set[str] = set()  # hubs already followed: all behind them is found
        while queue:
            node = queue.popleft()
            if node != start and self.is_stop(node):
                continue
            for hop in self._onward(node, expanded):
                target = hop.target
                if target in parents or target == start:
                    continue
                if within is not None and target not in within:
                    continue
                parents[target] = hop
                if until is not None and until(target):
                    return parents
                queue.append(target)
        return parents

    def _onward(self, node: str, expanded: set[str]) -> tuple[Hop, ...]:
        """``hops_from(node)``, each hop into a hub replaced by the hops through it (as one
        hop each, ``through``) in the order the hops of every pair would have: the walk finds
        what the graph of every pair would, by the same paths. A hub followed once in a walk
        is not followed again (what is behind it was found from the first node that could)."""
        hops = self.hops_from(node)
        if self._into_hubs is None:
            hubs = [n for n in self.graph if is_hub(n)]
            self._into_hubs = frozenset(u for hub in hubs for u in self.graph.predecessors(hub))
        if node not in self._into_hubs:
            return hops
        found: list[Hop] = []
        for hop in hops:
            if not is_hub(hop.target):
                found.append(hop)
            elif hop.target not in expanded:
                expanded.add(hop.target)
                found += (
                    through(hop, onward)
                    for onward in self.hops_from(hop.target)
                    if onward.target != node
                )
        return tuple(sorted(found, key=hop_order))

    def assumes(self, node: str) -> Iterator[Hop]:
        """The can_assume hops leaving ``node``, a hub's hops followed through to each role
        behind it (one hop, the statements of both): what "may assume" means to a reader."""
        for hop in self.hops_from(node):
            if hop.edge is not EdgeKind.CAN_ASSUME:
                continue
            if not is_hub(hop.target):
                yield hop
                continue
            for onward in self.hops_from(hop.target):
                if onward.edge is EdgeKind.CAN_ASSUME and onward.target != node:
                    yield through(hop, onward)

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
        """The shortest path from ``start`` to any account's admin sink, if there is one (the
        first sink reached breadth-first, which is also the first of the shortest in
        ``reach`` order)."""
        parents = self.parents(start, until=self.is_admin)
        found = [node for node in parents if self.is_admin(node)]
        return unwind(parents, found[0]) if found else None

    def is_admin(self, node: str) -> bool:
        return self.kind(node) is NodeKind.ADMIN


def unwind(parents: dict[str, Hop], node: str) -> Path:
    """The path to ``node`` (``parents`` holds no hub: ``ReachGraph.parents`` walks through
    one as one hop naming the statements of both)."""
    hops = []
    while node in parents:
        hop = parents[node]
        hops.append(hop)
        node = hop.source
    return tuple(reversed(hops))


def through(into: Hop, out: Hop) -> Hop:
    """The hop ``into`` a hub and the hop ``out`` of it as one: the caller to the role, with the
    caller's statements and the role's trust statements (to a target set's member: the
    principal's escalation method and statements)."""
    return Hop(
        source=into.source,
        target=out.target,
        edge=out.edge,
        method=out.method or into.method,
        statements=tuple(dict.fromkeys((*into.statements, *out.statements))),
        conditional=into.conditional or out.conditional,
    )


def hop_order(hop: Hop) -> tuple[Any, ...]:
    """The order of the hops leaving a node, which walks follow (``nearest`` chooses by it
    too): certain before conditional, then by edge kind, target and method."""
    return (hop.conditional, hop.edge.value, hop.target, hop.method or "")

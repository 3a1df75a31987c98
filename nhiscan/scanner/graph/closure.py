"""What each of many starts reaches, summed up in one walk of the graph instead of a
breadth-first walk per start (issue #16: on a dense estate one walk can touch every principal,
and the blast radius walked once per identity holding a key).

Nodes on a cycle reach the same nodes, so the walk finds the strongly connected components
(Tarjan's algorithm, iterative: estates are deeper than Python's recursion limit) and gives each
component, once the components it leads to are done, the union of its members' labels and
theirs. Labels are bit sets (Python integers): a union is one ``|``, however many nodes it
stands for. A node reaches what ``ReachGraph.parents`` reaches from it, itself included: the
hops paths follow, resources and admin sinks end a path (nothing is walked on from one), and a
hub's members are reached through it. The hub itself has a label like any node (give it none to
leave it out); a hop into a hub and back to the node it left (which ``parents`` leaves out)
only closes a cycle through the node itself, and so adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from nhiscan.scanner.graph.model import TRAVERSED
from nhiscan.scanner.graph.reach import ReachGraph


def closures(
    graph: ReachGraph, starts: Iterable[str], label: Callable[[str], int]
) -> dict[str, int]:
    """For each of ``starts`` (none of them a resource or an admin sink: those end a path
    rather than start one), the union of ``label(node)`` over every node it reaches,
    itself included."""
    walk = _Walk(graph, label)
    found = {}
    for start in starts:
        if start not in walk.component:
            walk.visit(start)
        found[start] = walk.closure[walk.component[start]]
    return found


class _Walk:
    def __init__(self, graph: ReachGraph, label: Callable[[str], int]) -> None:
        self._graph = graph
        self._label = label
        self._order: dict[str, int] = {}  # the order nodes were first met in
        self._low: dict[str, int] = {}  # the earliest node on the stack each leads back to
        self._stack: list[str] = []
        self._on_stack: set[str] = set()
        self.component: dict[str, int] = {}  # node -> its component, once done
        self.closure: list[int] = []  # component -> the union of what it reaches
        self._next: dict[str, tuple[str, ...]] = {}  # node -> the targets of its hops

    def successors(self, node: str) -> tuple[str, ...]:
        """The targets of the hops paths follow from ``node``, each once (parallel hops are
        one step here), in any order: not sorted as ``hops_from`` sorts them. Read once."""
        found = self._next.get(node)
        if found is None:
            found = ()
            if not self._graph.is_stop(node):
                edges = self._graph.graph.out_edges(node, data=True)
                found = tuple(
                    dict.fromkeys(t for _, t, data in edges if data["hop"].edge in TRAVERSED)
                )
            self._next[node] = found
        return found

    def visit(self, root: str) -> None:
        self._meet(root)
        work = [(root, iter(self.successors(root)))]
        while work:
            node, onward = work[-1]
            for target in onward:
                if target not in self._order:
                    self._meet(target)
                    work.append((target, iter(self.successors(target))))
                    break
                if target in self._on_stack:
                    self._low[node] = min(self._low[node], self._order[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    self._low[parent] = min(self._low[parent], self._low[node])
                if self._low[node] == self._order[node]:
                    self._close(node)

    def _meet(self, node: str) -> None:
        self._order[node] = self._low[node] = len(self._order)
        self._stack.append(node)
        self._on_stack.add(node)

    def _close(self, root: str) -> None:
        """Pop ``root``'s component: every component it leads to is already done."""
        members = []
        while True:
            node = self._stack.pop()
            self._on_stack.discard(node)
            members.append(node)
            if node == root:
                break
        number = len(self.closure)
        for node in members:
            self.component[node] = number
        bits = 0
        for node in members:
            bits |= self._label(node)
            for target in self.successors(node):
                other = self.component[target]
                if other != number:
                    bits |= self.closure[other]
        self.closure.append(bits)

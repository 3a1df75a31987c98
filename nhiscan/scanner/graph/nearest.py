"""Shortest paths from every node to the nearest of a set of sinks (the admin sinks), in time
linear in the graph: the paths ``ReachGraph.parents(start, until=...)`` finds, without a walk
per start (issue #16: on a dense estate one walk can touch every principal, and a walk per
principal is quadratic).

How. One breadth-first walk backwards from all the sinks at once gives each node its
distance: the fewest hops of a path to a sink, as a forward walk counts them (a hub is no hop:
its distance is its nearest member's; resources and sinks end a path, so nothing is walked
back through one, but a resource starting a walk has a distance of its own). Then the path from
``start``, at distance d, is built by descent: at each node, of the hops ``_onward`` would give
(each hop into a hub replaced by the hops through it, in ``hop_order``), the first whose target
is at distance one less, until a sink.

Why it is the path the forward walk finds. Number the hops leaving each node in the order the
walk tries them (``_onward``'s sorted order, ties kept in the order the hops were listed) and
name a path by the sequence of its hops' numbers. A first-in-first-out breadth-first walk
dequeues the nodes at depth k in the lexicographic order of the smallest such sequence of a
shortest path to each (induction on k: a node at depth k+1 is first found from the earliest
dequeued node at depth k with a hop to it, by that node's lowest numbered hop to it, which is the
smallest sequence ending there), and finds them in that same order. So the first sink it finds
is, of all the paths of the least length to any sink, the one with the smallest sequence; and
the smallest sequence of a given length is built hop by hop, each time taking the lowest
numbered hop from which a sink is still within the hops left, which is what the descent takes.
The suffix of that path from any node on it is that node's own path, so each node's first hop
is found once and kept. Two details of the walk leave this unchanged: it follows a hub only the
first time a walk meets it (every node behind the hub is found then, so a later node through it
would find nothing new), and ``within`` keeps it to nodes that lead to a sink (the others never
lie on a path to one).

Hubs lead to members, never to another hub (as ``ReachGraph.parents`` assumes).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nhiscan.scanner.graph.model import TRAVERSED, Hop, is_hub
from nhiscan.scanner.graph.reach import Path, ReachGraph, hop_order, through


class Nearest:
    """Each node's distance to the nearest of ``sinks``, and its shortest path to one: the
    path ``ReachGraph.parents(node, until=<a sink>)`` finds (see the module's docstring)."""

    def __init__(self, graph: ReachGraph, sinks: Iterable[str]) -> None:
        self._graph = graph
        self._sinks = frozenset(sinks)
        self._distance = distances(graph, self._sinks)
        self._first: dict[str, Hop] = {}  # each node's first hop on its path
        # (hub, certainty and method of a hop into it) -> the hop out it continues by
        self._member: dict[tuple[str, bool, str | None], Hop] = {}
        self._nearest_members: dict[str, list[Hop]] = {}

    def reaches(self, node: str) -> bool:
        """Whether a path leads from ``node`` to a sink (a sink reaches itself)."""
        return node in self._distance

    def distance(self, node: str) -> int | None:
        return self._distance.get(node)

    def path(self, start: str) -> Path | None:
        """The shortest path from ``start`` to a sink (empty for a sink), None when none."""
        left = self._distance.get(start)
        if left is None:
            return None
        if is_hub(start):  # a walk from a hub takes its hops as they are: one hop to a member
            first = self._members(start)[0]
            return (first, *(self.path(first.target) or ()))
        hops = []
        node = start
        while left > 0:
            hop = self._first.get(node)
            if hop is None:
                hop = self._first[node] = self._step(node, left)
            hops.append(hop)
            node = hop.target
            left -= 1
        return tuple(hops)

    def _step(self, node: str, left: int) -> Hop:
        """The first hop from ``node`` (at distance ``left``), in the order ``_onward`` gives
        them, whose target is one hop nearer a sink. ``_onward`` sorts the hops leaving the
        node (``hops_from``: by ``hop_order``, ties in the graph's order), puts the hops through
        each hub in place of the first hop into it (the others into it are left out), and sorts
        again, stably: a hop's place is its ``hop_order``, then the place of the hop it came
        by. Ranked so here, without sorting every hop."""
        chosen: tuple[tuple[Any, ...], Hop] | None = None
        entries: dict[str, tuple[tuple[Any, ...], int, Hop]] = {}  # hub -> its first hop in
        for place, (_, target, data) in enumerate(self._graph.graph.out_edges(node, data=True)):
            hop: Hop = data["hop"]
            if hop.edge not in TRAVERSED:
                continue
            if is_hub(target):
                entry = (hop_order(hop), place, hop)
                if target not in entries or entry[:2] < entries[target][:2]:
                    entries[target] = entry
            elif self._distance.get(target) == left - 1 and self._enters(target):
                rank = (hop_order(hop), hop_order(hop), place)
                if chosen is None or rank < chosen[0]:
                    chosen = (rank, hop)
        for hub, (order, place, hop) in entries.items():
            if self._distance.get(hub) == left - 1:
                onward = through(hop, self._through(hub, hop))
                rank = (hop_order(onward), order, place)
                if chosen is None or rank < chosen[0]:
                    chosen = (rank, onward)
        if chosen is None:
            raise AssertionError(f"no hop from {node} at distance {left}")  # pragma: no cover
        return chosen[1]

    def _through(self, hub: str, into: Hop) -> Hop:
        """The hop out of ``hub`` that the hop ``into`` it continues by on a shortest path: of
        the members at the hub's distance, the first the walk would try (the least
        ``hop_order`` of the hop through, then the member's place in ``hops_from(hub)``). That
        order depends on the hop into the hub by its certainty and method only."""
        key = (hub, into.conditional, into.method)
        found = self._member.get(key)
        if found is None:
            found = min(self._members(hub), key=lambda out: hop_order(through(into, out)))
            self._member[key] = found
        return found

    def _members(self, hub: str) -> list[Hop]:
        """The hops out of ``hub`` to its members at its own distance, in ``hops_from`` order."""
        found = self._nearest_members.get(hub)
        if found is None:
            at = self._distance[hub]
            found = [
                h
                for h in self._graph.hops_from(hub)
                if self._distance.get(h.target) == at and self._enters(h.target)
            ]
            self._nearest_members[hub] = found
        return found

    def _enters(self, node: str) -> bool:
        """Whether a path may go on through ``node``, or end there (a sink)."""
        return node in self._sinks or not self._graph.is_stop(node)


def distances(graph: ReachGraph, sinks: frozenset[str]) -> dict[str, int]:
    """Each node from which a path leads to one of ``sinks``, with the hops of the shortest:
    breadth-first backwards from all the sinks at once, along the hops paths follow. A hub is
    given its nearest member's distance (a hop into it and out of it is one hop) and is walked
    back from at once, with the nodes of that distance; a stop (a resource) is given its
    distance as a start but not walked back from: no path goes on through it."""
    found = dict.fromkeys(sinks, 0)
    level = list(sinks)
    depth = 0
    while level:
        following: list[str] = []
        while level:
            node = level.pop()
            if node not in sinks and graph.is_stop(node):
                continue
            for source, _, data in graph.graph.in_edges(node, data=True):
                if source in found or data["hop"].edge not in TRAVERSED:
                    continue
                if is_hub(source):
                    found[source] = depth
                    level.append(source)
                else:
                    found[source] = depth + 1
                    following.append(source)
        level = following
        depth += 1
    return found


def admin_paths(graph: ReachGraph) -> Nearest:
    """The shortest path from each node to an admin sink, found once per graph (kept in its
    ``memo``: the graph is never changed once built) for the rules and the blast radius."""
    found: Nearest | None = graph.memo.get(ADMIN_PATHS)
    if found is None:
        sinks = [n for n in graph.graph if graph.is_admin(n)]
        found = graph.memo[ADMIN_PATHS] = Nearest(graph, sinks)
    return found


ADMIN_PATHS = "nearest.admin-paths"

"""``reach_counts`` gives, for every node at once, exactly what a walk from that node finds."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from nhiscan.scanner.graph import EdgeKind, Hop, NodeKind, ReachGraph
from nhiscan.scanner.graph.counts import ReachCount, reach_counts
from tests import reach_estates
from tests.factories import estate


def _walked(graph: ReachGraph) -> dict[str, ReachCount]:
    """A walk from every node that is not itself a stop (a resource or an admin sink: nothing
    is asked about those)."""
    found = {}
    for node in graph.graph.nodes:
        if graph.is_stop(node):
            continue
        reached = graph.parents(node)
        kinds = [graph.kind(n) for n in reached]
        found[node] = ReachCount(
            nodes=len(reached),
            resources=sum(1 for k in kinds if k is NodeKind.RESOURCE),
            admin=any(k is NodeKind.ADMIN for k in kinds),
        )
    return found


def test_counts_match_a_walk_from_every_node_of_the_reach_estate() -> None:
    graph = reach_estates.graph()
    counts = reach_counts(graph)
    walked = _walked(graph)
    assert {n: counts[n] for n in walked} == walked
    assert any(c.admin for c in counts.values()) and any(c.resources for c in counts.values())


KINDS = [NodeKind.IDENTITY, NodeKind.IDENTITY, NodeKind.CREDENTIAL, NodeKind.RESOURCE,
         NodeKind.ADMIN, NodeKind.GROUP]  # fmt: skip
EDGES = [EdgeKind.CAN_ASSUME, EdgeKind.ESCALATES_TO, EdgeKind.CAN_ACCESS, EdgeKind.HAS_CREDENTIAL,
         EdgeKind.MEMBER_OF, EdgeKind.IS_ADMIN]  # fmt: skip


@pytest.mark.parametrize("seed", range(20))
def test_counts_match_a_walk_on_random_graphs_with_cycles_and_stops(seed: int) -> None:
    rng = random.Random(seed)
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    size = rng.randrange(5, 40)
    for i in range(size):
        g.add_node(f"n{i}", kind=rng.choice(KINDS).value, label=f"n{i}")
    for _ in range(rng.randrange(size, size * 4)):
        a, b = f"n{rng.randrange(size)}", f"n{rng.randrange(size)}"
        g.add_edge(a, b, hop=Hop(source=a, target=b, edge=rng.choice(EDGES)))
    graph = ReachGraph(estate=estate(), graph=g, escalations=(), potential=())
    counts, walked = reach_counts(graph), _walked(graph)
    assert {n: counts[n] for n in walked} == walked

"""``Nearest``: every node's shortest path to an admin sink from one walk back from the sinks
must be exactly the path the breadth-first walk from that node finds (``ReachGraph.parents``
with ``until``), hop for hop, statements and all: compared on many random graphs with hubs,
conditional hops, parallel hops, resources (which end paths, and may start them), hops no path
follows, and admin sinks that inherit others (``random_graphs``)."""

from __future__ import annotations

import networkx as nx
import pytest

from nhiscan.rules.reach_support import leading_to
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.blast import blast_radius
from nhiscan.scanner.graph import EdgeKind, Hop, NodeKind, ReachGraph
from nhiscan.scanner.graph.model import hub_node, is_hub
from nhiscan.scanner.graph.nearest import Nearest, admin_paths
from tests import factories as f
from tests.scanner.graph.hub_reference import dense_records, hub_nodes, report, snapshot_of
from tests.scanner.graph.random_graphs import breadth_first, breadth_first_radius, random_graph


def _raw(graph: ReachGraph, hop: Hop) -> list[Hop]:
    """The graph's own hops from ``hop``'s source to its target (none: it goes through a hub)."""
    return [
        d["hop"] for d in graph.graph.get_edge_data(hop.source, hop.target, default={}).values()
    ]


@pytest.mark.parametrize("block", range(10))
def test_every_path_is_the_breadth_first_one(block: int) -> None:
    compared = hubbed = 0
    for seed in range(block * 40, block * 40 + 40):
        graph, _ = random_graph(seed)
        sinks = [n for n in graph.graph if graph.is_admin(n)]
        nearest = Nearest(graph, sinks)
        reaching = leading_to(graph, sinks)
        for node in sorted(graph.graph):
            expected = breadth_first(graph, node, None)
            assert nearest.reaches(node) == (node in reaching), (seed, node)
            if is_hub(node):
                assert nearest.path(node) == (
                    breadth_first(graph, node, reaching) if node in reaching else None
                ), (seed, node)
                continue
            assert nearest.path(node) == expected, (seed, node)
            assert breadth_first(graph, node, reaching) == expected, (seed, node)
            if expected:
                assert nearest.distance(node) == len(expected)
                compared += 1
                hubbed += any(h not in _raw(graph, h) for h in expected)
    assert compared > 200 and hubbed  # the graphs are not trivial: most nodes reach a sink


def test_a_hop_through_a_hub_keeps_the_first_member_in_hop_order() -> None:
    """Two members equally near: the path goes through the one the walk tries first (certain
    before conditional), naming the statements of the hop into the hub and out of it."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    hub = hub_node("1", "sts:AssumeRole")
    for node in ("caller", "a-role", "b-role"):
        graph.add_node(node, kind=NodeKind.IDENTITY.value)
    graph.add_node(hub, kind=NodeKind.HUB.value)
    graph.add_node("admin:1", kind=NodeKind.ADMIN.value)
    grant, trust_a, trust_b = (StatementRef(policy_id=p, index=0) for p in ("grant", "a", "b"))
    edges = [
        Hop(source="caller", target=hub, edge=EdgeKind.CAN_ASSUME, statements=(grant,)),
        Hop(source=hub, target="a-role", edge=EdgeKind.CAN_ASSUME, statements=(trust_a,),
            conditional=True),
        Hop(source=hub, target="b-role", edge=EdgeKind.CAN_ASSUME, statements=(trust_b,)),
        Hop(source="a-role", target="admin:1", edge=EdgeKind.IS_ADMIN),
        Hop(source="b-role", target="admin:1", edge=EdgeKind.IS_ADMIN),
    ]  # fmt: skip
    for hop in edges:
        graph.add_edge(hop.source, hop.target, hop=hop)
    reach = ReachGraph(estate=f.estate(), graph=graph, escalations=(), potential=())
    path = admin_paths(reach).path("caller")
    assert path is not None
    assert [(h.source, h.target) for h in path] == [("caller", "b-role"), ("b-role", "admin:1")]
    assert path[0].statements == (grant, trust_b) and not path[0].conditional
    assert path == reach.admin_path("caller")


@pytest.mark.parametrize("seed", [7, 11])
def test_built_graphs_with_hubs_give_the_breadth_first_paths(seed: int) -> None:
    """On graphs the builder makes from a dense estate (hubs of callers and roles), every node's
    admin path and every blast radius is the one the walk from it finds."""
    graph = report(snapshot_of(dense_records(seed)), min_pairs=1).graph
    assert graph is not None and hub_nodes(graph)
    nearest = admin_paths(graph)
    found = 0
    for node in sorted(graph.graph):
        expected = breadth_first(graph, node, None) if not is_hub(node) else nearest.path(node)
        assert nearest.path(node) == expected, node
        found += bool(expected)
    assert found > 20
    blast = blast_radius(graph, graph.estate.snapshot.credentials, f.providers().facts)
    for radius in blast:
        assert radius.radius == breadth_first_radius(graph, radius.credential.identity)

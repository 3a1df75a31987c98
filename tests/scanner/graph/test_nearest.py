"""``Nearest``: every node's shortest path to an admin sink from one walk back from the sinks
must be exactly the path the breadth-first walk from that node finds (``ReachGraph.parents``
with ``until``), hop for hop, statements and all: compared on many random graphs with hubs,
conditional hops, parallel hops, resources (which end paths, and may start them), hops no path
follows, and admin sinks that inherit others."""

from __future__ import annotations

import random
from itertools import pairwise

import networkx as nx
import pytest

from nhiscan.rules.reach_support import leading_to
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.graph import EdgeKind, Hop, NodeKind, ReachGraph
from nhiscan.scanner.graph.model import INHERITS, hub_node, is_hub
from nhiscan.scanner.graph.nearest import Nearest, admin_paths
from nhiscan.scanner.graph.reach import unwind
from tests import factories as f

EDGES = (EdgeKind.CAN_ASSUME, EdgeKind.ESCALATES_TO, EdgeKind.HAS_CREDENTIAL, EdgeKind.LEAKS)
UNTRAVERSED = (EdgeKind.MEMBER_OF, EdgeKind.CAN_PASS_ROLE, EdgeKind.RUNS_AS)
METHODS = (None, "CreateAccessKey", "PassRole")


def _hop(rng: random.Random, source: str, target: str, edge: EdgeKind, **extra: object) -> Hop:
    ref = StatementRef(policy_id=f"p{rng.randrange(4)}", index=rng.randrange(3))
    fields: dict[str, object] = {
        "method": rng.choice(METHODS) if edge is EdgeKind.ESCALATES_TO else None,
        "statements": (ref,),
        "conditional": rng.random() < 0.3,
    }
    return Hop(source=source, target=target, edge=edge, **(fields | extra))  # type: ignore[arg-type]


def random_graph(seed: int) -> ReachGraph:
    """Principals, a few resources, admin sinks (some inheriting others) and hubs, joined at
    random; parallel hops that differ only in their statements; hops into a hub whose members
    include the node the hop leaves."""
    rng = random.Random(seed)
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    names = [f"n{i:03d}" for i in rng.sample(range(1000), rng.randrange(6, 40))]
    kinds = {n: NodeKind.RESOURCE if rng.random() < 0.15 else NodeKind.IDENTITY for n in names}
    sinks = [f"admin:{n}" for n in range(rng.randrange(1, 4))]
    hubs = [hub_node(str(n), rng.choice(["sts:AssumeRole", "iam:*"])) for n in range(3)]
    for node, kind in kinds.items():
        graph.add_node(node, kind=kind.value)
    for node in sinks:
        graph.add_node(node, kind=NodeKind.ADMIN.value)
    for node in hubs:
        graph.add_node(node, kind=NodeKind.HUB.value)
    principals = [n for n in names if kinds[n] is NodeKind.IDENTITY]
    resources = [n for n in names if kinds[n] is NodeKind.RESOURCE]

    def add(hop: Hop) -> None:
        graph.add_edge(hop.source, hop.target, hop=hop)

    for _ in range(rng.randrange(len(names) * 2)):
        source, target = rng.choice(names), rng.choice(names)
        if source != target and kinds[target] is NodeKind.IDENTITY:
            hop = _hop(rng, source, target, rng.choice(EDGES))
            add(hop)
            if rng.random() < 0.15:  # a parallel hop: the same but for its statements
                add(_hop(rng, source, target, hop.edge, method=hop.method,
                         conditional=hop.conditional))  # fmt: skip
        if rng.random() < 0.1:
            add(_hop(rng, source, target, rng.choice(UNTRAVERSED)))
    for source in rng.sample(names, min(len(names), rng.randrange(8))):
        if resources:
            add(_hop(rng, source, rng.choice(resources), EdgeKind.CAN_ACCESS))
    for source in rng.sample(names, min(len(names), rng.randrange(6))):
        add(_hop(rng, source, rng.choice(sinks), EdgeKind.IS_ADMIN))
    for upper, lower in pairwise(sinks):
        if rng.random() < 0.6:
            add(_hop(rng, upper, lower, EdgeKind.IS_ADMIN, method=INHERITS))
    for hub in hubs:
        for member in rng.sample(principals, min(len(principals), rng.randrange(6))):
            add(_hop(rng, hub, member, rng.choice(EDGES[:2])))
        for caller in rng.sample(names, min(len(names), rng.randrange(6))):
            add(_hop(rng, caller, hub, rng.choice(EDGES[:2])))
    return ReachGraph(estate=f.estate(), graph=graph, escalations=(), potential=())


def breadth_first(graph: ReachGraph, node: str, within: set[str] | None) -> tuple[Hop, ...] | None:
    """The path the rules took before: a walk from ``node`` to the first sink it meets."""
    if graph.is_admin(node):
        return ()
    parents = graph.parents(node, within=within, until=graph.is_admin)
    sinks = [n for n in parents if graph.is_admin(n)]
    return unwind(parents, sinks[0]) if sinks else None


def _raw(graph: ReachGraph, hop: Hop) -> list[Hop]:
    """The graph's own hops from ``hop``'s source to its target (none: it goes through a hub)."""
    return [
        d["hop"] for d in graph.graph.get_edge_data(hop.source, hop.target, default={}).values()
    ]


@pytest.mark.parametrize("block", range(10))
def test_every_path_is_the_breadth_first_one(block: int) -> None:
    compared = hubbed = 0
    for seed in range(block * 40, block * 40 + 40):
        graph = random_graph(seed)
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

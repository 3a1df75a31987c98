"""One walk for every start (``graph.closure``) must reach what a breadth-first walk from each
start reaches, and the blast radius built on it must give every figure, secret and admin path
the walk per identity gave: compared on many random graphs (``random_graphs``)."""

from __future__ import annotations

import pytest

from nhiscan.scanner.blast import Radius, blast_radius
from nhiscan.scanner.graph import NodeKind, ReachGraph
from nhiscan.scanner.graph.closure import closures
from nhiscan.scanner.graph.model import EdgeKind, is_hub
from nhiscan.scanner.graph.reach import unwind
from tests import factories as f
from tests.scanner.graph.random_graphs import random_graph

FACTS = f.providers().facts


def breadth_first_radius(graph: ReachGraph, identity: str) -> Radius:
    """The radius as the walk per identity found it: the nodes ``parents`` reaches, by kind,
    the first admin sink met, and the secrets the identity and each identity reached read."""
    parents = graph.parents(identity)
    facts = FACTS("aws")
    kinds = {n: graph.graph.nodes[n]["kind"] for n in parents}
    resources = [n for n, kind in kinds.items() if kind == NodeKind.RESOURCE.value]
    sinks = [n for n, kind in kinds.items() if kind == NodeKind.ADMIN.value]
    readers = [identity, *(n for n, kind in kinds.items() if kind == NodeKind.IDENTITY.value)]
    secrets = {
        hop.target
        for reader in readers
        for hop in graph.hops_from(reader)
        if hop.edge is EdgeKind.CAN_ACCESS
        and graph.estate.resources[hop.target].kind in facts.secret_kinds
        and any(a.lower() in facts.secret_read_actions for a in hop.actions)
    }
    return Radius(
        admin_path=unwind(parents, sinks[0]) if sinks else None,
        roles=len(readers) - 1,
        resources=len(resources),
        data_stores=sum(
            graph.estate.resources[n].kind in facts.data_store_kinds for n in resources
        ),
        secrets=tuple(sorted(secrets)),
    )


@pytest.mark.parametrize("block", range(5))
def test_every_start_reaches_what_its_own_walk_reaches(block: int) -> None:
    for seed in range(block * 40, block * 40 + 40):
        graph, _ = random_graph(seed)
        nodes = sorted(graph.graph)
        bits = {node: 0 if is_hub(node) else 1 << n for n, node in enumerate(nodes)}
        starts = [n for n in nodes if not graph.is_stop(n) and not is_hub(n)]
        found = closures(graph, starts, bits.__getitem__)
        for start in starts:
            expected = {start, *graph.parents(start)}
            assert found[start] == sum(bits[n] for n in expected), (seed, start)


@pytest.mark.parametrize("block", range(5))
def test_every_blast_radius_is_the_walk_per_identity(block: int) -> None:
    checked = secrets = admin = 0
    for seed in range(block * 40, block * 40 + 40):
        graph, keys = random_graph(seed)
        for blast in blast_radius(graph, keys, FACTS):
            expected = breadth_first_radius(graph, blast.credential.identity)
            assert blast.radius == expected, (seed, blast.credential.identity)
            checked += 1
            secrets += bool(expected.secrets)
            admin += expected.admin_path is not None
    assert checked > 80 and secrets > 3 and admin > 10

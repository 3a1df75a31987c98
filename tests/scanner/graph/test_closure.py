"""One walk for every start (``graph.closure``) must reach what a breadth-first walk from each
start reaches, and the blast radius built on it must give every figure, secret and admin path
the walk per identity gave: compared on many random graphs (``random_graphs``)."""

from __future__ import annotations

import pytest

from nhiscan.scanner.blast import blast_radius
from nhiscan.scanner.graph.closure import closures
from nhiscan.scanner.graph.model import is_hub
from tests.scanner.graph.random_graphs import FACTS, breadth_first_radius, random_graph


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

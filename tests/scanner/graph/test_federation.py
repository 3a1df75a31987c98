"""Keyless trusts in the reach graph (issue #20): one external node per issuer and way in,
labelled with what it admits, a can_act_as hop into the identity (the trust statement, and
conditional when conditions nhiscan could not read may refuse), so that reach and paths start
outside; the stored graph and the exports keep them."""

from __future__ import annotations

from dataclasses import replace

import networkx as nx

from nhiscan.app.pipeline import reach_graph
from nhiscan.scanner.federation import Admission
from nhiscan.scanner.graph import EdgeKind, ReachGraph, admin_node, export
from nhiscan.scanner.graph.model import NodeKind
from tests.factories import ACCOUNT, allow, estate, managed_policy, role
from tests.rules.federation_fixtures import AUD, equals, federating, github_trust, like
from tests.scanner.graph.test_stored import assert_same, round_trip

WILD = "external:token.actions.githubusercontent.com:repo:acme/*"


def _graph() -> ReachGraph:
    policy = managed_policy("deploy-all", allow("*"))
    deploy = replace(role("deploy"), policies=(policy.id,))
    narrow = role("release")
    e = estate(deploy, policy, narrow)
    maybe = Admission(tests=(like("sub", "repo:acme/app:*"), AUD), undecided=("Foo: bar",))
    trusts = [
        github_trust(deploy.id, like("sub", "repo:acme/*"), AUD),
        github_trust(narrow.id, like("sub", "repo:acme/*"), AUD),  # the same tokens
        github_trust(narrow.id, admissions=(maybe,)),
    ]
    with federating(trusts):
        return reach_graph(e)


def test_an_external_node_per_issuer_and_way_in_with_a_hop_into_each_identity() -> None:
    graph = _graph()
    data = graph.graph.nodes[WILD]
    assert data["kind"] == NodeKind.EXTERNAL.value
    assert data["type"] == "github-actions"
    assert data["label"].startswith("any workflow in any repository of acme")
    hops = sorted(
        (h for _, _, h in graph.graph.out_edges(WILD, data="hop")), key=lambda h: h.target
    )
    assert [h.target for h in hops] == [
        f"arn:aws:iam::{ACCOUNT}:role/deploy",
        f"arn:aws:iam::{ACCOUNT}:role/release",
    ]
    assert all(h.edge is EdgeKind.CAN_ACT_AS and not h.conditional for h in hops)
    assert hops[0].statements[0].policy_id == f"arn:aws:iam::{ACCOUNT}:role/deploy#trust"
    maybe = "external:token.actions.githubusercontent.com:repo:acme/app:*"
    (hop,) = (h for _, _, h in graph.graph.out_edges(maybe, data="hop"))
    assert hop.conditional


def test_reach_and_paths_start_outside() -> None:
    graph = _graph()
    reached = graph.reach(WILD)
    sink = admin_node(ACCOUNT)
    assert sink in reached
    path = reached[sink]
    assert [h.edge for h in path] == [EdgeKind.CAN_ACT_AS, EdgeKind.IS_ADMIN]


def test_a_trust_on_an_identity_the_snapshot_lacks_still_gets_its_node() -> None:
    ghost = f"arn:aws:iam::{ACCOUNT}:role/ghost"
    with federating([github_trust(ghost, equals("sub", "repo:acme/app:ref:refs/heads/main"))]):
        graph = reach_graph(estate(role("other")))
    assert ghost in graph.graph


def test_the_stored_graph_and_the_exports_keep_external_nodes() -> None:
    graph = _graph()
    assert_same(graph, round_trip(graph))
    document = export.to_json(graph)
    kinds = {node["id"]: node["kind"] for node in document["nodes"]}
    assert kinds[WILD] == "external"
    assert any(edge["edge"] == "can_act_as" for edge in document["edges"])
    parsed = nx.parse_graphml(export.to_graphml(graph))
    assert parsed.nodes[WILD]["kind"] == "external"

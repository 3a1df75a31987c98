"""Graph export: GraphML (scalars only) and the JSON node-link document, parsed back."""

from __future__ import annotations

import io
import json

import networkx as nx
import pytest

from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.graph import ReachGraph
from nhiscan.scanner.graph.export import ref_text, to_graphml, to_json
from tests import reach_estates as chains

ADMIN_ROLE = chains.rarn("admin-role")
DEPLOYER = chains.uarn("deployer")


@pytest.fixture(scope="module")
def graph() -> ReachGraph:
    return chains.graph()


def test_graphml_parses_back_with_every_node_and_edge(graph: ReachGraph) -> None:
    back = nx.read_graphml(io.StringIO(to_graphml(graph)), force_multigraph=True)
    assert set(back.nodes) == set(graph.graph.nodes)
    assert back.number_of_edges() == graph.graph.number_of_edges()
    assert back.nodes[ADMIN_ROLE] == {
        "kind": "identity", "label": "admin-role", "account": chains.ACCOUNT, "type": "iam-role",
    }  # fmt: skip
    assert "type" not in back.nodes[chains.ADMIN_SINK]  # unknown: left out, not ""
    assert "admin:123456789012" in back.nodes


def test_graphml_attributes_are_flattened_scalars(graph: ReachGraph) -> None:
    back = nx.read_graphml(io.StringIO(to_graphml(graph)), force_multigraph=True)
    for _, _, data in back.edges(data=True):
        assert all(isinstance(v, str | bool | int | float) for v in data.values())
    (assume,) = back.get_edge_data(DEPLOYER, ADMIN_ROLE).values()
    assert assume["edge"] == "can_assume" and assume["conditional"] is False
    assert assume["statements"] == (
        "arn:aws:iam::123456789012:policy/deployer[0]; "
        "arn:aws:iam::123456789012:role/admin-role#trust[0]"
    )
    (read,) = back.get_edge_data(chains.uarn("reader"), chains.BUCKET).values()
    assert read["actions"] == "s3:GetObject"
    (secret,) = back.get_edge_data(ADMIN_ROLE, chains.SECRET).values()
    assert "secretsmanager:GetSecretValue" in secret["actions"].split(",")
    (cond,) = back.get_edge_data(chains.uarn("cond-user"), chains.rarn("ops-role")).values()
    assert cond["conditional"] is True
    (escalation,) = back.get_edge_data(chains.uarn("escalator"), chains.ADMIN_SINK).values()
    assert escalation["method"] == "iam:CreatePolicyVersion"


def test_json_document_parses_back(graph: ReachGraph) -> None:
    doc = json.loads(json.dumps(to_json(graph)))
    assert doc["format"] == "nhiscan-graph" and doc["version"] == 1
    nodes = {n["id"]: n for n in doc["nodes"]}
    assert set(nodes) == set(graph.graph.nodes)
    assert set(nodes[DEPLOYER]) == {"id", "kind", "label", "account", "type"}
    assert nodes[chains.KEY_DEPLOYER]["kind"] == "credential"
    assert len(doc["edges"]) == graph.graph.number_of_edges()
    keys = {"from", "to", "edge", "method", "conditional", "actions", "conditional_actions",
            "statements"}  # fmt: skip
    assert all(set(e) == keys for e in doc["edges"])
    (assume,) = [e for e in doc["edges"] if e["from"] == DEPLOYER and e["to"] == ADMIN_ROLE]
    assert assume["edge"] == "can_assume" and assume["method"] is None
    assert assume["statements"][1] == {
        "policy_id": f"{ADMIN_ROLE}#trust", "index": 0, "sid": None, "effect": "Allow",
    }  # fmt: skip
    kinds = {e["edge"] for e in doc["edges"]}
    assert {"has_credential", "can_assume", "can_access", "is_admin", "escalates_to"} <= kinds


def test_exports_are_deterministic(graph: ReachGraph) -> None:
    again = chains.graph()
    assert to_graphml(graph) == to_graphml(again)
    assert to_json(graph) == to_json(again)
    edges = [(e["from"], e["to"], e["edge"], e["method"] or "") for e in to_json(graph)["edges"]]
    assert edges == sorted(edges)


def test_ref_text() -> None:
    assert ref_text(StatementRef(policy_id="p", index=2)) == "p[2]"
    assert ref_text(StatementRef(policy_id="p", index=0, sid="S", effect="Deny")) == "p[0] (S) Deny"

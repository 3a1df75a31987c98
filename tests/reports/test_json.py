"""The JSON report: the existing contract kept, and the blast radius and graph counts added."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.reports.json import REPORTER, report_document
from nhiscan.reports.model import Report
from nhiscan.scanner import blast
from tests import factories as f
from tests import reach_estates as chains

CONTRACT = ("schema_version", "tool", "scanned_at", "collected_at", "sources", "summary",
            "accounts", "identities", "credentials", "findings", "gaps")  # fmt: skip


@pytest.fixture(scope="module")
def report() -> Report:
    return analyze(chains.snapshot(), settings=Settings(), now=f.NOW, rules=())


def test_existing_keys_are_kept(report: Report) -> None:
    doc = json.loads(REPORTER.render(report))
    for key in CONTRACT:
        assert key in doc, key
    assert list(doc)[: len(CONTRACT)] == list(CONTRACT)
    assert doc["tool"]["catalog_date"] == report.tool.catalog_date
    assert report.tool.catalog_date  # the pinned catalogue's date flows into the report


def test_blast_radius_one_entry_per_active_credential_worst_first(report: Report) -> None:
    entries = report_document(report)["blast_radius"]
    assert [e["credential"] for e in entries] == [
        chains.KEY_DEPLOYER,  # admin
        chains.KEY_READER,  # two data stores, one secret
        chains.KEY_COND,  # one data store (conditionally)
        chains.KEY_IDLE,  # nothing
    ]
    assert chains.KEY_READER_OLD not in {e["credential"] for e in entries}  # inactive
    deployer = entries[0]
    assert deployer["identity"] == chains.uarn("deployer") and deployer["kind"] == "access-key"
    assert deployer["admin"] is True
    path = deployer["admin_path"]
    assert [h["edge"] for h in path] == ["has_credential", "can_assume", "is_admin"]
    assert path[0]["from"] == chains.KEY_DEPLOYER and path[-1]["to"] == chains.ADMIN_SINK
    assert deployer["secrets"] == [chains.SECRET]  # through admin-role
    assert (deployer["roles"], deployer["resources"], deployer["data_stores"]) == (1, 2, 2)


def test_blast_radius_counts(report: Report) -> None:
    entries = {e["credential"]: e for e in report_document(report)["blast_radius"]}
    reader = entries[chains.KEY_READER]
    assert reader == {
        "credential": chains.KEY_READER, "identity": chains.uarn("reader"), "kind": "access-key",
        "admin": False, "admin_path": None, "roles": 0, "resources": 2, "data_stores": 2,
        "secrets": [chains.SECRET],
    }  # fmt: skip
    cond = entries[chains.KEY_COND]
    assert (cond["roles"], cond["resources"], cond["secrets"]) == (1, 1, [])
    idle = entries[chains.KEY_IDLE]
    assert (idle["admin"], idle["roles"], idle["resources"], idle["data_stores"]) == (
        False, 0, 0, 0)  # fmt: skip


def test_unknown_status_counts_as_usable(report: Report) -> None:
    snap = report.snapshot
    credentials = tuple(
        replace(c, status=None) if c.id == chains.KEY_READER_OLD else c for c in snap.credentials
    )
    unknown = analyze(replace(snap, credentials=credentials), settings=Settings(), now=f.NOW,
                      rules=())  # fmt: skip
    ids = {e["credential"] for e in report_document(unknown)["blast_radius"]}
    assert chains.KEY_READER_OLD in ids  # the graph treats it as usable: so does the report


def test_graph_counts(report: Report) -> None:
    counts = report_document(report)["graph"]
    assert report.graph is not None
    assert counts == {
        "nodes": report.graph.graph.number_of_nodes(),
        "edges": report.graph.graph.number_of_edges(),
        "escalations": 1,  # escalator rewrites its own policy
        "potential_escalations": 0,
    }


def test_a_report_made_without_its_graph_is_refused_not_rebuilt(report: Report) -> None:
    bare = replace(report, graph=None, blast=None)
    with pytest.raises(ValueError, match="without its"):
        report_document(bare)


def test_blast_radius_is_computed_once_in_the_analysis(report: Report) -> None:
    assert report.blast is not None and report.blast_radius() is report.blast
    assert report_document(report)["blast_radius"] == [r.to_json() for r in report.blast]
    assert blast.blast_radius(report.reach_graph(), ()) == ()

"""A hand-built GCP snapshot through ``app.pipeline.analyze``: the GCP provider analyses it
(no no-provider gap), the graph has its edges, and the neutral rules judge its keys."""

from __future__ import annotations

from typing import Any

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.scanner.graph.model import EdgeKind, admin_node
from nhiscan.scanner.model import CredentialKind, GapReason
from tests import factories as f
from tests.providers.gcp import factories as g

CI, DEPLOYER, APP = g.sa("ci"), g.sa("deployer"), g.sa("app")
AGENT = g.sa("agent", id=f"service-{g.NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com")


def records() -> list[Any]:
    token = g.binding("roles/iam.serviceAccountTokenCreator", f"serviceAccount:{CI.id}")
    owners = g.binding("roles/owner", f"serviceAccount:{DEPLOYER.id}", f"serviceAccount:{AGENT.id}")
    return [
        g.project(),
        g.folder(),
        CI,
        DEPLOYER,
        APP,
        AGENT,
        g.key(APP, "a" * 40, created=f.days_ago(400)),
        g.key(APP, "b" * 40, created=f.days_ago(400), kind=CredentialKind.SA_SYSTEM_KEY),
        g.allow(g.sa_name(DEPLOYER), token),
        g.allow(g.PROJECT, owners),
    ]


def test_a_gcp_snapshot_is_analysed_end_to_end() -> None:
    report = analyze(f.snapshot(*records()), settings=Settings(), now=f.NOW)
    assert not [gap for gap in report.gaps if gap.reason is GapReason.NO_PROVIDER]
    graph = report.reach_graph()
    assume = {(h.source, h.target, h.method) for h in graph.edges(EdgeKind.CAN_ASSUME)}
    assert (CI.id, DEPLOYER.id, "getAccessToken") in assume
    admin = {(h.source, h.target) for h in graph.edges(EdgeKind.IS_ADMIN)}
    assert (DEPLOYER.id, admin_node(g.PROJECT)) in admin
    assert (admin_node(g.FOLDER), admin_node(g.PROJECT)) in admin
    keys = {(h.source, h.target) for h in graph.edges(EdgeKind.HAS_CREDENTIAL)}
    assert ("a" * 40, APP.id) in keys

    by_rule: dict[str, set[str]] = {}
    for finding in report.findings:
        by_rule.setdefault(finding.rule_id, set()).add(finding.subject)
    assert APP.id in by_rule.get("NHI001", set())  # the 400-day-old user-managed key
    assert APP.id in by_rule.get("NHI002", set())  # never used
    assert DEPLOYER.id in by_rule.get("NHI100", set())  # owner of the project
    assert AGENT.id not in by_rule.get("NHI100", set())  # a service agent: Google's
    [old] = [x for x in report.findings if x.rule_id == "NHI001" and x.subject == APP.id]
    assert "service account key" in old.title.lower() and "b" * 40 not in old.title
    assert report.tool.catalog_date  # a report names a catalogue

"""GcpAnalysis: impersonation hops, escalations, scopes and admin sinks, classifier."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from nhiscan.providers.gcp.analysis import GcpAnalysis
from nhiscan.providers.gcp.catalog import default_catalog
from nhiscan.providers.gcp.humans import GcpClassifier, provider_managed
from nhiscan.providers.gcp.service_agents import SERVICE_AGENTS
from nhiscan.scanner.graph.model import EdgeKind, admin_node
from nhiscan.scanner.model import IdentityKind, Provider, Resource, ResourceKind
from tests import factories as f
from tests.providers.gcp import factories as g

SA1, SA2, OWNER = g.sa("ci"), g.sa("deployer"), g.sa("owner")


def member(identity: Any) -> str:
    return f"serviceAccount:{identity.id}"


def analysis(*records: Any) -> GcpAnalysis:
    return GcpAnalysis(g.estate(g.project(), *records), default_catalog())


def hops(found: GcpAnalysis, callers: Iterable[str]) -> set[tuple[str, str, str | None]]:
    return {(h.source, h.target, h.method) for h in found.act_as_edges(list(callers))}


def test_token_creator_on_the_account_or_its_project_is_an_impersonation_hop() -> None:
    on_sa = g.allow(g.sa_name(SA2), g.binding("roles/iam.serviceAccountTokenCreator", member(SA1)))
    found = analysis(SA1, SA2, on_sa)
    assert hops(found, [SA1.id, SA2.id]) == {(SA1.id, SA2.id, "getAccessToken")}
    on_project = g.allow(g.PROJECT, g.binding("roles/iam.workloadIdentityUser", member(SA1)))
    inherited = analysis(SA1, SA2, on_project)
    assert hops(inherited, [SA1.id]) == {(SA1.id, SA2.id, "getAccessToken")}
    nothing = analysis(SA1, SA2, g.allow(g.PROJECT, g.binding("roles/viewer", member(SA1))))
    assert hops(nothing, [SA1.id]) == set()


def test_implicit_delegation_reaches_what_the_middle_account_can_impersonate() -> None:
    delegate = g.custom_role("projects/acme-prod/roles/delegate",
                             "iam.serviceAccounts.implicitDelegation")  # fmt: skip
    third = g.sa("third")
    policies = (
        g.allow(g.sa_name(SA2), g.binding(delegate.id, member(SA1))),
        g.allow(g.sa_name(third), g.binding("roles/iam.serviceAccountTokenCreator", member(SA2))),
    )
    found = analysis(SA1, SA2, third, delegate, *policies)
    assert (SA1.id, third.id, "implicitDelegation") in hops(found, [SA1.id])


def test_the_chain_sa1_to_sa2_to_project_owner_reaches_admin() -> None:
    """SA1 -(getAccessToken)-> SA2 -(roles/owner on the project)-> admin of acme-prod."""
    from nhiscan.app.pipeline import reach_graph

    policies = (
        g.allow(g.sa_name(SA2), g.binding("roles/iam.serviceAccountTokenCreator", member(SA1))),
        g.allow(g.PROJECT, g.binding("roles/owner", member(SA2))),
    )
    graph = reach_graph(g.estate(g.project(), SA1, SA2, *policies))
    assume = [h for h in graph.edges(EdgeKind.CAN_ASSUME) if h.source == SA1.id]
    assert [(h.target, h.method) for h in assume] == [(SA2.id, "getAccessToken")]
    admin = [h for h in graph.edges(EdgeKind.IS_ADMIN) if h.source == SA2.id]
    assert [h.target for h in admin] == [admin_node(g.PROJECT)]
    assert not [h for h in graph.edges(EdgeKind.IS_ADMIN) if h.source == SA1.id]


def test_a_folder_admin_reaches_the_project_admin_through_inherits() -> None:
    from nhiscan.app.pipeline import reach_graph

    policy = g.allow(g.FOLDER, g.binding("roles/resourcemanager.folderAdmin", member(OWNER)))
    found = analysis(OWNER, policy)
    scopes = {s.id: s.parent for s in found.scopes()}
    assert scopes == {g.ORG: None, g.FOLDER: g.ORG, g.PROJECT: g.FOLDER}
    graph = reach_graph(g.estate(g.project(), OWNER, policy))
    [mine] = [h for h in graph.edges(EdgeKind.IS_ADMIN) if h.source == OWNER.id]
    assert mine.target == admin_node(g.FOLDER)
    inherits = {
        (h.source, h.target) for h in graph.edges(EdgeKind.IS_ADMIN) if h.method == "inherits"
    }
    assert (admin_node(g.FOLDER), admin_node(g.PROJECT)) in inherits


def test_a_bucket_reader_gets_a_can_access_hop() -> None:
    from nhiscan.app.pipeline import reach_graph

    bucket = g.bucket("data")
    policy = g.allow(bucket.id, g.binding("roles/storage.objectViewer", member(SA1)))
    graph = reach_graph(g.estate(g.project(), SA1, bucket, policy))
    [hop] = [h for h in graph.edges(EdgeKind.CAN_ACCESS) if h.source == SA1.id]
    assert hop.target == bucket.id and "storage.objects.get" in hop.actions


def test_compute_runs_as_its_service_account() -> None:
    instance = Resource(
        provider=Provider.GCP,
        id="//compute.googleapis.com/projects/acme-prod/zones/z/instances/vm",
        name="vm",
        kind=ResourceKind.COMPUTE_INSTANCE,
        account=g.PROJECT,
        runs_as=SA2.id,
    )
    assert analysis(SA2, instance).runs_as(instance) == (SA2.id,)
    assert analysis(SA2, instance).runs_as(g.bucket("b")) == ()


EMAILS = [
    ("service-411224356@gcp-sa-cloudbuild.iam.gserviceaccount.com", True, "service agent"),
    ("service-411224356@container-engine-robot.iam.gserviceaccount.com", True, "service agent"),
    ("411224356@cloudservices.gserviceaccount.com", True, "Google APIs service agent"),
    ("411224356-compute@developer.gserviceaccount.com", False, "Compute Engine default"),
    ("acme-prod@appspot.gserviceaccount.com", False, "App Engine default"),
    ("411224356@cloudbuild.gserviceaccount.com", False, "legacy Cloud Build"),
    ("deployer@acme-prod.iam.gserviceaccount.com", False, "GCP service account"),
]


@pytest.mark.parametrize(("email", "managed", "reason"), EMAILS)
def test_classifier_service_agents_are_provider_managed_machines(
    email: str, managed: bool, reason: str
) -> None:
    identity = g.sa("x", id=email)
    verdict = GcpClassifier().classify(identity, (), {})
    assert verdict is not None and verdict.is_human is False and reason in verdict.reason
    assert provider_managed(identity) is managed
    assert analysis(identity).provider_managed(identity) is managed


def test_the_service_agent_table_has_the_issue_pattern_first() -> None:
    assert SERVICE_AGENTS[0][0].pattern.startswith(r"^service-\d+@gcp-sa-")
    assert GcpClassifier().classify(f.user("app"), (), {}) is None
    pool = g.sa("x", id="principal://pool/subject/ci", kind=IdentityKind.WORKLOAD_IDENTITY)
    verdict = GcpClassifier().classify(pool, (), {})
    assert verdict is not None and verdict.is_human is False


def test_rules_and_gap_members_answer_honestly() -> None:
    public = g.allow(g.sa_name(SA2), g.binding("roles/iam.serviceAccountTokenCreator", "allUsers"))
    owner = g.allow(g.PROJECT, g.binding("roles/owner", member(SA1)))
    found = analysis(SA1, SA2, public, owner)
    assert found.exposure_reasons(SA2) == [
        "anyone (allUsers) may act as it (roles/iam.serviceAccountTokenCreator)"
    ]
    assert found.assumable(SA2) and not found.assumable(SA1)
    assert found.held(SA1) == {f"roles/owner@{g.PROJECT}"}
    assert found.gap_support(SA1) is None  # service accounts: tests/providers/gcp/agents/
    assert found.admin_scope(SA1.id) == g.PROJECT

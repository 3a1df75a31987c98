"""The project walk (``GcpConnector``) against the recorded estate served over HTTP: the real
REST transports (Resource Manager v3, IAM v2) and googleapiclient (IAM v1, Policy Analyzer)
pointed at pytest-httpserver, anonymous."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.gcp.clients import Clients
from nhiscan.connectors.gcp.live import GcpConfig, GcpConnector
from nhiscan.providers.gcp.facts import ACCOUNT_LAST_USED, KEY_LAST_USED
from nhiscan.scanner.model import (
    Account,
    CollectionGap,
    Credential,
    GapReason,
    Group,
    Identity,
    Policy,
    PolicyKind,
    Record,
    Resource,
    ResourceKind,
)

from .conftest import (
    CI,
    CI_KEY,
    CRM_DENY,
    DEPLOY,
    EXPOSED_KEY,
    NOW,
    NUMBER,
    OLD,
    PROJECT,
    SA,
    Api,
    body,
    error,
    estate,
)

CRM = "//cloudresourcemanager.googleapis.com/"


@pytest.fixture
def api(httpserver: HTTPServer) -> Api:
    return estate(Api(httpserver))


def walk(api: Api, **config: Any) -> list[Record]:
    settings = {"projects": (PROJECT,), "retries": 1, "retry_delay": 0.0, "max_workers": 2}
    connector = GcpConnector(
        GcpConfig(**(settings | config)), clients=Clients(endpoint=api.endpoint)
    )
    return list(connector.collect(CollectContext(now=NOW)))


def of(records: list[Record], cls: type[Any]) -> dict[str, Any]:
    return {r.id: r for r in records if isinstance(r, cls)}


def gaps(records: list[Record]) -> dict[tuple[str, str], CollectionGap]:
    return {(g.scope, g.operation): g for g in records if isinstance(g, CollectionGap)}


def test_the_walk_of_one_project(api: Api) -> None:
    records = walk(api)
    assert gaps(records) == {}
    (account,) = of(records, Account).values()
    assert (account.id, account.name, account.native_id) == (PROJECT, "Acme Production", NUMBER)
    assert account.parents == ("organizations/93422", "folders/82001")
    assert account.org_id == "organizations/93422"
    resources = of(records, Resource)
    assert {r.kind for r in resources.values()} == {
        ResourceKind.GCP_ORGANIZATION, ResourceKind.GCP_FOLDER, ResourceKind.GCP_PROJECT,
    }  # fmt: skip
    assert resources["folders/82001"].name == "production"
    assert resources["projects/acme-prod"].policy == f"{CRM}projects/acme-prod#iam"
    identities = of(records, Identity)
    assert set(identities) == {DEPLOY, CI, OLD}
    assert identities[OLD].disabled is True
    assert identities[CI].last_used is not None and identities[CI].last_used.day == 29
    keys = of(records, Credential)
    assert keys[EXPOSED_KEY].status_reason == "exposed" and keys[EXPOSED_KEY].expires is None
    assert keys[EXPOSED_KEY].last_used is not None and keys[EXPOSED_KEY].last_used.month == 10
    assert keys[CI_KEY].last_used is not None and keys[CI_KEY].last_used.day == 28
    assert len(keys) == 3  # both of deploy@, ci@'s; old-batch@ has none
    assert set(of(records, Group)) == {"group:platform@acme.example"}  # named twice, once


def test_policies_of_every_level_custom_roles_and_deny(api: Api) -> None:
    policies = of(walk(api), Policy)
    allow = {p.attached_to[0] for p in policies.values() if p.kind is PolicyKind.IAM_ALLOW}
    assert allow == {
        f"{CRM}organizations/93422",
        f"{CRM}folders/82001",
        f"{CRM}projects/acme-prod",
        f"//iam.googleapis.com/projects/acme-prod/serviceAccounts/{DEPLOY}",
    }  # fmt: skip  (ci@ and old-batch@ have empty policies)
    project = policies[f"{CRM}projects/acme-prod#iam"]
    assert project.version == "3" and project.account == PROJECT
    conditional = project.document["bindings"][2]
    assert conditional["condition"]["expression"].startswith("request.time < timestamp(")
    roles = {p.id for p in policies.values() if p.kind is PolicyKind.CUSTOM_ROLE}
    assert roles == {"projects/acme-prod/roles/deployer", "projects/acme-prod/roles/legacyAdmin",
                     "organizations/93422/roles/keyRotator"}  # fmt: skip
    (deny,) = (p for p in policies.values() if p.kind is PolicyKind.IAM_DENY)
    assert deny.attached_to == (f"{CRM}projects/{NUMBER}",)
    assert deny.document["rules"][0]["denyRule"]["deniedPermissions"] == [
        "iam.googleapis.com/serviceAccountKeys.create"
    ]


def test_get_iam_policy_asks_for_version_3(api: Api) -> None:
    walk(api)
    asked = [s for s in api.seen if s.path.endswith(":getIamPolicy") and s.path.startswith("/v3")]
    assert {s.path for s in asked} == {
        "/v3/projects/acme-prod:getIamPolicy", "/v3/folders/82001:getIamPolicy",
        "/v3/organizations/93422:getIamPolicy",
    }  # fmt: skip
    for seen in asked:
        assert json.loads(seen.body) == {"options": {"requestedPolicyVersion": 3}}


def test_a_folder_expands_to_its_active_projects_on_every_page(api: Api) -> None:
    api.ok("GET", "/v3/projects", "rm/projects-page1")
    api.ok("GET", "/v3/projects", "rm/projects-page2", page="CgxhY21lLWRhdGE")
    api.ok("GET", "/v3/folders", "rm/empty-folders")
    records = walk(api, projects=(), folder="82001")
    accounts = of(records, Account)
    assert set(accounts) == {"acme-prod", "acme-data"}  # acme-old is DELETE_REQUESTED
    assert accounts["acme-data"].parents == ("organizations/93422", "folders/82001")
    listed = [s for s in api.seen if s.path == "/v3/projects"]
    assert [s.args.get("parent") for s in listed] == ["folders/82001", "folders/82001"]
    assert listed[1].args["pageToken"] == "CgxhY21lLWRhdGE"
    # acme-data has no routes: each of its calls is a gap naming it, none is an empty answer
    assert ("acme-data", "iam.projects.serviceAccounts.list") in gaps(records)


def test_an_organization_expands_through_its_folders(api: Api) -> None:
    api.on("GET", "/v3/projects", (200, body("rm/projects-of-organization")))
    api.on("GET", "/v3/folders", (200, body("rm/folders-of-organization")), (200, {}))
    records = walk(api, projects=(), organization="organizations/93422")
    parents = [s.args.get("parent") for s in api.seen if s.path in ("/v3/projects", "/v3/folders")]
    assert parents == ["organizations/93422", "organizations/93422", "folders/82001",
                       "folders/82001"]  # fmt: skip
    assert "acme-sandbox" in of(records, Account)


def test_last_use_refused_is_a_gap_with_the_providers_operations(api: Api) -> None:
    for kind in ("serviceAccountKeyLastAuthentication", "serviceAccountLastAuthentication"):
        path = f"/v1/projects/acme-prod/locations/global/activityTypes/{kind}/activities:query"
        api.on("GET", path, (403, error("permission-denied-plain")))
    records = walk(api)
    found = gaps(records)
    assert {op for _, op in found} == {KEY_LAST_USED, ACCOUNT_LAST_USED}
    assert all(scope == PROJECT for scope, _ in found)
    assert all(r.last_used is None for r in of(records, Credential).values())


@pytest.mark.parametrize(
    ("method", "path", "operation", "service"),
    [
        ("GET", "/v3/projects/acme-prod", "cloudresourcemanager.projects.get",
         "cloudresourcemanager.googleapis.com"),
        ("POST", "/v3/projects/acme-prod:getIamPolicy",
         "cloudresourcemanager.projects.getIamPolicy", "cloudresourcemanager.googleapis.com"),
        ("GET", CRM_DENY.format(kind="projects", id=NUMBER), "iam.policies.listPolicies",
         "iam.googleapis.com"),
        ("GET", SA, "iam.projects.serviceAccounts.list", "iam.googleapis.com"),
    ],
)  # fmt: skip
@pytest.mark.parametrize(
    ("kind", "code", "reason"),
    [
        ("permission-denied", 403, GapReason.ACCESS_DENIED),
        ("service-disabled", 403, GapReason.API_DISABLED),
        ("rate-limit", 429, GapReason.THROTTLED),
    ],
)
def test_each_refusal_is_a_gap_naming_project_and_method(
    api: Api, method: str, path: str, operation: str, service: str, kind: str, code: int,
    reason: GapReason,
) -> None:  # fmt: skip
    api.on(method, path, (code, error(kind, service)))
    found = gaps(walk(api))
    gap = found[(PROJECT, operation)]
    assert (gap.provider.value, gap.reason) == ("gcp", reason)
    assert error(kind)["error"]["message"] in gap.detail  # the message, verbatim
    tries = [s for s in api.seen if (s.method, s.path) == (method, path)]
    assert len(tries) == (2 if code == 429 else 1)  # retries=1


def test_a_deny_policy_that_cannot_be_read_is_a_gap_not_an_absence(api: Api) -> None:
    api.on("GET", CRM_DENY.format(kind="projects", id=NUMBER) + "/no-new-keys",
           (403, error("permission-denied-plain")))  # fmt: skip
    records = walk(api)
    gap = gaps(records)[(PROJECT, "iam.policies.get")]
    assert gap.reason is GapReason.ACCESS_DENIED and gap.subject is not None
    assert not [p for p in of(records, Policy).values() if p.kind is PolicyKind.IAM_DENY]


def test_an_account_deleted_between_list_and_get_is_skipped(api: Api) -> None:
    api.on("GET", f"{SA}/{CI}/keys", (404, body("errors/not-found")))
    records = walk(api)
    assert CI not in of(records, Identity) and CI_KEY not in of(records, Credential)
    assert not [g for g in gaps(records).values() if g.subject == CI]


def test_a_429_that_clears_is_no_gap(api: Api) -> None:
    api.on("GET", SA, (429, error("rate-limit", "iam.googleapis.com")),
           (200, body("iam/service-accounts-page1")))  # fmt: skip
    records = walk(api)
    assert gaps(records) == {}
    assert DEPLOY in of(records, Identity)


def test_a_project_that_does_not_exist_is_a_gap_and_not_walked(api: Api) -> None:
    missing = {"error": {"code": 404, "message": "Project not found.", "status": "NOT_FOUND"}}
    api.on("GET", "/v3/projects/acme-typo", (404, missing))
    records = walk(api, projects=("acme-typo",))
    (gap,) = gaps(records).values()
    assert (gap.scope, gap.reason) == ("acme-typo", GapReason.FAILED)
    assert "does not exist" in gap.detail
    assert [s.path for s in api.seen] == ["/v3/projects/acme-typo"]

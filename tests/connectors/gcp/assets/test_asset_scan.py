"""asset_scan: the calls it makes, and what it maps from their answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from google.cloud import asset_v1
from google.protobuf import struct_pb2, timestamp_pb2
from pytest_httpserver import HTTPServer

from nhiscan.connectors.gcp.assets import ASSET_TYPES, AssetScan, asset_scan, to_json
from nhiscan.scanner.model import (
    Account,
    CollectionGap,
    Credential,
    CredentialStatus,
    Group,
    Identity,
    Policy,
    PolicyKind,
    Record,
    Resource,
    ResourceKind,
)

from .conftest import SCOPE, answer_estate, list_path, search_path

NOW = datetime(2026, 12, 1, tzinfo=UTC)
DEPLOY = "deploy@acme-prod.iam.gserviceaccount.com"
DEPLOY_NAME = f"//iam.googleapis.com/projects/acme-prod/serviceAccounts/{DEPLOY}"
LOADER = "loader@acme-data.iam.gserviceaccount.com"
UNTIL_2027 = "request.time < timestamp('2027-01-01T00:00:00Z')"
OLD_BATCH = "old-batch@acme-prod.iam.gserviceaccount.com"
CRM = "//cloudresourcemanager.googleapis.com/"


def scan(server: HTTPServer, client: asset_v1.AssetServiceClient, scope: str = SCOPE) -> AssetScan:
    answer_estate(server, scope)
    result = asset_scan(client, scope, NOW)
    server.check_assertions()
    return result


def of(records: tuple[Record, ...], cls: type[Any]) -> dict[str, Any]:
    return {r.id: r for r in records if isinstance(r, cls)}


@pytest.mark.parametrize("scope", ["organizations/93422", "folders/82001"])
def test_two_pages_of_each_call_asking_for_what_it_reads(
    httpserver: HTTPServer, client: asset_v1.AssetServiceClient, scope: str
) -> None:
    scan(httpserver, client, scope)
    requests = [request for request, _ in httpserver.log]
    assert [r.path for r in requests] == [list_path(scope)] * 2 + [search_path(scope)] * 2
    first, second, search_first, search_second = (r.args for r in requests)
    for args in (first, second):
        assert args.getlist("assetTypes") == list(ASSET_TYPES)
        assert args.getlist("contentType") == [str(int(asset_v1.ContentType.RESOURCE))]
        assert args["pageSize"] == "1000"
    for args in (search_first, search_second):
        assert args["pageSize"] == "500"
        assert "query" not in args  # every binding, not those matching a query
    assert "pageToken" not in first and "pageToken" not in search_first
    assert second["pageToken"] == "CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA"  # page 1's nextPageToken
    assert search_second["pageToken"] == "Cg1wb2xpY2llcy1wYWdlMg"


def test_asks_for_accounts_keys_roles_and_the_hierarchy() -> None:
    assert set(ASSET_TYPES) == {
        "iam.googleapis.com/ServiceAccount",
        "iam.googleapis.com/ServiceAccountKey",
        "iam.googleapis.com/Role",
        "cloudresourcemanager.googleapis.com/Organization",
        "cloudresourcemanager.googleapis.com/Folder",
        "cloudresourcemanager.googleapis.com/Project",
        "iam.googleapis.com/WorkloadIdentityPool",  # keyless trusts (issue #20)
        "iam.googleapis.com/WorkloadIdentityPoolProvider",
    }


def test_records_from_both_pages_of_both_calls(
    httpserver: HTTPServer, client: asset_v1.AssetServiceClient
) -> None:
    records = scan(httpserver, client).records
    accounts = of(records, Account)
    assert set(accounts) == {"acme-prod", "acme-data", "acme-old"}
    assert accounts["acme-prod"].parents == ("organizations/93422", "folders/82001")
    assert accounts["acme-prod"].native_id == "411224356"
    # page 1 and page 2 of ListAssets
    assert set(of(records, Identity)) == {DEPLOY, OLD_BATCH, LOADER}
    keys = of(records, Credential)
    exposed = keys["3f1c9b7e0a2d4c6b8e5f7a9c1d3e5f7a9b1c3d5e"]
    assert (exposed.identity, exposed.status, exposed.status_reason) == (
        DEPLOY, CredentialStatus.INACTIVE, "exposed",
    )  # fmt: skip
    assert exposed.expires is None  # 9999-12-31: never expires
    assert keys["8a0b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a4b"].created == datetime(
        2026, 11, 1, 0, 0, 0, 123456, tzinfo=UTC
    )
    policies = of(records, Policy)
    roles = {p for p, v in policies.items() if v.kind is PolicyKind.CUSTOM_ROLE}
    assert roles == {"projects/acme-prod/roles/deployer", "organizations/93422/roles/auditor"}
    # page 1 and page 2 of the search: every policy attached to its resource's full name, a
    # project named by its number (page 2) under its id like one named by its id (page 1)
    allow = {p.attached_to[0]: p for p in policies.values() if p.kind is PolicyKind.IAM_ALLOW}
    assert set(allow) == {
        f"{CRM}organizations/93422", f"{CRM}folders/82001", f"{CRM}projects/acme-prod",
        f"{CRM}projects/acme-data", DEPLOY_NAME,
        "//storage.googleapis.com/acme-prod-artifacts",
    }  # fmt: skip
    conditional = allow[f"{CRM}projects/acme-prod"].document["bindings"][0]
    assert conditional["condition"]["expression"] == UNTIL_2027
    assert allow[f"{CRM}projects/acme-prod"].version == "3"
    bucket = of(records, Resource)["//storage.googleapis.com/acme-prod-artifacts"]
    assert (bucket.kind, bucket.account) == (ResourceKind.GCS_BUCKET, "acme-prod")
    groups = {"group:cloud-admins@acme.example", "group:analysts@acme.example"}
    assert set(of(records, Group)) == groups


def test_only_the_gaps_the_live_path_cannot_fill(
    httpserver: HTTPServer, client: asset_v1.AssetServiceClient
) -> None:
    gaps = [r for r in scan(httpserver, client).records if isinstance(r, CollectionGap)]
    # no last use, deny policies or disable reasons (the live connector reads them), and no
    # "part missing" gap (both calls were made); group members are read by neither live path
    # (the walk's limitation too, stated in the README), so no gap says only this one lacks them
    assert gaps == []


def test_active_projects_and_accounts_whose_disabled_keys_lack_a_reason(
    httpserver: HTTPServer, client: asset_v1.AssetServiceClient
) -> None:
    result = scan(httpserver, client)
    assert result.projects == ("acme-data", "acme-prod")  # acme-old is DELETE_REQUESTED
    # old-batch's disabled key came without disableReason; deploy's said EXPOSED, and enabled
    # keys need none
    assert result.keys_lacking_reason == (OLD_BATCH,)


def test_to_json_gives_the_export_form() -> None:
    when = timestamp_pb2.Timestamp()
    when.FromJsonString("2026-11-02T10:00:00.123456789Z")
    data = struct_pb2.Struct()
    data.update({"projectNumber": "411224356", "count": 3, "ratio": 0.5, "items": [1, 2.5]})
    message = asset_v1.Asset(
        name="//cloudresourcemanager.googleapis.com/projects/411224356",
        asset_type="cloudresourcemanager.googleapis.com/Project",
        update_time=when,
        resource=asset_v1.Resource(version="v1", discovery_name="Project", data=data),
        ancestors=["projects/411224356"],
    )
    assert to_json(message) == {
        "name": "//cloudresourcemanager.googleapis.com/projects/411224356",
        "assetType": "cloudresourcemanager.googleapis.com/Project",  # camelCase keys
        "updateTime": "2026-11-02T10:00:00.123456789Z",  # RFC 3339
        "resource": {  # no empty parent, location or discoveryDocumentUri
            "version": "v1",
            "discoveryName": "Project",
            "data": {"projectNumber": "411224356", "count": 3, "ratio": 0.5, "items": [1, 2.5]},
        },
        "ancestors": ["projects/411224356"],
    }
    assert isinstance(to_json(message)["resource"]["data"]["count"], int)


def test_to_json_of_a_search_result_keeps_the_policy_whole() -> None:
    message = asset_v1.IamPolicySearchResult.from_json(
        '{"resource": "//storage.googleapis.com/b", "assetType": "storage.googleapis.com/Bucket",'
        ' "project": "projects/1", "folders": ["folders/2"], "organization": "organizations/3",'
        ' "policy": {"version": 3, "etag": "BwYc", "bindings": [{"role": "roles/x",'
        ' "members": ["allUsers"], "condition": {"title": "t", "expression": "true"}}]}}'
    )
    assert to_json(message) == {
        "resource": "//storage.googleapis.com/b", "assetType": "storage.googleapis.com/Bucket",
        "project": "projects/1", "folders": ["folders/2"], "organization": "organizations/3",
        "policy": {"version": 3, "etag": "BwYc", "bindings": [
            {"role": "roles/x", "members": ["allUsers"],
             "condition": {"title": "t", "expression": "true"}},
        ]},
    }  # fmt: skip

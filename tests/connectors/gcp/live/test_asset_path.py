"""``--gcp-organization`` through Cloud Asset: the same recorded estate answered as
``ListAssets`` and ``SearchAllIamPolicies`` pages (built here from the walk's own recorded
bodies, in the documented response formats) gives the same records as the project walk; what
Cloud Asset lacks (last use, a key's ``disableReason``, deny policies) is still asked per
project; a refused Cloud Asset is a gap and the scope is walked instead."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from typing import Any

from nhiscan.connectors.gcp.live import LIST_ASSETS, SEARCH_POLICIES
from nhiscan.scanner.model import Credential, GapReason, Record

from .conftest import DEPLOY, EXPOSED_KEY, NUMBER, PROJECT, Api, body, error, estate
from .test_walk import api, gaps, walk

ORG = "organizations/93422"
CRM = "//cloudresourcemanager.googleapis.com/"
ANCESTORS = [f"projects/{NUMBER}", "folders/82001", ORG]
LIST = f"/v1/{ORG}/assets"
SEARCH = f"/v1/{ORG}:searchAllIamPolicies"
ACCOUNT_PAGES = ("iam/service-accounts-page1", "iam/service-accounts-page2")
KEYS = ("iam/keys-deploy", "iam/keys-ci", "iam/keys-none")


def org_estate(api: Api) -> Api:
    """The recorded estate, with the organization's folder and project listings (the router
    answers by path: both listings of projects, below the organization and below the folder,
    answer acme-prod, which the walk lists once)."""
    api = estate(api)
    api.on("GET", "/v3/projects", (200, {"projects": [body("rm/project")]}))
    api.on("GET", "/v3/folders", (200, body("rm/folders-of-organization")), (200, {}))
    return api


def _asset(name: str, kind: str, ancestors: list[str], data: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "assetType": kind, "ancestors": ancestors,
            "updateTime": "2026-11-30T10:00:00Z",
            "resource": {"version": "v1", "data": data}}  # fmt: skip


def _assets() -> list[dict[str, Any]]:
    """The walk's recorded estate as Cloud Asset resources; keys without ``disableReason``
    (whether Cloud Asset carries it is not documented: the path asks ``keys.list``)."""
    crm = "cloudresourcemanager.googleapis.com/"
    found = [
        _asset(CRM + ORG, crm + "Organization", [ORG], body("rm/organization")),
        _asset(CRM + "folders/82001", crm + "Folder", ["folders/82001", ORG], body("rm/folder")),
        _asset(CRM + f"projects/{NUMBER}", crm + "Project", ANCESTORS, body("rm/project")),
    ]
    for page in ACCOUNT_PAGES:
        for account in body(page)["accounts"]:
            name = f"//iam.googleapis.com/projects/{PROJECT}/serviceAccounts/{account['uniqueId']}"
            found.append(_asset(name, "iam.googleapis.com/ServiceAccount", ANCESTORS, account))
    for keys in KEYS:
        for key in body(keys).get("keys", []):
            data = {k: v for k, v in key.items() if k not in ("disableReason", "extendedStatus")}
            name = "//iam.googleapis.com/" + key["name"]
            found.append(_asset(name, "iam.googleapis.com/ServiceAccountKey", ANCESTORS, data))
    for listing, key, kind in (
        ("iam/workload-pools", "workloadIdentityPools", "WorkloadIdentityPool"),
        ("iam/workload-providers-github", "workloadIdentityPoolProviders",
         "WorkloadIdentityPoolProvider"),
    ):  # fmt: skip
        for item in body(listing)[key]:
            name = "//iam.googleapis.com/" + item["name"]
            found.append(_asset(name, f"iam.googleapis.com/{kind}", ANCESTORS, item))
    for roles, ancestors in (("iam/roles-organization", [ORG]), ("iam/roles-project", ANCESTORS)):
        for role in body(roles)["roles"]:
            name = "//iam.googleapis.com/" + role["name"]
            found.append(_asset(name, "iam.googleapis.com/Role", ancestors, role))
    return found


def _policies() -> list[dict[str, Any]]:
    crm = "cloudresourcemanager.googleapis.com/"
    found = [
        {"resource": CRM + ORG, "assetType": crm + "Organization", "organization": ORG,
         "policy": body("rm/policy-organization")},
        {"resource": CRM + "folders/82001", "assetType": crm + "Folder", "organization": ORG,
         "folders": ["folders/82001"], "policy": body("rm/policy-folder")},
        {"resource": CRM + f"projects/{NUMBER}", "assetType": crm + "Project",
         "project": f"projects/{NUMBER}", "folders": ["folders/82001"], "organization": ORG,
         "policy": body("rm/policy-project")},
        {"resource": f"//iam.googleapis.com/projects/{PROJECT}/serviceAccounts/{DEPLOY}",
         "assetType": "iam.googleapis.com/ServiceAccount", "project": f"projects/{NUMBER}",
         "folders": ["folders/82001"], "organization": ORG,
         "policy": body("iam/sa-policy-deploy")},
    ]  # fmt: skip
    for result in found:  # an etag is bytes on the wire: what comes back is canonical base64
        policy = result["policy"]
        policy["etag"] = base64.b64encode(base64.b64decode(policy["etag"])).decode()
    return [r for r in found if r["policy"].get("bindings")]


def _served(api: Api) -> Api:
    assets = _assets()
    half = len(assets) // 2
    api.on("GET", LIST, (200, {"assets": assets[:half], "nextPageToken": "page-2"}))
    api.on("GET", LIST, (200, {"assets": assets[half:]}), page="page-2")
    api.on("GET", SEARCH, (200, {"results": _policies()}))
    return api


__all__ = ["api"]  # the fixture, shared with the walk's tests


def _comparable(records: list[Record]) -> list[str]:
    """Each record as key-sorted JSON (Cloud Asset's JSON orders a role's keys its own way)."""
    return sorted(
        json.dumps({"type": type(r).__name__, **asdict(r)}, sort_keys=True, default=str)
        for r in records
    )


def test_cloud_asset_and_the_walk_give_the_same_records(api: Api) -> None:
    walked = walk(org_estate(api), projects=(), organization="93422", use_assets=False)
    api.server.clear()
    served = _served(org_estate(Api(api.server)))
    scanned = walk(served, projects=(), organization="93422")
    assert gaps(scanned) == gaps(walked) == {}
    assert _comparable(scanned) == _comparable(walked)
    paths = set(served.paths())
    assert LIST in paths and SEARCH in paths
    # what Cloud Asset does not hold is still asked: last use, disable reasons, deny policies
    assert f"/v1/projects/{PROJECT}/serviceAccounts/{DEPLOY}/keys" in paths
    assert any("activities:query" in p for p in paths)
    assert any("denypolicies" in p for p in paths)
    # and the walk's own listing is not: the accounts came from Cloud Asset
    assert f"/v1/projects/{PROJECT}/serviceAccounts" not in paths
    assert f"/v1/projects/{PROJECT}/locations/global/workloadIdentityPools" not in paths
    (exposed,) = (r for r in scanned if isinstance(r, Credential) and r.id == EXPOSED_KEY)
    assert exposed.status_reason == "exposed"


def test_a_refused_cloud_asset_is_a_gap_and_the_scope_is_walked(api: Api) -> None:
    walked = walk(org_estate(api), projects=(), organization="93422", use_assets=False)
    api.server.clear()
    refused = org_estate(Api(api.server))
    refused.on("GET", LIST, (403, error("service-disabled", "cloudasset.googleapis.com")))
    records = walk(refused, projects=(), organization="93422")
    found = gaps(records)
    gap = found.pop((ORG, LIST_ASSETS))
    assert gap.reason is GapReason.API_DISABLED and "walking the projects" in gap.detail
    assert found == {}
    assert _comparable([r for r in records if r is not gap]) == _comparable(walked)
    assert SEARCH not in refused.paths()


def test_a_refused_policy_search_discards_the_listing_too(api: Api) -> None:
    served = _served(org_estate(api))
    served.on("GET", SEARCH, (403, error("permission-denied-plain")))
    records = walk(served, projects=(), organization="93422")
    gap = gaps(records)[(ORG, SEARCH_POLICIES)]
    assert gap.reason is GapReason.ACCESS_DENIED
    # walked instead: the accounts came from the IAM listing, not from half a Cloud Asset scan
    assert f"/v1/projects/{PROJECT}/serviceAccounts" in served.paths()

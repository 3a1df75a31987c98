"""The live walk and the offline reader map the same data to the same records: the recorded
answers, written as the Cloud Asset export of the same estate (resource data is the REST form
of each object), give equal accounts, identities, keys, policies, roles and groups. Last use is
what only the live path reads (an export has none)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.gcp.offline.reader import GcpAssetsConnector
from nhiscan.scanner.model import (
    Account,
    CollectionGap,
    Credential,
    Group,
    Identity,
    Policy,
    PolicyKind,
    Record,
    Resource,
)

from .conftest import NOW, Api, body, estate
from .test_walk import walk

CRM = "//cloudresourcemanager.googleapis.com/"
IAM = "//iam.googleapis.com/"
ANCESTORS = ["projects/411224356", "folders/82001", "organizations/93422"]


def line(name: str, kind: str, ancestors: list[str], data: Any, policy: Any = None) -> str:
    asset: dict[str, Any] = {
        "name": name, "assetType": kind, "ancestors": ancestors,
        "updateTime": "2026-11-30T00:00:00Z", "resource": {"data": data},
    }  # fmt: skip
    if policy is not None:
        asset["iamPolicy"] = policy
    return json.dumps(asset)


def export(path: Path) -> Path:
    """The recorded estate as one export file (both content types on each line)."""
    rm, iam = "cloudresourcemanager.googleapis.com", "iam.googleapis.com"
    lines = [
        line(f"{CRM}organizations/93422", f"{rm}/Organization", ANCESTORS[2:],
             body("rm/organization"), body("rm/policy-organization")),
        line(f"{CRM}folders/82001", f"{rm}/Folder", ANCESTORS[1:], body("rm/folder"),
             body("rm/policy-folder")),
        line(f"{CRM}projects/411224356", f"{rm}/Project", ANCESTORS, body("rm/project"),
             body("rm/policy-project")),
        *(line(f"{IAM}{r['name']}", f"{iam}/Role", ANCESTORS if "projects/" in r["name"]
               else ANCESTORS[2:], r)
          for r in body("iam/roles-project")["roles"] + body("iam/roles-organization")["roles"]),
        *(line(f"{IAM}{p['name']}", f"{iam}/WorkloadIdentityPool", ANCESTORS, p)
          for p in body("iam/workload-pools")["workloadIdentityPools"]),
        *(line(f"{IAM}{p['name']}", f"{iam}/WorkloadIdentityPoolProvider", ANCESTORS, p)
          for p in body("iam/workload-providers-github")["workloadIdentityPoolProviders"]),
    ]  # fmt: skip
    policies = {"deploy": body("iam/sa-policy-deploy")}
    keys = {"deploy": "iam/keys-deploy", "ci": "iam/keys-ci", "old-batch": "iam/keys-none"}
    for page in ("iam/service-accounts-page1", "iam/service-accounts-page2"):
        for account in body(page)["accounts"]:
            short = account["email"].split("@")[0]
            sa = f"{IAM}projects/acme-prod/serviceAccounts/{account['uniqueId']}"
            lines.append(line(sa, f"{iam}/ServiceAccount", ANCESTORS, account,
                              policies.get(short)))  # fmt: skip
            for key in body(keys[short]).get("keys", []):
                key_id = key["name"].rsplit("/", 1)[-1]
                lines.append(line(f"{sa}/keys/{key_id}", f"{iam}/ServiceAccountKey", ANCESTORS,
                                  key))  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
    return path


def comparable(records: list[Record]) -> dict[tuple[str, str], Record]:
    kept = (Account, Identity, Credential, Group, Resource, Policy)
    found: dict[tuple[str, str], Record] = {}
    for record in records:
        if isinstance(record, CollectionGap) or not isinstance(record, kept):
            continue
        if isinstance(record, Policy) and record.kind is PolicyKind.IAM_DENY:
            continue  # an export holds no deny policies
        if isinstance(record, (Identity, Credential)):
            record = replace(record, last_used=None)  # only the live path reads last use
        found[(type(record).__name__, record.id)] = record
    return found


def test_the_walk_and_the_export_give_the_same_records(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    live = comparable(walk(estate(Api(httpserver))))
    offline = comparable(list(GcpAssetsConnector([export(tmp_path / "export.json")]).collect(
        CollectContext(now=NOW)
    )))  # fmt: skip
    assert sorted(live) == sorted(offline)
    kinds = {kind for kind, _ in live}
    assert kinds == {"Account", "Identity", "Credential", "Group", "Resource", "Policy"}
    # 1 project, 3 accounts, 3 keys, a group, 3 nodes, 4 policies, 3 roles, a workload
    # identity pool and its 2 providers
    assert len(live) == 21
    pools = {k for k, r in live.items() if isinstance(r, Policy) and r.kind in (
        PolicyKind.GCP_WORKLOAD_POOL, PolicyKind.GCP_WORKLOAD_PROVIDER)}  # fmt: skip
    assert len(pools) == 3
    for key, record in live.items():
        assert record == offline[key], key

"""``nhiscan scan --azure-export … --agents …`` end to end (issue #15 item 6): the export's
deploy-identity, a managed identity holding Owner on the payments subscription, runs an agent
that needs one blob prefix, one queue, the storage account's properties and one Cosmos DB
container (``tests/data/azure/agents.yaml``). The JSON report shows its excess and missing
access as AWS and GCP agents' are, its Cosmos DB needs as not judged, and its least privilege
as custom role definitions, role assignments and the ``az`` commands that apply them."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nhiscan.cli import cli

DATA = Path(__file__).parents[2] / "data" / "azure"
SUB = "/subscriptions/0b1e7c2a-8d4f-4a6b-9c3e-5f7a9b1d3e5f"
RG = f"{SUB}/resourcegroups/rg-payments/providers"
MI = "b5000000-0000-4000-8000-000000000005"  # deploy-identity: Owner on SUB
BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
SEND = "Microsoft.ServiceBus/namespaces/messages/send/action"
ACCOUNT_READ = "Microsoft.Storage/storageAccounts/read"
ACCOUNT = f"{SUB}/resourceGroups/rg-payments/providers/Microsoft.Storage/storageAccounts/paydocs"
COSMOS = "Microsoft.DocumentDB/databaseAccounts"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("azure-agents")
    args = ["scan", "--azure-export", str(DATA / "export"), "--agents", str(DATA / "agents.yaml"),
            "--as-of", "2026-09-01", "--format", "json", "--format", "html",
            "--detail", "full", "-o", str(where)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return where


@pytest.fixture(scope="module")
def agent(out: Path) -> dict[str, Any]:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    (found,) = report["agents"]
    assert found["name"] == "invoice-reconciler"
    return dict(found)


def test_the_managed_identity_is_analysed_as_an_administrator(agent: dict[str, Any]) -> None:
    (identity,) = agent["identities"]
    assert (identity["id"], identity["provider"], identity["analysed"]) == (MI, "azure", True)
    assert identity["reason"] is None and identity["admin"] is True
    assert agent["score"]["admin"] is True and agent["score"]["band"] == "critical"
    assert agent["granted_summary"]["granted"] == identity["granted"] > 3000


def test_owner_beyond_the_plan_is_excess_and_its_scope_too_wide(agent: dict[str, Any]) -> None:
    excess = {(g["action"], g["resource"]) for g in agent["excess"]}
    assert ("Microsoft.Authorization/roleAssignments/write", SUB) in excess
    assert all(s["sid"] == "Owner" for g in agent["excess"] for s in g["statements"])
    (wide,) = agent["excess_scope"]  # the one control-plane need, granted on the subscription
    assert (wide["action"], wide["resource"]) == (ACCOUNT_READ, SUB)
    assert wide["needed_on"] == [ACCOUNT.lower()]  # as grants name it (ARM ids ignore case)


def test_the_data_needs_owner_does_not_grant_are_missing(agent: dict[str, Any]) -> None:
    missing = {(m["action"], m["resource"]) for m in agent["missing"]}
    assert missing == {
        (f"{BLOBS}/read", f"{RG}/microsoft.storage/storageaccounts/paydocs/blobservices/default/"
                          "containers/invoices/blobs/2026/*"),
        (SEND, f"{RG}/microsoft.servicebus/namespaces/pay-bus/queues/reconciled"),
    }  # fmt: skip
    assert {m["reason"] for m in agent["missing"]} == {"no role assignment grants it"}


def test_the_cosmos_db_needs_are_reported_not_judged(agent: dict[str, Any]) -> None:
    unjudged = agent["unjudged"]
    assert {u["action"] for u in unjudged} == {
        f"{COSMOS}/readMetadata",
        f"{COSMOS}/sqlDatabases/containers/items/read",
        f"{COSMOS}/sqlDatabases/containers/executeQuery",
    }
    assert {u["resource"] for u in unjudged} == {
        f"{RG}/microsoft.documentdb/databaseaccounts/pay-ledger/dbs/ledger/colls/entries"
    }
    assert all(u["steps"] == [4] and "az cosmosdb sql role assignment list" in u["reason"]
               for u in unjudged)  # fmt: skip
    assert not {m["action"] for m in agent["missing"]} & {u["action"] for u in unjudged}
    (identity,) = agent["identities"]
    assert identity["unjudged_needs"] == unjudged


def test_the_least_privilege_is_custom_roles_and_assignments(agent: dict[str, Any]) -> None:
    policy = agent["least_privilege"][MI]["policy"]
    assert (policy["subscription"], policy["principal"]) == (SUB.rsplit("/", 1)[1], MI)
    definitions = [r["definition"] for r in policy["roles"]]
    assert all(d["IsCustom"] and d["NotActions"] == [] == d["NotDataActions"] for d in definitions)
    granted = {a for d in definitions for a in (*d["Actions"], *d["DataActions"])}
    assert granted == {ACCOUNT_READ, SEND, f"{BLOBS}/read"}  # exactly the judged needs
    assert {s for d in definitions for s in d["AssignableScopes"]} == {
        f"{SUB}/resourceGroups/rg-payments"
    }
    on = {a["scope"]: a for a in policy["assignments"]}
    container = f"{ACCOUNT}/blobServices/default/containers/invoices"
    assert set(on) == {
        ACCOUNT, container,
        f"{SUB}/resourceGroups/rg-payments/providers/Microsoft.ServiceBus/namespaces/pay-bus/"
        "queues/reconciled",
    }  # fmt: skip
    assert "StringStartsWith '2026/'" in on[container]["condition"]
    assert all(a["principalId"] == MI and a["principalType"] == "ServicePrincipal"
               for a in on.values())  # fmt: skip
    (cosmos,) = policy["cosmos"]["roles"]
    assert cosmos["body"]["AssignableScopes"] == ["/dbs/ledger/colls/entries"]


def test_the_az_commands_create_the_roles_then_assign_them(agent: dict[str, Any]) -> None:
    policy = agent["least_privilege"][MI]["policy"]
    commands = [shlex.split(c) for c in policy["commands"]]
    creates = [c for c in commands if c[:4] == ["az", "role", "definition", "create"]]
    assert [c[4:] for c in creates] == [
        ["--role-definition", f"@{r['file']}"] for r in policy["roles"]
    ]
    assigns = [c for c in commands if c[:4] == ["az", "role", "assignment", "create"]]
    assert commands.index(assigns[0]) > commands.index(creates[-1])
    scopes = {dict(zip(c[4::2], c[5::2], strict=True))["--scope"] for c in assigns}
    assert scopes == {a["scope"] for a in policy["assignments"]}
    assert all(dict(zip(c[4::2], c[5::2], strict=True))["--assignee-object-id"] == MI
               for c in assigns)  # fmt: skip
    cosmos = [c for c in commands if c[:3] == ["az", "cosmosdb", "sql"]]
    assert [c[3:6] for c in cosmos] == [["role", "definition", "create"],
                                        ["role", "assignment", "create"]]  # fmt: skip


def test_the_html_report_says_what_it_could_not_judge(out: Path) -> None:
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Not judged" in html and "az cosmosdb sql role assignment list" in html
    assert "az role definition create" in html

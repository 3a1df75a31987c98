"""The demo's Azure tenant (issue #15 item 8): `nhiscan scan --demo` reads the bundled az CLI
export with the real offline reader, and the reports show each case it was built for; the CI
application's client secret, committed in the demo repository with its client id, joins the
application's credential by its hint (item 7). The scan is the session's one demo run
(tests/conftest.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from nhiscan.connectors.azure.offline.layout import BY_PATH
from nhiscan.connectors.azure.offline.reader import read_folder
from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.demo.azure import EXPORT, collect_tenant, leaked_secret, shifted
from nhiscan.connectors.demo.repo import AZURE_SETTINGS, azure_client_secret, azure_settings
from nhiscan.connectors.git.secrets.detectors import DETECTORS
from nhiscan.connectors.git.secrets.detectors.model import AZURE_CLIENT_SECRET
from nhiscan.providers.azure.analysis import AzureAnalysis
from nhiscan.providers.azure.catalog import default_catalog
from nhiscan.scanner.model import Credential, Identity
from tests import factories as f

TENANT = "84af63cf-60ae-4dae-b053-8e0d0a71698b"
SUBSCRIPTION = "/subscriptions/3d5c5cc0-66b0-4bdc-abb9-09c08c90cc48"
AUTOMATION = "e297966b-0777-4460-9523-dfadc28e5ada"  # lending-automation: Application Admin
PROVISIONER = "59de738d-1db0-411f-89ea-b05fa31b82f6"  # infra-provisioner: Owner
LEGACY = "81b9ef6d-3753-4b8d-b639-c10922aad136"  # legacy-reporting: expired secrets
AGENT = "d07e673e-182a-4579-a006-8f86d6297a6b"  # claims-intake-agent
MANAGED = "ac4c813d-dc64-4b15-bcda-d2bb09797dd1"  # id-platform-deploy: Owner
GRAPH = "2e5fdaf1-7597-44e4-8a8d-927f78fcc943"  # Microsoft Graph's service principal
EXPIRED = "a68f6fd9-7c2d-4815-ac28-d9d1b24726e3"  # legacy-reporting's last secret
EXPIRED_LONG_AGO = "4fc4ab18-b57e-4c5c-ade3-a4da2297c248"
EXPIRING = "756f9609-e52f-46ca-92d7-fbd2d25d5e8c"  # infra-provisioner's Terraform secret
REPO = "demo/lending-agents"


@pytest.fixture(scope="module")
def report(demo_report: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def snapshot(demo_report: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((demo_report / "snapshot.json").read_text(encoding="utf-8"))
    return data


def azure_findings(report: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule_id"] == rule and f["provider"] == "azure"]


def by_subject(report: dict[str, Any], rule: str) -> dict[str, dict[str, Any]]:
    found = azure_findings(report, rule)
    subjects = {f["subject"]: f for f in found}
    assert len(subjects) == len(found), f"{rule}: two findings on one subject"
    return subjects


def test_the_demo_reads_its_azure_tenant_from_the_bundled_export(
    report: dict[str, Any], snapshot: dict[str, Any]
) -> None:
    assert "demo:azure-tenant" in report["sources"]
    accounts = {a["id"]: a for a in snapshot["accounts"] if a["provider"] == "azure"}
    assert set(accounts) == {TENANT, SUBSCRIPTION.rsplit("/", 1)[1]}
    identities = {i["id"]: i for i in report["identities"] if i["provider"] == "azure"}
    assert set(identities) == {AUTOMATION, PROVISIONER, LEGACY, AGENT, MANAGED, GRAPH}
    assert {i["name"] for i in identities.values()} >= {
        "lending-automation", "infra-provisioner", "legacy-reporting", "claims-intake-agent",
        "id-platform-deploy", "Microsoft Graph",
    }  # fmt: skip
    assert identities[MANAGED]["kind"] != identities[AUTOMATION]["kind"]  # a managed identity
    assert all(i["is_human"] is False for i in identities.values())
    assert identities[AUTOMATION]["owner"] == "dana.dev@acmelending.onmicrosoft.com"


def test_the_expired_secret_still_present_and_the_one_expiring_soon(
    report: dict[str, Any],
) -> None:
    expiry = by_subject(report, "NHI500")
    assert set(expiry) == {EXPIRED, EXPIRED_LONG_AGO, EXPIRING}
    expired = expiry[EXPIRED]["evidence"]
    assert expired["case"] == "expired" and expired["days"] == 45
    assert expired["holder"] == "253ec107-05bf-4746-8204-f38085454155"  # the application object
    assert expired["on"] == "application" and expiry[EXPIRED]["severity"] == "low"
    assert "expired 45 days ago and is still present" in expiry[EXPIRED]["title"]
    soon = expiry[EXPIRING]
    assert soon["evidence"]["case"] == "expiring" and soon["evidence"]["days"] == 11
    assert soon["severity"] == "medium" and "infra-provisioner" in soon["title"]
    # the expired ones are no live credential: no lifetime finding on them, one on the other
    assert EXPIRED not in by_subject(report, "NHI501") and EXPIRING in by_subject(report, "NHI501")


def test_application_administrator_is_a_path_to_the_owner_of_the_subscription(
    report: dict[str, Any],
) -> None:
    (role,) = [f for f in azure_findings(report, "NHI505") if f["subject"] == AUTOMATION]
    assert "Application Administrator" in role["title"]
    admin = by_subject(report, "NHI100")
    chain = admin[AUTOMATION]
    assert chain["severity"] == "critical"
    assert chain["evidence"]["admin_account"] == SUBSCRIPTION
    assert chain["evidence"]["via"] == [PROVISIONER]
    hops = [(h["from"], h["to"], h["edge"], h.get("method")) for h in chain["path"]]
    assert hops == [
        (AUTOMATION, PROVISIONER, "escalates_to", "add-application-credential"),
        (PROVISIONER, f"admin:{SUBSCRIPTION}", "is_admin", None),
    ]
    assert [s["sid"] for h in chain["path"] for s in h["statements"]] == [
        "Application Administrator", "Owner",
    ]  # fmt: skip
    # the privileged service principal: Owner of the subscription itself
    (owner,) = [f for f in azure_findings(report, "NHI504") if f["subject"] == PROVISIONER]
    assert owner["evidence"]["role"] == "Owner" and owner["evidence"]["scope"] == SUBSCRIPTION
    credential = {m for f in azure_findings(report, "NHI103") if f["subject"] == AUTOMATION
                  for m in [f["path"][0].get("method")]}  # fmt: skip
    assert "add-application-credential" in credential


def test_the_managed_identity_with_owner_is_found(report: dict[str, Any]) -> None:
    (grant,) = [f for f in azure_findings(report, "NHI504") if f["subject"] == MANAGED]
    assert grant["evidence"]["role"] == "Owner" and grant["evidence"]["scope"] == SUBSCRIPTION
    assert grant["title"].startswith("Managed identity id-platform-deploy")
    assert by_subject(report, "NHI100")[MANAGED]["evidence"]["direct"] is True
    # Azure issues and rotates a managed identity's certificate: never judged
    judged = [f for f in report["findings"] if f["rule_id"] in {"NHI500", "NHI501", "NHI001"}]
    assert "132bf029-028f-4ae7-a831-71a138ae9d64" not in json.dumps(judged)


def test_the_committed_client_secret_joins_the_application_credential(
    report: dict[str, Any], demo_report: Path
) -> None:
    leaked = leaked_secret()
    (joined,) = by_subject(report, "NHI201").values()
    evidence = joined["evidence"]
    assert joined["subject"] == AUTOMATION == leaked.service_principal
    assert joined["severity"] == "critical" and evidence["reach"]["admin"] is True
    assert evidence["credential"] == leaked.key_id and evidence["credential_status"] == "active"
    assert evidence["principal_hint"] == f"client_id={leaked.app_id}"
    assert evidence["account"] == TENANT and evidence["detector"] == AZURE_CLIENT_SECRET
    places = [(e["repository"], e["path"], e["line"], e["at_head"]) for e in evidence["exposures"]]
    assert places == [(REPO, AZURE_SETTINGS, 4, True)]
    edges = [(h["edge"], h.get("method")) for h in joined["path"]]
    assert edges[:3] == [("contains", None), ("leaks", None), ("has_credential", None)]
    assert ("escalates_to", "add-application-credential") in edges
    secret = azure_client_secret()
    assert evidence["redacted"] == f"{secret[:4]}…(40 chars)"
    for name in ("report.json", "report.html", "snapshot.json"):
        text = (demo_report / name).read_text(encoding="utf-8")
        assert secret not in text and secret[6:30] not in text, name


def test_the_azure_agent_is_declared_and_matched(report: dict[str, Any]) -> None:
    """Its service principal holds Contributor on the resource group, Storage Blob Data
    Contributor on the account and Key Vault Secrets User on the vault, for two reads: once the
    Azure gap analysis is wired (#15) that is its excess; the plan's needs are here already."""
    (agent,) = [a for a in report["agents"] if a["name"] == "azure-claims-intake"]
    assert agent["unmatched"] == [] and agent["unchecked"] == []
    (identity,) = agent["identities"]
    assert identity["id"] == AGENT and identity["provider"] == "azure"
    assert identity["account"] == TENANT
    group = f"{SUBSCRIPTION}/resourcegroups/rg-claims/providers/"
    assert sorted((n["action"], n["resource"]) for n in agent["needed"]) == [
        ("Microsoft.KeyVault/vaults/secrets/getSecret/action",
         group + "microsoft.keyvault/vaults/kv-claims-intake/secrets/ocr-api-key"),
        ("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
         group + "microsoft.storage/storageaccounts/acmeclaimsdocs/blobservices/default/"
         "containers/intake/blobs/*"),
    ]  # fmt: skip
    # claimed: no "no agent claims" finding on it, as there is on the tenant's other identities
    unclaimed = {f["subject"] for f in azure_findings(report, "NHI306")}
    assert AGENT not in unclaimed and {AUTOMATION, PROVISIONER, MANAGED} <= unclaimed


def test_the_agent_holds_more_than_its_plan(snapshot: dict[str, Any]) -> None:
    """What the gap analysis compares with the two reads: the agent's role assignments."""
    group = f"{SUBSCRIPTION}/resourceGroups/rg-claims"
    held = sorted(
        (p["name"], p["document"]["scope"])
        for p in snapshot["policies"]
        if p["kind"] == "azure-role-assignment" and p["document"]["principalId"] == AGENT
    )
    assert held == [
        ("Contributor", group),
        ("Key Vault Secrets User", f"{group}/providers/Microsoft.KeyVault/vaults/kv-claims-intake"),
        ("Storage Blob Data Contributor",
         f"{group}/providers/Microsoft.Storage/storageAccounts/acmeclaimsdocs"),
    ]  # fmt: skip


def test_the_gap_analysis_reports_the_agents_excess_and_nothing_missing(
    report: dict[str, Any],
) -> None:
    """Contributor on the resource group is excess for two reads; the two reads are held, the
    blob read on the whole account (excess scope), so NHI300 names the agent, nothing missing."""
    (agent,) = [a for a in report["agents"] if a["name"] == "azure-claims-intake"]
    (identity,) = agent["identities"]
    assert identity["analysed"] and not identity["admin"]
    assert identity["missing"] == 0 and identity["conditional"] == 0
    assert identity["excess"] > 1000  # Contributor's control-plane actions on the group
    assert identity["excess_scope"] == 2  # the blob read on the account, the secret on the vault
    (excess,) = [f for f in azure_findings(report, "NHI300") if f["subject"] == AGENT]
    assert "azure-claims-intake" in excess["title"]
    plan = report["agent_analysis"]
    assert plan["analysed"] >= 1


def test_the_html_report_shows_the_azure_identities_and_findings(
    report: dict[str, Any], demo_report: Path
) -> None:
    html = (demo_report / "report.html").read_text(encoding="utf-8")
    rows = Counter(re.findall(r'data-rule="(NHI\d+)" data-provider="azure"', html))
    expected = Counter(f["rule_id"] for f in report["findings"] if f["provider"] == "azure")
    assert rows == expected
    assert {"NHI100", "NHI201", "NHI500", "NHI504", "NHI505"} <= set(rows)
    for text in ("lending-automation", "infra-provisioner", "id-platform-deploy",
                 "legacy-reporting", "claims-intake-agent", "azure-claims-intake",
                 "Application Administrator", AZURE_SETTINGS, EXPIRED):  # fmt: skip
        assert text in html, text


def test_what_the_export_cannot_hold_is_a_gap(report: dict[str, Any]) -> None:
    gaps = [g for g in report["gaps"] if g["provider"] == "azure"]
    assert gaps and {g["reason"] for g in gaps} == {"not-in-export"}
    operations = {g["operation"] for g in gaps}
    assert "appCredentialSignInActivities" in operations  # no "unused" claim without it
    # every optional part is in the bundled folder: none is reported missing
    assert not [op for op in operations if op.removeprefix("azure-export:") + ".json" in BY_PATH
                or op.removeprefix("azure-export:") + "/" in BY_PATH]  # fmt: skip
    assert "nhiscan-demo-azure-" not in json.dumps(report)


def test_the_bundled_folder_is_an_export_the_reader_knows_whole() -> None:
    export = read_folder(EXPORT)
    assert export.unknown == []
    assert set(export.files) | set(export.folders) == set(BY_PATH)
    apps = json.loads((EXPORT / "applications.json").read_text(encoding="utf-8"))
    assert (
        {f"{a['appId']}.json" for a in apps}
        == {p.name for p in (EXPORT / "app-owners").iterdir()}
        == {p.name for p in (EXPORT / "federated-credentials").iterdir()}
    )


def test_the_committed_secret_is_shape_valid_and_starts_with_the_hint() -> None:
    secret, leaked = azure_client_secret(), leaked_secret()
    (detector,) = [d for d in DETECTORS if d.name == AZURE_CLIENT_SECRET]
    found = detector.pattern.search(f"AZURE_CLIENT_SECRET={secret}\n")
    assert found is not None and found.group("secret") == secret and len(secret) == 40
    assert secret[:3] == leaked.hint and secret[3].isdigit() and secret[4:6] == "Q~"
    lines = azure_settings().splitlines()
    assert lines[2] == f"AZURE_CLIENT_ID={leaked.app_id}" and lines[3].endswith(secret)
    assert azure_client_secret() == secret  # seeded: the repository is the same every run


def _credentials(now: datetime) -> list[Credential]:
    records = list(collect_tenant(CollectContext(now=now)))
    return sorted((r for r in records if isinstance(r, Credential)), key=lambda c: c.id)


def test_times_move_with_the_scan_so_ages_stay() -> None:
    early = datetime(2027, 3, 4, 5, 6, 7, tzinfo=UTC)
    late = early + timedelta(days=200, hours=5)
    ages = []
    for now in (early, late):
        ages.append([(c.id, None if c.created is None else now - c.created,
                      None if c.expires is None else c.expires - now)
                     for c in _credentials(now)])  # fmt: skip
    assert ages[0] == ages[1]
    by_id = {key: (age, left) for key, age, left in ages[0]}
    assert by_id[EXPIRED][1] is not None and by_id[EXPIRED][1] < timedelta(days=-44)


def test_shifted_keeps_each_time_as_it_was_written() -> None:
    now = datetime(2026, 12, 3, 12, 0, 0, 900, tzinfo=UTC)  # two days after the export
    text = (
        '{"a": "2026-09-17T10:12:44.5813127Z", "b": "2024-08-01T16:22:10.402317+00:00", '
        '"c": "2026-12-13T08:30:00Z", "d": "2026-12-13"}'
    )
    assert shifted(text, now) == (
        '{"a": "2026-09-19T10:12:44.5813127Z", "b": "2024-08-03T16:22:10.402317+00:00", '
        '"c": "2026-12-15T08:30:00Z", "d": "2026-12-13"}'
    )


def test_the_tenant_reader_needs_no_azure_sdk_and_no_network() -> None:
    """In a fresh interpreter where importing an Azure library fails and every socket is
    refused, the demo connector imports and reads the tenant."""
    probe = """
import importlib.abc, json, socket, sys
from datetime import UTC, datetime

class NoAzure(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("azure", "msgraph", "msgraph_core", "kiota_abstractions"):
            raise ImportError(f"blocked: {name}")
        return None

def refuse(*args, **kwargs):
    raise OSError("network blocked")

sys.meta_path.insert(0, NoAzure())
socket.socket.connect = socket.socket.connect_ex = refuse
socket.getaddrinfo = socket.create_connection = refuse
import nhiscan.connectors.demo.connector
from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.demo.azure import collect_tenant
records = list(collect_tenant(CollectContext(now=datetime.now(UTC))))
print(json.dumps({"kinds": sorted({type(r).__name__ for r in records}),
                  "azure": sorted(m for m in sys.modules
                                  if m.split(".")[0] in ("azure", "msgraph"))}))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)  # fmt: skip
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["azure"] == []
    assert {"Account", "Identity", "Credential", "Policy", "CollectionGap"} <= set(seen["kinds"])


def test_the_tenant_records_are_the_export_read_as_given() -> None:
    records = list(collect_tenant(CollectContext(now=datetime.now(UTC))))
    identities = {r.id for r in records if isinstance(r, Identity)}
    assert {AUTOMATION, PROVISIONER, MANAGED, AGENT} <= identities


def test_the_infrastructure_pipeline_signs_in_keyless_from_main_only() -> None:
    """Issue #20: the demo tenant's federated credential is a trust from GitHub Actions into
    the infrastructure application's service principal, for the main branch of one repository
    exactly (a pull request's token, or another branch's, is not admitted)."""
    records = list(collect_tenant(CollectContext(now=datetime.now(UTC))))
    (trust,) = AzureAnalysis(f.estate(*records), default_catalog()).federated_trusts()
    assert trust.issuer == "https://token.actions.githubusercontent.com"
    assert trust.audiences == ("api://AzureADTokenExchange",)
    identity = next(r for r in records if isinstance(r, Identity) and r.id == trust.target)
    assert identity.trust_policy == trust.source
    main = "repo:acme-lending/infrastructure:ref:refs/heads/main"
    assert trust.admits({"sub": main}) is True
    assert trust.admits({"sub": "repo:acme-lending/infrastructure:pull_request"}) is False

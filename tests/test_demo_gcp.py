"""The demo's GCP organization (issue #14 item 8): `nhiscan scan --demo` reads the bundled Cloud
Asset Inventory export with the real offline reader, and the reports show each case it was built
for; the CI account's key file, committed in the demo repository, joins the key Google disabled
as exposed (item 7). The scan is the session's one demo run (tests/conftest.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.demo.gcp import EXPORT, collect_organization, exposed_key
from nhiscan.connectors.demo.repo import GCP_KEY_FILE, gcp_key_file
from nhiscan.providers.gcp.analysis import GcpAnalysis
from nhiscan.providers.gcp.catalog import default_catalog
from nhiscan.scanner.model import CollectionGap, Credential, Identity
from tests import factories as f
from tests.browser.cdp import CHROMIUM, Browser
from tests.browser.test_report_in_browser import choose, load, visible

ORG = "organizations/734019582461"
FOLDER = "folders/418820593107"
CI = "ci@acme-build.iam.gserviceaccount.com"
DEPLOYER = "deployer@acme-prod.iam.gserviceaccount.com"
COMPUTE = "582934716053-compute@developer.gserviceaccount.com"
BATCH = "batch-legacy@acme-prod.iam.gserviceaccount.com"
REPORT_AGENT = "report-agent@acme-data.iam.gserviceaccount.com"
ETL = "etl-export@acme-data.iam.gserviceaccount.com"
VERTEX_AGENT = "service-650184339212@gcp-sa-aiplatform.iam.gserviceaccount.com"
APIS_AGENT = "582934716053@cloudservices.gserviceaccount.com"  # Editor by default: not flagged
BUCKET = "//storage.googleapis.com/acme-loan-reports"
REPO = "demo/lending-agents"


@pytest.fixture(scope="module")
def report(demo_report: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def snapshot(demo_report: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((demo_report / "snapshot.json").read_text(encoding="utf-8"))
    return data


def gcp_findings(report: dict[str, Any], rule: str) -> dict[str, dict[str, Any]]:
    """The rule's GCP findings by subject."""
    found = [f for f in report["findings"] if f["rule_id"] == rule and f["provider"] == "gcp"]
    by_subject = {f["subject"]: f for f in found}
    assert len(by_subject) == len(found), f"{rule}: two findings on one subject"
    return by_subject


def key_of(snapshot: dict[str, Any], identity: str, **fields: Any) -> str:
    """The id of the one GCP credential of ``identity`` with ``fields``."""
    (found,) = [
        c["id"]
        for c in snapshot["credentials"]
        if c["provider"] == "gcp"
        and c["identity"] == identity
        and all(c.get(k) == v for k, v in fields.items())
    ]
    return str(found)


def test_the_demo_reads_its_gcp_organization_from_the_bundled_export(
    report: dict[str, Any], snapshot: dict[str, Any]
) -> None:
    assert "demo:gcp-organization" in report["sources"]
    projects = {a["id"]: a for a in snapshot["accounts"] if a["provider"] == "gcp"}
    assert set(projects) == {"acme-build", "acme-prod", "acme-data"}
    assert {a["org_id"] for a in projects.values()} == {ORG}
    assert projects["acme-build"]["parents"] == [ORG]
    assert projects["acme-prod"]["parents"] == projects["acme-data"]["parents"] == [ORG, FOLDER]
    assert projects["acme-prod"]["native_id"] == "582934716053"
    identities = {i["id"]: i for i in report["identities"] if i["provider"] == "gcp"}
    assert set(identities) == {CI, DEPLOYER, COMPUTE, BATCH, REPORT_AGENT, ETL, VERTEX_AGENT}
    assert identities[BATCH]["disabled"] is True
    assert all(i["kind"] == "service-account" and i["is_human"] is False
               for i in identities.values())  # fmt: skip
    # the agent's bucket, with its own IAM policy: the agent reads it, and is Editor of its project
    resources = {r["id"]: r for r in snapshot["resources"] if r["provider"] == "gcp"}
    assert resources[BUCKET]["kind"] == "gcs-bucket" and resources[BUCKET]["account"] == "acme-data"
    policies = {p["id"]: p["document"] for p in snapshot["policies"] if p["provider"] == "gcp"}
    bucket = {b["role"]: b["members"] for b in policies[resources[BUCKET]["policy"]]["bindings"]}
    assert bucket["roles/storage.objectViewer"] == [f"serviceAccount:{REPORT_AGENT}"]
    project = policies[resources["projects/acme-data"]["policy"]]["bindings"]
    assert {"role": "roles/editor", "members": [f"serviceAccount:{REPORT_AGENT}"]} in project


def test_what_the_export_cannot_hold_is_a_gap_naming_the_bundled_file(
    report: dict[str, Any],
) -> None:
    gaps = [g for g in report["gaps"] if g["provider"] == "gcp"]
    last_use = {g["scope"] for g in gaps if g["operation"] == "gcp-assets:last-use"}
    assert last_use == {"acme-build", "acme-prod", "acme-data"}
    assert {g["reason"] for g in gaps} == {"not-in-export"}
    # the reader read a copy with its times moved; the report names the bundled file
    assert all(g["detail"].startswith(f"{EXPORT}: ") for g in gaps), gaps
    assert "nhiscan-demo-gcp-" not in json.dumps(report)


def test_each_key_case_of_the_organization_is_found(
    report: dict[str, Any], snapshot: dict[str, Any]
) -> None:
    leaked = exposed_key()
    old = key_of(snapshot, ETL)
    replacement = key_of(snapshot, CI, status="active")
    (old_key,) = gcp_findings(report, "NHI001").values()  # the lifecycle rule, GCP wording
    assert old_key["subject"] == ETL and old_key["evidence"]["key_id"] == old
    assert old_key["evidence"]["age_days"] == 400
    assert old_key["title"].startswith(f"Service account key {old} of service account etl-export")

    exposed = gcp_findings(report, "NHI400")
    assert set(exposed) == {leaked.key_id} and leaked.email == CI
    assert exposed[leaked.key_id]["severity"] == "critical"
    assert exposed[leaked.key_id]["evidence"]["service_account"] == CI
    assert exposed[leaked.key_id]["evidence"]["found_in"] == [
        f"{REPO}:{GCP_KEY_FILE}:4", f"{REPO}:{GCP_KEY_FILE}:5",
    ]  # fmt: skip
    assert set(gcp_findings(report, "NHI401")) == {old, replacement}  # never expire
    orphaned = gcp_findings(report, "NHI402")
    assert set(orphaned) == {key_of(snapshot, BATCH)} and BATCH in orphaned.popitem()[1]["title"]


def test_basic_roles_and_the_default_account_are_found(report: dict[str, Any]) -> None:
    default = gcp_findings(report, "NHI404")
    assert set(default) == {COMPUTE}
    assert default[COMPUTE]["evidence"]["role"] == "roles/editor"
    assert default[COMPUTE]["evidence"]["scope"] == "projects/acme-prod"
    basic = gcp_findings(report, "NHI403")
    assert set(basic) == {DEPLOYER, REPORT_AGENT}  # not the default account, not an agent of Google
    assert basic[REPORT_AGENT]["evidence"]["role"] == "roles/editor"
    assert basic[DEPLOYER]["evidence"]["role"] == "roles/owner"


def test_ci_can_impersonate_the_deployer_which_owns_production(report: dict[str, Any]) -> None:
    admin = gcp_findings(report, "NHI100")
    chain = admin[CI]
    assert chain["severity"] == "critical"  # ci@ has an active key
    hops = [(h["from"], h["to"], h["edge"], h.get("method")) for h in chain["path"]]
    assert hops == [
        (CI, DEPLOYER, "can_assume", "getAccessToken"),
        (DEPLOYER, "admin:acme-prod", "is_admin", None),  # Owner of the project: admin itself
    ]
    (grant,) = chain["path"][0]["statements"]
    assert grant["policy_id"] == (
        f"//iam.googleapis.com/projects/acme-prod/serviceAccounts/{DEPLOYER}#iam"
    )
    assert grant["sid"] == "roles/iam.serviceAccountTokenCreator"
    assert chain["evidence"]["admin_account"] == "acme-prod"
    # Editor lets the default account deploy code that runs as the deployer: admin too
    assert admin[COMPUTE]["evidence"]["via"] == [DEPLOYER]


def test_googles_own_accounts_and_keys_are_inventoried_not_judged(
    report: dict[str, Any], snapshot: dict[str, Any]
) -> None:
    system = key_of(snapshot, DEPLOYER, kind="sa-system-key")
    assert VERTEX_AGENT in {i["id"] for i in report["identities"]}
    lifecycle = ("NHI001", "NHI002", "NHI003")
    judged = [f for f in report["findings"]
              if f["rule_id"].startswith("NHI4") or f["rule_id"] in lifecycle]  # fmt: skip
    named = json.dumps(judged)
    assert VERTEX_AGENT not in named and system not in named and APIS_AGENT not in named


def test_no_finding_at_all_names_googles_own_account_or_key(
    report: dict[str, Any], snapshot: dict[str, Any]
) -> None:
    system = key_of(snapshot, DEPLOYER, kind="sa-system-key")
    named = json.dumps(report["findings"])
    assert VERTEX_AGENT not in named and system not in named


def test_the_committed_key_file_joins_the_key_google_disabled(
    report: dict[str, Any], demo_report: Path
) -> None:
    leaked = exposed_key()
    (joined,) = gcp_findings(report, "NHI201").values()
    evidence = joined["evidence"]
    assert joined["subject"] == CI and evidence["identity"] == CI
    assert evidence["principal_hint"] == CI and evidence["account"] == "acme-build"
    assert evidence["credential"] == leaked.key_id and evidence["credential_status"] == "inactive"
    assert evidence["detectors"] == ["GCP Service Account Key", "PEM Private Key", "Private Key"]
    assert [(e["repository"], e["path"], e["line"]) for e in evidence["exposures"]] == [
        (REPO, GCP_KEY_FILE, 4), (REPO, GCP_KEY_FILE, 5),
    ]  # fmt: skip
    assert evidence["at_head"] is False  # removed with the deploy settings, still in history
    assert "service account ci" in joined["title"] and "no longer active" in joined["title"]
    assert joined["path"][0]["from"].startswith(f"{REPO}/{GCP_KEY_FILE}:4@")
    _no_private_key_in_clear(demo_report)


def test_the_key_file_is_no_plain_secret_besides(report: dict[str, Any]) -> None:
    plain = [f for f in report["findings"] if f["rule_id"] == "NHI200"]
    assert [f["title"] for f in plain if GCP_KEY_FILE in f["title"]] == []


def test_impersonation_across_projects_is_not_called_role_assumption(
    report: dict[str, Any],
) -> None:
    """NHI107/NHI108 are AWS's role-assumption rules: a service account acting as one in
    another project is on NHI100's path, never worded as assuming a role in an account."""
    admin = gcp_findings(report, "NHI100")
    assert admin[CI]["path"][0]["to"] == DEPLOYER  # from acme-build into acme-prod
    crossing = [f for f in report["findings"] if f["rule_id"] in {"NHI107", "NHI108"}]
    assert all(f["provider"] == "aws" for f in crossing)


def _no_private_key_in_clear(out: Path) -> None:
    """The key file's private key is in no output, whole or in part."""
    pem = json.loads(gcp_key_file())["private_key"]
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    chunks = [body[i : i + 24] for i in range(0, len(body) - 24, 100)]
    for name in ("report.json", "report.html", "snapshot.json"):
        text = (out / name).read_text(encoding="utf-8")
        assert not [c for c in chunks if c in text], name


def test_the_html_report_shows_the_gcp_findings(report: dict[str, Any], demo_report: Path) -> None:
    html = (demo_report / "report.html").read_text(encoding="utf-8")
    rows = Counter(re.findall(r'data-rule="(NHI\d+)" data-provider="gcp"', html))
    expected = Counter(f["rule_id"] for f in report["findings"] if f["provider"] == "gcp")
    assert rows == expected
    assert {"NHI400", "NHI401", "NHI402", "NHI403", "NHI404", "NHI100", "NHI201"} <= set(rows)
    leaked = exposed_key()
    for text in (leaked.key_id, GCP_KEY_FILE, "getAccessToken", COMPUTE, REPORT_AGENT):
        assert text in html, text


def test_the_export_is_what_the_repository_key_file_names() -> None:
    leaked = exposed_key()
    document = json.loads(gcp_key_file())
    assert document["type"] == "service_account"
    assert document["private_key_id"] == leaked.key_id and document["client_email"] == CI
    assert document["project_id"] == "acme-build" and document["client_id"] == leaked.unique_id
    assert gcp_key_file() == gcp_key_file()  # seeded: the repository is the same every run
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    with pytest.raises(ValueError):  # PEM armour around random bytes: not a key
        serialization.load_pem_private_key(document["private_key"].encode(), password=None)


def _collect(now: datetime) -> list[Any]:
    return list(collect_organization(CollectContext(now=now)))


def test_times_move_with_the_scan_so_ages_and_ids_stay() -> None:
    early = datetime(2027, 3, 4, 5, 6, 7, tzinfo=UTC)
    late = early + timedelta(days=200, hours=5)
    ages = []
    for now in (early, late):
        keys = sorted((c for c in _collect(now) if isinstance(c, Credential)), key=lambda c: c.id)
        ages.append([(c.id, None if c.created is None else now - c.created,
                      None if c.expires is None else c.expires - now) for c in keys])  # fmt: skip
    assert ages[0] == ages[1]
    by_id = {key_id: age for key_id, age, _ in ages[0]}
    assert by_id[exposed_key().key_id] == timedelta(days=75)


def test_the_export_reader_needs_no_google_sdk_and_no_network() -> None:
    """In a fresh interpreter where importing a Google library fails and every socket is
    refused, the demo connector imports and reads the organization."""
    probe = """
import importlib.abc, json, socket, sys
from datetime import UTC, datetime

class NoGoogle(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("google", "googleapiclient", "grpc", "httplib2"):
            raise ImportError(f"blocked: {name}")
        return None

def refuse(*args, **kwargs):
    raise OSError("network blocked")

sys.meta_path.insert(0, NoGoogle())
socket.socket.connect = socket.socket.connect_ex = refuse
socket.getaddrinfo = socket.create_connection = refuse
import nhiscan.connectors.demo.connector  # the whole demo connector's imports
from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.demo.gcp import collect_organization
records = list(collect_organization(CollectContext(now=datetime.now(UTC))))
print(json.dumps({"kinds": sorted({type(r).__name__ for r in records}),
                  "google": sorted(m for m in sys.modules if m.split(".")[0] == "google")}))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)  # fmt: skip
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["google"] == []
    assert {"Account", "Identity", "Credential", "Policy", "Resource", "CollectionGap"} <= set(
        seen["kinds"]
    )


def test_the_organization_records_are_the_export_read_as_given() -> None:
    records = _collect(datetime.now(UTC))
    identities = {r.id for r in records if isinstance(r, Identity)}
    assert {CI, DEPLOYER, VERTEX_AGENT} <= identities
    gaps = [r for r in records if isinstance(r, CollectionGap)]
    assert gaps and all(str(EXPORT) in (g.detail or "") for g in gaps)


def test_github_actions_of_one_repository_may_become_the_ci_account_without_its_key() -> None:
    """Issue #20: the demo's workload identity pool lets the agents-platform repository's
    workflows impersonate ci@ (the owner pinned by the provider's condition, the repository by
    the binding), while ci@ still holds the keys federation made unnecessary."""
    records = _collect(datetime.now(UTC))
    analysis = GcpAnalysis(f.estate(*records), default_catalog())
    (trust,) = analysis.federated_trusts()
    assert (trust.target, trust.issuer) == (CI, "https://token.actions.githubusercontent.com")
    own = {"repository": "acme-lending/agents-platform", "repository_owner": "acme-lending"}
    assert trust.admits(own) is True
    assert trust.admits({**own, "repository": "acme-lending/other"}) is False
    keys = [r for r in records if isinstance(r, Credential) and r.identity == CI]
    assert keys
    (registration,) = analysis.registrations()
    assert registration.id == trust.registration and not registration.disabled


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Headless Chromium, as tests/browser/ starts it (skipped without it, unless CI asks)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("NHISCAN_BROWSER_TESTS") == "1":
            pytest.fail(f"NHISCAN_BROWSER_TESTS=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with Browser(timeout=30, width=1280, height=900) as browser:
        browser.open_page()
        yield browser


@pytest.mark.browser
def test_the_gcp_findings_are_what_the_provider_filter_shows(
    chromium: Browser, report: dict[str, Any], demo_report: Path
) -> None:
    gcp = [f for f in report["findings"] if f["provider"] == "gcp"]
    load(chromium, demo_report / "report.html")
    choose(chromium, '#findings [data-filter-key="provider"]', "gcp", by="value")
    assert 0 < visible(chromium) == len(gcp) < len(report["findings"])
    shown = chromium.evaluate(
        'Array.from(document.querySelectorAll("#findings tbody tr"))'
        ".filter((row) => row.getClientRects().length > 0).map((row) => row.dataset.rule)"
    )
    assert Counter(shown) == Counter(f["rule_id"] for f in gcp)
    assert chromium.problems() == []


def test_the_gcp_agent_has_excess_and_a_least_privilege_proposal(report: dict[str, Any]) -> None:
    """gcp-report-writer reads one bucket but runs as an Editor of its project: the excess is
    reported, and the proposal is custom roles bound on the bucket (the read under a prefix)."""
    finding = gcp_findings(report, "NHI300")[REPORT_AGENT]
    evidence = finding["evidence"]
    assert evidence["agent"] == "gcp-report-writer" and evidence["excess"] > 10_000
    proposal = evidence["least_privilege"]
    granted = sorted(p for r in proposal["roles"] for p in r["definition"]["includedPermissions"])
    assert granted == ["storage.objects.get", "storage.objects.list"]
    bucket = "//storage.googleapis.com/projects/_/buckets/acme-loan-reports"
    assert {b["resource"] for b in proposal["bindings"]} == {bucket}
    conditions = [b["condition"]["expression"] for b in proposal["bindings"] if "condition" in b]
    assert conditions and all("monthly/" in c for c in conditions)

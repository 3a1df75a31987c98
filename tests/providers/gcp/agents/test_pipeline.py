"""End to end: ``nhiscan scan --gcp-assets … --agents …`` over the recorded Cloud Asset
Inventory export (tests/data/gcp/assets/): the agent runs as deploy@, which is owner of its
project; the report says it is an administrator (NHI300) with the custom roles to apply
instead, lists the need nothing grants (NHI301), and the HTML shows the gcloud commands."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from nhiscan.cli import cli
from nhiscan.providers.gcp.catalog import default_catalog

ASSETS = Path(__file__).resolve().parents[3] / "data" / "gcp" / "assets"
DEPLOY = "deploy@acme-prod.iam.gserviceaccount.com"
AGENTS = f"""\
defaults:
  gcp: {{project: acme-prod}}
agents:
  - name: deployer
    owner: platform@acme.example
    identities: [{DEPLOY}]
    steps:
      - read: gs://acme-prod-artifacts/builds/
      - publish: pubsub://topics/deploys
      - Read the release notes from bq://_/releases/notes
"""


def test_scan_of_an_export_with_agents(tmp_path: Path) -> None:
    agents = tmp_path / "agents.yaml"
    agents.write_text(AGENTS)
    out = tmp_path / "out"
    out.mkdir()
    args = ["scan", "--gcp-assets", str(ASSETS / "resources.ndjson"), "--gcp-assets",
            str(ASSETS / "iam-policies.ndjson"), "--agents", str(agents), "--no-store",
            "--fail-on", "never", "-o", str(out)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    (agent,) = report["agents"]
    (identity,) = agent["identities"]
    assert (identity["id"], identity["analysed"], identity["admin"]) == (DEPLOY, True, True)
    owner = {p.lower() for p in default_catalog().roles()["roles/owner"]}
    assert identity["excess"] + identity["excess_scope"] == len(owner) - 1  # all but publish
    # the bucket is public (allUsers objectViewer): the read is met, but not by a grant of its own
    missing = [(m["action"], m["resource"]) for m in agent["missing"]]
    assert missing == [
        (
            "bigquery.tables.getData",
            "//bigquery.googleapis.com/projects/acme-prod/datasets/releases/tables/notes",
        )
    ]  # fmt: skip: roles/owner holds no BigQuery data access
    rules = {f["rule_id"]: f for f in report["findings"] if f["rule_id"] in ("NHI300", "NHI301")}
    assert "is an administrator" in rules["NHI300"]["title"]
    assert rules["NHI301"]["subject"] == "agent:deployer"
    policy = agent["least_privilege"][DEPLOY]["policy"]
    permissions = sorted(p for r in policy["roles"] for p in r["definition"]["includedPermissions"])
    assert permissions == ["bigquery.jobs.create", "bigquery.tables.getData",
                           "pubsub.topics.publish", "storage.objects.get"]  # fmt: skip
    html = (out / "report.html").read_text()
    assert "gcloud iam roles create nhiscan_deploy_1 --project=acme-prod" in html
    assert "gcloud pubsub topics add-iam-policy-binding deploys --project=acme-prod" in html


def test_compile_writes_the_gcp_needs_and_least_privilege(tmp_path: Path) -> None:
    agents = tmp_path / "agents.yaml"
    agents.write_text(AGENTS)
    plan = tmp_path / "plan.json"
    result = CliRunner().invoke(cli, ["compile", str(agents), "-o", str(plan)])
    assert result.exit_code == 0, result.output
    (agent,) = json.loads(plan.read_text())["agents"]
    needs = {(n["provider"], n["action"], n["resource"]) for n in agent["needs"]}
    assert ("gcp", "storage.objects.get",
            "//storage.googleapis.com/projects/_/buckets/acme-prod-artifacts/objects/builds/*"
            ) in needs  # fmt: skip
    assert ("gcp", "bigquery.jobs.create",
            "//cloudresourcemanager.googleapis.com/projects/acme-prod") in needs  # fmt: skip
    assert {n["steps"][0] for n in agent["needs"]} == {1, 2, 3}
    document = agent["least_privilege"][DEPLOY]
    assert document["member"] == f"serviceAccount:{DEPLOY}" and document["commands"]

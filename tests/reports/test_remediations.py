"""Fix first (issue #18 item 1): the changes that close the most risk, computed from the demo's
findings, paths and agents; the same list in report.json, the HTML report's top and Markdown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nhiscan.reports.remediations import FIX_FIRST, WEIGHT
from nhiscan.scanner.model import Severity


@pytest.fixture(scope="module")
def doc(demo_report: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    return data


def _weight(fix: dict[str, Any]) -> int:
    return sum(WEIGHT[Severity(s)] * n for s, n in fix["closes_by_severity"].items())


def test_each_change_closes_findings_no_other_change_claims_most_risk_first(
    doc: dict[str, Any],
) -> None:
    fixes = doc["remediations"]
    fingerprints = {f["fingerprint"]: f for f in doc["findings"]}
    claimed = [fp for fix in fixes for fp in fix["closes"]]
    assert len(fixes) >= FIX_FIRST and len(claimed) == len(set(claimed))
    assert set(claimed) <= set(fingerprints)
    weights = [_weight(fix) for fix in fixes]
    assert weights == sorted(weights, reverse=True) and weights[0] > 0
    for fix in fixes:
        closed = [fingerprints[fp] for fp in fix["closes"]]
        by_severity: dict[str, int] = {}
        for finding in closed:
            by_severity[finding["severity"]] = by_severity.get(finding["severity"], 0) + 1
        assert by_severity == fix["closes_by_severity"]
        to_admin = sum(bool(f["path"]) and f["path"][-1]["to"].startswith("admin:") for f in closed)
        assert fix["paths_to_admin"] == to_admin


def test_the_leaked_key_is_deactivated_and_closes_its_leak(doc: dict[str, Any]) -> None:
    (fix,) = [f for f in doc["remediations"] if f["target"] == "AKIARZPUZDIKOANPEGXV"]
    assert fix["kind"] == "deactivate-credential"
    assert fix["action"] == "Deactivate access key AKIARZPUZDIKOANPEGXV of etl-sync-agent"
    closed = [f for f in doc["findings"] if f["fingerprint"] in fix["closes"]]
    assert {f["rule_id"] for f in closed} >= {"NHI201", "NHI302"}
    assert fix["change"] == closed[0]["remediation"]  # the command its provider's rule gives
    assert "update-access-key --status Inactive" in fix["change"]


def test_detaching_administrator_access_breaks_the_paths_to_admin(doc: dict[str, Any]) -> None:
    detach = [f for f in doc["remediations"] if "AdministratorAccess" in f["action"]]
    # the agent's role, and the GitHub Actions preview role (issue #20)
    assert {f["action"] for f in detach} == {
        "Detach AdministratorAccess from loan-review-agent",
        "Detach AdministratorAccess from github-preview-deploy",
    }
    (fix,) = [f for f in detach if f["action"].endswith("loan-review-agent")]
    assert fix["kind"] == "remove-statement" and fix["paths_to_admin"] > 0
    assert fix["change"].startswith("Detach arn:aws:iam::aws:policy/AdministratorAccess from")
    closed = [f for f in doc["findings"] if f["fingerprint"] in fix["closes"]]
    hops = [h for f in closed for h in f["path"]]
    assert any(
        [s["policy_id"] for s in h["statements"]] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
        for h in hops
    )


def test_an_agent_s_least_privilege_policy_is_a_change(doc: dict[str, Any]) -> None:
    agents = [f for f in doc["remediations"] if f["kind"] == "apply-least-privilege"]
    assert agents
    for fix in agents:
        agent = next(a for a in doc["agents"] if a["name"] == fix["target"])
        assert agent["least_privilege"]
        closed = [f for f in doc["findings"] if f["fingerprint"] in fix["closes"]]
        identities = set(agent["least_privilege"])
        assert all(
            f["evidence"].get("agent") == agent["name"] or f["subject"] in identities
            for f in closed
        )


def test_the_html_list_links_each_closed_finding_to_its_row(
    doc: dict[str, Any], demo_report: Path
) -> None:
    html = (demo_report / "report.html").read_text(encoding="utf-8")
    top = html[html.index('id="fix-first"') : html.index('id="findings"')]
    for fix in doc["remediations"][:FIX_FIRST]:
        assert fix["action"].replace("'", "&#39;") in top
        for fingerprint in fix["closes"][:10]:
            anchor = f"finding-{fingerprint[:16]}"
            assert f'href="#{anchor}"' in top and f'<tr id="{anchor}"' in html
    assert html.index('id="fix-first"') < html.index('id="findings"') < html.index('id="agents"')

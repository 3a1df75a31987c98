"""``nhiscan scan --azure-hound FILE`` end to end: the Azure provider analyses the inventory
(the fixture's admin paths are reported as from the export), no credential is called "never
used" (AzureHound holds no sign-in of service principals), and a malformed file exits 2 naming
the file and JSON path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from nhiscan.cli import cli
from tests.connectors.azure.export import SP_PARTNER, SP_PAY
from tests.connectors.azure.hound.hound import HOUND, changed, index_of


def _scan(out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["scan", *args, "-o", str(out), "--format", "json"], catch_exceptions=False
    )
    return result.exit_code, result.output


def test_a_scan_of_an_azurehound_file_reports_and_analyses_it(tmp_path: Path) -> None:
    code, output = _scan(tmp_path / "out", "--azure-hound", str(HOUND))
    assert code in (0, 1), output
    report: dict[str, Any] = json.loads((tmp_path / "out" / "report.json").read_text())
    assert SP_PAY in {i["id"] for i in report["identities"]} and len(report["identities"]) == 7
    assert {c["kind"] for c in report["credentials"]} == {"client-secret", "certificate"}
    assert [g for g in report["gaps"] if g["reason"] == "no-provider"] == []
    reach = {(f["rule_id"], f["subject"]) for f in report["findings"] if f["provider"] == "azure"}
    assert ("NHI100", SP_PARTNER) in reach  # User Access Administrator at Platform
    assert ("NHI103", SP_PAY) in reach  # Application Administrator over partner-sync
    never = [f for f in report["findings"] if f["rule_id"] == "NHI002" and f["provider"] == "azure"]
    assert [f["title"] for f in never if "never used" in f["title"]] == []


def test_a_malformed_file_exits_2_naming_the_file_and_path(tmp_path: Path) -> None:
    at: dict[str, int] = {}

    def bad(document: dict[str, Any]) -> None:
        at["app"] = index_of(document, "AZApp")
        document["data"][at["app"]]["data"]["appId"] = 42

    path = changed(tmp_path, bad)
    code, output = _scan(tmp_path / "out", "--azure-hound", str(path))
    assert code == 2
    assert f"{path}: $.data[{at['app']}].data.appId: expected a GUID" in output

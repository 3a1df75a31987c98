"""``nhiscan scan --azure-export DIR`` end to end, as a user runs it: the Azure provider analyses
the inventory (no ``no-provider`` gap; the reach rules report the fixture's admin paths), the
snapshot reads back, a malformed export exits 2 naming the file and JSON path, and a client
secret committed to a repository joins the application credential by client id and hint."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from nhiscan.cli import cli
from tests.connectors.azure.export import EXPORT, PAY_CLIENT, SP_PARTNER, SP_PAY, copy, dump, load
from tests.test_secrets_cli import Repo


def _scan(out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["scan", *args, "-o", str(out), "--format", "json"], catch_exceptions=False
    )
    return result.exit_code, result.output


def test_a_scan_of_an_export_reports_the_inventory_and_analyses_it(
    tmp_path: Path,
) -> None:
    code, output = _scan(tmp_path / "out", "--azure-export", str(EXPORT))
    assert code in (0, 1), output
    report: dict[str, Any] = json.loads((tmp_path / "out" / "report.json").read_text())
    ids = {i["id"] for i in report["identities"]}
    assert SP_PAY in ids and len(ids) == 7
    assert {c["kind"] for c in report["credentials"]} == {"client-secret", "certificate"}
    assert [g for g in report["gaps"] if g["reason"] == "no-provider"] == []
    reach = {(f["rule_id"], f["subject"]) for f in report["findings"] if f["provider"] == "azure"}
    # partner-sync: User Access Administrator at the Platform management group (admin there)
    assert ("NHI100", SP_PARTNER) in reach
    # payments-api (Application Administrator) can add a secret to partner-sync's application
    assert ("NHI103", SP_PAY) in reach
    assert any(g["reason"] == "not-in-export" for g in report["gaps"])
    # the export holds no sign-in activity (a gap): no credential is called "never used"
    never = [f for f in report["findings"] if f["rule_id"] == "NHI002" and f["provider"] == "azure"]
    assert [f["title"] for f in never if "never used" in f["title"]] == []
    # the snapshot it wrote reads back through the snapshot check (listed Azure kinds)
    result = CliRunner().invoke(
        cli,
        ["analyze", str(tmp_path / "out" / "snapshot.json"), "-o", str(tmp_path / "again"),
         "--format", "json"],
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    again = json.loads((tmp_path / "again" / "report.json").read_text())
    assert {i["id"] for i in again["identities"]} == ids


def test_a_malformed_export_exits_2_naming_the_file_and_path(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    path = folder / "role-assignments" / "0b1e7c2a-8d4f-4a6b-9c3e-5f7a9b1d3e5f.json"
    entries = load(path)
    entries[2]["scope"] = 42
    dump(path, entries)
    code, output = _scan(tmp_path / "out", "--azure-export", str(folder))
    assert code == 2
    assert f"{path}: $[2].scope: expected a non-empty string" in output


def test_a_committed_client_secret_joins_its_application_credential(tmp_path: Path) -> None:
    """The app's active secret has hint k9L: a secret starting with it, beside the app's
    client id, is that application's credential (fingerprint.azure_secret_hint)."""
    secret = "k9L8Q~" + secrets.token_urlsafe(40)[:34]
    repo = Repo(tmp_path / "app")
    repo.write("config/prod.env", f"AZURE_CLIENT_ID={PAY_CLIENT}\nAZURE_CLIENT_SECRET={secret}\n")
    repo.commit("add config")
    out = tmp_path / "out"
    code, output = _scan(out, "--azure-export", str(EXPORT), "--repo", str(repo.root))
    assert code in (0, 1), output
    snapshot = json.loads((out / "snapshot.json").read_text())
    (exposure,) = [e for e in snapshot["exposures"] if e["provider"] == "azure"]
    joined = [c for c in snapshot["credentials"] if c["fingerprint"] == exposure["fingerprint"]]
    assert [c["id"] for c in joined] == ["d1000000-0000-4000-8000-0000000000a2"]
    report = json.loads((out / "report.json").read_text())
    leaked = [f for f in report["findings"] if f["rule_id"] == "NHI201"]
    assert [f["subject"] for f in leaked] == [SP_PAY]  # the secret of that service principal
    for name in ("report.json", "snapshot.json"):
        assert secret not in (out / name).read_text()  # never in clear text

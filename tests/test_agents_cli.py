"""The agent commands and options through the CLI: compile (plan, diff, inventory check),
schema, --agents / --no-agents / [agents] path / ./agents.yaml on analyze, and the demo's
agents, each showing its case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from nhiscan.cli import cli
from nhiscan.scanner import snapshot as snapshots
from tests.factories import (
    access_key,
    allow,
    assume_role_statement,
    document,
    managed_policy,
    role,
    snapshot,
    trust_policy,
    user,
)

ROLE = "arn:aws:iam::123456789012:role/reader"
AGENTS = f"""\
version: 1
defaults:
  aws: {{account: "123456789012", region: eu-west-1}}
agents:
  - name: reader
    owner: team-a
    identities: [{ROLE}]
    steps:
      - read: s3://docs/*
"""


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def snapshot_file(tmp_path: Path) -> Path:
    """A snapshot with the reader role (exactly its needs) and an unclaimed, keyed bot."""
    grant = managed_policy(
        "reader-grant",
        allow("s3:GetObject", "arn:aws:s3:::docs/*"),
        allow("s3:ListBucket", "arn:aws:s3:::docs"),
    )
    reader = role("reader", policies=(grant.id,), tags={"owner": "a"})
    trust = trust_policy(reader, document(assume_role_statement({"Service": "ec2.amazonaws.com"})))
    bot = user("bot", tags={"owner": "a"})
    path = tmp_path / "snapshot.json"
    snapshots.save(snapshot(reader, grant, trust, bot, access_key(bot)), path)
    return path


def _analyze(snapshot_file: Path, out: Path, *extra: str) -> dict[str, Any]:
    result = _run("analyze", str(snapshot_file), "-o", str(out), "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    return report


def test_compile_writes_a_plan_and_prints_what_a_change_adds_and_revokes(tmp_path: Path) -> None:
    agents = tmp_path / "agents.yaml"
    agents.write_text(AGENTS)
    first = tmp_path / "plan.json"
    assert _run("compile", str(agents), "-o", str(first)).exit_code == 0
    plan = json.loads(first.read_text())
    (agent,) = plan["agents"]
    assert {(n["action"], n["resource"]) for n in agent["needs"]} == {
        ("s3:GetObject", "arn:aws:s3:::docs/*"),
        ("s3:ListBucket", "arn:aws:s3:::docs"),
    }
    assert agent["least_privilege"][ROLE]["Statement"]
    agents.write_text(AGENTS.replace("read: s3://docs/*", "write: s3://docs/*"))
    result = _run(
        "compile", str(agents), "-o", str(tmp_path / "next.json"), "--previous", str(first)
    )
    assert result.exit_code == 0
    assert "+ reader: s3:PutObject on arn:aws:s3:::docs/*" in result.output
    assert "- reader: s3:GetObject on arn:aws:s3:::docs/*" in result.output
    assert "1 added, 2 revoked" in result.output


def test_compile_to_standard_output_is_the_plan_alone(tmp_path: Path) -> None:
    agents = tmp_path / "agents.yaml"
    agents.write_text(AGENTS)
    result = CliRunner().invoke(cli, ["compile", str(agents)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["nhiscan_plan"] == 1


def test_a_bad_agent_file_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    agents = tmp_path / "agents.yaml"
    agents.write_text(AGENTS.replace("read: s3://docs/*", "read: sns://alerts"))
    result = CliRunner().invoke(cli, ["compile", str(agents)])
    assert result.exit_code == 2
    assert f"{agents}:9: read on sns://alerts" in result.output


def test_compile_against_a_snapshot_refuses_identities_that_match_nothing(
    tmp_path: Path, snapshot_file: Path
) -> None:
    agents = tmp_path / "agents.yaml"
    agents.write_text(AGENTS.replace("role/reader", "role/ghost"))
    result = CliRunner().invoke(cli, ["compile", str(agents), "--snapshot", str(snapshot_file)])
    assert result.exit_code == 2
    assert f"{agents}:7: agent reader: id arn:aws:iam::123456789012:role/ghost" in result.output


def test_schema_agents_prints_a_json_schema() -> None:
    result = _run("schema", "agents")
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["required"] == ["agents"]


def test_analyze_with_agents_reports_each_agent(tmp_path: Path, snapshot_file: Path) -> None:
    agents = tmp_path / "agents.yaml"
    agents.write_text(AGENTS)
    report = _analyze(snapshot_file, tmp_path / "out", "--agents", str(agents))
    (agent,) = report["agents"]
    assert (agent["name"], agent["owner"], agent["status"]) == ("reader", "team-a", "active")
    assert [i["id"] for i in agent["identities"]] == [ROLE]
    assert (agent["excess"], agent["missing"]) == ([], [])
    assert agent["score"]["value"] == 0
    analysis = report["agent_analysis"]
    assert analysis["analysed"] and analysis["sources"] == [str(agents)]
    unclaimed = [u["identity"] for u in analysis["unclaimed"]]
    assert unclaimed == ["arn:aws:iam::123456789012:user/bot"]
    (dark,) = [f for f in report["findings"] if f["rule_id"] == "NHI306"]
    assert dark["subject"] == unclaimed[0]


def test_without_agent_files_the_report_says_the_analysis_was_skipped(
    tmp_path: Path, snapshot_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    report = _analyze(snapshot_file, tmp_path / "out")
    assert report["agents"] is None
    assert report["agent_analysis"]["analysed"] is False
    assert "every non-human identity is unclaimed" in report["agent_analysis"]["skipped"]
    assert not [f for f in report["findings"] if f["rule_id"].startswith("NHI3")]


def test_agents_yaml_in_the_current_directory_is_found(
    tmp_path: Path, snapshot_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "agents.yaml").write_text(AGENTS)
    report = _analyze(snapshot_file, tmp_path / "out")
    assert [a["name"] for a in report["agents"]] == ["reader"]
    skipped = _analyze(snapshot_file, tmp_path / "out2", "--no-agents")
    assert skipped["agents"] is None


def test_nhiscan_toml_can_name_the_agent_folder(
    tmp_path: Path, snapshot_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy" / "agents").mkdir(parents=True)
    (tmp_path / "policy" / "agents" / "reader.yaml").write_text(AGENTS)
    (tmp_path / "nhiscan.toml").write_text('[agents]\npath = "policy/agents"\n')
    report = _analyze(snapshot_file, tmp_path / "out")
    assert [a["name"] for a in report["agents"]] == ["reader"]


def test_an_identity_that_matches_nothing_is_a_finding_and_a_warning_with_its_line(
    tmp_path: Path, snapshot_file: Path
) -> None:
    agents = tmp_path / "agents.yaml"
    agents.write_text(AGENTS.replace("role/reader", "role/ghost"))
    result = CliRunner().invoke(
        cli, ["analyze", str(snapshot_file), "--agents", str(agents), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 0
    assert f"{agents}:7: agent reader: id arn:aws:iam::123456789012:role/ghost matches no" in (
        result.output
    )
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    (finding,) = [f for f in report["findings"] if f["rule_id"] == "NHI307"]
    assert finding["severity"] == "high" and finding["evidence"]["agent"] == "reader"


def test_no_reach_still_compiles_and_claims_but_says_gaps_were_not_analysed(
    tmp_path: Path, snapshot_file: Path
) -> None:
    agents = tmp_path / "agents.yaml"
    agents.write_text(AGENTS)
    report = _analyze(snapshot_file, tmp_path / "out", "--agents", str(agents), "--no-reach")
    (agent,) = report["agents"]
    assert agent["analysed"] is False and agent["excess"] is None and agent["needed"]
    assert "--no-reach" in report["agent_analysis"]["skipped"]


# --- the demo's agents: each shows its case ---------------------------------------------------


def _demo(demo_report: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((demo_report / "report.json").read_text())
    return report


def _demo_rules(report: dict[str, Any], agent: str) -> set[str]:
    return {
        f["rule_id"]
        for f in report["findings"]
        if f["evidence"].get("agent") == agent
        or (isinstance(f["evidence"].get("agent"), list) and agent in f["evidence"]["agent"])
    }


def test_the_demo_agents_show_each_case(demo_report: Path) -> None:
    report = _demo(demo_report)
    agents = {a["name"]: a for a in report["agents"]}
    assert _demo_rules(report, "loan-review") >= {"NHI300"}
    assert agents["loan-review"]["score"]["band"] == "critical"
    # Missing access, and the trail shows the refusals (NHI703).
    assert _demo_rules(report, "doc-extractor") == {"NHI301", "NHI703"}
    assert [(m["action"], m["resource"]) for m in agents["doc-extractor"]["missing"]] == [
        ("s3:ListBucket", "arn:aws:s3:::construction-docs")
    ]
    assert _demo_rules(report, "reporting") == {"NHI303", "NHI305"}
    assert agents["reporting"]["excess"] == [] and agents["reporting"]["missing"] == []
    assert "NHI302" in _demo_rules(report, "etl-sync")
    assert "NHI304" in _demo_rules(report, "triage-assistant")
    assert _demo_rules(report, "underwriting-copilot") == {"NHI307"}
    unclaimed = report["agent_analysis"]["unclaimed"]
    assert unclaimed[0]["identity"].endswith("user/ci-deploy-bot") and unclaimed[0]["admin"]

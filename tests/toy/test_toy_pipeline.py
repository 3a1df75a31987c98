"""#13's acceptance test: the toy cloud (tests/toy), registered in the provider and connector
registries only, runs through the whole pipeline (``nhiscan scan --toy-tenant``, and
``app.pipeline.collect``/``analyze``) with no core change: its reach graph, the lifecycle and
admin rules, the gap analyzer, every reporter and the exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze, collect
from nhiscan.connectors.base import CollectContext
from nhiscan.reports.model import Report
from nhiscan.scanner.graph.model import EdgeKind, admin_node
from nhiscan.scanner.provider import CloudProvider
from tests import factories as f
from tests.toy.connector import STALE_DAYS, ToyConnector, bot_id, box_id
from tests.toy.provider import ADMIN, CATALOG_DATE, READ, TOY

ROOT = Path(__file__).resolve().parents[2]
BUILDER, FRESH, KEEPER = (bot_id("acme", n) for n in ("builder", "fresh", "keeper"))
PLANS = box_id("acme", "plans")
FORMATS = ("json", "html", "sarif", "md")
AGENTS = """\
version: 1
defaults:
  toy: {tenant: acme}
agents:
  - name: toy-builder
    owner: team-toys
    identities:
      - toy://acme/bot/builder
    steps:
      - read: toybox://plans
  - name: toy-keeper
    owner: team-toys
    identities:
      - {name: keeper, provider: toy}
    steps:
      - Read toybox://plans
"""
# Without the toy vocabulary: an AWS step, and the bot by its id.
AWS_STEP_AGENTS = """\
version: 1
agents:
  - name: toy-builder
    owner: team-toys
    identities:
      - toy://acme/bot/builder
    steps:
      - read: s3://plans/*
"""
NOT_ANALYSED = "gap analysis for toy toy-bot is not supported yet"


@pytest.fixture
def toy_report(toy_cloud: CloudProvider) -> Report:
    """``app.pipeline`` on what the toy connector collects: the orchestration picks the toy
    provider from the snapshot's records (``providers.for_snapshot``)."""
    snapshot = collect([ToyConnector("acme")], CollectContext(now=f.NOW))
    return analyze(snapshot, settings=Settings(), now=f.NOW)


def scan(cli: Any, out: Path, *extra: str) -> Result:
    formats = [arg for fmt in FORMATS for arg in ("--format", fmt)]
    args = ["scan", "--toy-tenant", "acme", "-o", str(out), *formats, "--no-store", *extra]
    return CliRunner().invoke(cli, args)


def scan_with_agents(cli: Any, tmp_path: Path, agents: str) -> tuple[Result, dict[str, Any]]:
    (tmp_path / "agents.yaml").write_text(agents)
    out = tmp_path / "out"
    result = scan(cli, out, "--agents", str(tmp_path / "agents.yaml"), "--fail-on", "high")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    doc: dict[str, Any] = json.loads((out / "report.json").read_text())
    return result, doc


@pytest.fixture
def scanned(cli: Any, tmp_path: Path) -> tuple[Result, Path]:
    result, _ = scan_with_agents(cli, tmp_path, AGENTS)
    return result, tmp_path / "out"


def hops(report: Report, kind: EdgeKind) -> set[tuple[str, str]]:
    assert report.graph is not None
    return {(hop.source, hop.target) for hop in report.graph.edges(kind)}


def by_rule(report: Report, rule_id: str) -> list[str]:
    return [x.subject for x in report.findings if x.rule_id == rule_id]


# --- app.pipeline ------------------------------------------------------------------------------


def test_the_reach_graph_holds_the_toy_estate(toy_report: Report) -> None:
    graph = toy_report.graph
    assert graph is not None
    assert {BUILDER, FRESH, KEEPER, PLANS} <= set(graph.graph.nodes)
    assert ("tt-builder", BUILDER) in hops(toy_report, EdgeKind.HAS_CREDENTIAL)
    assert hops(toy_report, EdgeKind.IS_ADMIN) == {(KEEPER, admin_node("acme"))}
    access = {(h.source, h.target): h.actions for h in graph.edges(EdgeKind.CAN_ACCESS)}
    assert access == {(BUILDER, PLANS): (READ,), (KEEPER, PLANS): (ADMIN, READ)}
    assert graph.admin_path(KEEPER) is not None and graph.admin_path(BUILDER) is None


def test_the_lifecycle_rules_judge_the_toy_tokens(toy_report: Report) -> None:
    stale = [x for x in toy_report.findings if x.rule_id in ("NHI001", "NHI002")]
    assert [(x.rule_id, x.title) for x in stale] == [
        ("NHI001", f"Toy token tt-builder of bot builder is {STALE_DAYS} days old (limit 90)."),
        ("NHI002", f"Toy token tt-builder of bot builder has not been used for {STALE_DAYS} days."),
    ]
    assert {x.subject for x in stale} == {BUILDER} and {x.provider for x in stale} == {TOY}
    assert by_rule(toy_report, "NHI007") == []  # every bot carries an owner tag


def test_the_admin_bot_is_an_admin_equivalent_nhi(toy_report: Report) -> None:
    assert by_rule(toy_report, "NHI100") == [KEEPER]
    assert toy_report.estate.identities[KEEPER].is_human is False  # the toy classifier
    [finding] = [f for f in toy_report.findings if f.rule_id == "NHI100"]
    assert "administrator of tenant acme" in finding.title  # the provider's word for its scope


def test_the_report_names_the_toy_catalogue_and_no_gap(toy_report: Report) -> None:
    assert toy_report.tool.catalog_date == CATALOG_DATE
    assert toy_report.gaps == ()  # the toy provider analyses its records: no no-provider gap


def test_a_toy_analysis_loads_no_aws_analysis() -> None:
    """In a fresh process (this one has loaded AWS for other tests): the toy snapshot is
    analysed by the toy provider alone; AWS's provider, evaluator and graph code never load
    (its rules do: every registered provider's rules run), and the report dates the toy's
    catalogue."""
    code = (
        "import sys\n"
        "from nhiscan import providers\n"
        "from nhiscan.app.config import Settings\n"
        "from nhiscan.app.pipeline import analyze, collect\n"
        "from nhiscan.connectors.base import CollectContext\n"
        "from tests import factories as f\n"
        "from tests.toy.connector import ToyConnector\n"
        "from tests.toy.provider import PROVIDER\n"
        "providers.register('toy', PROVIDER)\n"
        "snap = collect([ToyConnector('acme')], CollectContext(now=f.NOW))\n"
        "report = analyze(snap, settings=Settings(), now=f.NOW)\n"
        "aws = [f'nhiscan.providers.aws.{n}' for n in ('provider', 'policy', 'graph', 'gaps')]\n"
        "loaded = [m for m in sys.modules if any(m.split('.')[:4] == a.split('.') for a in aws)]\n"
        "print(report.tool.catalog_date, len(report.findings), sorted(loaded))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True
    )
    date, count, loaded = done.stdout.split(" ", 2)
    assert (date, loaded.strip()) == (CATALOG_DATE, "[]") and int(count) > 0


def test_without_the_toy_provider_its_records_get_neutral_defaults() -> None:
    """The connector alone (no provider registered): inventoried and judged by the lifecycle
    rules with the neutral words, reach not analysed, and a no-provider gap says so."""
    snapshot = collect([ToyConnector("acme")], CollectContext(now=f.NOW))
    report = analyze(snapshot, settings=Settings(), now=f.NOW)
    assert [g.reason.value for g in report.gaps] == ["no-provider"]
    assert by_rule(report, "NHI001") == [BUILDER] and by_rule(report, "NHI100") == []
    assert hops(report, EdgeKind.IS_ADMIN) == set()


# --- the command line ------------------------------------------------------------------------


def test_scan_writes_every_report_and_gates_on_the_admin_bot(
    scanned: tuple[Result, Path], cli: Any
) -> None:
    result, out = scanned
    assert result.exit_code == 1, result.output  # NHI100 is critical: at or above high
    doc = json.loads((out / "report.json").read_text())
    schema = json.loads(CliRunner().invoke(cli, ["schema", "report"]).stdout)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert [e.message for e in validator.iter_errors(doc)] == []
    assert doc["tool"]["catalog_date"] == CATALOG_DATE and doc["sources"] == ["toy:acme"]
    assert {i["kind"] for i in doc["identities"]} == {"toy-bot"}
    html = (out / "report.html").read_text()
    assert BUILDER in html and "keeper" in html
    sarif = json.loads((out / "report.sarif").read_text())
    results = sarif["runs"][0]["results"]
    stale = [r for r in results if r["ruleId"] == "NHI001"]
    assert len(stale) == 1 and "tt-builder" in stale[0]["message"]["text"]
    markdown = (out / "report.md").read_text()
    assert "NHI001" in markdown and "Toy token tt-builder" in markdown


def test_the_gap_analyzer_analyses_the_toy_bots_through_the_toy_provider(
    scanned: tuple[Result, Path],
) -> None:
    _, out = scanned
    doc = json.loads((out / "report.json").read_text())
    builder, keeper = doc["agents"]
    (identity,) = builder["identities"]
    assert (identity["id"], identity["provider"]) == (BUILDER, "toy")
    assert (identity["analysed"], identity["reason"], identity["missing"]) == (True, None, 0)
    assert [(n["action"], n["resource"]) for n in builder["needed"]] == [(READ, PLANS)]
    assert [x["resource"] for x in builder["excess_scope"]] == [box_id("acme", "*")]
    least = builder["least_privilege"][BUILDER]["policy"]
    assert least == {"permissions": {READ: [PLANS]}}  # the toy vocabulary's document
    assert [i["id"] for i in keeper["identities"]] == [KEEPER]  # {name:, provider: toy}
    assert keeper["identities"][0]["admin"] is True
    assert [x["action"] for x in keeper["excess"]] == [ADMIN]
    admin_excess = [x for x in doc["findings"] if x["rule_id"] == "NHI300"]
    assert [x["subject"] for x in admin_excess] == [KEEPER, BUILDER]


def test_without_an_agent_vocabulary_the_toy_bot_is_reported_not_analysed(
    toy_cloud: CloudProvider, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(toy_cloud, "agents", None)
    result, doc = scan_with_agents(cli, tmp_path, AWS_STEP_AGENTS)
    assert result.exit_code == 1, result.output
    (agent,) = doc["agents"]
    (identity,) = agent["identities"]
    assert (identity["id"], identity["provider"]) == (BUILDER, "toy")
    assert (identity["analysed"], identity["reason"]) == (False, NOT_ANALYSED)


@pytest.mark.parametrize(("fail_on", "code"), [("critical", 1), ("never", 0)])
def test_fail_on_gates_the_toy_findings(cli: Any, tmp_path: Path, fail_on: str, code: int) -> None:
    result = scan(cli, tmp_path / "out", "--fail-on", fail_on, "--strict")
    assert result.exit_code == code, result.output


def test_agent_files_may_name_the_toy_cloud(cli: Any, tmp_path: Path) -> None:
    """A selector's ``provider`` is a listed cloud or a registered one (the agents schema too)."""
    shown = json.loads(CliRunner().invoke(cli, ["schema", "agents"]).stdout)
    selector = shown["$defs"]["identity"]["oneOf"][1]
    assert selector["properties"]["provider"]["enum"] == ["aws", "azure", "gcp", "toy"]
    (tmp_path / "bad.yaml").write_text(AGENTS.replace("provider: toy", "provider: oracle"))
    result = CliRunner().invoke(cli, ["compile", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 2 and "`provider` is aws, azure, gcp or toy" in result.output

"""The JSON Schema of report.json: the demo report validates, broken reports do not, and the
schema stays a valid draft 2020-12 schema that describes every record field."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze, apply_baseline
from nhiscan.cli import cli
from nhiscan.reports.json import REPORTER as JSON
from nhiscan.reports.schema import OPTIONAL_TOP, RECORDS, report_schema
from nhiscan.scanner import baseline as b
from nhiscan.scanner.model import omitted_when_default
from tests import factories as f

VALIDATOR = jsonschema.Draft202012Validator(
    report_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def _validator() -> jsonschema.Draft202012Validator:
    return VALIDATOR


def _errors(doc: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(doc)]


@pytest.fixture(scope="module")
def demo_doc(demo_report: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    return doc


@pytest.fixture(scope="module")
def small_doc(demo_doc: dict[str, Any]) -> dict[str, Any]:
    """The demo report with each agent's long grant lists cut to three (the administrator
    agent has thousands): the same shapes, validated in milliseconds."""
    doc = copy.deepcopy(demo_doc)
    for agent in doc["agents"]:
        for key in ("excess", "excess_scope", "conditional", "missing"):
            if isinstance(agent[key], list):
                agent[key] = agent[key][:3]
        agent["excess_by_service"] = agent["granted_summary"] = agent["least_privilege"] = None
    return doc


def test_the_schema_is_a_valid_2020_12_schema() -> None:
    schema = report_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_demo_report_validates(demo_doc: dict[str, Any]) -> None:
    assert _errors(demo_doc) == []
    assert demo_doc["findings"] and demo_doc["agents"] and demo_doc["exposures"]


def test_every_top_level_key_is_described_and_required(demo_doc: dict[str, Any]) -> None:
    """Every key is required but those written only when their part ran (``activity``: with an
    activity source, which the demo reads: its trail)."""
    schema = report_schema()
    assert set(schema["required"]) == set(demo_doc) - set(OPTIONAL_TOP)
    assert set(schema["properties"]) == set(demo_doc)
    assert all("activity" in agent for agent in demo_doc["agents"])


def test_records_require_and_describe_every_field() -> None:
    defs = report_schema()["$defs"]
    for name, cls in RECORDS.items():
        fields = [field.name for field in dataclasses.fields(cls)]
        omitted = omitted_when_default(cls)  # written only when set: optional
        assert defs[name]["required"] == [n for n in fields if n not in omitted], name
        assert set(defs[name]["properties"]) == set(fields), name
    assert {"rule_id", "severity", "subject", "fingerprint"} <= set(defs["finding"]["required"])


@pytest.mark.parametrize(
    ("where", "change"),
    [
        ("finding without a fingerprint", lambda d: d["findings"][0].pop("fingerprint")),
        ("severity urgent", lambda d: d["findings"][0].update(severity="urgent")),
        ("rule id not NHI###", lambda d: d["findings"][0].update(rule_id="X1")),
        ("identity kind robot", lambda d: d["identities"][0].update(kind="robot")),
        ("provider not a name", lambda d: d["identities"][0].update(provider="Oracle Cloud")),
        ("toy kind not a name", lambda d: d["identities"][0].update(provider="toy", kind="A B")),
        ("credential status lost", lambda d: d["credentials"][0].update(status="lost")),
        ("credential kind token", lambda d: d["credentials"][0].update(kind="token")),
        ("scanned_at not a time", lambda d: d.update(scanned_at="yesterday")),
        ("no findings key", lambda d: d.pop("findings")),
        ("gaps not a list", lambda d: d.update(gaps={})),
        ("agents band purple", lambda d: d["agents"][1]["score"].update(band="purple")),
        ("summary count negative", lambda d: d["summary"].update(findings=-1)),
    ],
)
def test_broken_reports_are_refused(small_doc: dict[str, Any], where: str, change: Any) -> None:
    assert _errors(small_doc) == []
    doc = copy.deepcopy(small_doc)
    change(doc)
    assert _errors(doc), where


def test_a_new_clouds_provider_and_kinds_are_allowed(small_doc: dict[str, Any]) -> None:
    """Provider names and kinds are open: a new cloud's records validate (tests/toy), while a
    listed cloud's record of an unlisted kind is still refused (above)."""
    doc = copy.deepcopy(small_doc)
    doc["identities"][0].update(provider="toy", kind="toy-bot")
    doc["credentials"][0].update(provider="toy", kind="toy-token")
    doc["accounts"][0].update(provider="toy")
    doc["findings"][0].update(provider="toy")
    assert _errors(doc) == []


def test_fields_added_later_are_allowed(small_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(small_doc)
    doc["a_later_key"] = {"x": 1}
    doc["findings"][0]["cvss"] = 9.1
    doc["identities"][0]["labels"] = ["x"]
    assert _errors(doc) == []


def test_gaps_baseline_and_no_reach_validate() -> None:
    bot = f.user("svc-ci", created=f.days_ago(400))
    records = [bot, f.access_key(bot, created=f.days_ago(400)), f.gap(),
               f.exposure("ghp_" + "Ab1" * 12, path="x.env")]  # fmt: skip
    report = analyze(f.snapshot(*records), settings=Settings(), now=f.NOW, reach=False)  # type: ignore[arg-type]
    gone = b.Entry(fingerprint="0" * 32, rule_id="NHI200", subject="gone", note="fixed")
    accepted = b.Baseline(entries=(*b.create(report.findings[:1]).entries, gone))
    doc = json.loads(JSON.render(apply_baseline(report, accepted, source="b.json")))
    assert doc["blast_radius"] is None and doc["graph"] is None and doc["gaps"]
    assert doc["baseline"]["stale"] and doc["agents"] is None
    assert _errors(doc) == []
    doc["gaps"][0]["reason"] = "unlucky"
    assert _errors(doc)


def test_schema_command_prints_the_report_schema_and_keeps_agents() -> None:
    runner = CliRunner()
    report = runner.invoke(cli, ["schema", "report"], catch_exceptions=False)
    assert report.exit_code == 0 and json.loads(report.stdout) == report_schema()
    agents = runner.invoke(cli, ["schema", "agents"], catch_exceptions=False)
    assert agents.exit_code == 0 and "agent" in json.loads(agents.stdout)["title"]

"""SARIF's rule table is the report's (``Report.rules``, set by the pipeline): the reporter
never asks the rule registry, and a report made with other rules describes them from its
findings."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.app.rules import all_rules
from nhiscan.reports.json import REPORTER as JSON
from nhiscan.reports.model import Report
from nhiscan.reports.sarif import REPORTER
from tests import factories as f


def _old_key_report() -> Report:
    bot = f.user("svc-ci")
    key = f.access_key(bot, id="AKIAOLD", created=f.days_ago(200))
    return analyze(f.snapshot(bot, key), settings=Settings(), now=f.NOW)


def _rules(report: Report) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = json.loads(REPORTER.render(report))["runs"][0]["tool"]["driver"][
        "rules"
    ]
    return rules


def test_the_pipeline_puts_every_registered_rule_on_the_report() -> None:
    report = _old_key_report()
    assert report.rules == tuple(rule.meta for rule in all_rules())
    assert [r["id"] for r in _rules(report)] == [meta.id for meta in report.rules]


def test_sarif_lists_the_reports_rules_then_those_its_findings_name() -> None:
    report = _old_key_report()
    only = replace(report, rules=report.rules[1:2])
    ids = [r["id"] for r in _rules(only)]
    assert ids == [report.rules[1].id, *sorted({x.rule_id for x in report.findings})]
    results = json.loads(REPORTER.render(only))["runs"][0]["results"]
    assert {ids[r["ruleIndex"]] for r in results} == {x.rule_id for x in report.findings}


def test_the_rule_table_is_not_written_to_the_json_report() -> None:
    report = _old_key_report()
    assert JSON.render(report) == JSON.render(replace(report, rules=()))

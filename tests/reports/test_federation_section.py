"""Keyless trusts in the reports (issue #20): report.json's ``federation`` section lists every
trust with its judgement and every registration, and validates against the schema; the HTML
report's "Keyless trusts" section says in words what each admits, escaped like every string
from a cloud."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.reports.html import HtmlReporter
from nhiscan.reports.json import REPORTER as JSON
from nhiscan.reports.model import Report
from nhiscan.reports.schema import report_schema
from tests import factories as f
from tests.rules.federation_fixtures import (
    AUD,
    equals,
    federating,
    github_registration,
    github_trust,
    like,
)


def _report() -> Report:
    policy = f.managed_policy("preview-all", f.allow("*"))
    preview = replace(f.role("github-preview-deploy"), policies=(policy.id,))
    release = f.role("github-release")
    trusts = [
        github_trust(preview.id, like("sub", "repo:acme-lending/*"), AUD),
        github_trust(release.id, equals("sub", "repo:acme-lending/<app>:ref:refs/heads/main"), AUD),
    ]
    orphan = github_registration("gitlab.example.com")
    with federating(trusts, (github_registration(), orphan)):
        return analyze(f.snapshot(preview, policy, release), settings=Settings(), now=f.NOW)


def test_report_json_lists_every_trust_with_its_judgement() -> None:
    report = _report()
    doc = json.loads(JSON.render(report))
    section = doc["federation"]
    trusts = {t["target"].rsplit("/", 1)[-1]: t for t in section["trusts"]}
    preview = trusts["github-preview-deploy"]
    assert preview["wildcard"] == "repository"
    assert preview["pull_requests"] is True and preview["audience_pinned"] is True
    assert preview["words"] == (
        "any workflow in any repository of acme-lending, on any branch, including pull requests"
    )
    assert preview["admissions"][0]["principal"] == "repo:acme-lending/*"
    assert trusts["github-release"]["wildcard"] == "none"
    assert [r["issuer"] for r in section["registrations"]] == [
        "gitlab.example.com",
        "token.actions.githubusercontent.com",
    ]
    rules = {finding["rule_id"] for finding in doc["findings"]}
    assert {"NHI600", "NHI601", "NHI603"} <= rules
    validator = jsonschema.Draft202012Validator(report_schema())
    assert [e.message for e in validator.iter_errors(doc)] == []


def test_the_html_report_has_a_keyless_trusts_section() -> None:
    html = HtmlReporter().render(_report()).decode()
    section = html[html.index('<section id="keyless-trusts"') :]
    section = section[: section.index("</section>")]
    assert 'Keyless trusts <span class="count">(2)</span>' in section
    assert "any workflow in any repository of acme-lending, on any branch" in section
    assert "acme-lending/&lt;app&gt;" in section and "<app>" not in section
    assert '<a href="#keyless-trusts">Keyless trusts (2)</a>' in html

"""Reports name each catalogue the analysis read (``ToolInfo.catalogs``) when several clouds,
or one other than the default, were analysed: JSON (schema-valid), HTML, Markdown and SARIF.
An AWS-only report has no such field: byte for byte what it was."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.providers import provider
from nhiscan.reports.html import REPORTER as HTML
from nhiscan.reports.json import REPORTER as JSON
from nhiscan.reports.markdown import REPORTER as MARKDOWN
from nhiscan.reports.model import Report
from nhiscan.reports.sarif import REPORTER as SARIF
from nhiscan.reports.schema import report_schema
from nhiscan.scanner.codec import decode
from nhiscan.scanner.model import ToolInfo
from tests import factories as f
from tests.providers.gcp import factories as g

GCP_DATE = "2026-08-22"


def _report(*records: Any) -> Report:
    return analyze(f.snapshot(*records), settings=Settings(), now=f.NOW)


def _aws() -> list[Any]:
    bot = f.user("svc-ci")
    return [bot, f.access_key(bot)]


def _gcp() -> list[Any]:
    return [g.project(), g.sa("deployer")]


def test_two_clouds_name_two_catalogues_with_their_dates() -> None:
    report = _report(*_aws(), *_gcp())
    aws = provider("aws").catalog
    doc = json.loads(JSON.render(report))
    assert doc["tool"]["catalogs"] == [
        {"provider": "aws", "name": "AWS action catalogue", "version": aws.version,
         "date": aws.updated_at},
        {"provider": "gcp", "name": "GCP predefined roles dataset",
         "version": provider("gcp").catalog.version, "date": GCP_DATE},
    ]  # fmt: skip
    assert doc["tool"]["catalog_date"] == aws.updated_at  # the primary's, as before
    assert decode(ToolInfo, doc["tool"]) == report.tool
    validator = jsonschema.Draft202012Validator(report_schema())
    assert [e.message for e in validator.iter_errors(doc)] == []
    bad = {**doc, "tool": {**doc["tool"], "catalogs": [{"provider": "gcp"}]}}
    assert list(validator.iter_errors(bad))  # each catalogue's fields are required

    page = HTML.render(report).decode()
    assert (
        f"AWS action catalogue of {aws.updated_at}, GCP predefined roles dataset of {GCP_DATE}"
        in page
    )
    text = MARKDOWN.render(report).decode()
    both = f"AWS action catalogue of {aws.updated_at}; GCP predefined roles dataset of {GCP_DATE}"
    assert f"<sub>Catalogues: {both}.</sub>" in text
    sarif = json.loads(SARIF.render(report))
    assert [c["date"] for c in sarif["runs"][0]["properties"]["catalogs"]] == [
        aws.updated_at,
        GCP_DATE,
    ]


def test_an_aws_only_report_has_no_catalogue_list() -> None:
    report = _report(*_aws())
    assert report.tool.catalogs == ()
    doc = json.loads(JSON.render(report))
    assert list(doc["tool"]) == ["name", "version", "catalog_date"]
    page = HTML.render(report).decode()
    assert f"AWS action catalogue of {report.tool.catalog_date}</dd>" in page
    assert "Catalogues:" not in MARKDOWN.render(report).decode()
    assert "catalogs" not in json.loads(SARIF.render(report))["runs"][0]["properties"]


def test_a_gcp_only_report_names_gcps_catalogue_not_awss() -> None:
    report = _report(*_gcp())
    assert report.tool.catalog_date == GCP_DATE
    assert [c.provider for c in report.tool.catalogs] == ["gcp"]
    page = HTML.render(report).decode()
    assert f"GCP predefined roles dataset of {GCP_DATE}" in page
    assert "AWS action catalogue" not in page

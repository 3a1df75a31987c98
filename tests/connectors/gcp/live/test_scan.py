"""``nhiscan scan --gcp-project`` end to end: Application Default Credentials from a key file
whose token endpoint, like every API (``NHISCAN_GCP_ENDPOINT``), is a local server answering
with the recorded bodies. googleapiclient is pointed there through ``client_options``
``api_endpoint``, the REST clients through ``ClientOptions(api_endpoint=...)``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from nhiscan.cli import cli
from nhiscan.connectors.gcp.clients import ENDPOINT_ENV

from .conftest import ACTIVITIES, CI_KEY, EXPOSED_KEY, Api, adc_file, error, estate

TOKEN = {"access_token": "ya29.local-test-token", "expires_in": 3600, "token_type": "Bearer"}


@pytest.fixture
def api(httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Api:
    api = estate(Api(httpserver))
    api.on("POST", "/token", (200, TOKEN))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS",
                       str(adc_file(tmp_path, f"{api.endpoint}/token")))  # fmt: skip
    monkeypatch.setenv(ENDPOINT_ENV, api.endpoint)
    monkeypatch.chdir(tmp_path)  # no nhiscan.toml of the repository
    return api


def scan(tmp_path: Path, *extra: str) -> dict[str, Any]:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(cli, [
        "scan", "--gcp-project", "acme-prod", "--no-agents", "--no-store", "--format", "json",
        "--as-of", "2026-12-01", "-o", str(out), *extra,
    ])  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def on_key(report: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    return {f["rule_id"]: f for f in report["findings"] if key in json.dumps(f)}


def test_scan_of_a_project_finds_the_exposed_key(api: Api, tmp_path: Path) -> None:
    report = scan(tmp_path)
    assert report["summary"]["identities"] == 3
    assert "NHI400" in on_key(report, EXPOSED_KEY)  # disabled by Google as exposed
    assert "NHI401" in on_key(report, CI_KEY)  # an enabled key that never expires
    assert not report["gaps"]
    calls = [s for s in api.seen if s.path != "/token"]
    assert calls and all((s.auth or "").startswith("Bearer ") for s in calls)  # all signed
    # googleapiclient with the token from the key file's token endpoint (the REST clients
    # sign a self-signed JWT with the same key instead: google-auth's choice)
    assert any(s.auth == f"Bearer {TOKEN['access_token']}" for s in calls)


def test_last_use_refused_is_never_never_used(api: Api, tmp_path: Path) -> None:
    api.ok("GET", ACTIVITIES.format(kind="serviceAccountKeyLastAuthentication"),
           "policyanalyzer/none")  # fmt: skip
    seen = on_key(scan(tmp_path), CI_KEY)
    assert seen["NHI002"]["evidence"]["case"] == "never-used"  # the query answered: not seen
    for kind in ("serviceAccountKeyLastAuthentication", "serviceAccountLastAuthentication"):
        api.on("GET", ACTIVITIES.format(kind=kind), (403, error("permission-denied-plain")))
    report = scan(tmp_path)
    assert "NHI002" not in on_key(report, CI_KEY)
    assert "never used" not in json.dumps(on_key(report, CI_KEY))
    assert {g["operation"].rsplit("#", 1)[-1] for g in report["gaps"]} == {
        "serviceAccountKeyLastAuthentication", "serviceAccountLastAuthentication",
    }  # fmt: skip

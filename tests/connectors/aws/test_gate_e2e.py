"""The CI gate end to end, on an estate in moto scanned through the CLI:

- the first run with findings exits 1 (``--fail-on low``);
- after ``nhiscan baseline create`` the same estate exits 0;
- a new finding added to the estate makes it exit 1 again, and only that finding is reported;
- a suppression in nhiscan.toml (with its reason) removes a finding from the gate, and once it
  has expired it stops suppressing and says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result

from nhiscan.cli import cli

REGION = "us-east-1"
LEGACY = "arn:aws:iam::123456789012:user/legacy-bot"
NEWCOMER = "arn:aws:iam::123456789012:user/new-bot"


def _scan(out: Path, *extra: str) -> tuple[Result, dict[str, Any]]:
    result = CliRunner().invoke(
        cli,
        ["scan", "--aws-region", REGION, "--fail-on", "low", "--no-agents", "-o", str(out),
         "--format", "json", *extra],
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    return result, report


@pytest.fixture
def iam(moto: None) -> Iterator[Any]:
    client = boto3.client("iam", region_name=REGION)
    client.create_user(UserName="legacy-bot")  # no owner tag: NHI007
    client.create_user(UserName="owned-bot", Tags=[{"Key": "owner", "Value": "team"}])
    yield client


def test_a_baseline_lets_the_gate_pass_until_a_new_finding_appears(
    iam: Any, tmp_path: Path
) -> None:
    first, report = _scan(tmp_path / "1")
    assert first.exit_code == 1
    assert [(f["rule_id"], f["subject"]) for f in report["findings"]] == [("NHI007", LEGACY)]

    baseline = tmp_path / "baseline.json"
    created = CliRunner().invoke(
        cli, ["baseline", "create", "--aws-region", REGION, "--no-agents", "-o", str(baseline)]
    )
    assert created.exit_code == 0, created.output
    accepted, report = _scan(tmp_path / "2", "--baseline", str(baseline))
    assert accepted.exit_code == 0
    assert report["findings"] == [] and len(report["baseline"]["baselined"]) == 1

    iam.create_user(UserName="new-bot")
    again, report = _scan(tmp_path / "3", "--baseline", str(baseline))
    assert again.exit_code == 1
    assert [(f["rule_id"], f["subject"]) for f in report["findings"]] == [("NHI007", NEWCOMER)]


def _config(tmp_path: Path, expires: str) -> Path:
    config = tmp_path / "nhiscan.toml"
    config.write_text(
        "[[suppress]]\n"
        'rule = "nhi-without-owner"\n'
        'subject = "*:user/legacy-*"\n'
        'reason = "Legacy integration, retired in Q1 (SEC-88)"\n'
        f"expires = {expires}\n"
    )
    return config


def test_a_suppression_removes_a_finding_from_the_gate_with_its_reason(
    iam: Any, tmp_path: Path
) -> None:
    config = _config(tmp_path, "2999-12-31")
    result, report = _scan(tmp_path / "out", "--config", str(config))
    assert result.exit_code == 0
    assert report["findings"] == []
    (suppressed,) = report["suppressions"]["suppressed"]
    assert (suppressed["subject"], suppressed["reason"]) == (
        LEGACY, "Legacy integration, retired in Q1 (SEC-88)")  # fmt: skip
    assert "1 suppressed in nhiscan.toml" in result.output


def test_an_expired_suppression_is_reported_and_no_longer_suppresses(
    iam: Any, tmp_path: Path
) -> None:
    config = _config(tmp_path, "2020-01-31")
    result, report = _scan(tmp_path / "out", "--config", str(config))
    assert result.exit_code == 1
    assert [f["subject"] for f in report["findings"]] == [LEGACY]
    (expired,) = report["suppressions"]["expired"]
    assert expired["expires"] == "2020-01-31" and expired["rule"] == "nhi-without-owner"
    assert report["suppressions"]["suppressed"] == []
    assert "expired on 2020-01-31, no longer suppressing" in result.output

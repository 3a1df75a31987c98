"""The demo shows a behaviour change between two recorded runs (issue #19): its first scan into a
store records "last week's scheduled scan" first (its trail read up to a week ago), then flags
what loan-review started doing since (NHI706); a second scan reports no change.

The demo's own trail is written by ``connectors/demo``; this test gives the scan a minimal
stand-in of the same story in CloudTrail's record format (``--aws-cloudtrail``): loan-review's
role reads its documents for weeks, and deletes them from a new address and client in the last
three days only."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nhiscan.cli import cli
from nhiscan.store import open_store
from tests.connectors.aws.cloudtrail_data import event, s3_object, session

DEMO = "123456789012"
ROLE = f"arn:aws:iam::{DEMO}:role/loan-review-agent"
NEW_IP = "203.0.113.77"


def _in_demo(record: dict[str, Any]) -> dict[str, Any]:
    """A record of the demo's account (the helpers write another's)."""
    text = json.dumps(record).replace("111122223333", DEMO)
    return dict(json.loads(text))


def _write(root: Path, day: datetime, records: list[dict[str, Any]]) -> None:
    stamp = day.strftime("%Y%m%dT%H%MZ")
    path = root / (f"AWSLogs/{DEMO}/CloudTrail/us-east-1/{day:%Y/%m/%d}/"
                   f"{DEMO}_CloudTrail_us-east-1_{stamp}_standin.json.gz")  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(json.dumps({"Records": records}).encode()))


def write_trail(root: Path, now: datetime) -> None:
    for days in range(1, 30):
        at = now - timedelta(days=days, hours=1)
        records = [
            event(
                session(f"loan-review-{days:04d}", role=ROLE),
                "GetObject",
                time=at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                event_id=f"get-{days}",
                resources=s3_object("construction-docs", f"draw-{days}.pdf"),
                ip="198.51.100.20",
                agent="loan-review/2.3 Boto3/1.34.0",
            )
        ]
        if days <= 3:
            records.append(
                event(
                    session(f"loan-review-{days:04d}", role=ROLE),
                    "DeleteObject",
                    time=at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    event_id=f"delete-{days}",
                    resources=s3_object("construction-docs", f"draw-{days}.pdf"),
                    ip=NEW_IP,
                    agent="python-requests/2.31",
                )
            )
        _write(root, at, [_in_demo(r) for r in records])


def _scan(runner: CliRunner, trail: Path, store: str, out: Path) -> tuple[str, dict[str, Any]]:
    result = runner.invoke(cli, ["scan", "--demo", "--aws-cloudtrail", str(trail), "--store",
                                 store, "-o", str(out)], catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stderr, json.loads((out / "report.json").read_text())


@pytest.mark.slow
def test_the_demo_records_last_week_then_flags_the_change_then_reports_no_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    trail, store = tmp_path / "trail", f"sqlite:///{tmp_path / 'h.db'}"
    write_trail(trail, datetime.now(UTC))
    runner = CliRunner()

    said, report = _scan(runner, trail, store, tmp_path / "first")
    assert "recorded last week's scheduled scan first" in said
    assert said.count("demo: building the estate in moto") == 1  # one estate, two collections
    opened = open_store(store)
    try:
        runs = opened.runs()
    finally:
        opened.close()
    assert len(runs) == 2
    week = runs[0].started_at - runs[1].started_at
    assert timedelta(days=6, hours=23) < week < timedelta(days=7, hours=1)
    (finding,) = [f for f in report["findings"] if f["rule_id"] == "NHI706"]
    assert finding["severity"] == "high" and finding["subject"] == "loan-review"
    assert "new action s3:DeleteObject" in finding["title"] and NEW_IP in finding["title"]
    assert {e["id"] for e in finding["evidence"]["events"]} >= {"delete-1", "delete-2"}
    history = report["history"]
    assert history["previous"]["id"] == runs[1].id
    assert history["behaviour"] == {"compared_with": runs[1].id, "note": None}
    (change,) = history["since_last"]["behaviour"]
    assert change["agent"] == "loan-review"
    assert ("action", "s3:DeleteObject", False) in {
        (i["kind"], i["value"], i["explained"]) for i in change["items"]
    }
    html = (tmp_path / "first" / "report.html").read_text()
    assert "Agent behaviour" in html and "s3:DeleteObject (unexplained)" in html

    said, report = _scan(runner, trail, store, tmp_path / "second")
    assert "last week" not in said
    assert [f["rule_id"] for f in report["findings"]].count("NHI706") == 1
    diff = runner.invoke(cli, ["diff", "--store", store], catch_exceptions=False)
    assert diff.output.rstrip().endswith("no change"), diff.output

"""The demo shows a behaviour change between two recorded runs (issue #19): its first scan into a
store records "last week's scheduled scan" first (its trail read up to a week ago), then flags
what loan-review started doing since (NHI706); a second scan reports no change.

The demo's own trail (``connectors/demo/trail.py``) tells the story: loan-review's role reads
its documents for weeks, and deletes them from a new address and client in the last three days
only."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nhiscan.cli import cli
from nhiscan.connectors.demo.trail import NEW_IP
from nhiscan.store import open_store


def _scan(runner: CliRunner, store: str, out: Path) -> tuple[str, dict[str, Any]]:
    result = runner.invoke(cli, ["scan", "--demo", "--store", store, "-o", str(out)],
                           catch_exceptions=False)  # fmt: skip
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
    store = f"sqlite:///{tmp_path / 'h.db'}"
    runner = CliRunner()

    said, report = _scan(runner, store, tmp_path / "first")
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
    events = finding["evidence"]["events"]
    assert events and all(e["source"].startswith("demo/cloudtrail/") for e in events)
    scanned = datetime.fromisoformat(report["scanned_at"].replace("Z", "+00:00"))
    for event in events:  # what is new happened in the last three days: after last week's scan
        when = datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
        assert scanned - timedelta(days=4) < when <= scanned
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

    said, report = _scan(runner, store, tmp_path / "second")
    assert "last week" not in said
    assert [f["rule_id"] for f in report["findings"]].count("NHI706") == 1
    diff = runner.invoke(cli, ["diff", "--store", store], catch_exceptions=False)
    assert diff.output.rstrip().endswith("no change"), diff.output

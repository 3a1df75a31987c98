"""The CSV report: the inventory (one row per identity, then one per credential), aged at the
scan time, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.cli import cli
from nhiscan.reports.base import Format, reporter
from nhiscan.reports.inventory import COLUMNS, csv_cell, render_inventory
from nhiscan.scanner.codec import parse_time
from tests import factories as f

HOSTILE = {
    '=HYPERLINK("http://evil.example","x")': '\'=HYPERLINK("http://evil.example","x")',
    "+1+cmd": "'+1+cmd",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\tpadded": "'\tpadded",
    "\r=1": "'\r=1",
}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_demo_csv_is_the_inventory_aged_at_the_scan_time(
    demo_report: Path, tmp_path: Path
) -> None:
    out = tmp_path / "inventory.csv"  # the format from the suffix
    result = CliRunner().invoke(cli, ["analyze", str(demo_report / "snapshot.json"), "-o",
                                      str(out)], catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    rows = _rows(text)
    assert text.splitlines()[0].split(",") == list(COLUMNS)
    doc = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    identities = [r for r in rows if r["record"] == "identity"]
    assert len(identities) == len(doc["identities"])
    assert len(rows) - len(identities) == len(doc["credentials"])
    keys = [r for r in rows if r["kind"] == "access-key"]
    assert keys and all(r["identity"].startswith("arn:aws:iam::") for r in keys)
    scanned = parse_time(doc["scanned_at"])  # the scan a moment before this analysis
    for row in keys:
        assert abs(int(row["age_days"]) - (scanned - parse_time(row["created"])).days) <= 1


def test_csv_report_uses_the_report_time() -> None:
    bot = f.user("svc-ci", created=f.days_ago(100))
    report = analyze(f.snapshot(bot), settings=Settings(), now=f.NOW + timedelta(days=10))
    rows = _rows(reporter(Format.CSV).render(report).decode())
    assert rows[0]["id"] == bot.id and rows[0]["age_days"] == "110"


@pytest.mark.parametrize(("value", "safe"), list(HOSTILE.items()))
def test_cells_that_would_start_a_formula_are_neutralised(value: str, safe: str) -> None:
    assert csv_cell(value) == safe


def test_csv_cell_leaves_ordinary_values_alone() -> None:
    for value in ("svc-app", "arn:aws:iam::1:user/x", "a=b", "", None, -3, 12, True):
        assert csv_cell(value) == value


def test_hostile_names_reach_the_csv_guarded_and_the_json_as_they_are() -> None:
    names = list(HOSTILE)
    idents = [
        f.identity(id=f.arn(f.ACCOUNT, f"user/u{i}"), name=name, is_human=False,
                   human_reason=name)
        for i, name in enumerate(names)
    ]  # fmt: skip
    estate = f.estate(*idents)
    rows = _rows(render_inventory(estate, fmt="csv", now=f.NOW))
    assert sorted(r["name"] for r in rows) == sorted(HOSTILE.values())
    assert all(r["human_reason"].startswith("'") for r in rows if r["human_reason"])
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows
                   for cell in r.values() if cell)  # fmt: skip
    data = json.loads(render_inventory(estate, fmt="json", now=f.NOW))
    assert sorted(r["name"] for r in data) == sorted(names)  # JSON keeps the data exact

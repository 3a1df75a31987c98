"""``--detail``: report.json keeps the riskiest ``LIST_CAP`` items of each agent's long lists
with their exact totals, and ``--detail full`` every item (issue #18 item 5). The demo's
administrator agent is granted ``*``: tens of thousands of excess actions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nhiscan.cli import cli
from nhiscan.reports.model import LIST_CAP

LISTS = ("excess", "excess_scope", "conditional", "missing", "escalations")


@pytest.fixture(scope="module")
def full(demo_report: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("full") / "report.json"
    args = ["analyze", str(demo_report / "snapshot.json"), "--detail", "full", "-o", str(out)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def _doc(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def _agents(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["name"]: a for a in doc["agents"]}


def test_summary_keeps_the_riskiest_items_and_the_exact_totals(
    demo_report: Path, full: Path
) -> None:
    summary, everything = _doc(demo_report / "report.json"), _doc(full)
    assert summary["detail"] == {"level": "summary", "list_cap": LIST_CAP}
    cut = 0
    for name, agent in _agents(summary).items():
        whole = _agents(everything)[name]
        if agent["totals"] is None:
            assert whole["totals"] is None and all(agent[k] is None for k in LISTS)
            continue
        for key in LISTS:
            assert agent["totals"][key] == len(whole[key]) == whole["totals"][key]
            assert agent[key] == whole[key][:LIST_CAP]  # the same order, cut
            cut += len(whole[key]) > LIST_CAP
    assert cut  # the administrator agent's excess is far past the cap
    review = _agents(summary)["loan-review"]
    assert review["totals"]["excess"] > 10_000 and len(review["excess"]) == LIST_CAP
    assert {g["access_level"] for g in review["excess"]} == {"Permissions management"}
    unclaimed = summary["agent_analysis"]
    assert len(unclaimed["unclaimed"]) == min(unclaimed["unclaimed_count"], LIST_CAP)


def test_full_detail_writes_every_item(full: Path) -> None:
    doc = _doc(full)
    assert doc["detail"] == {"level": "full", "list_cap": None}
    for agent in doc["agents"]:
        if agent["totals"] is not None:
            assert all(len(agent[k]) == agent["totals"][k] for k in LISTS)
    review = _agents(doc)["loan-review"]["excess"]
    assert review[0]["access_level"] == "Permissions management"
    assert review[-1]["access_level"] in ("List", "Tagging")  # the lightest last


def test_the_summary_is_a_small_fraction_of_the_full_report(demo_report: Path, full: Path) -> None:
    small, whole = (demo_report / "report.json").stat().st_size, full.stat().st_size
    assert whole > 5_000_000 and small < whole / 10

"""The Markdown summary for pull requests: verdict, capped findings table, secrets redacted,
gaps and agents, and no way for a name or a path to break a table or inject a link or HTML."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.cli import cli
from nhiscan.reports.markdown import FINDINGS_LIMIT, REPORTER, md
from nhiscan.reports.model import Report
from tests import factories as f

TOKEN = "ghp_" + "Wm4" * 12
HOSTILE_NAME = "bot|x`y`<img src=x onerror=alert(1)>[click](https://evil.example)\n## pwned"
HOSTILE_PATH = "a|b/<script>alert(1)</script>/[x](javascript:alert(1)).env"
UNESCAPED_PIPE = re.compile(r"(?<!\\)(?:\\\\)*\|")


@pytest.fixture(scope="module")
def demo_md(demo_report: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("md") / "summary.md"  # the format from the suffix
    result = CliRunner().invoke(cli, ["analyze", str(demo_report / "snapshot.json"), "-o",
                                      str(out)], catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def _cells(line: str) -> list[str]:
    """A table row's cells, split at the pipes Markdown sees (not the escaped ones)."""
    parts = UNESCAPED_PIPE.split(line.strip())
    return parts[1:-1]


def _tables(text: str) -> list[list[str]]:
    tables: list[list[str]] = []
    previous = ""
    for line in text.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
        previous = line
    return tables


def test_demo_summary_title_verdict_and_sections(demo_md: str, demo_report: Path) -> None:
    doc = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    first = demo_md.splitlines()[0]
    assert first.startswith("### nhiscan ") and doc["tool"]["version"] in first
    verdict = demo_md.splitlines()[2]
    # `analyze` re-reads the snapshot without the history store: the behaviour drift the scan
    # judged against its previous run (NHI706) is not judged again
    findings = [x for x in doc["findings"] if x["rule_id"] != "NHI706"]
    assert len(findings) < len(doc["findings"])
    assert f"**{len(findings)} findings**" in verdict
    for severity, count in Counter(x["severity"] for x in findings).items():
        assert f"{count} {severity}" in verdict
    # the demo's only gaps are what its GCP asset export cannot hold
    assert f"incomplete: {len(doc['gaps'])} collection gaps" in verdict
    for heading in ("#### Findings", "#### Secrets in code", "#### Agents"):
        assert heading in demo_md
    assert "ghp\\_…(40 chars)" in demo_md
    assert not re.search(r"ghp_[A-Za-z0-9]{36}", demo_md)


def test_demo_findings_table_lists_findings_worst_first(demo_md: str, demo_report: Path) -> None:
    doc = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    findings_table = _tables(demo_md)[1]  # after "Fix first"
    rows = [_cells(line) for line in findings_table[2:]]
    assert len(rows) == min(len(doc["findings"]), FINDINGS_LIMIT)
    assert all(len(r) == 4 for r in rows)
    ranks = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
    severities = [ranks[r[1].strip()] for r in rows]
    assert severities == sorted(severities, reverse=True)
    assert rows[0][0].strip().startswith(doc["findings"][0]["rule_id"])


def test_fix_first_is_the_json_remediations_list(demo_md: str, demo_report: Path) -> None:
    doc = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    fix_table = _tables(demo_md)[0]
    assert demo_md.index("#### Fix first") < demo_md.index("#### Findings")
    actions = [_cells(line)[1].strip() for line in fix_table[2:]]
    assert actions == [md(r["action"]) for r in doc["remediations"][:5]] and len(actions) == 5


def test_agents_show_their_band_and_counts(demo_md: str, demo_report: Path) -> None:
    doc = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    agents_table = _tables(demo_md)[-1]
    rows = {_cells(line)[0].strip(): [c.strip() for c in _cells(line)]
            for line in agents_table[2:]}  # fmt: skip
    for agent in doc["agents"]:
        row = rows[md(agent["name"])]
        score = agent["score"]
        assert row[1] == ((score or {}).get("band") or "none")
        if agent["totals"] is not None:
            totals = agent["totals"]
            assert row[3] == str(totals["excess"]) and row[4] == str(totals["missing"])


def _hostile_report() -> Report:
    bot = f.user(HOSTILE_NAME, description=HOSTILE_NAME, created=f.days_ago(400))
    records = [
        bot,
        f.access_key(bot, id="AKIAZ7VRSQ5DXJQ4YEPX", created=f.days_ago(400)),
        f.exposure(TOKEN, path=HOSTILE_PATH, repository="git@x:acme/[app](http://e).git"),
        f.gap(detail=HOSTILE_NAME),
        f.gap(operation="iam:ListRoles", scope="<b>x</b>|y"),
    ]
    return analyze(f.snapshot(*records), settings=Settings(), now=f.NOW)  # type: ignore[arg-type]


def test_hostile_strings_cannot_break_tables_or_inject_links_or_html() -> None:
    report = _hostile_report()
    assert any("bot|x" in finding.title for finding in report.findings)  # the name is in titles
    text = REPORTER.render(report).decode()
    for table in _tables(text):
        widths = {len(_cells(line)) for line in table}
        assert len(widths) == 1, table  # every row has the header's cells
    assert "<img" not in text and "<script" not in text and "<b>" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert not re.search(r"(?<!\\)\[", text)  # no bracket opens a link or an image
    assert not re.search(r"(?<!\\)`", text)  # no backtick opens a code span
    assert "\n## pwned" not in text and "\\#\\# pwned" in text  # newlines flattened
    assert TOKEN not in text and TOKEN[4:12] not in text


def test_md_escapes_each_special_character() -> None:
    assert md("a|b") == "a\\|b"
    assert md("`x`") == "\\`x\\`"
    assert md("<a href=x>") == "&lt;a href=x&gt;"
    assert md("[t](u)") == "\\[t\\](u)"
    assert md("line\nnext\r\tend") == "line next end"
    assert md("&lt;") == "&amp;lt;"  # an entity stays text
    assert md("back\\slash") == "back\\\\slash"
    assert md("x" * 400).endswith("…") and len(md("x" * 400)) == 300
    assert md(None) == ""


def test_gaps_make_the_verdict_incomplete_and_are_listed() -> None:
    text = REPORTER.render(_hostile_report()).decode()
    assert "**incomplete: 2 collection gaps**" in text
    gaps = next(t for t in _tables(text) if _cells(t[0])[2].strip() == "Operation")
    assert [_cells(line)[2].strip() for line in gaps[2:]] == ["iam:ListAccessKeys", "iam:ListRoles"]


def test_findings_are_capped_with_a_pointer_to_the_json() -> None:
    report = _hostile_report()
    many = replace(report, findings=tuple(report.findings) * 40)
    text = REPORTER.render(many).decode()
    rows = next(t for t in _tables(text) if _cells(t[0])[1].strip() == "Severity")[2:]
    assert len(rows) == FINDINGS_LIMIT
    assert f"{len(many.findings) - FINDINGS_LIMIT} more in report.json." in text


def test_baseline_and_suppressions_are_counted() -> None:
    from nhiscan.app.pipeline import apply_baseline
    from nhiscan.scanner import baseline as b

    report = _hostile_report()
    accepted = b.create(report.findings[:2])
    gone = b.Entry(fingerprint="0" * 32, rule_id="NHI200", subject="gone")
    stale = b.Baseline(entries=(*accepted.entries, gone))
    text = REPORTER.render(apply_baseline(report, stale, source="base|line.json")).decode()
    assert "Baseline base\\|line.json: 2 accepted findings not shown, 1 entries match" in text
    assert "Suppressed in nhiscan.toml" not in text
    clean = REPORTER.render(replace(report, findings=())).decode()
    assert "**No findings**" in clean and "#### Findings" not in clean

"""The report's "Since the last scan": what changed since the previous recorded run of the same
scope, and the trend of findings by severity as inline SVG; in the HTML and in report.json."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from nhiscan.app.config import Settings
from nhiscan.app.history import record_scan
from nhiscan.app.pipeline import analyze
from nhiscan.reports.html import HtmlReporter
from nhiscan.reports.json import report_document
from nhiscan.reports.model import Report
from nhiscan.scanner.history.view import HistoryView
from nhiscan.store import open_store
from tests.factories import NOW, access_key, days_ago, snapshot, user


def _report(*names: str) -> Report:
    bots = [user(n) for n in names]
    keys = [access_key(b, id=f"AKIA{n.upper()[:12]:X<16}", created=days_ago(200)) for n, b in
            zip(names, bots, strict=True)]  # fmt: skip
    return analyze(snapshot(*bots, *keys), settings=Settings(), now=NOW)


def _recorded(tmp_path: Path, *runs: Report) -> tuple[Report, HistoryView]:
    store = open_store(f"sqlite:///{tmp_path / 'h.db'}")
    view = None
    for n, report in enumerate(runs):
        at = NOW + timedelta(hours=n)
        view = record_scan(store, report, started_at=at, finished_at=at)
    store.close()
    assert view is not None
    return runs[-1], view


def _html(report: Report, history: HistoryView | None = None) -> str:
    return HtmlReporter().render(report, history=history).decode()


def _section(html: str) -> str:
    match = re.search(r'<section id="history".*?</section>', html, re.S)
    assert match is not None
    return match.group(0)


def test_an_unrecorded_report_says_there_is_nothing_to_compare() -> None:
    section = _section(_html(_report("a")))
    assert "not recorded in the history store" in section and "<svg" not in section
    assert report_document(_report("a"))["history"] is None


def test_the_first_run_of_a_scope_says_so(tmp_path: Path) -> None:
    section = _section(_html(*_recorded(tmp_path, _report("a"))))
    assert "This is the first run of this scope" in section
    assert section.count('class="run current"') == 1


def test_changes_since_the_last_run_and_the_trend(tmp_path: Path) -> None:
    report, view = _recorded(tmp_path, _report("a"), _report("a", "b"), _report("a", "b", "c"))
    section = _section(_html(report, view))
    assert "Compared with run <strong>#2</strong>" in section
    assert 'Identities created</strong> <span class="count">(1)</span>' in section
    assert "arn:aws:iam::123456789012:user/c" in section
    assert "Keys created" in section and "New findings" in section
    # The trend: one column per run, oldest first, each with its total as text.
    totals = re.findall(r'<text class="total"[^>]*>(\d+)</text>', section)
    runs = report_document(report, view)["history"]["trend"]
    assert [int(t) for t in totals] == [r["findings"] for r in runs]
    assert [r["id"] for r in runs] == [1, 2, 3]
    assert int(totals[0]) < int(totals[-1])
    since = report_document(report, view)["history"]["since_last"]
    assert since["identities_created"] == ["arn:aws:iam::123456789012:user/c"]
    assert since["before"]["id"] == 2 and since["after"]["id"] == 3


def test_planted_markup_in_a_change_is_escaped(tmp_path: Path) -> None:
    first = _report("a")
    second = _report("a", "x<script>alert(1)</script>")
    section = _section(_html(*_recorded(tmp_path, first, second)))
    assert "<script>" not in section
    assert "x&lt;script&gt;alert(1)&lt;/script&gt;" in section


def test_the_summary_says_what_was_suppressed_and_what_expired() -> None:
    from nhiscan.scanner.suppress import Suppression

    report = _report("a")
    kept = Suppression(reason="r", where="nhiscan.toml [[suppress]] #1", rule="NHI001")
    old = Suppression(reason="r", where="nhiscan.toml [[suppress]] #2", rule="NHI002",
                      expires=days_ago(3).date())  # fmt: skip
    settings = replace(Settings(), suppressions=(kept, old))
    suppressed = analyze(report.snapshot, settings=settings, now=NOW)
    assert suppressed.suppressed and suppressed.expired_suppressions
    html = _html(suppressed)
    summary = re.search(r'<section id="summary".*?</section>', html, re.S)
    assert summary is not None
    assert "suppressed in nhiscan.toml" in summary.group(0)
    assert "expired</strong>" in summary.group(0) and "[[suppress]] #2" in summary.group(0)


def test_the_markdown_summary_says_what_changed_since_the_last_run(tmp_path: Path) -> None:
    from nhiscan.reports.markdown import render_markdown

    assert "Since run" not in render_markdown(_report("a"))
    text = render_markdown(*_recorded(tmp_path, _report("a"), _report("a", "b")))
    assert "Since run #1 (" in text
    assert "1 identities created" in text and "1 keys created" in text

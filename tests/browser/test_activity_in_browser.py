"""A report with activity (an agent's timeline, its needed / granted / used table, the identities
seen in the audit trail, a finding's events) in headless Chromium, at 1400 and 400 px wide: it
loads with no console error, CSP violation or request; the timeline is drawn with a bar per day
and its totals; the table lists each status; nothing is wider than the screen, closed or open.

Needs /usr/bin/chromium (see test_report_in_browser.py): skipped without it, unless
NHISCAN_BROWSER_TESTS=1, where it fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.browser.cdp import Browser, chromium_for_tests
from tests.browser.test_report_layout import HEIGHT, OVERFLOWING, WIDTHS, open_at

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_for_tests(width=WIDTHS[0], height=HEIGHT, timeout=60) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nhiscan.reports.html import REPORTER
    from nhiscan.scanner.model import Finding, Provider, Severity
    from tests.reports.test_usage_section import ROLE, TRAIL, _plain, usage, with_usage

    finding = Finding(
        rule_id="NHI700", rule_name="agent-used-outside-plan", severity=Severity.CRITICAL,
        title="reader used s3:DeleteObject outside its plan", subject=ROLE,
        provider=Provider.AWS, fingerprint="f" * 64,
        evidence={"agent": "reader", "events": [
            {"id": f"evt-{n}", "time": "2025-05-29T10:00:00Z", "source": TRAIL} for n in range(3)
        ]},
    )  # fmt: skip
    report = with_usage(replace(_plain(activity=True), findings=(finding,)), usage())
    path = tmp_path_factory.mktemp("activity") / "report.html"
    path.write_bytes(REPORTER.render(report))
    return path


@pytest.mark.parametrize("width", WIDTHS)
def test_the_timeline_and_the_table_are_drawn_cleanly(
    browser: Browser, page: Path, width: int
) -> None:
    url = open_at(browser, page, width)
    assert browser.problems() == []
    assert [u for u in browser.requests() if u != url and not u.startswith("data:")] == []
    browser.evaluate("document.querySelector('#agent-1').closest('details').open = true; true")
    svg = "document.querySelector('#agent-1 svg.timeline')"
    box = browser.evaluate(
        f"(() => {{ const b = {svg}.getBBox(); return [b.width, b.height]; }})()"
    )
    assert box[0] > 300 and box[1] > 40
    rows = browser.evaluate(f"""Array.from({svg}.querySelectorAll('g.tl-row')).map((g) => [
      g.querySelector('.tl-service').textContent, g.querySelectorAll('rect').length,
      g.querySelector('.tl-total').textContent])""")
    assert rows == [["s3", 10, "53 (peak 8)"], ["dynamodb", 1, "2"]]
    assert browser.evaluate(f"{svg}.getAttribute('role')") == "img"
    statuses = browser.evaluate(
        "Array.from(document.querySelectorAll('#agent-1 tr.use-row')).map((r) => r.dataset.status)"
    )
    assert statuses == [
        "used-unplanned",
        "used-unplanned",
        "denied",
        "revocable",
        "planned-unused",
        "used-planned",
    ]
    assert browser.evaluate("document.querySelectorAll('#activity tbody tr').length") == 3
    events = "document.querySelectorAll('#findings .finding-detail ol.events li').length"
    assert browser.evaluate(events) == 3
    assert browser.evaluate("document.querySelectorAll('#findings tbody tr').length") == 1
    browser.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; }); 1")
    assert browser.evaluate("document.documentElement.scrollWidth") <= width
    assert browser.evaluate(OVERFLOWING) == []
    assert browser.problems() == []

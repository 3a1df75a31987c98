"""The demo's HTML report read as a security engineer would (issue #18 acceptance), at 1400 px
and at 400 px wide: the fix-first list and the first critical finding within the first 1,500
px; no element wider than the viewport (wide tables scroll inside their own box); every finding
opens and closes; no console error and no request but the page; printing opens everything.

Needs /usr/bin/chromium (see test_report_in_browser.py): skipped without it, unless
NHISCAN_BROWSER_TESTS=1, where it fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.cdp import Browser, chromium_for_tests

pytestmark = pytest.mark.browser

WIDTHS = (1400, 400)
HEIGHT = 900
FOLD = 1500

# Elements whose right edge passes the viewport, other than those clipped by a scrolling box
# that itself fits (a wide table scrolls inside its own box, never the page).
OVERFLOWING = """(() => {
  const width = document.documentElement.clientWidth;
  const fits = (el) => el.getBoundingClientRect().right <= width + 0.5;
  const clipped = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible" && fits(p)) { return true; }
    }
    return false;
  };
  return Array.from(document.querySelectorAll("body *"))
    .filter((el) => el.checkVisibility())
    .filter((el) => !fits(el) && !clipped(el))
    .slice(0, 10)
    .map((el) => el.tagName + "." + el.className + ": " + (el.textContent || "").slice(0, 60));
})()"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_for_tests(width=WIDTHS[0], height=HEIGHT, timeout=120) as chromium:
        yield chromium


def open_at(browser: Browser, page: Path, width: int) -> str:
    metrics = {"width": width, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": width < 600}
    browser.send("Emulation.setDeviceMetricsOverride", metrics)
    browser.forget_events()
    url = page.resolve().as_uri()
    browser.navigate(url)
    return url


def top(browser: Browser, selector: str) -> float:
    expression = f"document.querySelector({json.dumps(selector)}).getBoundingClientRect()"
    return float(browser.evaluate(f"{expression}.top + window.scrollY"))


def bottom(browser: Browser, selector: str) -> float:
    expression = f"document.querySelector({json.dumps(selector)}).getBoundingClientRect()"
    return float(browser.evaluate(f"{expression}.bottom + window.scrollY"))


@pytest.mark.parametrize("width", WIDTHS)
def test_what_to_fix_and_the_worst_finding_come_first(
    browser: Browser, demo_report: Path, width: int
) -> None:
    url = open_at(browser, demo_report / "report.html", width)
    assert browser.problems() == []
    assert [u for u in browser.requests() if u != url and not u.startswith("data:")] == []
    assert browser.evaluate("document.querySelectorAll('#fix-first ol.fixes > li').length") == 5
    assert bottom(browser, "#fix-first ol.fixes") <= FOLD
    assert top(browser, '#findings tbody tr[data-rank="4"]') <= FOLD - 20  # its line is seen
    first = browser.evaluate("document.querySelector('#findings tbody tr').dataset.rank")
    assert first == "4"  # worst first: the first row is a critical finding


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_is_wider_than_the_screen_closed_or_open(
    browser: Browser, demo_report: Path, width: int
) -> None:
    open_at(browser, demo_report / "report.html", width)
    assert browser.evaluate("document.documentElement.scrollWidth") <= width
    assert browser.evaluate(OVERFLOWING) == []
    opened = browser.evaluate(
        "(() => { const all = document.querySelectorAll('details:not([open])');"
        " all.forEach((d) => { d.open = true; }); return all.length; })()"
    )
    assert opened > 100  # every finding, fix, agent card and policy
    assert browser.evaluate("document.documentElement.scrollWidth") <= width
    assert browser.evaluate(OVERFLOWING) == []
    assert browser.problems() == []


def test_every_finding_is_one_line_that_opens_and_closes(
    browser: Browser, demo_report: Path
) -> None:
    findings = json.loads((demo_report / "report.json").read_text())["findings"]
    open_at(browser, demo_report / "report.html", WIDTHS[0])
    states: list[Any] = browser.evaluate("""Array.from(document.querySelectorAll(
        "#findings tbody tr details")).map((details) => {
      const summary = details.querySelector("summary");
      const detail = details.querySelector(".finding-detail");
      const line = parseFloat(getComputedStyle(summary).lineHeight);
      const closed = [details.open, detail.checkVisibility(),
                      summary.getBoundingClientRect().height < 2 * line + 16];
      summary.click();
      const opened = [details.open, detail.checkVisibility(),
                      detail.getBoundingClientRect().height > 0];
      summary.click();
      return [closed, opened, [details.open, detail.checkVisibility()]];
    })""")
    assert len(states) == len(findings)
    expected = [[False, False, True], [True, True, True], [False, False]]
    assert all(s == expected for s in states), [s for s in states if s != expected][:3]
    assert browser.problems() == []


def test_printing_opens_every_section_and_restores_it(browser: Browser, demo_report: Path) -> None:
    open_at(browser, demo_report / "report.html", WIDTHS[0])
    closed = "document.querySelectorAll('details:not([open])').length"
    before = browser.evaluate(closed)
    browser.evaluate("window.dispatchEvent(new Event('beforeprint')); true")
    assert before > 100 and browser.evaluate(closed) == 0
    browser.evaluate("window.dispatchEvent(new Event('afterprint')); true")
    assert browser.evaluate(closed) == before
    browser.send("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert browser.evaluate("getComputedStyle(document.querySelector('nav')).display") == "none"
    finally:
        browser.send("Emulation.setEmulatedMedia", {"media": ""})

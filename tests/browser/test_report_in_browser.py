"""The demo's HTML report in headless Chromium: it loads with no error, no request beyond the
file itself and no Content-Security-Policy violation; the summary is the first thing seen; the
findings filters and sort do what report.json says they should; without JavaScript the findings
and diagrams are all there; a page with markup planted in its data runs no script of it.

Needs /usr/bin/chromium (Debian package ``chromium``). Without it the tests are skipped, unless
NHISCAN_BROWSER_TESTS=1 (CI sets it), where they fail.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.cdp import Browser, chromium_for_tests

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 900
ROWS = "#findings tbody tr"
VISIBLE_ROWS = f"""Array.from(document.querySelectorAll("{ROWS}"))
  .filter((row) => row.getClientRects().length > 0)"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_for_tests(width=WIDTH, height=HEIGHT, timeout=30) as chromium:
        metrics = {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False}
        chromium.send("Emulation.setDeviceMetricsOverride", metrics)
        yield chromium


def load(browser: Browser, page: Path) -> str:
    browser.forget_events()
    url = page.resolve().as_uri()
    browser.navigate(url)
    return url


def choose(browser: Browser, selector: str, label: str, by: str = "text") -> None:
    """Pick the option whose text (or value) is ``label`` in the select, as a person would."""
    browser.evaluate(f"""(() => {{
      const select = document.querySelector({json.dumps(selector)});
      const option = Array.from(select.options).find((o) => o.{by} === {json.dumps(label)});
      select.value = option.value;
      select.dispatchEvent(new Event("change"));
    }})()""")


def type_into(browser: Browser, selector: str, text: str) -> None:
    browser.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
    browser.send("Input.insertText", {"text": text})


def visible(browser: Browser) -> int:
    return int(browser.evaluate(f"{VISIBLE_ROWS}.length"))


def agents(finding: dict[str, Any]) -> list[str]:
    agent = finding["evidence"].get("agent")
    return [] if agent is None else [agent] if isinstance(agent, str) else list(agent)


def png_facts(data: bytes) -> tuple[int, int, int]:
    """Width, height and how many distinct byte values the image's pixel data holds (a blank
    page has a handful)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        if data[at + 4 : at + 8] == b"IDAT":
            chunks.append(data[at + 8 : at + 8 + length])
        at += 12 + length
    return width, height, len(set(zlib.decompress(b"".join(chunks))))


def test_the_demo_report_loads_cleanly_with_the_summary_first(
    browser: Browser, demo_report: Path, tmp_path: Path
) -> None:
    url = load(browser, demo_report / "report.html")
    assert browser.problems() == []
    assert [u for u in browser.requests() if u != url and not u.startswith("data:")] == []
    top = browser.evaluate("document.getElementById('summary').getBoundingClientRect().top")
    assert window_scroll(browser) == 0 and 0 <= top < HEIGHT / 2
    assert browser.evaluate("document.querySelector('#credential-ages svg') !== null")
    shot = tmp_path / "report.png"
    width, height, values = png_facts(browser.screenshot(shot))
    assert (width, height) == (WIDTH, HEIGHT) and values > 50
    print(f"screenshot: {shot}")
    # The watch on CSP violations works: a request the page tries is refused and reported.
    browser.forget_events()
    browser.evaluate("document.body.appendChild(Object.assign(document.createElement('img'),"
                     " {src: 'https://example.invalid/x.png'})); true")  # fmt: skip
    browser.wait_for("Log.entryAdded")
    assert any("Content Security Policy" in p for p in browser.problems())


def window_scroll(browser: Browser) -> int:
    return int(browser.evaluate("window.scrollY"))


def test_the_findings_filters_and_sort_match_report_json(
    browser: Browser, demo_report: Path
) -> None:
    findings = json.loads((demo_report / "report.json").read_text())["findings"]
    load(browser, demo_report / "report.html")
    assert visible(browser) == len(findings)
    assert browser.evaluate("document.querySelector('#findings [data-filter-controls]').hidden") \
        is False  # fmt: skip

    choose(browser, "#findings [data-filter-rank]", "critical")
    critical = sum(f["severity"] == "critical" for f in findings)
    assert 0 < visible(browser) == critical < len(findings)
    count = browser.evaluate("document.querySelector('#findings [data-filter-count]').textContent")
    assert count == f"Showing {critical} of {len(findings)}"
    choose(browser, "#findings [data-filter-rank]", "all")

    rule = "NHI306"
    choose(browser, '#findings [data-filter-key="rule"]', rule, by="value")
    assert 0 < visible(browser) == sum(f["rule_id"] == rule for f in findings)
    choose(browser, '#findings [data-filter-key="rule"]', "all")

    agent = "etl-sync"
    choose(browser, '#findings [data-filter-key="agents"]', agent)
    assert 0 < visible(browser) == sum(agent in agents(f) for f in findings)
    choose(browser, '#findings [data-filter-key="agents"]', "all")

    rule = "NHI109"
    type_into(browser, "#findings [data-filter-text]", rule.lower())
    assert 0 < visible(browser) == sum(f["rule_id"] == rule for f in findings)
    type_into(browser, "#findings [data-filter-text]", " nothing-has-this")
    assert visible(browser) == 0

    browser.evaluate("document.querySelector('#findings [data-filter-text]').value = ''")
    browser.evaluate("document.querySelector('#findings [data-filter-text]')"
                     ".dispatchEvent(new Event('input'))")  # fmt: skip
    choose(browser, "#findings [data-sort]", "rule")
    order = browser.evaluate(f"{VISIBLE_ROWS}.map((row) => row.dataset.rule)")
    assert len(order) == len(findings) and order == sorted(f["rule_id"] for f in findings)
    assert browser.problems() == []


def test_without_javascript_every_finding_and_diagram_is_shown(
    browser: Browser, demo_report: Path
) -> None:
    findings = json.loads((demo_report / "report.json").read_text())["findings"]
    browser.send("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        load(browser, demo_report / "report.html")
        assert visible(browser) == len(findings)
        assert browser.evaluate(
            "Array.from(document.querySelectorAll('[data-filter-controls]'))"
            ".every((c) => c.getClientRects().length === 0)"
        )
        drawn = browser.evaluate("document.querySelectorAll('#findings svg.path-diagram').length")
        assert drawn == sum(bool(f.get("path")) for f in findings) > 0
    finally:
        browser.send("Emulation.setScriptExecutionDisabled", {"value": False})


def test_markup_planted_in_the_data_runs_nothing(browser: Browser, tmp_path: Path) -> None:
    from tests.reports.test_html_escaping import page

    planted = tmp_path / "planted.html"
    planted.write_text(page(), encoding="utf-8")
    load(browser, planted)
    assert browser.problems() == []
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.events("Page.javascriptDialogOpening") == []
    label = "document.querySelector('#findings svg.path-diagram .node-file .node-label')"
    assert browser.evaluate(f"{label}.textContent").endswith("</script>/ci.env:3")

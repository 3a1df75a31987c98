"""The HTML report's Agents section: one card per agent with its score, needs, excess (capped on
the page, counted exactly), missing access and least-privilege policy; escaped; no script."""

from __future__ import annotations

import html as htmllib
import json
import re
from dataclasses import replace
from functools import cache

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.reports import html_agent_items, html_agents
from nhiscan.reports.agents import NO_AGENT_FILES, NO_REACH
from nhiscan.reports.html import REPORTER as HTML
from nhiscan.reports.model import Report
from nhiscan.scanner.agents.model import AgentFile
from nhiscan.scanner.gaps.analysis import Unclaimed
from nhiscan.scanner.snapshot import Snapshot
from tests.factories import (
    ACCOUNT,
    NOW,
    allow,
    managed_policy,
    parse_agents,
    role,
    snapshot,
    trust_policy,
    user,
)

XSS = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'

AGENTS_YAML = f"""
version: 1
defaults: {{aws: {{account: "{ACCOUNT}", region: eu-west-1}}}}
agents:
  - name: reader
    owner: docs@example.com
    description: Reads the documents
    identities: [arn:aws:iam::{ACCOUNT}:role/reader]
    steps:
      - read: s3://docs/*
  - name: "boss {XSS}"
    owner: "{XSS}"
    description: '{XSS_IMG}'
    identities: [arn:aws:iam::{ACCOUNT}:role/boss]
    steps:
      - write: dynamodb://t
  - name: old
    owner: data@example.com
    status: decommissioned
    decommissioned_at: 2025-01-15
    identities: [arn:aws:iam::{ACCOUNT}:user/old-bot]
    steps: []
  - name: ghost
    owner: ghost@example.com
    identities: [arn:aws:iam::{ACCOUNT}:role/nowhere]
    steps:
      - read: s3://docs/*
"""


def _agents() -> AgentFile:
    agents = parse_agents(AGENTS_YAML, file="agents.yaml")
    return AgentFile(agents=agents, sources=("agents.yaml",), source_hash="x")


@cache
def _snapshot() -> Snapshot:
    read = managed_policy("read-docs", allow("s3:GetObject", "arn:aws:s3:::docs/*"))
    admin = managed_policy("admin", allow("*", "*"))
    reader, boss = role("reader", policies=(read.id,)), role("boss", policies=(admin.id,))
    records = [
        read,
        admin,
        reader,
        trust_policy(reader),
        boss,
        trust_policy(boss),
        user("old-bot", policies=(read.id,)),
        user("stray", policies=(admin.id,)),
    ]
    return snapshot(*records)  # type: ignore[arg-type]


@cache
def _report(reach: bool = True) -> Report:
    return analyze(_snapshot(), settings=Settings(), now=NOW, reach=reach, agents=_agents())


@cache
def _page(reach: bool = True) -> str:
    return HTML.render(_report(reach)).decode()


def _section(page: str) -> str:
    return page[page.index('<section id="agents"') : page.index('<section id="blast-radius"')]


def _card(page: str, number: int) -> str:
    section = _section(page)
    start = section.index('<article class="agent')
    for _ in range(number - 1):
        start = section.index('<article class="agent', start + 1)
    return section[start : section.index("</article>", start)]


def _result(name: str, reach: bool = True):  # type: ignore[no-untyped-def]
    assert _report(reach).agents is not None
    return next(r for r in _report(reach).agents.results if r.agent.name.startswith(name))


def test_each_agent_has_a_card_with_its_score_band_and_the_nav_links_the_section() -> None:
    page = _page()
    assert '<a href="#agents">Agents (4)</a>' in page
    assert page.index('id="summary"') < page.index('id="findings"') < page.index('id="agents"')
    reader, boss, old = _card(page, 1), _card(page, 2), _card(page, 3)
    assert ">reader</h3>" in reader and '<span class="badge score-none">none</span>' in reader
    assert '<span class="badge sev-critical">critical</span>' in boss
    assert '<span class="badge sev-low">low</span>' in old
    assert f"score {_result('boss').score.value}" in boss
    assert "<code>agents.yaml:5</code>" in reader  # where it is declared
    # The score's definition is printed once, for the whole section.
    assert _section(page).count('id="agents-score"') == 1
    assert htmllib.escape(html_agents.SCORE_DOC, quote=True) in _section(page)


def test_an_administrators_excess_is_counted_exactly_and_listed_only_up_to_the_caps() -> None:
    gap = _result("boss").gap
    total = len(gap.excess)
    assert total > html_agent_items.AGENT_ITEMS  # an administrator: every action in the catalogue
    card = _card(_page(), 2)
    assert f'Excess: granted, not needed <span class="count">({total})</span>' in card
    groups = re.findall(r'<details class="excess-group">(.*?)</details>', card, re.S)
    listed = 0
    for group in groups:
        rows = group.count("<tr><td><code>")
        assert 0 < rows <= html_agent_items.GROUP_ITEMS
        listed += rows
    assert listed == html_agent_items.AGENT_ITEMS
    assert f"{total - listed} more in report.json" in card
    # Every service is counted, listed or not: the group counts add up to the exact total.
    summaries = re.findall(r'<code class="service">[^<]*</code> <strong>(\d+)</strong>', card)
    unlisted = re.search(r"counted only.*?<tbody>(.*?)</tbody>", card, re.S)
    assert unlisted is not None
    totals = re.findall(r"<td>(\d+)</td></tr>", unlisted.group(1))
    assert sum(map(int, summaries)) + sum(map(int, totals)) == total
    assert "arn:aws:iam::123456789012:policy/admin#0" in card  # the statement granting them
    assert 'administrator: <strong class="admin">yes</strong>' in card


def test_excess_scope_shows_the_granted_resource_against_the_needed_one() -> None:
    card = _card(_page(), 2)
    assert "Excess scope: needed actions granted on more than needed" in card
    assert "arn:aws:dynamodb:eu-west-1:123456789012:table/t</code>" in card


def test_missing_access_is_listed_with_its_steps_and_reason() -> None:
    card = _card(_page(), 1)
    assert "The workflow will break" in card
    row = re.search(r'<tr class="missing">(.*?)</tr>', card)
    assert row is not None
    assert "<code>s3:ListBucket</code>" in row.group(1)
    assert "<code>arn:aws:s3:::docs</code>" in row.group(1)
    assert '<a href="#agent-1-step-1">1</a>' in row.group(1)
    assert "no identity policy allows it" in row.group(1)
    assert 'id="agent-1-step-1"' in card and "<code>read: s3://docs/*</code>" in card


def _pres(card: str) -> list[str]:
    return [htmllib.unescape(p) for p in re.findall(r"<pre><code>(.*?)</code></pre>", card, re.S)]


def test_the_least_privilege_policy_is_printed_ready_to_copy() -> None:
    card = _card(_page(), 1)
    gap = _result("reader").gap.identities[0]
    assert gap.policy is not None and gap.trust is None  # nothing in the inventory runs as it
    (policy,) = _pres(card)
    assert policy == json.dumps(gap.policy, indent=2) and json.loads(policy) == gap.policy
    assert "s3:ListBucket" in policy


def test_a_roles_least_trust_is_printed_after_its_policy() -> None:
    report, result = _report(), _result("reader")
    assert report.agents is not None and result.gap is not None
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"Service": "lambda.amazonaws.com"}}]}  # fmt: skip
    gap = replace(result.gap, identities=(replace(result.gap.identities[0], trust=trust),))
    agents = replace(report.agents, results=(replace(result, gap=gap),))
    card = _card(HTML.render(replace(report, agents=agents)).decode(), 1)
    _, printed = _pres(card)
    assert json.loads(printed) == trust and "Trust policy" in card


def test_a_decommissioned_agent_is_marked() -> None:
    card = _card(_page(), 3)
    assert card.startswith('<article class="agent agent-decommissioned"')
    assert '<span class="decommissioned">decommissioned on 2025-01-15</span>' in card
    assert "it should hold no access at all" in card
    assert "Its steps need no access" in card  # no policy to print, and it says why


def test_references_that_match_nothing_are_flagged() -> None:
    card = _card(_page(), 4)
    assert "It runs as no identity that was scanned" in card
    assert '<span class="reason">matches nothing</span>' in card
    assert "arn:aws:iam::123456789012:role/nowhere" in card


def test_markup_in_agent_files_is_escaped() -> None:
    page = _page()
    assert XSS not in page and "<img src=x" not in page
    card = _card(page, 2)
    assert "boss &lt;script&gt;alert(1)&lt;/script&gt;</h3>" in card
    assert "<dd>&lt;script&gt;alert(1)&lt;/script&gt;</dd>" in card
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in card


def test_the_section_needs_no_script() -> None:
    section = _section(_page())
    assert "<script" not in section and " hidden" not in section
    # Collapsed content is in the source, inside <details>: readable with JavaScript off.
    assert "<details" in section and "s3:ListBucket" in section


def test_unclaimed_identities_are_listed_largest_first_and_capped() -> None:
    section = _section(_page())
    table = section[section.index('id="unclaimed"') :]
    assert "stray" in table and '<strong class="admin">yes</strong>' in table
    report = _report()
    assert report.agents is not None
    many = tuple(
        Unclaimed(identity=f"arn:aws:iam::{ACCOUNT}:user/u{n:03}", reach=300 - n, resources=1,
                  admin=False)
        for n in range(html_agents.UNCLAIMED_ROWS + 7)
    )  # fmt: skip
    bigger = replace(report, agents=replace(report.agents, unclaimed=many))
    view = html_agents.agents_view(bigger)
    assert len(view.unclaimed.rows) == html_agents.UNCLAIMED_ROWS
    assert view.unclaimed.rows[0].reach == 300
    page = HTML.render(bigger).decode()
    assert "7 more in report.json" in _section(page)


def test_without_agent_files_the_section_says_so() -> None:
    page = HTML.render(analyze(_snapshot(), settings=Settings(), now=NOW)).decode()
    section = _section(page)
    assert NO_AGENT_FILES[1:] in htmllib.unescape(section)
    assert "<article" not in section
    assert '<a href="#agents">Agents (none declared)</a>' in page


def test_without_reach_the_agents_and_their_needs_are_still_listed() -> None:
    page = _page(reach=False)
    section = _section(page)
    assert NO_REACH[1:] in htmllib.unescape(section)
    reader = _card(page, 1)
    assert "<code>s3:GetObject</code>" in reader and "<code>arn:aws:s3:::docs/*</code>" in reader
    assert "not computed (reach analysis off)" in reader
    assert "Excess: granted" not in section and "<pre>" not in section
    assert '<span class="badge score-none">not scored</span>' in reader


def test_the_page_budget_is_shared_fairly_between_access_levels() -> None:
    assert html_agent_items.split(50, [36, 148, 93, 2, 27]) == [12, 12, 12, 2, 12]
    assert html_agent_items.split(50, [3, 4]) == [3, 4]
    assert html_agent_items.split(0, [5, 5]) == [0, 0]
    assert sum(html_agent_items.split(50, [100, 100, 100, 100])) == 50


def test_the_page_with_agents_is_well_formed() -> None:
    from tests.reports.test_html import parse

    for page in (_page(), _page(reach=False)):
        parsed = parse(page)
        assert parsed.errors == [] and parsed.stack == []
        ids = [v for _, name, v in parsed.attrs if name == "id"]
        assert len(ids) == len(set(ids))

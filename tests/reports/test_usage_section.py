"""The HTML report's activity (issue #19): per agent with usage, the timeline of its sessions by
service and the needed / granted / used table; the "Seen in the audit trail" section; the
events of a finding from activity. Built from hand-made ``AgentUsage`` records on a real
analysis of a small estate; nothing of it when no activity source was read."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.reports.html import REPORTER as HTML
from nhiscan.reports.model import Detail, Report
from nhiscan.scanner.activity import (
    ActionUse,
    ActivityScope,
    ActivitySummary,
    DailyCount,
    EventRef,
    Outcome,
)
from nhiscan.scanner.agents.model import AgentFile
from nhiscan.scanner.agents.sessions import Verdict
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.model import Finding, Provider, Severity
from nhiscan.scanner.snapshot import Snapshot
from nhiscan.scanner.usage import AgentUsage, AttributedSession, UsageItem, UseStatus
from tests.factories import ACCOUNT, NOW, allow, managed_policy, parse_agents, role, snapshot

XSS = "<script>alert(1)</script>"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/reader"
STRANGER = f"arn:aws:iam::{ACCOUNT}:user/stranger"
SINCE = NOW - timedelta(days=90)
TRAIL = f"s3://trail/AWSLogs/{ACCOUNT}/CloudTrail/eu-west-1/2025/05/29/x.json.gz"

AGENTS_YAML = f"""
version: 1
defaults: {{aws: {{account: "{ACCOUNT}", region: eu-west-1}}}}
agents:
  - name: reader
    owner: docs@example.com
    identities: [{ROLE}]
    steps:
      - read: s3://docs/*
  - name: quiet
    owner: docs@example.com
    identities: [{ROLE}]
    steps: []
"""


def day(n: int) -> datetime:
    """Midnight of the n-th day of the window."""
    return (SINCE + timedelta(days=n)).replace(hour=0, minute=0, second=0, microsecond=0)


def ref(n: int, when: datetime) -> EventRef:
    return EventRef(id=f"evt-{n:04d}", time=when, source=TRAIL)


def summary(identity: str, daily: dict[tuple[int, str], int], **fields: object) -> ActivitySummary:
    """A summary whose uses and daily counts add up (one use per service)."""
    counts = tuple(
        DailyCount(day=day(n), service=service, count=count)
        for (n, service), count in sorted(daily.items())
    )
    per_service: dict[str, list[DailyCount]] = {}
    for count in counts:
        per_service.setdefault(count.service, []).append(count)
    uses = tuple(
        ActionUse(
            action=f"{service}:Get", event=f"{service}.amazonaws.com:Get", resource="*",
            outcome=Outcome.ALLOWED, first_seen=days[0].day, last_seen=days[-1].day,
            count=sum(d.count for d in days), samples=(ref(1, days[0].day),),
        )
        for service, days in sorted(per_service.items())
    )  # fmt: skip
    values: dict[str, object] = dict(
        provider=Provider.AWS, identity=identity, principal="role-session", account=ACCOUNT,
        first_seen=counts[0].day, last_seen=counts[-1].day, count=sum(c.count for c in counts),
        uses=uses, daily=counts,
    )  # fmt: skip
    return ActivitySummary(**{**values, **fields})  # type: ignore[arg-type]


MINE = summary(
    ROLE,
    {**{(n, "s3"): 5 for n in range(80, 90)}, (85, "dynamodb"): 2},
    source_identity="reader",
    session_name="reader-*",
    source_ips=("203.0.113.77",),
    user_agents=(f"agent {XSS}",),
)
SHARED = summary(ROLE, {(88, "s3"): 3}, session_name=f"shared-{XSS}")
STRANGER_SUMMARY = summary(
    STRANGER,
    {(89, "iam"): 7},
    principal="user",
    uses=(
        ActionUse(
            action="iam:CreateAccessKey", event="iam.amazonaws.com:CreateAccessKey",
            resource="*", outcome=Outcome.DENIED, first_seen=day(89), last_seen=day(89),
            count=7, error="AccessDenied",
        ),
    ),
)  # fmt: skip
SCOPE = ActivityScope(
    provider=Provider.AWS, source="s3://trail/AWSLogs/", since=SINCE, until=NOW,
    accounts=(ACCOUNT,), files=12, skipped_files=1, events=67,
    service_events={"lambda.amazonaws.com": 2}, unmapped={"signin.amazonaws.com:X": 1},
)  # fmt: skip


def item(status: UseStatus, action: str, **fields: object) -> UsageItem:
    values: dict[str, object] = dict(
        provider=Provider.AWS, action=action, resource="arn:aws:s3:::docs/*", status=status
    )
    return UsageItem(**{**values, **fields})  # type: ignore[arg-type]


DELETES = tuple(ref(n, NOW - timedelta(days=3, minutes=-n)) for n in range(25))
ITEMS = (
    item(UseStatus.USED_PLANNED, "s3:GetObject", steps=(1,), identities=(ROLE,), count=53,
         first_seen=day(80), last_seen=day(89), events=(ref(7, day(80)),),
         access_level="Read"),
    item(UseStatus.USED_UNPLANNED, "s3:DeleteObject", identities=(ROLE,), count=25,
         first_seen=NOW - timedelta(days=3), last_seen=NOW - timedelta(days=2),
         events=DELETES, access_level="Write"),
    item(UseStatus.DENIED, "s3:ListBucket", resource="arn:aws:s3:::docs", count=4,
         first_seen=day(88), last_seen=day(88), error="AccessDenied", access_level="List"),
    item(UseStatus.REVOCABLE, "s3:PutObject", access_level="Write",
         statements=(StatementRef(policy_id="arn:aws:iam::aws:policy/rw", index=2, sid="Put"),),
         last_seen=SINCE - timedelta(days=30), last_seen_from="identity"),
    item(UseStatus.USED_UNPLANNED, "execute-api.amazonaws.com:Invoke", resource="*", count=2,
         first_seen=day(89), last_seen=day(89), unmapped=True),
    item(UseStatus.PLANNED_UNUSED, "s3:GetObjectTagging", resource=f"arn:aws:s3:::{XSS}",
         steps=(1,)),
)  # fmt: skip


def usage(items: tuple[UsageItem, ...] = ITEMS, **fields: object) -> AgentUsage:
    values: dict[str, object] = dict(
        agent="reader", since=SINCE, until=NOW, unused_days=90, covered=(ROLE,),
        sessions=(
            AttributedSession(summary=MINE, verdict=Verdict.MINE),
            AttributedSession(summary=SHARED, verdict=Verdict.UNKNOWN, shared_with=("quiet",)),
        ),
        items=items,
        least_privilege_used={ROLE: {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::docs/*"}]}},
        plan_hash="x",
    )  # fmt: skip
    return AgentUsage(**{**values, **fields})  # type: ignore[arg-type]


@cache
def _snapshot(activity: bool = True) -> Snapshot:
    read = managed_policy("read-docs", allow("s3:GetObject", "arn:aws:s3:::docs/*"))
    records: list[object] = [read, role("reader", policies=(read.id,))]
    if activity:
        records += [MINE, SHARED, STRANGER_SUMMARY, SCOPE]
    return snapshot(*records)  # type: ignore[arg-type]


def _agents() -> AgentFile:
    agents = parse_agents(AGENTS_YAML, file="agents.yaml")
    return AgentFile(agents=agents, sources=("agents.yaml",), source_hash="x")


@cache
def _plain(activity: bool = False) -> Report:
    return analyze(_snapshot(activity), settings=Settings(), now=NOW, agents=_agents())


def with_usage(report: Report, first: AgentUsage | None, **changes: object) -> Report:
    """``report`` with the first agent's result carrying ``first`` as its usage."""
    assert report.agents is not None
    results = list(report.agents.results)
    results[0] = replace(results[0], usage=first)
    agents = replace(report.agents, results=tuple(results))
    return replace(report, agents=agents, **changes)  # type: ignore[arg-type]


@cache
def _page() -> str:
    return HTML.render(with_usage(_plain(activity=True), usage())).decode()


def _card(page: str, number: int = 1) -> str:
    start = page.index(f'<article class="agent" id="agent-{number}"')
    return page[start : page.index("</article>", start)]


def _usage(page: str) -> str:
    card = _card(page)
    return card[card.index('<section class="usage"') :]


def _totals(svg: str) -> dict[str, int]:
    """Each row's service and its total, as the picture writes them."""
    rows = re.findall(
        r'<text class="tl-service"[^>]*>([^<]*)</text>.*?<text class="tl-total"[^>]*>([\d,]+)',
        svg,
        re.S,
    )
    return {service: int(total.replace(",", "")) for service, total in rows}


def test_the_timeline_draws_each_service_with_its_total_and_a_bar_per_day() -> None:
    section = _usage(_page())
    svg = section[section.index('<svg class="timeline"') : section.index("</svg>")]
    # both sessions counted for the agent (its own and the indistinguishable one)
    assert _totals(svg) == {"s3": 53, "dynamodb": 2}
    bars = re.findall(r"<title>(s3|dynamodb), (\d{4}-\d{2}-\d{2}): (\d+) events?</title>", svg)
    assert sum(int(n) for service, _, n in bars if service == "s3") == 53
    assert ("s3", f"{day(88):%Y-%m-%d}", "8") in bars  # 5 of its own, 3 shared
    assert len([b for b in bars if b[0] == "s3"]) == 10
    label = re.search(r'aria-label="([^"]*)"', svg)
    assert label is not None
    assert htmllib.unescape(label[1]) == (
        f"Activity of reader by service, {SINCE:%Y-%m-%d} to {NOW:%Y-%m-%d}:"
        " s3: 53 events; dynamodb: 2 events; 2 marked used outside the plan; 1 marked denied"
    )
    # the first use outside the plan is marked on its day, with what it was
    mark = re.search(r'<g class="tl-mark tl-mark-unplanned"><title>([^<]*)</title>', svg)
    assert mark is not None and "first use outside the plan: s3:DeleteObject" in mark[1]


def test_the_table_lists_each_action_with_its_status_the_alarming_first() -> None:
    section = _usage(_page())
    rows = re.findall(r'<tr class="use-row" data-status="([^"]+)">(.*?)</tr>\n', section, re.S)
    assert [status for status, _ in rows] == [
        "used-unplanned", "used-unplanned", "denied", "revocable", "planned-unused",
        "used-planned",
    ]  # fmt: skip
    assert "an event no table maps to an action" in rows[1][1]
    cells = dict(rows[:1] + rows[2:])
    assert (
        '<code>s3:DeleteObject</code><br><span class="admin small">Write</span>'
        in (cells["used-unplanned"])
    )
    assert '<td class="num">25</td>' in cells["used-unplanned"]
    assert f'datetime="{(NOW - timedelta(days=2)):%Y-%m-%dT%H:%M:%S}Z"' in cells["used-unplanned"]
    assert '<span class="reason">AccessDenied</span>' in cells["denied"]
    assert "granted by <code>arn:aws:iam::aws:policy/rw#2 (Put)</code>" in cells["revocable"]
    assert "the identity's last use, before the trail" in cells["revocable"]
    assert '<a href="#agent-1-step-1">1</a>' in cells["used-planned"]
    assert "never" in cells["planned-unused"]
    counts = re.findall(r'<li><span class="use use-([a-z-]+)">[^<]*</span> (\d+)</li>', section)
    assert counts == [("used-unplanned", "2"), ("denied", "1"), ("revocable", "1"),
                      ("planned-unused", "1"), ("used-planned", "1")]  # fmt: skip


def test_each_row_names_the_events_to_pull_capped_with_a_count() -> None:
    section = _usage(_page())
    unplanned = section[section.index('<tr class="use-row" data-status="used-unplanned">') :]
    unplanned = unplanned[: unplanned.index("</details>")]
    assert "25 events to pull" in unplanned
    ids = re.findall(r"<code>(evt-\d+)</code>", unplanned)
    assert ids == [f"evt-{n:04d}" for n in range(20)]
    assert "5 more in report.json" in unplanned
    assert f"<code>{TRAIL}</code>" in unplanned


def test_sessions_the_trail_cannot_tell_apart_are_said_so() -> None:
    section = _usage(_page())
    assert "3 of them in sessions the trail cannot tell apart from another agent" in section
    shared = section[section.index('<tr class="indistinguishable">') :]
    shared = shared[: shared.index("</tr>")]
    assert "indistinguishable</span> from quiet: the trail cannot say whose" in shared
    assert f"name <code>shared-{htmllib.escape(XSS)}</code>" in shared
    assert "Least privilege narrowed to planned and used" in section


def test_trail_text_is_escaped() -> None:
    page = _page()
    assert XSS not in page
    assert htmllib.escape(XSS) in _usage(page)


def test_long_lists_are_capped_by_status_the_riskiest_first_and_full_detail_lists_all() -> None:
    levels = ["Read"] * 55 + ["Permissions management"] * 3 + ["Write"] * 2
    many = tuple(
        item(UseStatus.REVOCABLE, f"s3:Put{n:03d}", access_level=level)
        for n, level in enumerate(levels)
    ) + tuple(item(UseStatus.USED_UNPLANNED, f"s3:Delete{n:03d}", count=1) for n in range(12))
    capped = HTML.render(with_usage(_plain(), usage(many))).decode()
    rows = re.findall(r'<tr class="use-row" data-status="revocable">\n<td class="wrap-any">'
                      r"<code>([^<]*)</code>", capped)  # fmt: skip
    assert len(rows) == 50 and "10 more revocable: granted, not planned, not used" in capped
    assert rows[:6] == ["s3:Put055", "s3:Put056", "s3:Put057", "s3:Put058", "s3:Put059",
                        "s3:Put000"]  # fmt: skip
    # a long quiet list waits behind an expander; what was used outside the plan never does
    assert '<details class="use-group" data-status="revocable">' in capped
    assert "revocable: granted, not planned, not used</span> (60): the 50 riskiest" in capped
    assert '<p class="label use-group" data-status="used-unplanned">' in capped
    assert capped.count('<tr class="use-row" data-status="used-unplanned">') == 12
    assert "not used</span> 60</li>" in capped
    full = HTML.render(with_usage(_plain(), usage(many), detail=Detail.FULL)).decode()
    assert len(re.findall(r'<tr class="use-row" data-status="revocable">', full)) == 60
    assert "more revocable" not in full


def test_without_activity_there_is_no_activity_anywhere() -> None:
    page = HTML.render(_plain()).decode()
    page = page[page.index("<body>") :]
    for absent in ('class="usage"', 'svg class="timeline"', 'id="activity"', 'href="#activity"',
                   "Events in the audit trail", "audit trail"):  # fmt: skip
        assert absent not in page
    # usage set but no event in the window: the table, no picture
    idle = HTML.render(with_usage(_plain(), usage(sessions=()))).decode()
    assert "No event of its sessions in the window." in idle and '<svg class="timeline"' not in idle


def test_every_identity_seen_in_the_trail_has_a_row_the_busiest_first() -> None:
    page = _page()
    assert '<li><a href="#activity">Audit trail (2)</a></li>' in page
    section = page[page.index('<section id="activity"') :]
    section = section[: section.index("</section>")]
    rows = re.findall(r"<tr>\n<td class=\"wrap-any\">(.*?)</tr>", section, re.S)
    identities = [r for r in rows if "kind of session" in r or "kinds of session" in r]
    assert [("reader" in r, "stranger" in r) for r in identities] == [(True, False), (False, True)]
    reader, stranger = identities
    assert '<td class="num">55</td>' in reader and "2 kinds of session" in reader
    assert "not in the inventory" in stranger
    assert '<span class="reason">7</span> <code>iam:CreateAccessKey</code>' in stranger
    assert "<code>s3://trail/AWSLogs/</code>" in section
    assert "2 by AWS services for themselves; 1 unmapped" in section


def test_the_trail_section_is_capped(monkeypatch: object) -> None:
    crowd = tuple(
        summary(f"arn:aws:iam::{ACCOUNT}:user/u{n:03d}", {(89, "s3"): n + 1}, principal="user")
        for n in range(205)
    )
    report = replace(_plain(), snapshot=replace(_snapshot(False), activity=crowd,
                                                activity_sources=(SCOPE,)))  # fmt: skip
    page = HTML.render(report).decode()
    section = page[page.index('<section id="activity"') :]
    assert section.count("kind of session") == 200
    assert "5 more in report.json" in section
    assert section.index("user/u204") < section.index("user/u203")  # the busiest first


def test_a_findings_events_are_shown_as_a_table() -> None:
    evidence = {
        "agent": "reader",
        "action": "s3:DeleteObject",
        "events": [
            {"id": "evt-a", "time": "2025-05-29T10:00:00Z", "source": TRAIL},
            {"id": "evt-b", "time": datetime(2025, 5, 30, 11, 0, tzinfo=UTC), "source": TRAIL},
            {"id": f"evt-{XSS}", "time": "not a time", "source": None},
        ],
    }
    finding = Finding(
        rule_id="NHI700", rule_name="agent-used-outside-plan", severity=Severity.CRITICAL,
        title="reader used s3:DeleteObject outside its plan", subject=ROLE,
        provider=Provider.AWS, evidence=evidence, fingerprint="f" * 64,
    )  # fmt: skip
    page = HTML.render(replace(_plain(), findings=(finding,))).decode()
    detail = page[page.index('<div class="finding-detail">') :]
    detail = detail[: detail.index("</details>")]
    assert "Events in the audit trail (3)" in detail
    events = re.findall(r'<li><code class="event-id">([^<]*)</code> (.*?)<br>.*?'
                        r'<code class="event-source">([^<]*)</code></li>', detail)  # fmt: skip
    assert events == [
        ("evt-a", '<time datetime="2025-05-29T10:00:00Z">2025-05-29 10:00 UTC</time>', TRAIL),
        ("evt-b", '<time datetime="2025-05-30T11:00:00Z">2025-05-30 11:00 UTC</time>', TRAIL),
        (f"evt-{htmllib.escape(XSS)}", "not a time", ""),
    ]
    # a nested table would count among the findings' rows (the filters count those)
    assert "<table" not in detail
    assert "<dt>action</dt><dd>s3:DeleteObject</dd>" in detail
    assert "<dt>events</dt>" not in detail and "nested" not in detail


def test_the_events_of_each_use_a_finding_lists_are_gathered_and_said_what_of() -> None:
    """NHI703's shape: ``denied`` lists the uses, each with its events."""
    uses = [
        {"action": "s3:ListBucket", "resource": "arn:aws:s3:::docs", "count": 4,
         "events": [{"id": "evt-l1", "time": "2025-05-29T10:00:00Z", "source": TRAIL}]},
        {"action": "kms:Decrypt", "resource": "*", "count": 1,
         "events": [{"id": "evt-k1", "time": "2025-05-29T11:00:00Z", "source": TRAIL}]},
    ]  # fmt: skip
    finding = Finding(
        rule_id="NHI703", rule_name="agent-denied-attempts", severity=Severity.MEDIUM,
        title="refused", subject="agent:reader", provider=Provider.AWS,
        evidence={"agent": "reader", "errors": ["AccessDenied"], "denied": uses},
        fingerprint="d" * 64,
    )  # fmt: skip
    page = HTML.render(replace(_plain(), findings=(finding,))).decode()
    detail = page[page.index('<div class="finding-detail">') :]
    detail = detail[: detail.index("</details>")]
    assert "Events in the audit trail (2)" in detail
    rows = re.findall(r'<li><code class="event-id">([^<]*)</code> <time[^>]*>[^<]*</time> '
                      r'<span class="muted">of</span> <code>([^<]*)</code>', detail)  # fmt: skip
    assert rows == [
        ("evt-l1", "s3:ListBucket on arn:aws:s3:::docs"),
        ("evt-k1", "kms:Decrypt on *"),
    ]
    assert "<dt>errors</dt><dd>AccessDenied</dd>" in detail


def test_evidence_events_of_another_shape_stay_plain_evidence() -> None:
    finding = Finding(
        rule_id="NHI999", rule_name="x", severity=Severity.LOW, title="t", subject=ROLE,
        provider=Provider.AWS, evidence={"events": ["a", "b"]}, fingerprint="e" * 64,
    )  # fmt: skip
    page = HTML.render(replace(_plain(), findings=(finding,))).decode()
    assert "<dt>events</dt><dd>a, b</dd>" in page and "Events in the audit trail" not in page

"""The HTML report: complete, escaped, self-contained, honest about gaps, deterministic."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.reports import html, html_findings, html_paths
from nhiscan.reports.base import Format, reporter
from nhiscan.reports.evidence import evidence_tree
from nhiscan.reports.html import REPORTER, HtmlReporter, age_days
from nhiscan.reports.model import Detail, Report
from nhiscan.rules.thresholds import LifecycleThresholds
from nhiscan.scanner.model import (
    Account,
    CollectionGap,
    Credential,
    CredentialKind,
    CredentialStatus,
    Finding,
    GapReason,
    Identity,
    IdentityKind,
    Provider,
    Severity,
    ToolInfo,
)
from nhiscan.scanner.snapshot import Snapshot
from tests import reach_estates as chains

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
XSS = XSS_SCRIPT + XSS_IMG


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def identity(name: str, **kw: Any) -> Identity:
    kind = kw.pop("kind", IdentityKind.IAM_USER)
    ident = arn("role" if kind is IdentityKind.IAM_ROLE else "user", name)
    return Identity(
        provider=Provider.AWS, id=kw.pop("id", ident), name=name, kind=kind, account=ACCOUNT, **kw
    )


def credential(owner: Identity, key_id: str, **kw: Any) -> Credential:
    return Credential(
        provider=Provider.AWS,
        id=key_id,
        identity=owner.id,
        kind=kw.pop("kind", CredentialKind.ACCESS_KEY),
        account=ACCOUNT,
        **kw,
    )


def gap(operation: str, **kw: Any) -> CollectionGap:
    return CollectionGap(
        provider=Provider.AWS,
        scope=kw.pop("scope", ACCOUNT),
        operation=operation,
        reason=kw.pop("reason", GapReason.ACCESS_DENIED),
        detail=kw.pop("detail", "User is not authorized to perform this action"),
        **kw,
    )


def finding(subject: str, severity: Severity, rule_id: str, **kw: Any) -> Finding:
    return Finding(
        rule_id=rule_id,
        rule_name=kw.pop("rule_name", "some-rule"),
        severity=severity,
        title=kw.pop("title", f"{rule_id} on {subject}"),
        subject=subject,
        provider=Provider.AWS,
        evidence=kw.pop("evidence", {}),
        fingerprint=kw.pop("fingerprint", f"{rule_id}-{subject}"),
        remediation=kw.pop("remediation", "Rotate the key."),
        **kw,
    )


def make_report(
    *,
    identities: tuple[Identity, ...] = (),
    credentials: tuple[Credential, ...] = (),
    gaps: tuple[CollectionGap, ...] = (),
    findings: tuple[Finding, ...] = (),
    accounts: tuple[Account, ...] = (),
    sources: tuple[str, ...] = ("aws:profile/default",),
    tool: ToolInfo | None = None,
) -> Report:
    snapshot = Snapshot(
        tool=ToolInfo(name="nhiscan", version="0.1.0"),
        collected_at=NOW - timedelta(minutes=5),
        sources=sources,
        accounts=accounts,
        identities=identities,
        credentials=credentials,
        gaps=gaps,
    )
    report = analyze(snapshot, settings=Settings(), now=NOW, rules=())
    report = replace(report, findings=findings)
    return report if tool is None else replace(report, tool=tool)


def render(report: Report) -> str:
    return REPORTER.render(report).decode("utf-8")


@pytest.fixture
def estate() -> Report:
    deployer = identity(
        "ci-deployer",
        created=NOW - timedelta(days=400),
        last_used=NOW - timedelta(days=3),
        tags={"Owner": "platform-team", "env": "prod"},
        description="Deploys the shop from CI",
    )
    alice = identity("alice", is_human=True, human_reason="console password and MFA")
    role = identity(
        "lambda-exec", kind=IdentityKind.IAM_ROLE, owner="payments", created=NOW - timedelta(10)
    )
    key = credential(
        deployer,
        "AKIAEXAMPLEDEPLOYER1",
        status=CredentialStatus.ACTIVE,
        created=NOW - timedelta(days=200),
        last_used=NOW - timedelta(days=3),
        last_used_service="s3",
    )
    old_key = credential(deployer, "AKIAEXAMPLEDEPLOYER2", status=CredentialStatus.INACTIVE)
    findings = (
        finding(
            deployer.id,
            Severity.LOW,
            "NHI002",
            title="Key never rotated",
            evidence={"agent": ["billing", "ops"]},
        ),
        finding(
            deployer.id,
            Severity.CRITICAL,
            "NHI001",
            title="Can become administrator",
            evidence={
                "key_id": "AKIAEXAMPLEDEPLOYER1",
                "age_days": 200,
                "actions": ["iam:PassRole", "lambda:CreateFunction"],
                "policy": {"id": "arn:aws:iam::aws:policy/PowerUserAccess", "inline": False},
            },
            path=({"from": deployer.id, "via": "iam:PassRole"}, {"to": role.id}),
        ),
        finding(role.id, Severity.MEDIUM, "NHI003", title="Unused role", evidence={"agent": "ops"}),
    )
    return make_report(
        identities=(deployer, alice, role),
        credentials=(key, old_key),
        gaps=(
            gap("iam:ListAccessKeys", subject=arn("user", "bob")),
            gap("s3:GetBucketPolicy", scope=f"{ACCOUNT}/eu-west-1", reason=GapReason.THROTTLED),
        ),
        findings=findings,
        accounts=(Account(provider=Provider.AWS, id=ACCOUNT, name="shop-prod"),),
        tool=ToolInfo(name="nhiscan", version="0.1.0", catalog_date="2025-05-30"),
    )


class Balance(HTMLParser):
    """Tracks open elements; records mismatched or unclosed ones."""

    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.seen: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._raw: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)
        self.attrs.extend((tag, name, value) for name, value in attrs)
        if tag in ("script", "style"):
            self._raw = tag
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)
        self.attrs.extend((tag, name, value) for name, value in attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw == "script":
            self.scripts.append(data)
        elif self._raw == "style":
            self.styles.append(data)


def parse(html: str) -> Balance:
    parser = Balance()
    parser.feed(html)
    parser.close()
    return parser


# --- content ---------------------------------------------------------------------------------


def test_registry_returns_the_html_reporter() -> None:
    assert reporter(Format.HTML) is REPORTER


def test_report_contains_every_identity_credential_finding_and_gap(estate: Report) -> None:
    html = render(estate)
    for ident in estate.estate.identities.values():
        assert ident.name in html
        assert ident.id in html
    for cred in estate.snapshot.credentials:
        assert cred.id in html
    for f in estate.findings:
        assert f.rule_id in html
        assert f.title in html
    for g in estate.gaps:
        assert g.operation in html
    assert "aws:profile/default" in html
    assert "catalogue of 2025-05-30" in html
    assert "nhiscan 0.1.0" in html
    assert "shop-prod" in html


def test_findings_are_sorted_worst_first(estate: Report) -> None:
    html = render(estate)
    table = html[html.index('id="findings"') : html.index('id="identities"')]
    positions = [table.index(f">{rule}<") for rule in ("NHI001", "NHI003", "NHI002")]
    assert positions == sorted(positions)


def test_identity_row_facts(estate: Report) -> None:
    html = render(estate)
    assert "from tag Owner" in html  # owner read from the Owner tag, and says so
    assert "platform-team" in html
    assert "payments" in html  # native owner
    assert "console password and MFA" in html
    assert ">400<" in html  # deployer age in days, measured from scanned_at
    assert 'datetime="2025-06-01T12:00:00Z"' in html


def test_credential_row_facts(estate: Report) -> None:
    html = render(estate)
    creds = html[html.index('id="credentials"') : html.index('id="gaps"')]
    assert ">200<" in creds  # age in days
    assert ">s3<" in creds
    assert "inactive" in creds
    assert "ci-deployer" in creds  # the identity by name, not only its ARN


def test_evidence_is_written_in_plain_lines(estate: Report) -> None:
    """A list reads as its items, a flat map as "key: value" pairs, booleans as yes or no;
    report.json keeps the raw object."""
    html = render(estate)
    assert "<dt>actions</dt><dd>iam:PassRole, lambda:CreateFunction</dd>" in html
    assert "<dt>policy</dt><dd>id: arn:aws:iam::aws:policy/PowerUserAccess, inline: no</dd>" in (
        html
    )
    assert "<dt>via</dt>" in html  # the attack path's step that is not a hop


def test_evidence_tree_handles_deep_and_odd_values() -> None:
    deep: Any = "bottom"
    for _ in range(20):
        deep = {"d": deep}
    node = evidence_tree({"deep": deep, "s": {"b", "a"}, "none": None, "when": NOW, "e": []})
    assert node.kind == "map"
    keys = [k for k, _ in node.entries]
    assert keys == ["deep", "s", "none", "when", "e"]
    values = dict(node.entries)
    assert [i.text for i in values["s"].items] == ["a", "b"]
    assert values["none"].text == "unknown"
    assert values["when"].text == "2025-06-01T12:00:00Z"
    assert values["e"].text == "(none)"
    html = render(
        make_report(findings=(finding("x", Severity.HIGH, "NHI009", evidence={"deep": deep}),))
    )
    assert "bottom" in html


def test_age_days_is_never_negative() -> None:
    assert age_days(None, NOW) is None
    assert age_days(NOW + timedelta(seconds=5), NOW) == 0
    assert age_days(NOW - timedelta(days=3, hours=23), NOW) == 3


def test_owner_tag_keys_are_configurable() -> None:
    ident = identity("svc", tags={"Team-Owner": "data"})
    report = make_report(identities=(ident,))
    assert "from tag Team-Owner" not in render(report)
    custom_settings = Settings(lifecycle=LifecycleThresholds(owner_tag_keys=("team-owner",)))
    custom = render(replace(report, thresholds=custom_settings.lifecycle))
    assert "from tag Team-Owner" in custom


# --- attack paths, blast radius, catalogue date ----------------------------------------------


def section(html: str, start: str, end: str) -> str:
    return html[html.index(f'id="{start}"') : html.index(f'id="{end}"')]


def hop(source: str, target: str, edge: str, **kw: Any) -> dict[str, Any]:
    return {"from": source, "to": target, "edge": edge, **kw}


def ref(policy_id: str, index: int, sid: str | None = None) -> dict[str, Any]:
    return {"policy_id": policy_id, "index": index, "sid": sid, "effect": "Allow"}


@pytest.fixture(scope="module")
def chain_report() -> Report:
    """The hand-built estate of tests/reach_estates.py, with one finding along its chain."""
    report = analyze(chains.snapshot(), settings=Settings(), now=NOW, rules=())
    admin_role = chains.rarn("admin-role")
    path = (
        hop(chains.uarn("deployer"), admin_role, "can_assume",
            statements=[ref(f"{admin_role}#trust", 0, "TrustDeployer")]),
        hop(admin_role, chains.ADMIN_SINK, "escalates_to", method="iam:CreatePolicyVersion",
            conditional=True, statements=[ref("arn:aws:iam::123456789012:policy/everything", 3)]),
    )  # fmt: skip
    chained = finding(
        chains.uarn("deployer"),
        Severity.CRITICAL,
        "NHI101",
        title="Can become administrator through a role",
        evidence={"marker": "evidence-here"},
        path=path,
    )
    return replace(report, findings=(chained,))


def test_a_two_hop_path_renders_both_hops_in_order_above_the_evidence(
    chain_report: Report,
) -> None:
    html = render(chain_report)
    findings = section(html, "findings", "blast-radius")
    starts = '<li class="hop"><span class="name" title="'
    first = findings.index(starts + chains.uarn("deployer"))
    second = findings.index(starts + chains.rarn("admin-role"))
    assert first < second < findings.index("evidence-here")
    one = findings[first:second]
    assert ">deployer</span>" in one and ">admin-role</span>" in one
    assert '<span class="edge">can_assume</span>' in one
    trust = f"{chains.rarn('admin-role')}#trust"
    assert f'<a href="#policy-1" title="{trust}">' in one and "Sid TrustDeployer" in one
    two = findings[second:]
    assert f">admin of {ACCOUNT}</span>" in two  # the sink by its graph label
    method = '<code class="method">iam:CreatePolicyVersion</code>'
    assert f'<span class="edge">escalates_to</span> {method}' in two
    assert '<span class="cond">conditional</span>' in two
    everything = "arn:aws:iam::123456789012:policy/everything"
    assert f'title="{everything}">' in two and '<span class="sid">statement 4</span>' in two
    appendix = html[html.index('id="policies"') :]
    assert 'id="policy-1"' in appendix and trust in appendix and everything in appendix
    assert not parse(html).errors


def test_blast_radius_rows_worst_first(chain_report: Report) -> None:
    html = render(chain_report)
    blast = section(html, "blast-radius", "identities")
    keys = [chains.KEY_DEPLOYER, chains.KEY_READER, chains.KEY_COND, chains.KEY_IDLE]
    positions = [blast.index(f"<code>{key}</code>") for key in keys]
    assert positions == sorted(positions)
    assert chains.KEY_READER_OLD not in blast  # inactive
    deployer = blast[positions[0] : positions[1]]
    assert '<strong class="admin">admin</strong>' in deployer
    for label in (chains.KEY_DEPLOYER, "deployer", "admin-role", f"admin of {ACCOUNT}"):
        assert label in deployer
    reader = blast[positions[1] : positions[2]]
    assert f"<li><code>{chains.SECRET}</code></li>" in reader
    assert "report.json" not in blast  # every row is shown
    assert 'href="#blast-radius">Blast radius (4)</a>' in html


def test_blast_radius_shows_the_worst_and_points_to_the_json(
    chain_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(html_paths, "BLAST_ROWS", 2)
    blast = section(render(chain_report), "blast-radius", "identities")
    assert chains.KEY_READER in blast and chains.KEY_COND not in blast
    assert "Showing the 2 worst of 4 credentials; the other 2 are in <code>report.json</code>" in (
        blast
    )


def test_past_the_cap_findings_are_counted_by_rule_and_full_detail_lists_them(
    estate: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(html_findings, "FINDING_ROWS", 1)
    monkeypatch.setattr(html, "INVENTORY_ROWS", 1)
    worst, *others = sorted(estate.findings, key=lambda f: -f.severity.rank)
    page = render(estate)
    listed = section(page, "findings", "estate")
    assert listed.count('<tr id="finding-') == 1 and worst.title in listed
    assert f"Showing the 1 worst of {len(estate.findings)} findings" in listed
    unlisted = listed[listed.index('id="unlisted"') :]
    for rule in {f.rule_id for f in others}:
        count = sum(f.rule_id == rule for f in others)
        assert f"<code>{rule}</code>" in unlisted and f'<td class="num">{count}</td>' in unlisted
    people = section(page, "identities", "credentials")
    assert f"Showing the first 1 of {len(estate.estate.identities)} identities" in people
    whole = render(replace(estate, detail=Detail.FULL))
    assert section(whole, "findings", "estate").count('<tr id="finding-') == len(estate.findings)
    assert 'id="unlisted"' not in whole and "Showing the first" not in whole


def test_no_active_credentials_says_so() -> None:
    html = render(make_report())
    assert "No active credentials." in section(html, "blast-radius", "identities")


def test_catalogue_date_is_in_the_header(estate: Report) -> None:
    html = render(estate)
    header = html[html.index("<header") : html.index("</header>")]
    assert "AWS action catalogue of 2025-05-30" in header


def test_path_steps_are_escaped(chain_report: Report) -> None:
    evil = replace(
        chain_report.findings[0],
        path=(hop("from" + XSS, "to" + XSS, "edge" + XSS, method="m" + XSS,
                  statements=[ref("policy" + XSS, 0, "sid" + XSS)]),),
    )  # fmt: skip
    html = render(replace(chain_report, findings=(evil,)))
    assert "<script>alert" not in html and "<img src=x" not in html
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"
    for planted in ("from", "to", "edge", "m", "policy", "sid"):
        assert planted + escaped in html, planted
    assert parse(html).seen.count("script") == 1


# --- escaping --------------------------------------------------------------------------------


def test_attacker_controlled_strings_are_escaped() -> None:
    evil = identity(
        "evil" + XSS,
        id=arn("user", "evil"),
        description="desc" + XSS,
        tags={"tag" + XSS: "value" + XSS},
    )
    report = make_report(
        identities=(evil,),
        credentials=(credential(evil, "AKIA" + XSS, last_used_service="svc" + XSS),),
        gaps=(gap("iam:GetUser", detail="detail" + XSS, subject="subj" + XSS),),
        findings=(
            finding(
                evil.id,
                Severity.HIGH,
                "NHI001",
                title="title" + XSS,
                evidence={"key" + XSS: ["value" + XSS]},
                remediation="fix" + XSS,
            ),
        ),
        sources=("aws:profile/" + XSS,),
        accounts=(Account(provider=Provider.AWS, id=ACCOUNT, name="acct" + XSS),),
    )
    html = render(report)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "onerror=alert(1)>" not in html
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"
    for planted in ("evil", "desc", "tag", "value", "detail", "title", "fix", "key", "acct"):
        assert planted + escaped in html, planted
    # The only <script> is our own, and the only <img> is none.
    parsed = parse(html)
    assert parsed.seen.count("script") == 1
    assert "img" not in parsed.seen
    assert not any(name.startswith("on") for _, name, _ in parsed.attrs)


# --- self-contained --------------------------------------------------------------------------


def test_no_remote_resources(estate: Report) -> None:
    html = render(estate)
    assert "http://" not in html
    assert "https://" not in html
    assert "//" not in "".join(v or "" for _, _, v in parse(html).attrs if v and "//" in v)
    parsed = parse(html)
    for tag, name, value in parsed.attrs:
        if name in ("src", "href", "action", "srcset", "poster", "data"):
            assert value is not None
            assert value.startswith("#") or value.startswith("data:"), (tag, name, value)
    assert not any(tag == "link" and value == "stylesheet" for tag, _, value in parsed.attrs)
    assert "@import" not in "".join(parsed.styles)
    assert "url(" not in "".join(parsed.styles)
    assert not any(tag == "script" and name == "src" for tag, name, _ in parsed.attrs)


def test_content_security_policy_allows_only_our_inline_style_and_script(estate: Report) -> None:
    html = render(estate)
    parsed = parse(html)
    metas = [v for tag, name, v in parsed.attrs if tag == "meta" and name == "content" and v]
    csp = next(v for v in metas if "default-src" in v)
    assert "default-src 'none'" in csp

    def sha(text: str) -> str:
        return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert parsed.scripts and parsed.styles
    assert f"script-src '{sha(''.join(parsed.scripts))}'" in csp
    assert f"style-src '{sha(''.join(parsed.styles))}'" in csp
    assert "unsafe-inline" not in csp
    assert " style=" not in html  # inline style attributes would be blocked


# --- gaps and empty states -------------------------------------------------------------------


def test_gaps_warning_when_gaps(estate: Report) -> None:
    html = render(estate)
    summary = html[html.index('id="summary"') : html.index('id="findings"')]
    assert "Results are incomplete" in summary
    assert 'href="#gaps"' in summary
    assert "2 collection gaps" in summary
    assert "No collection gaps" not in html
    gaps = html[html.index('id="gaps"') :]
    assert "nhiscan could not examine what these rows name" in gaps
    assert "not &ldquo;clean&rdquo;" in gaps


def test_no_gaps_warning_without_gaps(estate: Report) -> None:
    html = render(replace(estate, snapshot=replace(estate.snapshot, gaps=())))
    assert "Results are incomplete" not in html
    assert "No collection gaps: every call succeeded" in html
    assert "Collection complete" in html


def test_empty_report_says_so_plainly() -> None:
    html = render(make_report())
    assert "No findings." in html
    assert "No collection gaps: every call succeeded." in html
    assert "No identities were collected." in html
    assert "No credentials were collected." in html
    assert "<table data-filterable" not in html
    assert not parse(html).errors


def test_no_findings_with_gaps_does_not_read_as_clean() -> None:
    html = render(make_report(gaps=(gap("iam:ListUsers"),)))
    findings = html[html.index('id="findings"') : html.index('id="identities"')]
    assert "No findings in the parts nhiscan could examine" in findings
    assert 'href="#gaps"' in findings
    assert "No identities were collected, and collection was incomplete" in html


# --- structure and determinism ---------------------------------------------------------------


def test_output_is_well_formed(estate: Report) -> None:
    html = render(estate)
    assert html.startswith("<!DOCTYPE html>")
    parsed = parse(html)
    assert parsed.errors == []
    assert parsed.stack == []
    for tag in ("html", "head", "body", "header", "main", "footer"):
        assert parsed.seen.count(tag) == 1, tag
    assert parsed.seen.count("section") == 12
    ids = [v for _, name, v in parsed.attrs if name == "id"]
    assert len(ids) == len(set(ids))
    for section in (
        "summary",
        "fix-first",
        "estate",
        "history",
        "agents",
        "findings",
        "blast-radius",
        "identities",
        "credentials",
        "gaps",
    ):
        assert section in ids


def test_filter_controls_are_hidden_without_javascript(estate: Report) -> None:
    html = render(estate)
    controls = re.findall(r"<div class=\"controls\"[^>]*>", html)
    assert len(controls) == 4
    assert all(" hidden" in c for c in controls)


def test_rendering_is_deterministic(estate: Report) -> None:
    assert REPORTER.render(estate) == REPORTER.render(estate)
    assert HtmlReporter().render(estate) == REPORTER.render(estate)


def test_rendering_does_not_depend_on_input_order(estate: Report) -> None:
    shuffled = replace(
        estate,
        findings=tuple(reversed(estate.findings)),
        snapshot=replace(estate.snapshot, gaps=tuple(reversed(estate.snapshot.gaps))),
    )
    assert REPORTER.render(shuffled) == REPORTER.render(estate)


# --- the script, run in node against a stand-in DOM built from the rendered page ------------

HARNESS = r"""
const spec = JSON.parse(require("fs").readFileSync(0, "utf8"));
function element(attrs) {
  const listeners = {};
  attrs = attrs || {};
  return {
    value: "", hidden: true, textContent: "",
    getAttribute(name) { return name in attrs ? attrs[name] : null; },
    hasAttribute(name) { return name in attrs; },
    addEventListener(type, fn) { (listeners[type] = listeners[type] || []).push(fn); },
    fire(type) { (listeners[type] || []).forEach((fn) => fn({ type })); },
  };
}
const sections = spec.sections.map((s) => {
  const text = s.text ? element() : null;
  const rank = s.rank ? element() : null;
  const sort = s.sort ? element() : null;
  const keys = s.keys.map((attrs) => element(attrs));
  const count = element();
  const controls = s.controls ? Object.assign(element(), {
    querySelector(sel) {
      return { "[data-filter-text]": text, "[data-filter-rank]": rank, "[data-sort]": sort,
               "[data-filter-count]": count }[sel] || null;
    },
    querySelectorAll(sel) { return sel === "select[data-filter-key]" ? keys : []; },
  }) : null;
  const rows = s.rows.map((r) => Object.assign(element(r.attrs), {
    textContent: r.text, hidden: false,
  }));
  const body = {
    rows: rows.slice(),
    appendChild(row) { this.rows = this.rows.filter((r) => r !== row).concat([row]); },
  };
  const table = s.rows.length ? { tBodies: [body] } : null;
  return {
    id: s.id, controls, text, rank, sort, keys, count, rows, body,
    querySelector(sel) {
      return { "[data-filter-controls]": controls, "table[data-filterable]": table }[sel] || null;
    },
  };
});
const document = {
  querySelectorAll(sel) { return sel === "[data-filter-section]" ? sections : []; },
};
new Function("document", spec.script)(document);
const snap = (s) => ({
  id: s.id,
  controls_hidden: s.controls ? s.controls.hidden : null,
  count: s.count.textContent,
  shown: s.rows.map((r) => !r.hidden),
  order: s.body.rows.map((r) => r.getAttribute("data-rule")),
});
const out = { initial: sections.map(snap) };
const findings = sections.find((s) => s.id === "findings");
const key = (name) => findings.keys.find((k) => k.getAttribute("data-filter-key") === name);
function choose(select, value) {
  select.value = value;
  select.fire(select === findings.text ? "input" : "change");
}
choose(findings.text, "  Unused   ROLE ");
out.text = snap(findings);
choose(findings.text, "");
choose(findings.rank, "3");
out.rank = snap(findings);
choose(findings.rank, "");
choose(key("rule"), "NHI002");
out.rule = snap(findings);
choose(key("rule"), "");
choose(key("agents"), "ops");
out.agent = snap(findings);
choose(key("agents"), "");
choose(key("provider"), "aws");
out.provider = snap(findings);
choose(findings.sort, "rule");
out.by_rule = snap(findings);
choose(findings.sort, "");
out.by_severity = snap(findings);
console.log(JSON.stringify(out));
"""


class FilterSections(HTMLParser):
    """What report.js sees: filterable sections, their controls, and their body rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[dict[str, Any]] = []
        self._section: dict[str, Any] | None = None
        self._row: dict[str, Any] | None = None
        self._in_tbody = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self._section = None
            if "data-filter-section" in a:
                self._section = {"id": a["id"], "controls": False, "text": False, "rank": False}
                self._section.update(sort=False, keys=[], rows=[])
                self.sections.append(self._section)
        if self._section is None:
            return
        for attr, key in (("data-filter-controls", "controls"), ("data-filter-text", "text")):
            self._section[key] = self._section[key] or attr in a
        self._section["rank"] = self._section["rank"] or "data-filter-rank" in a
        self._section["sort"] = self._section["sort"] or "data-sort" in a
        if "data-filter-key" in a:
            self._section["keys"].append({k: v or "" for k, v in a.items()})
        if tag == "tbody":
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            attrs = {k: v for k, v in a.items() if k.startswith("data-")}
            self._row = {"text": "", "attrs": attrs}
            self._section["rows"].append(self._row)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_tbody = False
        elif tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row is not None:
            self._row["text"] += data


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the report's script")
def test_script_reveals_controls_and_filters_rows(estate: Report) -> None:
    html = render(estate)
    sections = FilterSections()
    sections.feed(html)
    spec = {"script": "".join(parse(html).scripts), "sections": sections.sections}
    done = subprocess.run(
        ["node", "-e", HARNESS],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    by_id = {s["id"]: s for s in out["initial"]}
    assert set(by_id) == {"findings", "identities", "credentials", "gaps"}
    for section in by_id.values():
        assert section["controls_hidden"] is False
        assert section["count"] == f"Showing all {len(section['shown'])}"
        assert all(section["shown"])
    # Findings are worst first: NHI001 (critical), NHI003 (medium, "Unused role"), NHI002 (low).
    assert out["text"]["shown"] == [False, True, False]
    assert out["text"]["count"] == "Showing 1 of 3"
    assert out["rank"]["shown"] == [True, False, False]
    assert out["rule"]["shown"] == [False, False, True]
    assert out["rule"]["count"] == "Showing 1 of 3"
    assert out["agent"]["shown"] == [False, True, True]  # NHI003 names ops; NHI002 ops and billing
    assert out["provider"]["shown"] == [True, True, True]
    assert out["initial"][0]["order"] == ["NHI001", "NHI003", "NHI002"]
    assert out["by_rule"]["order"] == ["NHI001", "NHI002", "NHI003"]
    assert out["by_severity"]["order"] == ["NHI001", "NHI003", "NHI002"]

"""Markup planted in a cloud (a role's description) and in a repository (a file's name) reaches
the HTML report only as text: in the inventory tables, the secrets table, the attack path's text
steps and its SVG diagram. The page's only script is its own."""

from __future__ import annotations

import re
from functools import cache

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.reports.html import REPORTER
from nhiscan.reports.model import Report
from nhiscan.scanner.model import Repository
from tests.factories import (
    NOW,
    access_key,
    allow,
    assume_role_statement,
    document,
    exposure,
    managed_policy,
    role,
    snapshot,
    trust_policy,
    user,
)
from tests.reports.test_html import parse, section

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
KEY = "AKIAZ7VRSQ5DXJQ4YEPX"


@cache
def planted() -> Report:
    """A leaked key of svc-ci, in a file whose name holds a script, reaches admin through the
    role deployer, whose description holds one too."""
    assume = managed_policy("assume", allow("sts:AssumeRole", "*"))
    admin = managed_policy("admin", allow("*", "*"))
    bot = user("svc-ci", policies=(assume.id,))
    deployer = role("deployer", policies=(admin.id,), description="Deploys " + XSS)
    trust = trust_policy(deployer, document(assume_role_statement({"AWS": bot.id})))
    leak = exposure(KEY, path=XSS + "/ci.env")
    repo = Repository(id=leak.repository, mode="history", head="a" * 40, commits=1, blobs=1,
                      bytes=10)  # fmt: skip
    records = [assume, admin, bot, access_key(bot, id=KEY), deployer, trust, leak, repo]
    return analyze(snapshot(*records), settings=Settings(), now=NOW)  # type: ignore[arg-type]


@cache
def page() -> str:
    return REPORTER.render(planted()).decode()


def leak_row(html: str) -> str:
    findings = section(html, "findings", "blast-radius")
    start = findings.index('data-rule="NHI201"')
    return findings[start : findings.index("</tr>", start)]


def test_the_planted_strings_reach_the_page_as_text() -> None:
    html = page()
    assert "Deploys " + ESCAPED in section(html, "identities", "credentials")
    assert ESCAPED + "/ci.env:3" in section(html, "secrets", "identities")
    row = leak_row(html)
    assert "file in repository" in row  # the path starts at the file, drawn and in text
    # The diagram's box keeps the end of the name; its <title> holds all of it.
    label = re.search(r'<text class="node-label"[^>]*>([^<]*/ci\.env:3)</text>', row)
    assert label is not None and "&lt;/script&gt;" in label.group(1)
    assert f"<title>file in repository: git@example.com:acme/app.git/{ESCAPED}/ci.env:3" in row


def test_the_page_is_inert() -> None:
    html = page()
    assert XSS not in html and "<script>alert" not in html and "</script>/ci.env" not in html
    parsed = parse(html)
    assert parsed.errors == [] and parsed.stack == []
    assert parsed.seen.count("script") == 1  # report.js, nothing from the data
    assert all("alert" not in script for script in parsed.scripts)
    assert not any(name.startswith("on") for _, name, _ in parsed.attrs)
    # The finding really is the one planted: a path from the file to admin through deployer.
    assert ">deployer</text>" in leak_row(html) and ">administrator</text>" in leak_row(html)

"""The reports' repository sections: exposures redacted in JSON and HTML, paths escaped."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.reports.html import REPORTER as HTML
from nhiscan.reports.json import REPORTER as JSON
from nhiscan.scanner.model import Repository, SkippedFile, SkipReason
from tests.factories import NOW, access_key, exposure, snapshot, user

KEY = "AKIAZ7VRSQ5DXJQ4YEPX"
TOKEN = "ghp_" + "Zq9" * 12


def _report():  # type: ignore[no-untyped-def]
    bot = user("svc-ci")
    records = [
        bot,
        access_key(bot, id=KEY),
        exposure(KEY, path="deploy/ci.env"),
        exposure(TOKEN, path='<script>alert("p")</script>.env', at_head=False),
        Repository(id="/src/app", mode="history", head="a" * 40, commits=3, blobs=5, bytes=100),
        SkippedFile(repository="/src/app", path="<img src=x>.bin", reason=SkipReason.BINARY),
    ]
    return analyze(snapshot(*records), settings=Settings(), now=NOW)  # type: ignore[arg-type]


def test_json_lists_repositories_exposures_and_skips_without_secrets() -> None:
    data = JSON.render(_report()).decode()
    doc = json.loads(data)
    assert doc["summary"]["exposures"] == 2 and doc["summary"]["skipped_files"] == 1
    assert [r["mode"] for r in doc["repositories"]] == ["history"]
    assert {e["detector"] for e in doc["exposures"]} == {"AWS Access Key ID", "GitHub Token"}
    assert doc["skipped"][0]["reason"] == "binary"
    assert TOKEN not in data and TOKEN[4:12] not in data
    rules = {f["rule_id"] for f in doc["findings"]}
    assert {"NHI200", "NHI201"} <= rules


def test_html_shows_secrets_redacted_and_escapes_paths_from_the_repository() -> None:
    html = HTML.render(_report()).decode()
    section = html[html.index('id="secrets"') : html.index('id="identities"')]
    assert "deploy/ci.env" in section and "history only" in section
    assert f"<code>{KEY}</code>" in section and "(20 chars)" not in section  # an id, in full
    assert "<script>alert" not in html and "&lt;script&gt;alert" in section
    assert "<img src=x>" not in html and "&lt;img src=x&gt;" in section
    assert TOKEN not in html


def test_without_repositories_the_section_says_none_was_scanned() -> None:
    report = _report()
    bare = replace(report, snapshot=replace(report.snapshot, repositories=(), exposures=()))
    html = HTML.render(bare).decode()
    assert "No repository was scanned" in html


def test_html_summary_names_the_baseline_and_its_stale_entries() -> None:
    from nhiscan.app.pipeline import apply_baseline
    from nhiscan.scanner import baseline as b

    report = _report()
    accepted = b.create(report.findings)
    stale = b.Baseline(entries=(*accepted.entries, b.Entry(fingerprint="0" * 32, rule_id="NHI200",
                                                           subject="gone")))  # fmt: skip
    html = HTML.render(apply_baseline(report, stale, source="base.json")).decode()
    assert "Baseline <code>base.json</code>" in html
    assert "1 baseline entry matches nothing any more" in html
    assert "1 file was not scanned" in html


def test_one_rule_for_key_ids_in_the_demo_report(demo_report: Path) -> None:
    """A key id is an identifier: the demo's leaked access key id reads the same in "Secrets in
    code", the key it unlocks, the finding and the fix-first list; its secret stays redacted."""
    doc = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    page = (demo_report / "report.html").read_text(encoding="utf-8")
    ids = [e for e in doc["exposures"] if e["detector"] == "AWS Access Key ID"]
    assert ids and all(e["redacted"] == e["credential_id"] for e in ids)
    secrets = page[page.index('id="secrets"') : page.index('id="identities"')]
    for found in ids:
        assert secrets.count(f"<code>{found['credential_id']}</code>") >= 2  # found, unlocks
    assert "AKIA…" not in page and "AKIA…" not in json.dumps(doc, ensure_ascii=False)
    others = [e for e in doc["exposures"] if e["detector"] != "AWS Access Key ID"]
    assert others  # secrets, redacted; a key file found by its key id is named by the id
    assert all(e["redacted"].endswith("chars)") or e["redacted"] == e["credential_id"]
               for e in others)  # fmt: skip

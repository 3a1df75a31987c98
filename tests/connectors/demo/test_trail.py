"""The demo's audit trail (``connectors/demo/trail.py``): deterministic for a day, read by the
real CloudTrail reader, and the needed / granted / used findings the README describes."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from nhiscan.connectors.aws.cloudtrail import CloudTrailConfig, CloudTrailConnector
from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.demo.trail import DAYS, NEW_IP, write_demo_trail
from nhiscan.providers.aws.catalog import default_catalog
from nhiscan.scanner.activity import ActivityScope, ActivitySummary
from nhiscan.scanner.facts import AccessLevel

NOW = datetime(2026, 12, 6, 15, 30, tzinfo=UTC)
REVIEW = "arn:aws:iam::123456789012:role/loan-review-agent"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.json.gz"))}


def test_the_trail_is_the_same_for_any_time_of_one_day(tmp_path: Path) -> None:
    morning, evening = tmp_path / "a", tmp_path / "b"
    count = write_demo_trail(morning, NOW.replace(hour=0, minute=5))
    assert write_demo_trail(evening, NOW.replace(hour=23, minute=55)) == count
    assert _files(morning) == _files(evening) and len(_files(morning)) == DAYS
    assert 2_000 <= count <= 5_000
    records = [r for body in _files(morning).values()
               for r in json.loads(gzip.decompress(body))["Records"]]  # fmt: skip
    assert len({r["eventID"] for r in records}) == count
    assert all(r["eventVersion"] and r["userIdentity"]["type"] for r in records)


def test_the_real_reader_reads_it_within_its_default_window(tmp_path: Path) -> None:
    count = write_demo_trail(tmp_path, NOW)
    config = CloudTrailConfig(locations=(str(tmp_path),))
    records = list(CloudTrailConnector(config).collect(CollectContext(now=NOW)))
    (scope,) = [r for r in records if isinstance(r, ActivityScope)]
    assert (scope.events, scope.files, scope.accounts) == (count, DAYS, ("123456789012",))
    assert not scope.unmapped and not scope.unattributed
    review = [r for r in records if isinstance(r, ActivitySummary) and r.identity == REVIEW]
    (session,) = review
    assert session.session_name == "loan-review-*" and NEW_IP in session.source_ips
    deletes = [u for u in session.uses if u.action == "s3:DeleteObject"]
    assert [d.first_seen >= NOW - timedelta(days=4) for d in deletes] == [True]


def _findings(doc: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in doc["findings"] if f["rule_id"] == rule]


def test_the_demo_shows_each_audit_trail_finding(demo_report: Path) -> None:
    doc = json.loads((demo_report / "report.json").read_text(encoding="utf-8"))
    (outside,) = _findings(doc, "NHI700")
    assert outside["severity"] == "critical" and outside["evidence"]["agent"] == "loan-review"
    assert outside["evidence"]["action"] == "s3:DeleteObject"
    assert outside["evidence"]["events"][0]["source"].startswith("demo/cloudtrail/AWSLogs/")
    revocable = {f["evidence"]["agent"]: f["evidence"] for f in _findings(doc, "NHI701")}
    assert revocable["loan-review"]["policy"] == "arn:aws:iam::aws:policy/AdministratorAccess"
    assert revocable["loan-review"]["last_used"] is None
    # an administrator's 22,000 unused actions: the permission changes first, and the whole
    # change as the least-privilege policy of what its plan needs
    removed = [r.split(" on ")[0] for r in revocable["loan-review"]["remove"]]
    levels = [default_catalog().info(action).access_level for action in removed]  # type: ignore[union-attr]
    assert set(levels) == {AccessLevel.PERMISSIONS_MANAGEMENT} and removed == sorted(removed)
    replacement = revocable["loan-review"]["replace_with"]["Statement"]
    granted = {a for statement in replacement for a in _listed(statement["Action"])}
    assert "secretsmanager:GetSecretValue" in granted and "iam:PassRole" not in granted
    assert [f["evidence"]["agent"] for f in _findings(doc, "NHI702")] == ["triage-assistant"]
    (denied,) = _findings(doc, "NHI703")
    assert denied["evidence"]["agent"] == "doc-extractor"
    assert denied["evidence"]["errors"] == ["AccessDenied"]
    agents = {a["name"]: a["activity"] for a in doc["agents"]}
    shared = agents["reporting"]["sessions"]
    assert [(s["indistinguishable"], s["shared_with"]) for s in shared] == [
        (True, ["portfolio-summary"])
    ]
    assert agents["gcp-report-writer"]["not_covered"] == [
        "report-agent@acme-data.iam.gserviceaccount.com"
    ]


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value

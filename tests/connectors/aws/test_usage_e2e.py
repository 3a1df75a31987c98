"""The audit trail against the plan, end to end (issue #19): a role in moto that two agents
assume with different source identities, one acting inside its plan and one outside; a third
session with no source identity. Its CloudTrail files are written on disk and in moto S3, both
read by ``nhiscan scan --aws-cloudtrail``; findings and each agent's ``activity`` are read back
from report.json.

- intake-a reads the documents (its plan): clean;
- intake-b reads them and deletes some: NHI700, critical (a write), naming its events and its
  session (source identity intake-b), and no one else's;
- a session that set no source identity writes an object: indistinguishable, neither agent is
  blamed, both reports say so;
- the role's SNS grant no session used: revocable (NHI701) for both, naming its statement;
- ``--least-privilege used``: NHI300 proposes what each agent planned and used.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from moto import mock_aws

from nhiscan.cli import cli
from nhiscan.reports.schema import report_schema
from tests.connectors.aws.cloudtrail_data import ACCOUNT as DATA_ACCOUNT
from tests.connectors.aws.cloudtrail_data import event, gz, log_key, s3_object, session, write
from tests.connectors.aws.conftest import fake_aws_env

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/agents/intake"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:intake-alerts"
TRAIL_BUCKET = "acme-trail"

AGENTS = f"""
version: 1
defaults:
  aws: {{account: "{ACCOUNT}", region: {REGION}}}
agents:
  - name: intake-a
    owner: lending-platform@example.com
    identities: [{{id: "{ROLE}", source_identity: intake-a}}]
    steps:
      - read: s3://intake-docs/*
  - name: intake-b
    owner: lending-platform@example.com
    identities: [{{id: "{ROLE}", source_identity: intake-b}}]
    steps:
      - read: s3://intake-docs/*
"""


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def build(session_: boto3.session.Session) -> None:
    iam = session_.client("iam")
    session_.client("s3").create_bucket(Bucket="intake-docs")
    trust = _doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                  "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]})  # fmt: skip
    iam.create_role(RoleName="intake", Path="/agents/", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(
        RoleName="intake",
        PolicyName="intake-access",
        PolicyDocument=_doc(
            {"Sid": "Docs", "Effect": "Allow", "Resource": "arn:aws:s3:::intake-docs/*",
             "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]},
            {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket",
             "Resource": "arn:aws:s3:::intake-docs"},
            {"Sid": "Alerts", "Effect": "Allow", "Action": "sns:Publish", "Resource": TOPIC},
        ),
    )  # fmt: skip


def _key(day: datetime) -> str:
    """Where CloudTrail delivers a file of ``day`` for this estate's account (the path names
    the account the trail covers)."""
    return log_key(day).replace(DATA_ACCOUNT, ACCOUNT)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def trail(now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(yesterday's records, the day before's): the three sessions' events."""
    a = session("intake-a-1765000000", role=ROLE, key="ASIAINTAKEA", source_identity="intake-a")
    b = session("intake-b-1765000000", role=ROLE, key="ASIAINTAKEB", source_identity="intake-b")
    anon = session("batch-1765000000", role=ROLE, key="ASIAANON")
    day1, day2 = now - timedelta(days=1), now - timedelta(days=2)

    def at(day: datetime, n: int) -> dict[str, Any]:
        return {"time": _stamp(day.replace(hour=10, minute=n)),
                "event_id": f"00000000-0000-4000-8000-{day.day:02d}00000000{n:02d}"}  # fmt: skip

    doc = s3_object("intake-docs", "2026/draw.pdf")
    older = [
        event(a, "GetObject", resources=doc, **at(day2, 1)),
        event(a, "ListObjectsV2", parameters={"bucketName": "intake-docs"}, **at(day2, 2)),
        event(b, "GetObject", resources=doc, **at(day2, 3)),
    ]
    newer = [
        event(a, "GetObject", resources=doc, **at(day1, 4)),
        event(b, "DeleteObject", resources=doc, **at(day1, 5)),
        event(b, "DeleteObject", resources=doc, **at(day1, 6)),
        event(anon, "PutObject", resources=doc, **at(day1, 7)),
    ]
    return newer, older


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("usage-e2e")
    agents = root / "agents.yaml"
    agents.write_text(AGENTS)
    now = datetime.now(UTC)
    newer, older = trail(now)
    on_disk = write(root / "trail", _key(now - timedelta(days=1)), newer)
    with fake_aws_env(root / "aws-home"), mock_aws():
        session_ = boto3.session.Session(region_name=REGION)
        build(session_)
        s3 = session_.client("s3")
        s3.create_bucket(Bucket=TRAIL_BUCKET)
        in_s3 = _key(now - timedelta(days=2))
        s3.put_object(Bucket=TRAIL_BUCKET, Key=in_s3, Body=gz(older))
        out = root / "out"
        result = CliRunner().invoke(
            cli,
            ["scan", "--aws-region", REGION, "--agents", str(agents), "--aws-cloudtrail",
             str(root / "trail"), "--aws-cloudtrail", f"s3://{TRAIL_BUCKET}/AWSLogs/", "-o",
             str(out), "--format", "json", "--fail-on", "never", "--least-privilege", "used"],
            catch_exceptions=False,
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    args = ["compile", str(agents), "--snapshot", str(out / "snapshot.json"), "-o",
            str(root / "plan.json"), "--least-privilege", "used"]  # fmt: skip
    compiled = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert compiled.exit_code == 0, compiled.output
    plan = json.loads((root / "plan.json").read_text())
    yield {"report": report, "plan": plan, "disk": str(on_disk),
           "s3": f"s3://{TRAIL_BUCKET}/{in_s3}"}  # fmt: skip


def _agent(report: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [a for a in report["agents"] if a["name"] == name]
    return found


def _findings(report: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule_id"] == rule_id]


def test_only_the_agent_acting_outside_its_plan_is_flagged(scanned: dict[str, Any]) -> None:
    report = scanned["report"]
    (finding,) = _findings(report, "NHI700")
    evidence = finding["evidence"]
    assert (evidence["agent"], evidence["action"]) == ("intake-b", "s3:DeleteObject")
    assert finding["severity"] == "critical" and finding["subject"] == ROLE
    assert evidence["resource"] == "arn:aws:s3:::intake-docs/*" and evidence["count"] == 2
    assert [e["id"] for e in evidence["events"]] == [
        f"00000000-0000-4000-8000-{(datetime.now(UTC) - timedelta(days=1)).day:02d}0000000005",
        f"00000000-0000-4000-8000-{(datetime.now(UTC) - timedelta(days=1)).day:02d}0000000006",
    ]
    assert {e["source"] for e in evidence["events"]} == {scanned["disk"]}
    assert evidence["sessions"] == [f"{ROLE} (source identity intake-b, session intake-b-*)"]
    assert _findings(report, "NHI703") == []


def test_the_agent_inside_its_plan_is_clean(scanned: dict[str, Any]) -> None:
    activity = _agent(scanned["report"], "intake-a")["activity"]
    assert activity["totals"]["used-unplanned"] == 0 and activity["totals"]["denied"] == 0
    planned = {(i["action"], i["count"]) for i in activity["items"]["used-planned"]}
    assert planned == {("s3:GetObject", 2), ("s3:ListBucket", 1)}
    sources = {e["source"] for i in activity["items"]["used-planned"] for e in i["events"]}
    assert sources == {scanned["disk"], scanned["s3"]}  # read from disk and from S3
    assert activity["covered"] == [ROLE] and activity["not_covered"] == []
    assert activity["least_privilege_used"][ROLE]["Statement"]
    b = _agent(scanned["report"], "intake-b")["activity"]
    assert activity["plan_hash"] != "" and b["plan_hash"] != ""
    # intake-b read but never listed: its ListBucket is planned but unused (NHI702).
    assert [i["action"] for i in b["items"]["planned-unused"]] == ["s3:ListBucket"]
    (stale,) = _findings(scanned["report"], "NHI702")
    assert stale["evidence"]["agent"] == "intake-b"


def test_the_session_without_a_source_identity_is_indistinguishable(
    scanned: dict[str, Any],
) -> None:
    report = scanned["report"]
    for name, other in (("intake-a", "intake-b"), ("intake-b", "intake-a")):
        sessions = _agent(report, name)["activity"]["sessions"]
        (unknown,) = [s for s in sessions if s["indistinguishable"]]
        assert unknown["source_identity"] is None and unknown["session_name"] == "batch-*"
        assert unknown["verdict"] == "unknown" and unknown["shared_with"] == [other]
        mine = [s for s in sessions if not s["indistinguishable"]]
        assert [s["source_identity"] for s in mine] == [name]
        unplanned = _agent(report, name)["activity"]["items"]["used-unplanned"]
        assert "s3:PutObject" not in {i["action"] for i in unplanned}
    assert all(f["evidence"]["action"] != "s3:PutObject" for f in _findings(report, "NHI700"))


def test_the_unused_grant_is_revocable_with_its_statement(scanned: dict[str, Any]) -> None:
    report = scanned["report"]
    findings = _findings(report, "NHI701")
    assert {f["evidence"]["agent"] for f in findings} == {"intake-a", "intake-b"}
    for finding in findings:
        evidence = finding["evidence"]
        assert evidence["remove"] == [f"sns:Publish on {TOPIC}"]
        assert (evidence["statement"], evidence["sid"]) == (2, "Alerts")
        assert evidence["last_used"] is None and evidence["never_seen_since"]
    # DeleteObject and PutObject are excess too, but a session of the role used them.
    revocable = _agent(report, "intake-a")["activity"]["items"]["revocable"]
    assert [i["action"] for i in revocable] == ["sns:Publish"]


def test_least_privilege_used_narrows_nhi300_to_what_was_planned_and_used(
    scanned: dict[str, Any],
) -> None:
    """intake-b read the documents but never listed the bucket: with --least-privilege used,
    the policy NHI300 proposes for it grants the read only; intake-a did both."""
    by_agent = {
        f["evidence"]["agent"]: f["evidence"] for f in _findings(scanned["report"], "NHI300")
    }

    def actions(evidence: dict[str, Any]) -> set[str]:
        found: set[str] = set()
        for statement in evidence["least_privilege"]["Statement"]:
            named = statement["Action"]
            found.update([named] if isinstance(named, str) else named)
        return found

    assert by_agent["intake-b"]["least_privilege_of"] == "planned and used"
    assert actions(by_agent["intake-b"]) == {"s3:GetObject"}
    assert actions(by_agent["intake-a"]) == {"s3:GetObject", "s3:ListBucket"}
    # nhiscan compile --snapshot --least-privilege used: the same narrowing in the plan file.
    plans = {a["name"]: a for a in scanned["plan"]["agents"]}
    assert plans["intake-b"]["least_privilege_of"] == "planned and used"
    assert actions({"least_privilege": plans["intake-b"]["least_privilege"][ROLE]}) == {
        "s3:GetObject"
    }


def test_the_report_validates(scanned: dict[str, Any]) -> None:
    Draft202012Validator(report_schema()).validate(scanned["report"])

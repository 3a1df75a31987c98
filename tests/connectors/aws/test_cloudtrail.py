"""The CloudTrail reader: trails on disk and in moto S3, each userIdentity type, sessions told
apart, the window, digests, and broken files named."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from click.testing import CliRunner

from nhiscan.app import pipeline
from nhiscan.cli import cli
from nhiscan.cluster.executor import LocalExecutor
from nhiscan.cluster.run import Cluster
from nhiscan.cluster.shards import ShardStore
from nhiscan.connectors.aws.cloudtrail import CloudTrailConfig, CloudTrailConnector, _gap
from nhiscan.connectors.base import CollectContext
from nhiscan.errors import ConnectorError
from nhiscan.scanner.activity import ActivityScope, ActivitySummary, Outcome
from nhiscan.scanner.model import CollectionGap, GapReason, Record
from nhiscan.scanner.snapshot import from_json, load
from tests.connectors.aws.cloudtrail_data import (
    ACCOUNT,
    ROLE,
    USER,
    event,
    gz,
    log_key,
    s3_object,
    service,
    session,
    user,
    write,
)

DAY = datetime(2026, 11, 2, 10, 5, tzinfo=UTC)
NOW = datetime(2026, 11, 10, tzinfo=UTC)


def collect(*locations: str, **options: Any) -> list[Record]:
    config = CloudTrailConfig(locations=locations, **options)
    return list(CloudTrailConnector(config).collect(CollectContext(now=NOW)))


def summaries(records: list[Record]) -> list[ActivitySummary]:
    return [r for r in records if isinstance(r, ActivitySummary)]


def scope(records: list[Record]) -> ActivityScope:
    (found,) = [r for r in records if isinstance(r, ActivityScope)]
    return found


def of(records: list[Record], identity: str, **fields: Any) -> ActivitySummary:
    found = [
        s
        for s in summaries(records)
        if s.identity == identity and all(getattr(s, k) == v for k, v in fields.items())
    ]
    assert len(found) == 1, [(s.identity, s.source_identity, s.session_name) for s in found]
    return found[0]


def test_each_identity_type_is_named_as_the_inventory_names_it(tmp_path: Path) -> None:
    federated = {
        "type": "FederatedUser",
        "principalId": f"{ACCOUNT}:Bob",
        "arn": f"arn:aws:sts::{ACCOUNT}:federated-user/Bob",
        "accountId": ACCOUNT,
        "sessionContext": {
            "sessionIssuer": {
                "type": "IAMUser",
                "accountId": ACCOUNT,
                "arn": f"arn:aws:iam::{ACCOUNT}:user/federator",
            }
        },
    }
    root = {
        "type": "Root",
        "principalId": ACCOUNT,
        "arn": f"arn:aws:iam::{ACCOUNT}:root",
        "accountId": ACCOUNT,
    }
    other = {"type": "AWSAccount", "principalId": "AIDAEXAMPLE", "accountId": "444455556666"}
    linked = session(
        "AWSConfig-Describe",
        role=f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/config.amazonaws.com/"
        "AWSServiceRoleForConfig",
    )
    no_issuer = session("run-1", issuer=False, key="ASIANOISSUER")
    write(
        tmp_path,
        log_key(DAY),
        [
            event(user(), "GetObject", resources=s3_object("data", "a.json")),
            event(session("intake-1700000000"), "GetObject", resources=s3_object("data", "b.json")),
            event(no_issuer, "GetObject", resources=s3_object("data", "c.json")),
            event(federated, "ListBuckets"),
            event(root, "ListBuckets"),
            event(other, "GetObject", resources=s3_object("data", "d.json")),
            event(service(), "AssumeRole", source="sts.amazonaws.com"),
            event(linked, "DescribeInstances", source="ec2.amazonaws.com"),
            {
                **event(user(), "RotateKey", source="kms.amazonaws.com"),
                "eventType": "AwsServiceEvent",
            },
            event({"type": "IdentityCenterUser", "accountId": ACCOUNT}, "ListBuckets"),
        ],
    )
    records = collect(str(tmp_path))
    assert of(records, USER).principal == "user"
    role = of(records, ROLE)  # the issuer's ARN, with the role's path
    assert (role.principal, role.session_name, role.account) == (
        "role-session",
        "intake-*",
        ACCOUNT,
    )
    # without a session issuer, the role is read from the session ARN: no path there
    assert of(records, f"arn:aws:iam::{ACCOUNT}:role/intake", session_name="run-1").count == 1
    assert of(records, f"arn:aws:iam::{ACCOUNT}:user/federator").principal == "federated-user"
    assert of(records, f"arn:aws:iam::{ACCOUNT}:root").principal == "root"
    assert of(records, "arn:aws:iam::444455556666:root").principal == "account"
    assert len(summaries(records)) == 6
    counted = scope(records)
    assert counted.events == 10
    assert counted.service_events == {
        "ec2.amazonaws.com": 1,
        "kms.amazonaws.com": 1,
        "lambda.amazonaws.com": 1,
    }
    assert counted.unattributed == {"IdentityCenterUser": 1}


def test_two_agents_sharing_a_role_are_told_apart_by_source_identity(tmp_path: Path) -> None:
    a = session("intake-a-1700000000", key="ASIAAGENTA", source_identity="intake-a")
    b = session("intake-b-1700000000", key="ASIAAGENTB", source_identity="intake-b")
    write(
        tmp_path,
        log_key(DAY),
        [
            event(a, "GetObject", resources=s3_object("inbox", "1.json"), event_id="a1"),
            event(
                a,
                "GetObject",
                resources=s3_object("inbox", "2.json"),
                event_id="a2",
                time="2026-11-02T10:01:00Z",
            ),
            event(
                b,
                "PutObject",
                resources=s3_object("payroll", "x.csv"),
                event_id="b1",
                error="AccessDenied",
            ),
            event(b, "DeleteObject", resources=s3_object("inbox", "1.json"), event_id="b2"),
        ],
    )
    records = collect(str(tmp_path))
    first = of(records, ROLE, source_identity="intake-a")
    second = of(records, ROLE, source_identity="intake-b")
    assert [(u.action, u.resource, u.outcome, u.count) for u in first.uses] == [
        ("s3:GetObject", "arn:aws:s3:::inbox/*", Outcome.ALLOWED, 2)
    ]
    assert [s.id for s in first.uses[0].samples] == ["a1", "a2"]
    assert str(first.uses[0].last_seen) == "2026-11-02 10:01:00+00:00"
    assert {(u.action, u.resource, u.outcome, u.error) for u in second.uses} == {
        ("s3:DeleteObject", "arn:aws:s3:::inbox/*", Outcome.ALLOWED, None),
        ("s3:PutObject", "arn:aws:s3:::payroll/*", Outcome.DENIED, "AccessDenied"),
    }
    assert (first.session_name, second.session_name) == ("intake-a-*", "intake-b-*")


def _assume(key: str, agent: str, *, time: str) -> dict[str, Any]:
    """The AssumeRole call that started a session: its tags and caller."""
    caller = user(f"arn:aws:iam::{ACCOUNT}:user/{agent}-launcher")
    return event(
        caller,
        "AssumeRole",
        source="sts.amazonaws.com",
        time=time,
        event_id=f"start-{agent}",
        parameters={
            "roleArn": ROLE,
            "roleSessionName": "run",
            "tags": [{"key": "agent", "value": agent}],
        },
        response={
            "credentials": {"accessKeyId": key, "expiration": "x"},
            "assumedRoleUser": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/intake/run"},
        },
        resources=[{"ARN": ROLE, "accountId": ACCOUNT, "type": "AWS::IAM::Role"}],
    )


def test_sessions_take_the_tags_and_caller_of_the_call_that_started_them(tmp_path: Path) -> None:
    """The same role, session name and no source identity: only the AssumeRole call tells
    the two apart, in whichever order the files come (another region's file, read first)."""
    a, b = session("run", key="ASIASTARTA"), session("run", key="ASIASTARTB")
    again = session("run", key="ASIASTARTA2", source_identity=None)  # intake-a's next session
    write(
        tmp_path,
        log_key(DAY, region="eu-west-1"),
        [
            event(a, "GetItem", source="dynamodb.amazonaws.com", time="2026-11-02T10:02:00Z"),
            event(b, "PutItem", source="dynamodb.amazonaws.com", time="2026-11-02T10:03:00Z"),
            event(
                again,
                "GetItem",
                source="dynamodb.amazonaws.com",
                time="2026-11-02T11:02:00Z",
                ip="198.51.100.7",
            ),
        ],
    )
    write(
        tmp_path,
        log_key(DAY.replace(minute=10)),
        [
            _assume("ASIASTARTA", "intake-a", time="2026-11-02T10:00:00Z"),
            _assume("ASIASTARTB", "intake-b", time="2026-11-02T10:00:00Z"),
            event(a, "GetItem", source="dynamodb.amazonaws.com", time="2026-11-02T10:04:00Z"),
            _assume("ASIASTARTA2", "intake-a", time="2026-11-02T11:00:00Z"),
        ],
    )
    records = collect(str(tmp_path))
    first = of(records, ROLE, session_tags={"agent": "intake-a"})
    second = of(records, ROLE, session_tags={"agent": "intake-b"})
    assert first.assumed_by == f"arn:aws:iam::{ACCOUNT}:user/intake-a-launcher"
    assert [(u.action, u.count) for u in first.uses] == [("dynamodb:GetItem", 3)]
    assert str(first.last_seen) == "2026-11-02 11:02:00+00:00"
    assert first.source_ips == ("198.51.100.7", "203.0.113.10")
    assert [(u.action, u.count) for u in second.uses] == [("dynamodb:PutItem", 1)]
    # the session joined late (ASIASTARTA2) adds its day's events to the one it joined
    assert [(str(d.day), d.service, d.count) for d in first.daily] == [
        ("2026-11-02 00:00:00+00:00", "dynamodb", 3)
    ]
    launcher = of(records, f"arn:aws:iam::{ACCOUNT}:user/intake-a-launcher")
    assert [(u.action, u.resource) for u in launcher.uses] == [("sts:AssumeRole", ROLE)]


def test_event_names_become_actions_and_unmapped_ones_are_counted(tmp_path: Path) -> None:
    write(
        tmp_path,
        log_key(DAY),
        [
            event(user(), "ListObjectsV2", parameters={"bucketName": "data", "prefix": "in/"}),
            event(user(), "HeadObject", resources=s3_object("data", "in/1.json")),
            event(user(), "UpdateFunctionCode20150331v2", source="lambda.amazonaws.com"),
            event(user(), "ConsoleLogin", source="signin.amazonaws.com"),
            event(user(), "ConsoleLogin", source="signin.amazonaws.com"),
            event(
                user(),
                "GetSecretValue",
                source="secretsmanager.amazonaws.com",
                error="ResourceNotFoundException",
            ),
        ],
    )
    records = collect(str(tmp_path))
    uses = {(u.event, u.action, u.resource, u.outcome) for u in of(records, USER).uses}
    assert uses == {
        ("s3.amazonaws.com:ListObjectsV2", "s3:ListBucket", "arn:aws:s3:::data", Outcome.ALLOWED),
        ("s3.amazonaws.com:HeadObject", "s3:GetObject", "arn:aws:s3:::data/*", Outcome.ALLOWED),
        (
            "lambda.amazonaws.com:UpdateFunctionCode20150331v2",
            "lambda:UpdateFunctionCode",
            "*",
            Outcome.ALLOWED,
        ),
        ("signin.amazonaws.com:ConsoleLogin", None, "*", Outcome.ALLOWED),
        # failed, but not refused: authorization let it through
        (
            "secretsmanager.amazonaws.com:GetSecretValue",
            "secretsmanager:GetSecretValue",
            "*",
            Outcome.ALLOWED,
        ),
    }
    assert scope(records).unmapped == {"signin.amazonaws.com:ConsoleLogin": 2}


def test_events_are_counted_per_day_and_service_for_the_timeline(tmp_path: Path) -> None:
    """By UTC day of the event's time (not the file's), under the action's prefix, or the
    event source's first label when no table maps the event; refused events count too."""
    me = user()
    write(
        tmp_path,
        log_key(datetime(2026, 11, 3, 0, 5, tzinfo=UTC)),
        [
            event(me, "GetObject", resources=s3_object("data", "1"), time="2026-11-02T23:58:00Z"),
            event(me, "GetObject", resources=s3_object("data", "2"), time="2026-11-03T00:01:00Z"),
            event(me, "PutObject", resources=s3_object("data", "3"), time="2026-11-03T00:02:00Z",
                  error="AccessDenied"),
            event(me, "ListObjectsV2", parameters={"bucketName": "data"},
                  time="2026-11-03T00:03:00Z"),
            event(me, "ConsoleLogin", source="signin.amazonaws.com", time="2026-11-03T00:04:00Z"),
            event(me, "Decrypt", source="kms.amazonaws.com", time="2026-11-02T23:59:59Z"),
        ],
    )  # fmt: skip
    found = of(collect(str(tmp_path)), USER)
    assert [(f"{d.day:%Y-%m-%d %H:%M %Z}", d.service, d.count) for d in found.daily] == [
        ("2026-11-02 00:00 UTC", "kms", 1),
        ("2026-11-02 00:00 UTC", "s3", 1),
        ("2026-11-03 00:00 UTC", "s3", 3),
        ("2026-11-03 00:00 UTC", "signin", 1),
    ]
    assert sum(d.count for d in found.daily) == found.count == 6


def test_digests_and_files_outside_the_window_are_skipped_by_their_path(tmp_path: Path) -> None:
    inside = write(tmp_path, log_key(DAY), [event(user(), "ListBuckets", event_id="in")])
    write(tmp_path, log_key(DAY, digest=True), [])
    (tmp_path / log_key(DAY, digest=True)).write_bytes(b"not even gzip: never opened")
    old = datetime(2026, 6, 1, tzinfo=UTC)
    (tmp_path / log_key(old)).parent.mkdir(parents=True)
    (tmp_path / log_key(old)).write_bytes(b"not even gzip: never opened")
    # in the window by its path, but its event is before --activity-since
    write(
        tmp_path,
        log_key(datetime(2026, 10, 1, 0, 5, tzinfo=UTC)),
        [event(user(), "ListBuckets", time="2026-09-30T23:59:00Z", event_id="early")],
    )
    (tmp_path / "notes.txt").write_text("not a log file")
    records = collect(str(tmp_path), since=datetime(2026, 10, 1, tzinfo=UTC))
    counted = scope(records)
    assert (counted.files, counted.skipped_files, counted.events) == (2, 2, 1)
    assert [s.id for s in of(records, USER).uses[0].samples] == ["in"]
    assert of(records, USER).uses[0].samples[0].source == str(inside)
    assert (counted.since, counted.until) == (datetime(2026, 10, 1, tzinfo=UTC), NOW)


def test_the_default_window_is_the_90_days_before_the_scan(tmp_path: Path) -> None:
    write(tmp_path, log_key(datetime(2026, 8, 1, tzinfo=UTC)), [event(user(), "ListBuckets")])
    records = collect(str(tmp_path))
    assert scope(records).skipped_files == 1
    assert summaries(records) == []
    assert scope(records).since == datetime(2026, 8, 12, tzinfo=UTC)


def test_as_of_moves_the_default_window(tmp_path: Path) -> None:
    """--as-of (the analysis judges as of that moment): the default window is the 90 days
    before it, not before the collection's clock; an event after it is outside."""
    august = datetime(2026, 8, 1, 9, tzinfo=UTC)
    write(tmp_path, log_key(august), [event(user(), "ListBuckets", time="2026-08-01T09:00:00Z")])
    write(tmp_path, log_key(DAY), [event(user(), "ListBuckets")])
    as_of = datetime(2026, 9, 1, tzinfo=UTC)
    config = CloudTrailConfig(locations=(str(tmp_path),))
    records = list(CloudTrailConnector(config).collect(CollectContext(now=NOW, as_of=as_of)))
    assert (scope(records).since, scope(records).until) == (as_of - timedelta(days=90), as_of)
    (summary,) = summaries(records)
    assert (summary.first_seen, summary.count) == (august, 1)  # November's is after --as-of


def test_an_organization_trail_is_read(tmp_path: Path) -> None:
    write(tmp_path, log_key(DAY, org=True), [event(user(), "ListBuckets")])
    assert of(collect(str(tmp_path)), USER).uses[0].action == "s3:ListAllMyBuckets"


def test_the_scope_names_the_accounts_whose_logs_were_listed(tmp_path: Path) -> None:
    """An account is covered when its log folder was listed (its files read or skipped by
    their date), for an organization trail too; a location's own path names one as well."""
    write(tmp_path, log_key(DAY, org=True), [event(user(), "ListBuckets")])
    other = log_key(DAY - timedelta(days=200)).replace(ACCOUNT, "444455556666")
    write(tmp_path, other, [event(user(), "ListBuckets")])
    found = scope(collect(str(tmp_path)))
    assert found.accounts == (ACCOUNT, "444455556666") and found.skipped_files == 1
    empty = tmp_path / "AWSLogs" / "777788889999" / "CloudTrail"
    empty.mkdir(parents=True)
    assert scope(collect(str(tmp_path / "AWSLogs" / "777788889999"))).accounts == ("777788889999",)


def test_a_location_that_cannot_be_listed_covers_no_account(moto: None) -> None:
    records = collect("s3://no-such-trail-bucket/AWSLogs/111122223333/")
    assert scope(records).accounts == ()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (gz([event(user(), "ListBuckets")] * 50)[:-40], "cut short"),
        (b"plain text, not gzip", "not a readable gzip file"),
        (gzip.compress(b'{"Records": [{"eventTime": "2026-11-02T10:00:00Z"'), "not a CloudTrail"),
        (gzip.compress(b'{"Records": [{"eventTime": 5}]}'), r"\$\.Records\[0\]\.eventTime"),
        (gzip.compress(b'{"digestStartTime": "x"}'), "Records"),
    ],
)
def test_a_broken_file_is_an_error_naming_it(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / log_key(DAY)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(ConnectorError, match=problem) as raised:
        collect(str(tmp_path))
    assert str(path) in str(raised.value)


def test_a_missing_folder_is_an_error() -> None:
    with pytest.raises(ConnectorError, match="no such file or folder"):
        collect("/nonexistent/trail")


@pytest.fixture
def bucket(moto: None) -> Iterator[str]:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="trail-bucket")
    yield "trail-bucket"


def test_a_trail_is_read_from_s3(bucket: str) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    a = session("intake-a-1", key="ASIAS3A", source_identity="intake-a")
    s3.put_object(
        Bucket=bucket,
        Key=f"logs/{log_key(DAY)}",
        Body=gz([event(a, "GetObject", resources=s3_object("data", "1.json"))]),
    )
    s3.put_object(Bucket=bucket, Key=f"logs/{log_key(DAY, digest=True)}", Body=b"{}")
    records = collect(f"s3://{bucket}/logs/")
    assert of(records, ROLE).source_identity == "intake-a"
    assert of(records, ROLE).uses[0].samples[0].source == f"s3://{bucket}/logs/{log_key(DAY)}"
    assert (scope(records).files, scope(records).skipped_files) == (1, 1)
    assert [r for r in records if isinstance(r, CollectionGap)] == []


def test_a_trail_that_cannot_be_listed_is_a_gap(moto: None) -> None:
    records = collect("s3://no-such-trail-bucket/AWSLogs/")
    (gap,) = [r for r in records if isinstance(r, CollectionGap)]
    assert (gap.operation, gap.scope, gap.reason) == (
        "s3:ListBucket",
        "s3://no-such-trail-bucket/AWSLogs/",
        GapReason.FAILED,
    )
    assert "NoSuchBucket" in gap.detail
    assert scope(records).files == 0


def test_a_refused_listing_or_file_is_an_access_denied_gap() -> None:
    refused = ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "GetObject")
    gap = _gap("s3://b/p", "s3:GetObject", refused, "s3://b/p/k.json.gz")
    assert (gap.reason, gap.subject) == (GapReason.ACCESS_DENIED, "s3://b/p/k.json.gz")
    assert "unknown, not absent" in gap.detail


def test_scan_puts_the_summaries_in_the_snapshot_and_the_report(tmp_path: Path) -> None:
    """With a GAAD export naming the role, the report joins the trail's activity to it; an
    identity the export does not have is listed all the same, said not to be in the inventory."""
    app = f"arn:aws:iam::{ACCOUNT}:role/app"
    trail = tmp_path / "trail"
    write(
        trail,
        log_key(DAY),
        [
            event(
                session("app-1", role=app, key="ASIAAPP", source_identity="agent-7"),
                "GetObject",
                resources=s3_object("data", "1.json"),
            ),
            event(user(USER), "ListBuckets"),
            event(
                user(USER), "GetObject", resources=s3_object("pay", "x.csv"), error="AccessDenied"
            ),
        ],
    )
    out = tmp_path / "out"
    gaad = Path(__file__).parents[2] / "data" / "aws" / "gaad-small.json"
    result = CliRunner().invoke(
        cli,
        [
            "scan",
            "--aws-gaad",
            str(gaad),
            "--aws-cloudtrail",
            str(trail),
            "--activity-since",
            "2026-10-01",
            "--activity-until",
            "2026-11-10",
            "-o",
            str(out),
            "--fail-on",
            "never",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    activity = report["activity"]
    entries = {entry["identity"]: entry for entry in activity["identities"]}
    assert entries[app]["in_inventory"] is True and entries[app]["kind"] == "iam-role"
    assert entries[app]["actions"] == ["s3:GetObject"]
    assert entries[app]["sessions"][0]["source_identity"] == "agent-7"
    assert entries[app]["denied_actions"] == []
    assert entries[USER]["in_inventory"] is False
    assert (entries[USER]["actions"], entries[USER]["denied_actions"]) == (
        ["s3:ListAllMyBuckets"],
        ["s3:GetObject"],
    )
    assert activity["not_in_inventory"] == 1
    assert activity["sources"][0]["events"] == 3
    snapshot = load(out / "snapshot.json")
    assert {s.identity for s in snapshot.activity} == {app, USER}
    assert from_json((out / "snapshot.json").read_text()) == snapshot
    from jsonschema import Draft202012Validator

    from nhiscan.reports.schema import report_schema

    Draft202012Validator(report_schema()).validate(report)


def test_scan_with_a_trail_alone_stands(tmp_path: Path) -> None:
    trail = tmp_path / "trail"
    write(trail, log_key(DAY), [event(user(USER), "ListBuckets")])
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "scan",
            "--aws-cloudtrail",
            str(trail),
            "--activity-since",
            "2026-10-01",
            "-o",
            str(out),
            "--fail-on",
            "never",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert [e["identity"] for e in report["activity"]["identities"]] == [USER]
    assert report["identities"] == []


def test_scan_as_of_ends_the_default_window_there(tmp_path: Path) -> None:
    """`scan --as-of`: the trail's default window is the 90 days before that moment (the
    November event is after it: no activity; the window the report states ends there)."""
    trail = tmp_path / "trail"
    write(trail, log_key(DAY), [event(user(USER), "ListBuckets")])
    out = tmp_path / "out"
    args = ["scan", "--aws-cloudtrail", str(trail), "--as-of", "2026-10-01", "-o", str(out)]
    result = CliRunner().invoke(cli, [*args, "--fail-on", "never"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["activity"]["identities"] == []
    (source,) = report["activity"]["sources"]
    assert (source["since"], source["until"]) == ("2026-07-03T00:00:00Z", "2026-10-01T00:00:00Z")


def test_a_bad_window_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "scan",
            "--aws-cloudtrail",
            str(tmp_path),
            "--activity-since",
            "2026-11-10",
            "--activity-until",
            "2026-11-01",
        ],
    )
    assert result.exit_code == 2
    assert "--activity-since must be before --activity-until" in result.output
    result = CliRunner().invoke(cli, ["scan", "--activity-since", "2026-11-10"])
    assert result.exit_code == 2
    assert "--activity-since goes with --aws-cloudtrail" in result.output


def test_on_a_cluster_a_trail_is_read_in_one_pass_as_batches_would_lose_session_starts(
    tmp_path: Path,
) -> None:
    """A trail is not split into batches of files on a cluster (docs/dev/cloudtrail-batches.md):
    a batch holding a session's events but not its AssumeRole call would summarise it without
    its tags. On a cluster it is read in one pass, and the snapshot is the one-pass snapshot."""
    trail = tmp_path / "trail"
    a = session("run", key="ASIASTARTA")
    events = write(trail, log_key(DAY, region="eu-west-1"), [
        event(a, "GetItem", source="dynamodb.amazonaws.com", time="2026-11-02T10:02:00Z"),
    ])  # fmt: skip
    write(trail, log_key(DAY.replace(minute=10)), [
        _assume("ASIASTARTA", "intake-a", time="2026-11-02T10:00:00Z"),
    ])  # fmt: skip
    connector = CloudTrailConnector(CloudTrailConfig(locations=(str(trail),)))
    ctx = CollectContext(now=NOW)
    cluster = Cluster(executor=LocalExecutor(), store=ShardStore.at(str(tmp_path / "shards")),
                      run="run-1")  # fmt: skip

    on_cluster = pipeline.collect([connector], ctx, cluster=cluster)

    assert on_cluster == pipeline.collect([connector], ctx)
    assert cluster.stages == []  # no unit ran: the client read it
    (joined,) = [s for s in on_cluster.activity if s.identity == ROLE]
    assert joined.session_tags == {"agent": "intake-a"}
    assert of(collect(str(events)), ROLE).session_tags == {}  # the batch of the first file

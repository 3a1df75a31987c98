"""The demo's CloudTrail trail: 89 days of the lending company's agents at work, written as
CloudTrail delivers it (``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz``, each
file ``{"Records": [...]}`` in the documented record format:
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html,
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html)
and read back by the real reader (``CloudTrailConnector``).

What it shows (README, "The audit trail"):

- loan-review-agent's sessions ("loan-review-<epoch>") doing every step of its plan each day
  (the documents, the credit bureau secret, the lending tables, the notification topic), and,
  on the last three days only, ``s3:DeleteObject`` on construction-docs from a new source IP
  (203.0.113.77) and a new user agent: outside its plan, a write (NHI700, critical);
- doc-extractor-agent's Lambda sessions reading the documents and refused ``ListObjectsV2``
  (AccessDenied: the access NHI301 says it lacks; NHI703);
- svc-reporting-agent, the user two agents share, reading the documents: whose reads they are
  the trail cannot say (indistinguishable);
- nothing of triage-assistant (its planned SQS consumption never seen: NHI702), nor of
  legacy-batch-role.

Deterministic for a given day: events fall on whole days before the scan's day, at fixed
hours, and their ids depend only on how many days before it they are.
"""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from nhiscan.connectors.demo.estate import DEMO_REGION

ACCOUNT = "123456789012"
DAYS = 89  # whole days before the scan's day: inside the reader's default 90-day window
NEW_DAYS = 3  # the last days, when loan-review-agent starts deleting documents
USUAL_IP = "10.20.4.17"
USUAL_AGENT = "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.12"
NEW_IP = "203.0.113.77"
NEW_AGENT = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/windows#10 md/arch#amd64 exec-env/shell"
LAMBDA_IP = "10.20.9.40"
LAMBDA_AGENT = "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux exec-env/AWS_Lambda_python3.12"
REPORTING_IP = "10.20.6.5"
DOCS = "construction-docs"
_NAMESPACE = uuid.UUID("6f1d9c8e-4b7a-4e2f-9a51-1c0de0a7d5e1")

Record = dict[str, Any]


def write_demo_trail(root: Path, now: datetime) -> int:
    """Write the trail under ``root`` for a scan at ``now``; returns the number of events."""
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    total = 0
    for days in range(DAYS, 0, -1):
        day = today - timedelta(days=days)
        records = list(_day(day, days))
        name = f"{ACCOUNT}_CloudTrail_{DEMO_REGION}_{day:%Y%m%d}T2355Z_demo{days:03d}.json.gz"
        folder = root / "AWSLogs" / ACCOUNT / "CloudTrail" / DEMO_REGION / f"{day:%Y/%m/%d}"
        folder.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"Records": records}, separators=(",", ":")).encode()
        (folder / name).write_bytes(gzip.compress(body, mtime=0))
        total += len(records)
    return total


def _day(day: datetime, days: int) -> Iterator[Record]:
    counter = iter(range(1_000))

    def event(identity: Record, hour: int, source: str, name: str, **fields: Any) -> Record:
        return _event(identity, day + timedelta(hours=hour, minutes=next(counter) % 60),
                      source, name, event_id=_id(days, next(counter)), **fields)  # fmt: skip

    review = _role_session("loan-review-agent", f"loan-review-{int(day.timestamp()) + 32400}")
    for n in range(8):
        yield event(review, 9, "s3.amazonaws.com", "GetObject",
                    resources=_object(f"draws/{days:03d}/{n}.pdf"))  # fmt: skip
    yield event(review, 9, "s3.amazonaws.com", "ListObjectsV2",
                parameters={"bucketName": DOCS, "prefix": "draws/"})  # fmt: skip
    yield event(review, 9, "secretsmanager.amazonaws.com", "GetSecretValue",
                parameters={"secretId": "credit-bureau-api"})  # fmt: skip
    for name in ("GetItem", "GetItem", "Query", "Scan", "BatchGetItem", "DescribeTable"):
        yield event(review, 10, "dynamodb.amazonaws.com", name, resources=_table("lending-policy"))
    for name in ("PutItem", "UpdateItem", "BatchWriteItem"):
        yield event(review, 10, "dynamodb.amazonaws.com", name, resources=_table("loan-reviews"))
    yield event(
        review, 11, "sns.amazonaws.com", "Publish", resources=_topic("review-notifications")
    )
    if days <= NEW_DAYS:
        for n in range(4):
            yield event(review, 22, "s3.amazonaws.com", "DeleteObject", read_only=False,
                        resources=_object(f"draws/{days + 30:03d}/{n}.pdf"), ip=NEW_IP,
                        agent=NEW_AGENT)  # fmt: skip
    extractor = _role_session("doc-extractor-agent", "doc-extractor")
    for n in range(3):
        yield event(extractor, 14, "s3.amazonaws.com", "GetObject",
                    resources=_object(f"draws/{days:03d}/{n}.pdf"), ip=LAMBDA_IP,
                    agent=LAMBDA_AGENT)  # fmt: skip
    yield event(extractor, 14, "s3.amazonaws.com", "ListObjectsV2", error="AccessDenied",
                parameters={"bucketName": DOCS, "prefix": "draws/"}, ip=LAMBDA_IP,
                agent=LAMBDA_AGENT)  # fmt: skip
    reporting = _user("svc-reporting-agent", "AKIAIOSFODNN7EXAMPLE")  # AWS's documented example
    yield event(reporting, 6, "s3.amazonaws.com", "ListObjectsV2",
                parameters={"bucketName": DOCS}, ip=REPORTING_IP)  # fmt: skip
    for n in range(2):
        yield event(reporting, 6, "s3.amazonaws.com", "GetObject",
                    resources=_object(f"draws/{days:03d}/{n}.pdf"), ip=REPORTING_IP)  # fmt: skip


def _id(days: int, n: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{days}/{n}"))


def _event(
    identity: Record,
    time: datetime,
    source: str,
    name: str,
    *,
    event_id: str,
    resources: list[Record] | None = None,
    parameters: Record | None = None,
    error: str | None = None,
    read_only: bool = True,
    ip: str = USUAL_IP,
    agent: str = USUAL_AGENT,
) -> Record:
    record: Record = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": f"{time:%Y-%m-%dT%H:%M:%SZ}",
        "eventSource": source,
        "eventName": name,
        "awsRegion": DEMO_REGION,
        "sourceIPAddress": ip,
        "userAgent": agent,
        "requestParameters": parameters,
        "responseElements": None,
        "requestID": event_id.replace("-", "")[:16].upper(),
        "eventID": event_id,
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": resources is None,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management" if resources is None else "Data",
    }
    if resources is not None:
        record["resources"] = resources
    if error is not None:
        record["errorCode"] = error
        record["errorMessage"] = f"User is not authorized to perform: {name}"
    return record


def _role_session(role: str, session: str) -> Record:
    return {
        "type": "AssumedRole",
        "principalId": f"AROADEMO{role.upper().replace('-', '')[:12]}:{session}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}",
        "accountId": ACCOUNT,
        "accessKeyId": "ASIADEMO" + role.upper().replace("-", "")[:12],
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": f"AROADEMO{role.upper().replace('-', '')[:12]}",
                "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                "accountId": ACCOUNT,
                "userName": role,
            },
            "attributes": {"mfaAuthenticated": "false"},
        },
    }


def _user(name: str, key: str) -> Record:
    return {
        "type": "IAMUser",
        "principalId": "AIDADEMO" + name.upper().replace("-", "")[:12],
        "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
        "accountId": ACCOUNT,
        "accessKeyId": key,
        "userName": name,
    }


def _object(key: str) -> list[Record]:
    return [
        {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{DOCS}/{key}"},
        {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{DOCS}"},
    ]


def _table(name: str) -> list[Record]:
    arn = f"arn:aws:dynamodb:{DEMO_REGION}:{ACCOUNT}:table/{name}"
    return [{"accountId": ACCOUNT, "type": "AWS::DynamoDB::Table", "ARN": arn}]


def _topic(name: str) -> list[Record]:
    arn = f"arn:aws:sns:{DEMO_REGION}:{ACCOUNT}:{name}"
    return [{"accountId": ACCOUNT, "type": "AWS::SNS::Topic", "ARN": arn}]

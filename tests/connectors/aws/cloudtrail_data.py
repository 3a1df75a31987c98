"""CloudTrail records in the documented format, and trails of them on disk or in S3.

Each record is shaped as the CloudTrail user guide's examples show it
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html,
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
ORG = "o-exampleorgid"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/agents/intake"
USER = f"arn:aws:iam::{ACCOUNT}:user/deploy-bot"


def user(arn: str = USER, key: str = "AKIAIOSFODNN7EXAMPLE") -> dict[str, Any]:
    return {
        "type": "IAMUser",
        "principalId": "AIDAJ45Q7YFFAREXAMPLE",
        "arn": arn,
        "accountId": ACCOUNT,
        "accessKeyId": key,
        "userName": arn.rsplit("/", 1)[1],
    }


def session(
    session_name: str,
    *,
    role: str = ROLE,
    key: str = "ASIAEXAMPLESESSION01",
    source_identity: str | None = None,
    issuer: bool = True,
) -> dict[str, Any]:
    name = role.rsplit("/", 1)[1]
    context: dict[str, Any] = {
        "attributes": {"creationDate": "2026-11-02T10:00:00Z", "mfaAuthenticated": "false"}
    }
    if issuer:
        context["sessionIssuer"] = {
            "type": "Role",
            "principalId": "AROAIDPPEZS35WEXAMPLE",
            "arn": role,
            "accountId": ACCOUNT,
            "userName": name,
        }
    if source_identity is not None:
        context["sourceIdentity"] = source_identity
    return {
        "type": "AssumedRole",
        "principalId": f"AROAIDPPEZS35WEXAMPLE:{session_name}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session_name}",
        "accountId": ACCOUNT,
        "accessKeyId": key,
        "sessionContext": context,
    }


def service(name: str = "lambda.amazonaws.com") -> dict[str, Any]:
    return {"type": "AWSService", "invokedBy": name}


def event(
    identity: dict[str, Any],
    name: str,
    *,
    source: str = "s3.amazonaws.com",
    time: str = "2026-11-02T10:00:00Z",
    event_id: str = "00000000-0000-4000-8000-000000000001",
    error: str | None = None,
    resources: list[dict[str, Any]] | None = None,
    parameters: dict[str, Any] | None = None,
    response: dict[str, Any] | None = None,
    ip: str = "203.0.113.10",
    agent: str = "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux",
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": ip,
        "userAgent": agent,
        "requestParameters": parameters,
        "responseElements": response,
        "requestID": "EXAMPLE8B4D1F2A3",
        "eventID": event_id,
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": resources is None,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management" if resources is None else "Data",
    }
    if resources is not None:
        record["resources"] = resources
    if error is not None:
        record["errorCode"] = error
        record["errorMessage"] = f"User is not authorized to perform {name}"
    return record


def s3_object(bucket: str, key: str) -> list[dict[str, Any]]:
    return [
        {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
        {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"},
    ]


def log_key(
    day: datetime,
    *,
    region: str = "us-east-1",
    unique: str = "Mu0KsOhtH1ar15ZZ",
    org: bool = False,
    digest: bool = False,
) -> str:
    """Where CloudTrail delivers a file of ``day`` (org trails add the organization id)."""
    kind = "CloudTrail-Digest" if digest else "CloudTrail"
    base = f"AWSLogs/{ORG}/{ACCOUNT}" if org else f"AWSLogs/{ACCOUNT}"
    stamp = day.strftime("%Y%m%dT%H%MZ")
    return (
        f"{base}/{kind}/{region}/{day:%Y/%m/%d}/{ACCOUNT}_{kind}_{region}_{stamp}_{unique}.json.gz"
    )


def gz(records: list[dict[str, Any]]) -> bytes:
    return gzip.compress(json.dumps({"Records": records}).encode())


def write(root: Path, key: str, records: list[dict[str, Any]]) -> Path:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gz(records))
    return path

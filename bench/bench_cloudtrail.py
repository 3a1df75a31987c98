"""Benchmark: the CloudTrail reader over >= 5 million events.

Generates (cached under --work, by seed and size) a trail in CloudTrail's layout and record
format (``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz``, 90 days, two regions, a
file every ~30 minutes, plus digest files that must be skipped), with a realistic mix: agents
sharing roles told apart by source identity and hourly sessions started by AssumeRole calls with
session tags, IAM users, a federated user, the root user, AWS services acting for themselves and
through service-linked roles; S3 data events, KMS, DynamoDB, SQS, Lambda (versioned event names),
Secrets Manager, Bedrock, CloudWatch Logs, IAM and EC2 reads, events no table maps; 3 % access
denied and 1 % other errors. Each record carries the fields CloudTrail writes (requestID,
tlsDetails, additionalEventData, ...), ~1.2 KB of JSON.

Then reads it with ``CloudTrailConnector`` in a fresh process, twice: over the first fifth of
the days, and over all of them, and prints for each the events, CPU seconds, events per second
per core (events / CPU seconds of the one process) and peak memory, so that memory can be seen
flat in the number of events.

Run: python bench/bench_cloudtrail.py [--events 5000000] [--work DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

ACCOUNT = "111122223333"
REGIONS = ("us-east-1", "eu-west-1")
DAYS = 90
START = datetime(2026, 8, 1, tzinfo=UTC)
FILES_PER_DAY = 48  # per region

# (role path/name, the agents sharing it by source identity)
ROLES = [
    (f"/agents/team{t}/worker{r}", [f"agent-{t}-{r}-{a}" for a in range(3)])
    for t in range(4)
    for r in range(5)
]
USERS = [f"ci-bot-{i}" for i in range(5)]
# (eventSource, eventName, weight, kind of resource)
EVENTS = [
    ("s3.amazonaws.com", "GetObject", 22, "object"),
    ("s3.amazonaws.com", "PutObject", 8, "object"),
    ("s3.amazonaws.com", "HeadObject", 5, "object"),
    ("s3.amazonaws.com", "ListObjectsV2", 5, "bucket-param"),
    ("kms.amazonaws.com", "Decrypt", 8, "kms"),
    ("kms.amazonaws.com", "GenerateDataKey", 3, "kms"),
    ("dynamodb.amazonaws.com", "GetItem", 6, "table"),
    ("dynamodb.amazonaws.com", "PutItem", 3, "table"),
    ("sqs.amazonaws.com", "SendMessage", 4, "none"),
    ("sqs.amazonaws.com", "ReceiveMessage", 4, "none"),
    ("lambda.amazonaws.com", "Invoke", 3, "function"),
    ("lambda.amazonaws.com", "GetFunction20150331v2", 1, "none"),
    ("logs.amazonaws.com", "PutLogEvents", 5, "none"),
    ("secretsmanager.amazonaws.com", "GetSecretValue", 3, "none"),
    ("bedrock.amazonaws.com", "InvokeModel", 3, "none"),
    ("bedrock.amazonaws.com", "Converse", 2, "none"),
    ("iam.amazonaws.com", "GetRole", 1, "none"),
    ("ec2.amazonaws.com", "DescribeInstances", 2, "none"),
    ("ssm.amazonaws.com", "GetParameter", 2, "none"),
    ("signin.amazonaws.com", "ConsoleLogin", 0.2, "none"),
    ("execute-api.amazonaws.com", "CustomEventNotInAnyTable", 0.3, "none"),
]
_NAMES, _WEIGHTS = list(range(len(EVENTS))), [e[2] for e in EVENTS]
AGENTS = [
    "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11",
    "aws-sdk-go-v2/1.30.0 os/linux lang/go#1.22 md/GOOS#linux api/s3#1.58",
    "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2 prompt/off",
]


def _role_arn(path: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role{path}"


def _caller(rng: random.Random, hour: int) -> tuple[dict[str, object], tuple[str, str, str] | None]:
    """A userIdentity, and (access key, role arn, agent) when it is a role session."""
    pick = rng.random()
    if pick < 0.80:
        path, agents = ROLES[rng.randrange(len(ROLES))]
        agent = agents[rng.randrange(len(agents))]
        name = path.rsplit("/", 1)[1]
        key = f"ASIA{zlib.crc32(f'{path}|{agent}|{hour}'.encode()):012d}X"
        session = f"{agent}-{1785000000 + hour * 3600}"
        identity = {
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLE{name.upper()}:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session}",
            "accountId": ACCOUNT,
            "accessKeyId": key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROAEXAMPLE{name.upper()}",
                    "arn": _role_arn(path),
                    "accountId": ACCOUNT,
                    "userName": name,
                },
                "attributes": {"creationDate": "2026-08-01T00:00:00Z", "mfaAuthenticated": "false"},
                "sourceIdentity": agent,
            },
        }
        return identity, (key, _role_arn(path), agent)
    if pick < 0.90:
        name = USERS[rng.randrange(len(USERS))]
        return {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "userName": name,
            "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "accountId": ACCOUNT,
            "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
        }, None
    if pick < 0.96:
        return {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}, None
    if pick < 0.99:
        role = "/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
        return {
            "type": "AssumedRole",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/"
            "AWSServiceRoleForConfig/AWSConfig-Describe",
            "accountId": ACCOUNT,
            "accessKeyId": "ASIASERVICEEXAMPLE",
            "invokedBy": "config.amazonaws.com",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "arn": _role_arn(role), "accountId": ACCOUNT}
            },
        }, None
    if pick < 0.995:
        return {
            "type": "FederatedUser",
            "arn": f"arn:aws:sts::{ACCOUNT}:federated-user/Bob",
            "accountId": ACCOUNT,
            "principalId": f"{ACCOUNT}:Bob",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "IAMUser",
                    "accountId": ACCOUNT,
                    "arn": f"arn:aws:iam::{ACCOUNT}:user/federator",
                    "userName": "federator",
                }
            },
        }, None
    return {
        "type": "Root",
        "principalId": ACCOUNT,
        "arn": f"arn:aws:iam::{ACCOUNT}:root",
        "accountId": ACCOUNT,
    }, None


def _record(rng: random.Random, when: datetime, region: str, serial: int) -> dict[str, object]:
    hour = int((when - START).total_seconds() // 3600)
    identity, _ = _caller(rng, hour)
    source, name, _, kind = EVENTS[rng.choices(_NAMES, _WEIGHTS)[0]]
    record: dict[str, object] = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": f"10.{rng.randrange(4)}.{rng.randrange(8)}.{rng.randrange(30)}",
        "userAgent": AGENTS[rng.randrange(len(AGENTS))],
        "requestParameters": None,
        "responseElements": None,
        "requestID": f"{serial:016X}",
        "eventID": f"{serial:08x}-{rng.getrandbits(16):04x}-4"
        f"{rng.getrandbits(12):03x}-8{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}",
        "readOnly": name.startswith(("Get", "List", "Head", "Describe")),
        "eventType": "AwsApiCall",
        "managementEvent": kind not in ("object",),
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": source.replace("amazonaws", f"{region}.amazonaws"),
        },
    }
    bucket = f"data-{rng.randrange(6)}"
    if kind == "object":
        key = f"in/{rng.randrange(10**6)}.json"
        record["requestParameters"] = {
            "bucketName": bucket,
            "key": key,
            "Host": f"{bucket}.s3.amazonaws.com",
        }
        record["resources"] = [
            {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
            {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"},
        ]
        record["additionalEventData"] = {
            "SignatureVersion": "SigV4",
            "bytesTransferredIn": 0,
            "AuthenticationMethod": "AuthHeader",
            "bytesTransferredOut": 2048,
            "x-amz-id-2": f"{rng.getrandbits(128):032x}",
        }
        record["eventCategory"] = "Data"
    elif kind == "bucket-param":
        record["requestParameters"] = {"bucketName": bucket, "list-type": "2", "prefix": "in/"}
    elif kind == "kms":
        key = (
            f"arn:aws:kms:{region}:{ACCOUNT}:key/{rng.randrange(4):08d}-aaaa-bbbb-cccc-000000000000"
        )
        record["requestParameters"] = {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
        record["resources"] = [{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": key}]
    elif kind == "table":
        table = f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/jobs-{rng.randrange(3)}"
        record["requestParameters"] = {
            "tableName": table.rsplit("/", 1)[1],
            "key": {"id": {"S": "x"}},
        }
        record["resources"] = [{"accountId": ACCOUNT, "type": "AWS::DynamoDB::Table", "ARN": table}]
    elif kind == "function":
        function = f"arn:aws:lambda:{region}:{ACCOUNT}:function:tool-{rng.randrange(5)}"
        record["requestParameters"] = {"functionName": function}
        record["resources"] = [
            {"accountId": ACCOUNT, "type": "AWS::Lambda::Function", "ARN": function}
        ]
    draw = rng.random()
    if draw < 0.03:
        record["errorCode"] = (
            "AccessDenied" if source == "s3.amazonaws.com" else "AccessDeniedException"
        )
        record["errorMessage"] = f"User is not authorized to perform: {name}"
    elif draw < 0.04:
        record["errorCode"] = "ThrottlingException"
        record["errorMessage"] = "Rate exceeded"
    elif draw < 0.06:
        record["eventType"] = "AwsServiceEvent"
        record["userIdentity"] = {"accountId": ACCOUNT, "invokedBy": "AWS Internal"}
    return record


def _assume_roles(
    rng: random.Random, when: datetime, hour: int, serial: int
) -> list[dict[str, object]]:
    """The hour's AssumeRole calls: one per (role, agent) session, with session tags."""
    out = []
    for path, agents in ROLES:
        for agent in agents:
            key = f"ASIA{zlib.crc32(f'{path}|{agent}|{hour}'.encode()):012d}X"
            session = f"{agent}-{1785000000 + hour * 3600}"
            out.append(
                {
                    "eventVersion": "1.08",
                    "userIdentity": {"type": "AWSService", "invokedBy": "ecs-tasks.amazonaws.com"},
                    "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "eventSource": "sts.amazonaws.com",
                    "eventName": "AssumeRole",
                    "awsRegion": "us-east-1",
                    "sourceIPAddress": "ecs-tasks.amazonaws.com",
                    "userAgent": "ecs-tasks.amazonaws.com",
                    "requestParameters": {
                        "roleArn": _role_arn(path),
                        "roleSessionName": session,
                        "sourceIdentity": agent,
                        "tags": [{"key": "agent", "value": agent}],
                    },
                    "responseElements": {
                        "credentials": {
                            "accessKeyId": key,
                            "expiration": "x",
                            "sessionToken": "redacted",
                        },
                        "assumedRoleUser": {
                            "assumedRoleId": f"AROA:{session}",
                            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/x/{session}",
                        },
                    },
                    "requestID": f"{serial:016X}",
                    "eventID": f"assume-{hour}-{len(out)}",
                    "readOnly": True,
                    "resources": [
                        {"ARN": _role_arn(path), "accountId": ACCOUNT, "type": "AWS::IAM::Role"}
                    ],
                    "eventType": "AwsApiCall",
                    "managementEvent": True,
                    "recipientAccountId": ACCOUNT,
                }
            )
    return out


def generate(work: Path, events: int, seed: int = 19) -> Path:
    """The trail under work/trail-<events>-<seed> (reused when its manifest is there)."""
    root = work / f"trail-{events}-{seed}"
    manifest = root / "manifest.json"
    if manifest.exists():
        return root
    rng = random.Random(seed)
    files = DAYS * FILES_PER_DAY * len(REGIONS)
    per_file = -(-events // files)
    step = timedelta(minutes=24 * 60 // FILES_PER_DAY)
    serial = written = 0
    started = time.perf_counter()
    for day in range(DAYS):
        for slot in range(FILES_PER_DAY):
            delivered = START + timedelta(days=day) + step * (slot + 1)
            for region in REGIONS:
                records = []
                if region == "us-east-1" and slot % 2 == 0:
                    hour = int((delivered - step - START).total_seconds() // 3600)
                    records += _assume_roles(rng, delivered - step, hour, serial)
                for _ in range(per_file):
                    when = (
                        delivered
                        - step
                        + timedelta(seconds=rng.randrange(int(step.total_seconds())))
                    )
                    records.append(_record(rng, when, region, serial))
                    serial += 1
                folder = root / f"AWSLogs/{ACCOUNT}/CloudTrail/{region}/{delivered:%Y/%m/%d}"
                folder.mkdir(parents=True, exist_ok=True)
                unique = f"{rng.getrandbits(64):016x}"
                name = f"{ACCOUNT}_CloudTrail_{region}_{delivered:%Y%m%dT%H%MZ}_{unique}.json.gz"
                body = json.dumps({"Records": records}, separators=(",", ":")).encode()
                (folder / name).write_bytes(gzip.compress(body, compresslevel=6))
                written += len(records)
            if slot == 0:
                digest = (
                    root / f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-1/{delivered:%Y/%m/%d}"
                )
                digest.mkdir(parents=True, exist_ok=True)
                (
                    digest
                    / f"{ACCOUNT}_CloudTrail-Digest_us-east-1_x_{delivered:%Y%m%dT%H%MZ}.json.gz"
                ).write_bytes(gzip.compress(b'{"digestStartTime": "x"}'))
        print(f"generated day {day + 1}/{DAYS}: {written:,} events", file=sys.stderr, flush=True)
    manifest.write_text(
        json.dumps({"events": written, "seconds": round(time.perf_counter() - started)})
    )
    return root


def read(root: Path, days: int) -> dict[str, object]:
    """Read the trail's first ``days`` days in this process; the figures."""
    from nhiscan.connectors.aws.cloudtrail import CloudTrailConfig, CloudTrailConnector
    from nhiscan.connectors.base import CollectContext
    from nhiscan.scanner.activity import ActivityScope, ActivitySummary

    config = CloudTrailConfig(
        locations=(str(root),), since=START, until=START + timedelta(days=days)
    )
    cpu, wall = time.process_time(), time.perf_counter()
    summaries = uses = events = files = 0
    for record in CloudTrailConnector(config).collect(CollectContext(now=datetime.now(UTC))):
        if isinstance(record, ActivitySummary):
            summaries += 1
            uses += len(record.uses)
        elif isinstance(record, ActivityScope):
            events, files = record.events, record.files
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "days": days,
        "files": files,
        "events": events,
        "summaries": summaries,
        "uses": uses,
        "cpu_seconds": round(cpu, 1),
        "wall_seconds": round(wall, 1),
        "events_per_second_per_core": round(events / cpu),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/nhiscan-bench/cloudtrail"))
    parser.add_argument("--read-days", type=int, help=argparse.SUPPRESS)  # the child process
    options = parser.parse_args()
    root = generate(options.work, options.events)
    if options.read_days:
        print(json.dumps(read(root, options.read_days)), flush=True)
        return
    for days in (DAYS // 5, DAYS):
        child = [
            sys.executable,
            __file__,
            "--events",
            str(options.events),
            "--work",
            str(options.work),
            "--read-days",
            str(days),
        ]
        print(subprocess.run(child, check=True, capture_output=True, text=True).stdout, end="")


if __name__ == "__main__":
    main()

"""Benchmark: the Cloud Audit Logs reader over >= 1 million entries, and its JSON parser.

Generates (cached under --work, by seed and size) a Cloud Storage sink's export in its layout
(``cloudaudit.googleapis.com/{activity,data_access}/YYYY/MM/DD/HH:00:00_HH:59:59_S0.json``,
one ``LogEntry`` per line, 30 days, a file per hour and log) in the documented ``AuditLog``
shape (https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog),
each entry with the fields Logging writes (``requestMetadata.requestAttributes``,
``destinationAttributes``, ``resourceLocation``, a ``request`` and ``resource.labels``), ~1.3 KB
of JSON. The mix: 24 agents' service accounts over three projects, a third of their calls
through impersonation (a delegation chain naming the agent's runner), CI accounts, people,
Google-managed service agents acting for themselves; Cloud Storage (objects folded into their
buckets), BigQuery, Secret Manager, Pub/Sub, Compute reads, IAM; an entry in 25 checks two
permissions, 4 % PERMISSION_DENIED, 2 % methods with no authorizationInfo (unmapped).

Then, in fresh processes: the parsers on one day of entries (json, msgspec untyped, msgspec
typed: the reader's), decode only, entries per CPU second; and ``GcpAuditLogConnector`` over
the first fifth of the days and over all of them: entries, CPU seconds, entries per second per
core and peak memory, so that memory can be seen flat in the number of entries.

Run: python bench/bench_gcp_audit.py [--entries 1000000] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

DAYS = 30
START = datetime(2026, 9, 1, tzinfo=UTC)
PROJECTS = ("acme-data", "acme-prod", "acme-ml")
AGENTS = [f"agent-{i:02d}@{PROJECTS[i % 3]}.iam.gserviceaccount.com" for i in range(24)]
RUNNERS = [f"runner-{i}@acme-build.iam.gserviceaccount.com" for i in range(4)]
CI = [f"ci-{i}@acme-build.iam.gserviceaccount.com" for i in range(3)]
PEOPLE = [f"person{i}@acme.example" for i in range(6)]
SERVICE_AGENTS = [
    f"service-{100000 + i}@gcp-sa-aiplatform.iam.gserviceaccount.com" for i in range(2)
]
SM = "google.cloud.secretmanager.v1.SecretManagerService"
BQ = "google.cloud.bigquery.v2"
# (serviceName, methodName, permission, weight, resource kind, log)
METHODS = [
    (
        "storage.googleapis.com",
        "storage.objects.get",
        "storage.objects.get",
        26,
        "object",
        "data_access",
    ),
    (
        "storage.googleapis.com",
        "storage.objects.create",
        "storage.objects.create",
        8,
        "object",
        "data_access",
    ),
    (
        "storage.googleapis.com",
        "storage.objects.list",
        "storage.objects.list",
        6,
        "bucket",
        "data_access",
    ),
    (
        "bigquery.googleapis.com",
        f"{BQ}.JobService.InsertJob",
        "bigquery.jobs.create",
        8,
        "project",
        "data_access",
    ),
    (
        "bigquery.googleapis.com",
        f"{BQ}.TableDataService.List",
        "bigquery.tables.getData",
        8,
        "table",
        "data_access",
    ),
    (
        "secretmanager.googleapis.com",
        f"{SM}.AccessSecretVersion",
        "secretmanager.versions.access",
        7,
        "secret",
        "data_access",
    ),
    (
        "pubsub.googleapis.com",
        "google.pubsub.v1.Publisher.Publish",
        "pubsub.topics.publish",
        7,
        "topic",
        "data_access",
    ),
    (
        "compute.googleapis.com",
        "v1.compute.instances.get",
        "compute.instances.get",
        5,
        "instance",
        "data_access",
    ),
    (
        "iam.googleapis.com",
        "google.iam.admin.v1.ListServiceAccounts",
        "iam.serviceAccounts.list",
        3,
        "project",
        "data_access",
    ),
    (
        "iam.googleapis.com",
        "google.iam.admin.v1.CreateServiceAccountKey",
        "iam.serviceAccountKeys.create",
        1,
        "sa",
        "activity",
    ),
    (
        "cloudresourcemanager.googleapis.com",
        "SetIamPolicy",
        "resourcemanager.projects.setIamPolicy",
        1,
        "project",
        "activity",
    ),
    (
        "compute.googleapis.com",
        "v1.compute.instances.insert",
        "compute.instances.create",
        2,
        "instance",
        "activity",
    ),
]


def _resource(kind: str, project: str, rng: random.Random) -> str:
    bucket = f"projects/_/buckets/{project}-data-{rng.randrange(8)}"
    return {
        "object": f"{bucket}/objects/batch/{rng.randrange(10**6)}.parquet",
        "bucket": bucket,
        "project": f"projects/{project}",
        "table": f"projects/{project}/datasets/ds{rng.randrange(4)}/tables/t{rng.randrange(50)}",
        "secret": f"projects/{project}/secrets/s{rng.randrange(6)}/versions/latest",
        "topic": f"projects/{project}/topics/events-{rng.randrange(5)}",
        "instance": f"projects/{project}/zones/us-central1-a/instances/vm-{rng.randrange(20)}",
        "sa": f"projects/-/serviceAccounts/{rng.choice(AGENTS)}",
    }[kind]


def _caller(rng: random.Random) -> tuple[str, list[str]]:
    roll = rng.random()
    if roll < 0.8:
        agent = rng.choice(AGENTS)
        return agent, [rng.choice(RUNNERS)] if rng.random() < 0.33 else []
    if roll < 0.9:
        return rng.choice(CI), []
    if roll < 0.96:
        return rng.choice(PEOPLE), []
    return rng.choice(SERVICE_AGENTS), []


def entry(moment: datetime, rng: random.Random, serial: int) -> tuple[str, dict[str, object]]:
    service, method, permission, _, kind, log = rng.choices(METHODS, WEIGHTS)[0]
    email, chain = _caller(rng)
    project = PROJECTS[serial % 3]
    target = _resource(kind, project, rng)
    denied = rng.random() < 0.04
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randrange(10**9):09d}Z"
    authentication: dict[str, object] = {"principalEmail": email}
    if chain:
        authentication["serviceAccountDelegationInfo"] = [
            {"firstPartyPrincipal": {"principalEmail": who}} for who in chain
        ]
    payload: dict[str, object] = {
        "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        "status": {"code": 7, "message": "PERMISSION_DENIED"} if denied else {},
        "authenticationInfo": authentication,
        "requestMetadata": {
            "callerIp": f"10.{rng.randrange(4)}.{rng.randrange(256)}.{rng.randrange(256)}",
            "callerSuppliedUserAgent": rng.choice(
                [
                    "google-cloud-sdk gcloud/470.0.0 command/gcloud.storage.cp",
                    "gcloud-python/3.1.0 gl-python/3.11.7 grpc/1.62.0 gax/2.17.1",
                    "agent-runtime/2.4 (gzip),gzip(gfe)",
                ]
            ),
            "requestAttributes": {"time": stamp, "auth": {}},
            "destinationAttributes": {},
        },
        "serviceName": service,
        "methodName": method,
        "resourceName": target,
        "resourceLocation": {"currentLocations": ["us-central1"]},
        "request": {"@type": f"type.googleapis.com/{method}Request", "name": target},
    }
    if rng.random() >= 0.02:
        checks = [{"resource": target, "permission": permission, "resourceAttributes": {}}]
        if rng.random() < 0.04:
            checks.append(
                {
                    "resource": f"projects/{project}",
                    "permission": "resourcemanager.projects.get",
                    "resourceAttributes": {},
                }
            )
        for check in checks:
            if not denied:
                check["granted"] = True
        payload["authorizationInfo"] = checks
    return log, {
        "protoPayload": payload,
        "insertId": f"{serial:x}e{rng.randrange(16**6):06x}",
        "resource": {
            "type": "audited_resource",
            "labels": {"project_id": project, "service": service, "method": method},
        },
        "timestamp": stamp,
        "severity": "ERROR" if denied else "INFO",
        "logName": f"projects/{project}/logs/cloudaudit.googleapis.com%2F{log}",
        "receiveTimestamp": stamp,
    }


WEIGHTS = [m[3] for m in METHODS]


def generate(work: Path, entries: int) -> Path:
    root = work / f"sink-{entries}"
    manifest = work / f"sink-{entries}.manifest.json"
    if manifest.exists():
        return root
    rng = random.Random(19)
    per_hour = entries // (DAYS * 24)
    written = 0
    started = time.perf_counter()
    for hour in range(DAYS * 24):
        moment = START + timedelta(hours=hour)
        files: dict[str, list[str]] = {"activity": [], "data_access": []}
        for i in range(per_hour):
            log, record = entry(moment + timedelta(seconds=i * 3600 // per_hour), rng, written)
            files[log].append(json.dumps(record))
            written += 1
        for log, lines in files.items():
            if not lines:
                continue
            folder = root / f"cloudaudit.googleapis.com/{log}/{moment:%Y/%m/%d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{moment:%H}:00:00_{moment:%H}:59:59_S0.json").write_text(
                "\n".join(lines) + "\n"
            )
        if hour % 24 == 23:
            print(f"generated day {hour // 24 + 1}/{DAYS}: {written:,} entries", file=sys.stderr)
    manifest.write_text(
        json.dumps({"entries": written, "seconds": round(time.perf_counter() - started)})
    )
    return root


def parsers(root: Path) -> dict[str, object]:
    """Decode one day's files with each parser: entries per CPU second."""
    import msgspec

    from nhiscan.connectors.auditlog.files import records
    from nhiscan.connectors.gcp.audit_wire import DECODERS

    first = f"{START:%Y/%m/%d}"
    paths = sorted(root.glob(f"cloudaudit.googleapis.com/*/{first}/*.json"))
    data = [path.read_bytes() for path in paths]
    count = sum(blob.count(b"\n") for blob in data)
    untyped = msgspec.json.Decoder()
    candidates = {
        "json": lambda blob: [json.loads(line) for line in blob.splitlines() if line],
        "msgspec untyped": lambda blob: [
            untyped.decode(line) for line in blob.splitlines() if line
        ],
        "msgspec typed": lambda blob: records(blob, "x", DECODERS, "an entry"),
    }
    figures: dict[str, object] = {"entries": count}
    for name, decode in candidates.items():
        cpu = time.process_time()
        for blob in data:
            decode(blob)
        figures[name] = round(count / (time.process_time() - cpu))
    return figures


def read(root: Path, days: int) -> dict[str, object]:
    """Read the export's first ``days`` days in this process; the figures."""
    from nhiscan.connectors.activity_window import Window
    from nhiscan.connectors.base import CollectContext
    from nhiscan.connectors.gcp.audit_log import GcpAuditLogConfig, GcpAuditLogConnector
    from nhiscan.scanner.activity import ActivityScope, ActivitySummary

    config = GcpAuditLogConfig(
        locations=(str(root),), window=Window(since=START, until=START + timedelta(days=days))
    )
    cpu, wall = time.process_time(), time.perf_counter()
    summaries = uses = events = files = 0
    for record in GcpAuditLogConnector(config).collect(CollectContext(now=datetime.now(UTC))):
        if isinstance(record, ActivitySummary):
            summaries += 1
            uses += len(record.uses)
        elif isinstance(record, ActivityScope):
            events, files = record.events, record.files
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "days": days,
        "files": files,
        "entries": events,
        "summaries": summaries,
        "uses": uses,
        "cpu_seconds": round(cpu, 1),
        "wall_seconds": round(wall, 1),
        "entries_per_second_per_core": round(events / cpu),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/nhiscan-bench/gcp-audit"))
    parser.add_argument("--child", help=argparse.SUPPRESS)  # "parsers" or a number of days
    options = parser.parse_args()
    root = generate(options.work, options.entries)
    if options.child:
        figures = parsers(root) if options.child == "parsers" else read(root, int(options.child))
        print(json.dumps(figures), flush=True)
        return
    for child in ("parsers", str(DAYS // 5), str(DAYS)):
        command = [sys.executable, __file__, "--entries", str(options.entries)]
        command += ["--work", str(options.work), "--child", child]
        print(subprocess.run(command, check=True, capture_output=True, text=True).stdout, end="")


if __name__ == "__main__":
    main()

"""The Cloud Audit Logs reader: a Cloud Storage sink's files and gcloud's JSON, on disk and
gzip; callers (service accounts, impersonation chains, service agents, people), permissions
from authorizationInfo, refusals, unmapped methods, the window, broken files named at their
line and unreadable folders as gaps; joined to the demo's GCP inventory in report.json."""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nhiscan.cli import cli
from nhiscan.connectors.activity_window import Window
from nhiscan.connectors.auditlog.summary import BadEntry, stamp
from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.gcp.audit_log import GcpAuditLogConfig, GcpAuditLogConnector
from nhiscan.errors import ConnectorError
from nhiscan.scanner.activity import ActivityScope, ActivitySummary, Outcome
from nhiscan.scanner.model import CollectionGap, GapReason, Record
from tests.connectors.auditlog_data import (
    BUCKET,
    ETL,
    GCP_PROJECT,
    HUMAN,
    REPORT_AGENT,
    SERVICE_AGENT,
    gcp_entry,
    sink_path,
    write_array,
    write_lines,
)

NOW = datetime(2026, 11, 10, tzinfo=UTC)
DAY = datetime(2026, 11, 2, 10, 5, tzinfo=UTC)


def collect(
    *locations: str, window: Window | None = None, as_of: datetime | None = None
) -> list[Record]:
    config = GcpAuditLogConfig(locations=locations, window=window or Window())
    return list(GcpAuditLogConnector(config).collect(CollectContext(now=NOW, as_of=as_of)))


def summaries(records: list[Record]) -> list[ActivitySummary]:
    return [r for r in records if isinstance(r, ActivitySummary)]


def scope(records: list[Record]) -> ActivityScope:
    (found,) = [r for r in records if isinstance(r, ActivityScope)]
    return found


def one(records: list[Record], identity: str, **fields: Any) -> ActivitySummary:
    (found,) = [
        s
        for s in summaries(records)
        if s.identity == identity and all(getattr(s, k) == v for k, v in fields.items())
    ]
    return found


def test_a_sinks_files_become_summaries_of_the_inventorys_service_accounts(tmp_path: Path) -> None:
    write_lines(
        sink_path(tmp_path, DAY),
        [
            gcp_entry(DAY, insert_id="a1"),
            gcp_entry(
                DAY + timedelta(minutes=1),
                insert_id="a2",
                resource="projects/_/buckets/acme-loan-files/objects/b.pdf",
            ),
        ],
    )
    write_lines(
        sink_path(tmp_path, DAY + timedelta(days=1)),
        [
            gcp_entry(DAY + timedelta(days=1), insert_id="a3", ip="10.9.9.9"),
        ],
        compress=True,
    )
    records = collect(str(tmp_path))
    summary = one(records, REPORT_AGENT)
    assert summary.principal == "service-account" and summary.account == GCP_PROJECT
    assert summary.assumed_by is None and summary.count == 3
    (use,) = summary.uses
    # objects folded into their bucket, as the GCP provider spells resources
    assert (use.action, use.resource, use.outcome) == (
        "storage.objects.get",
        BUCKET,
        Outcome.ALLOWED,
    )
    assert use.event == "storage.googleapis.com:storage.objects.get"
    assert [s.id for s in use.samples] == ["a1", "a2", "a3"]
    assert use.samples[2].source.endswith("_S0.json.gz")
    assert use.first_seen == DAY.replace(second=0) and use.last_seen == DAY + timedelta(days=1)
    assert summary.source_ips == ("10.1.2.3", "10.9.9.9")
    assert summary.user_agents == ("google-cloud-sdk gcloud/470.0.0",)
    assert [(d.day.day, d.service, d.count) for d in summary.daily] == [
        (2, "storage", 2),
        (3, "storage", 1),
    ]
    found = scope(records)
    assert (found.files, found.events, found.accounts) == (2, 3, (GCP_PROJECT,))


def test_gcloud_json_output_is_read_as_the_same_entries(tmp_path: Path) -> None:
    path = write_array(tmp_path / "read.json", [gcp_entry(DAY, insert_id="g1")])
    (summary,) = summaries(collect(str(path)))
    assert summary.identity == REPORT_AGENT and summary.uses[0].samples[0].id == "g1"


def test_impersonation_chains_service_agents_people_and_unnamed_callers(tmp_path: Path) -> None:
    write_lines(
        sink_path(tmp_path, DAY),
        [
            # report-agent impersonated by etl-export, itself impersonated by a person: the
            # original caller is who it acted for
            gcp_entry(DAY, delegation=[HUMAN, ETL], insert_id="i1"),
            gcp_entry(DAY, insert_id="i2"),
            # a Google-managed service agent acting for itself: counted apart, by service
            gcp_entry(
                DAY, email=SERVICE_AGENT, service="aiplatform.googleapis.com", insert_id="s1"
            ),
            # the same agent impersonating a customer's account is that account's activity
            gcp_entry(DAY, email=ETL, delegation=[SERVICE_AGENT], insert_id="s2"),
            gcp_entry(DAY, email=HUMAN, insert_id="h1"),
            gcp_entry(DAY, email=None, insert_id="n1"),
            {
                "insertId": "x1",
                "timestamp": "2026-11-02T10:05:00Z",
                "logName": f"projects/{GCP_PROJECT}/logs/syslog",
                "textPayload": "hello",
            },
        ],
    )
    records = collect(str(tmp_path))
    assert one(records, REPORT_AGENT, assumed_by=HUMAN).count == 1
    assert one(records, REPORT_AGENT, assumed_by=None).count == 1
    assert one(records, ETL, assumed_by=SERVICE_AGENT).principal == "service-account"
    assert one(records, HUMAN).principal == "user"
    assert not [s for s in summaries(records) if s.identity == SERVICE_AGENT]
    found = scope(records)
    assert found.service_events == {"aiplatform.googleapis.com": 1}
    assert found.unattributed == {"(no principal)": 1, "(not an AuditLog entry)": 1}
    assert found.events == 7


def test_permissions_checked_refusals_and_unmapped_methods(tmp_path: Path) -> None:
    bucket = "projects/_/buckets/acme-loan-files"
    write_lines(
        sink_path(tmp_path, DAY),
        [
            # two permissions checked: two uses
            gcp_entry(
                DAY,
                method="storage.objects.rewrite",
                insert_id="r1",
                checks=[
                    ("storage.objects.get", f"{bucket}/objects/a", True),
                    ("storage.objects.create", f"{bucket}/objects/b", True),
                ],
            ),
            # refused: status 7, the check not granted
            gcp_entry(
                DAY,
                method="storage.objects.delete",
                code=7,
                insert_id="d1",
                checks=[("storage.objects.delete", f"{bucket}/objects/a", None)],
            ),
            # a method with no authorizationInfo: unmapped, never guessed from its name
            gcp_entry(
                DAY,
                method="google.example.v1.Thing.Do",
                service="example.googleapis.com",
                checks=[],
                resource="projects/acme-data/things/t",
                insert_id="u1",
            ),
        ],
    )
    records = collect(str(tmp_path))
    summary = one(records, REPORT_AGENT)
    uses = {(u.action, u.outcome): u for u in summary.uses}
    assert set(uses) == {
        ("storage.objects.get", Outcome.ALLOWED),
        ("storage.objects.create", Outcome.ALLOWED),
        ("storage.objects.delete", Outcome.DENIED),
        (None, Outcome.ALLOWED),
    }
    assert uses["storage.objects.delete", Outcome.DENIED].error == "PERMISSION_DENIED"
    unmapped = uses[None, Outcome.ALLOWED]
    assert unmapped.event == "example.googleapis.com:google.example.v1.Thing.Do"
    assert unmapped.resource == "//example.googleapis.com/projects/acme-data/things/t"
    assert summary.count == 4 == sum(u.count for u in summary.uses)
    found = scope(records)
    assert found.unmapped == {"example.googleapis.com:google.example.v1.Thing.Do": 1}
    assert found.events == 3  # entries, not permission checks


def test_the_window_and_files_skipped_by_their_path_day(tmp_path: Path) -> None:
    early = DAY - timedelta(days=30)
    write_lines(sink_path(tmp_path, early), [gcp_entry(early)])
    write_lines(
        sink_path(tmp_path, DAY),
        [
            gcp_entry(DAY - timedelta(minutes=10), insert_id="in"),
            gcp_entry(DAY + timedelta(days=1), insert_id="out"),
        ],
    )
    window = Window(since=DAY - timedelta(days=1), until=DAY)
    records = collect(str(tmp_path), window=window)
    (summary,) = summaries(records)
    assert [s.id for s in summary.uses[0].samples] == ["in"]
    found = scope(records)
    assert (found.skipped_files, found.files, found.since, found.until) == (
        1,
        1,
        DAY - timedelta(days=1),
        DAY,
    )
    # --as-of ends the default window: the 90 days before it
    as_of = DAY - timedelta(days=20)
    found = scope(collect(str(tmp_path), as_of=as_of))
    assert (found.since, found.until, found.events) == (as_of - timedelta(days=90), as_of, 1)


def test_broken_files_are_errors_naming_the_file_and_line(tmp_path: Path) -> None:
    good = json.dumps(gcp_entry(DAY))
    path = sink_path(tmp_path, DAY)
    path.parent.mkdir(parents=True)
    path.write_text(f"{good}\n\n{good}\n{good[:200]}\n")
    with pytest.raises(ConnectorError, match=r"_S0\.json:4: not a Cloud Audit Logs entry"):
        collect(str(tmp_path))
    path.write_bytes(gzip.compress(f"{good}\n".encode())[:-20])
    path.rename(path.with_name(path.name + ".gz"))
    with pytest.raises(ConnectorError, match=r"_S0\.json\.gz: the gzip data is cut short"):
        collect(str(tmp_path))


def test_a_bad_element_of_gclouds_array_or_a_bad_time_is_named_at_its_line(tmp_path: Path) -> None:
    bad = gcp_entry(DAY)
    bad["timestamp"] = 12
    path = write_array(tmp_path / "read.json", [gcp_entry(DAY), bad])
    with pytest.raises(
        ConnectorError, match=r"read\.json:\d+: not a Cloud Audit Logs entry"
    ) as err:
        collect(str(path))
    line = int(str(err.value).split(":")[1])
    assert path.read_text().splitlines()[line - 1].strip() == "{"
    assert line > 3  # the second element's opening brace, not the first's
    bad["timestamp"] = "yesterday"
    write_lines(path, [gcp_entry(DAY), bad])
    with pytest.raises(ConnectorError, match=r"read\.json:2: the time 'yesterday'"):
        collect(str(path))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_a_folder_that_cannot_be_read_is_a_gap_not_an_absence(tmp_path: Path) -> None:
    write_lines(sink_path(tmp_path, DAY), [gcp_entry(DAY)])
    locked = tmp_path / "cloudaudit.googleapis.com" / "activity"
    locked.mkdir()
    locked.chmod(0)
    try:
        records = collect(str(tmp_path))
    finally:
        locked.chmod(0o755)
    (gap,) = [r for r in records if isinstance(r, CollectionGap)]
    assert gap.reason is GapReason.ACCESS_DENIED and gap.subject == str(locked)
    assert "unknown, not absent" in gap.detail
    assert one(records, REPORT_AGENT).count == 1


def test_a_missing_location_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match=r"--gcp-audit-log .*no such file or folder"):
        collect(str(tmp_path / "nowhere"))


def test_report_json_names_the_inventorys_service_accounts(tmp_path: Path) -> None:
    from nhiscan.connectors.demo import gcp as demo_gcp

    recent = datetime.now(UTC) - timedelta(days=2)
    write_lines(
        sink_path(tmp_path / "logs", recent),
        [
            gcp_entry(recent, insert_id="r1"),
            gcp_entry(recent, email="ghost@acme-data.iam.gserviceaccount.com", insert_id="r2"),
        ],
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "scan",
            "--gcp-assets",
            str(demo_gcp.EXPORT),
            "--gcp-audit-log",
            str(tmp_path / "logs"),
            "--activity-since",
            f"{recent - timedelta(days=1):%Y-%m-%d}",
            "--no-store",
            "--no-agents",
            "-o",
            str(out),
            "--format",
            "json",
        ],
    )
    assert result.exit_code in (0, 1), result.output
    activity = json.loads((out / "report.json").read_text())["activity"]
    entries = {entry["identity"]: entry for entry in activity["identities"]}
    assert entries[REPORT_AGENT]["in_inventory"] is True
    assert entries[REPORT_AGENT]["kind"] == "service-account"
    assert entries[REPORT_AGENT]["actions"] == ["storage.objects.get"]
    assert entries["ghost@acme-data.iam.gserviceaccount.com"]["in_inventory"] is False
    assert activity["not_in_inventory"] == 1
    (source,) = activity["sources"]
    assert source["provider"] == "gcp" and source["accounts"] == [GCP_PROJECT]


def test_a_folder_whose_listing_fails_is_a_gap_even_for_root(tmp_path: Path) -> None:
    """A folder nested past PATH_MAX cannot be listed by its path (ENAMETOOLONG), whoever
    reads it: the walk's error is a gap, and what could be read is still read."""
    write_lines(sink_path(tmp_path, DAY), [gcp_entry(DAY)])
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        for _ in range(40):
            os.mkdir("d" * 200, dir_fd=fd)
            inner = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    records = collect(str(tmp_path))
    gaps = [r for r in records if isinstance(r, CollectionGap)]
    assert gaps and all(g.reason is GapReason.FAILED and g.operation == "read" for g in gaps)
    assert one(records, REPORT_AGENT).count == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-02T10:05:00.123456789Z", "2026-11-02T10:05:00Z"),  # Logging's nanoseconds
        ("2026-11-02T10:05:00Z", "2026-11-02T10:05:00Z"),
        ("2026-11-02T10:05:00.123456+00:00", "2026-11-02T10:05:00Z"),  # az's offset
        ("2026-11-02T10:05:00.1234567+01:00", "2026-11-02T09:05:00Z"),  # another offset
        ("2026-11-02T10:05:00", "2026-11-02T10:05:00Z"),  # no zone: UTC
    ],
)
def test_times_are_normalised_to_the_second_in_utc(text: str, expected: str) -> None:
    assert stamp(text, 1) == expected


@pytest.mark.parametrize(
    "text", ["2026-11-02T10:05:60Z", "2026-13-02T10:05:00Z", "2026-11-02T10:05:0xZ", "soon", 12]
)
def test_a_time_that_is_none_is_refused(text: object) -> None:
    with pytest.raises(BadEntry, match="is not an ISO 8601 date-time"):
        stamp(text, 3)

"""Activity records through the codec, the snapshot and its check."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from nhiscan.errors import SnapshotError
from nhiscan.scanner import snapshot as snap
from nhiscan.scanner.activity import (
    ActionUse,
    ActivityScope,
    ActivitySummary,
    DailyCount,
    EventRef,
    Outcome,
    ServiceAccess,
)
from nhiscan.scanner.codec import decode, encode
from nhiscan.scanner.model import Provider, ToolInfo

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
ROLE = "arn:aws:iam::111122223333:role/agents/intake"
DAY0, DAY1 = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)
LATER = datetime(2026, 11, 5, tzinfo=UTC)


def use(count: int = 2, **fields: object) -> ActionUse:
    values: dict[str, object] = dict(
        action="s3:GetObject",
        event="s3.amazonaws.com:GetObject",
        resource="arn:aws:s3:::in/*",
        outcome=Outcome.ALLOWED,
        first_seen=T0,
        last_seen=T1,
        count=count,
        samples=(EventRef(id="e1", time=T0, source="s3://trail/AWSLogs/x.json.gz"),),
    )
    return ActionUse(**{**values, **fields})  # type: ignore[arg-type]


def summary(**fields: object) -> ActivitySummary:
    values: dict[str, object] = dict(
        provider=Provider.AWS,
        identity=ROLE,
        principal="role-session",
        account="111122223333",
        first_seen=T0,
        last_seen=T1,
        count=3,
        source_identity="intake-b",
        session_name="intake-b-*",
        session_tags={"agent": "intake-b"},
        assumed_by="arn:aws:iam::111122223333:user/launcher",
        uses=(
            use(),
            use(
                1,
                action=None,
                event="signin.amazonaws.com:ConsoleLogin",
                resource="*",
                outcome=Outcome.DENIED,
                error="AccessDenied",
            ),
        ),
        source_ips=("203.0.113.10",),
        user_agents=("Boto3/1.34.0",),
        daily=(
            DailyCount(day=DAY0, service="s3", count=1),
            DailyCount(day=DAY0, service="signin", count=1),
            DailyCount(day=DAY1, service="s3", count=1),
        ),
    )
    return ActivitySummary(**{**values, **fields})  # type: ignore[arg-type]


def scope() -> ActivityScope:
    return ActivityScope(
        provider=Provider.AWS,
        source="s3://trail/AWSLogs/",
        since=T0,
        until=T1,
        files=4,
        skipped_files=1,
        events=9,
        service_events={"lambda.amazonaws.com": 2},
        unmapped={"signin.amazonaws.com:ConsoleLogin": 1},
        set_limit=20,
        sample_limit=3,
    )


def a_snapshot(*summaries: ActivitySummary) -> snap.Snapshot:
    return snap.Snapshot(
        tool=ToolInfo(name="nhiscan", version="0"),
        collected_at=T1,
        activity=summaries or (summary(),),
        activity_sources=(scope(),),
    )


def test_records_round_trip_exactly() -> None:
    for record in (summary(), scope()):
        assert decode(type(record), json.loads(json.dumps(encode(record)))) == record
    loaded = snap.from_json(snap.to_json(a_snapshot()))
    assert loaded == a_snapshot()
    assert loaded.activity[0].uses[1].outcome is Outcome.DENIED


def test_a_snapshot_without_activity_is_written_and_read_as_before() -> None:
    """No schema version is spent: the lists are left out while empty, read as empty when
    absent (as ``workflows``)."""
    data = json.loads(snap.to_json(a_snapshot()))
    assert {"activity", "activity_sources"} <= set(data)
    del data["activity"], data["activity_sources"]
    loaded = snap.from_json(json.dumps(data))
    assert (loaded.activity, loaded.activity_sources, loaded.schema_version) == ((), (), 2)
    assert "activity" not in json.loads(snap.to_json(loaded))


ZERO = DailyCount(day=DAY1, service="s3", count=0)


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (summary(count=7), r"activity\[0\] \(.*intake\): count is 7 but its uses count 3"),
        (summary(first_seen=T1, last_seen=T0), "first_seen is after last_seen"),
        (summary(count=0, uses=(use(0),), daily=()), r"uses\[0\] \(s3.amazonaws.com:GetObject\)"),
        (
            summary(daily=(DailyCount(day=DAY0, service="s3", count=2),)),
            r"count is 3 but its daily counts sum to 2",
        ),
        (
            summary(daily=(DailyCount(day=DAY0, service="s3", count=3), ZERO)),
            r"daily\[1\] \(s3 on 2026-11-03\): count 0",
        ),
        (
            summary(daily=(DailyCount(day=LATER, service="s3", count=3),)),
            r"daily\[0\] \(s3 on 2026-11-05\).*from 2026-11-02 to 2026-11-03",
        ),
        (
            summary(daily=(DailyCount(day=DAY0, service="s3", count=1),) * 3),
            r"daily\[1\] \(s3 on 2026-11-02\).*once per day and service",
        ),
    ],
)
def test_the_check_refuses_summaries_that_do_not_add_up(
    broken: ActivitySummary, problem: str
) -> None:
    with pytest.raises(SnapshotError, match=problem):
        snap.from_json(snap.to_json(a_snapshot(broken)), source="cut.json")


def test_a_summary_without_daily_counts_is_read_as_before() -> None:
    """Snapshots written before the daily counts existed have none: nothing to check."""
    snap.from_json(snap.to_json(a_snapshot(summary(daily=()))))


def test_one_session_has_one_summary_and_another_agent_another() -> None:
    other = replace(summary(), source_identity="intake-a")
    snap.from_json(snap.to_json(a_snapshot(summary(), other)))
    with pytest.raises(SnapshotError, match=r"activity\[0\] and activity\[1\]"):
        snap.from_json(snap.to_json(a_snapshot(summary(), summary())))


def test_a_bad_field_names_the_summary() -> None:
    data = json.loads(snap.to_json(a_snapshot()))
    data["activity"][0]["uses"][0]["outcome"] = "maybe"
    with pytest.raises(SnapshotError, match=r"activity\[0\] \(arn:.*intake\): uses\[0\]\.outcome"):
        snap.from_json(json.dumps(data))


def access(service: str = "s3", last: datetime | None = T1) -> ServiceAccess:
    return ServiceAccess(provider=Provider.AWS, identity=ROLE, service=service,
                         last_accessed=last, entity=ROLE, tracked_since=T0,
                         account="111122223333")  # fmt: skip


def test_service_access_is_an_optional_list_that_round_trips() -> None:
    """Written only when read (as ``activity``); a scope from the event history says it holds
    management events only, and older scopes read as full trails."""
    history = replace(scope(), management_only=True, notes=("cut to 90 days",))
    records = replace(a_snapshot(), service_access=(access(), access("sqs", None)),
                      activity_sources=(history,))  # fmt: skip
    loaded = snap.from_json(snap.to_json(records))
    assert loaded == records
    data = json.loads(snap.to_json(a_snapshot()))
    assert "service_access" not in data and "management_only" not in data["activity_sources"][0]
    assert snap.from_json(json.dumps(data)).activity_sources[0].management_only is False


def test_one_service_of_one_identity_is_said_once() -> None:
    twice = replace(a_snapshot(), service_access=(access(), access(last=T0)))
    with pytest.raises(SnapshotError, match=r"service_access\[0\] and service_access\[1\]"):
        snap.from_json(snap.to_json(twice))

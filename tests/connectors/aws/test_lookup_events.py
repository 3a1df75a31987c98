"""CloudTrail's event history (LookupEvents) read by the real boto3 client, answered at the HTTP
layer in the service's documented wire format (JSON 1.1: ``Events[]`` with the full record as
the ``CloudTrailEvent`` string, ``NextToken``; errors as ``__type``): paging, a throttle retried,
the cap, the window cut to the 90 days kept, refusals and moto's missing call as gaps, and the
same summaries as the same events read from a trail's files.
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from nhiscan.connectors.aws.clients import RETRY_CONFIG, Clients
from nhiscan.connectors.aws.cloudtrail import CloudTrailConfig, CloudTrailConnector
from nhiscan.connectors.aws.lookup_events import LookupConfig, LookupSink
from nhiscan.connectors.base import CollectContext
from nhiscan.scanner.activity import ActivityScope, ActivitySummary, EventRef
from nhiscan.scanner.model import CollectionGap, GapReason
from tests.connectors.aws import cloudtrail_data as ct

NOW = datetime(2026, 11, 10, tzinfo=UTC)
TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
AGENT = ct.session("intake-1700000000", source_identity="intake-b")


def _events(count: int) -> list[dict[str, Any]]:
    """``count`` management events, newest first as the history returns them."""
    records = []
    for i in range(count):
        time = NOW - timedelta(days=1, minutes=i)
        identity = AGENT if i % 3 else ct.user()
        name = ("ListBuckets", "GetBucketPolicy", "DeleteBucketPolicy")[i % 3]
        records.append(ct.event(
            identity, name, time=f"{time:%Y-%m-%dT%H:%M:%SZ}",
            event_id=f"00000000-0000-4000-8000-{i:012d}",
            error="AccessDenied" if i % 7 == 0 else None,
            parameters={"bucketName": "construction-docs"} if i % 3 else None,
        ))  # fmt: skip
    return records


def _item(record: dict[str, Any]) -> dict[str, Any]:
    """One ``Events[]`` entry: the lookup's own fields and the record as a string."""
    when = datetime.fromisoformat(record["eventTime"].replace("Z", "+00:00"))
    return {
        "EventId": record["eventID"],
        "EventName": record["eventName"],
        "ReadOnly": "true",
        "AccessKeyId": record["userIdentity"].get("accessKeyId"),
        "EventTime": when.timestamp(),
        "EventSource": record["eventSource"],
        "Username": record["userIdentity"].get("userName"),
        "Resources": [],
        "CloudTrailEvent": json.dumps(record),
    }


class History:
    """The event history of one region, paged by 50, with the faults asked for first."""

    def __init__(self, records: list[dict[str, Any]], faults: list[tuple[int, str]] = ()) -> None:  # type: ignore[assignment]
        self.records = records
        self.faults = list(faults)
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: Request) -> Response:
        assert request.headers["X-Amz-Target"] == TARGET
        body = json.loads(request.get_data())
        self.requests.append(body)
        if self.faults:
            status, code = self.faults.pop(0)
            return _json({"__type": code, "message": f"{code} (test)"}, status)
        start = int(body.get("NextToken", "0"))
        size = int(body.get("MaxResults", 50))
        assert size <= 50
        page = self.records[start : start + size]
        answer: dict[str, Any] = {"Events": [_item(r) for r in page]}
        if start + size < len(self.records):
            answer["NextToken"] = str(start + size)
        return _json(answer)


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status, content_type="application/x-amz-json-1.1")


def _client(httpserver: HTTPServer) -> Any:
    return boto3.client(
        "cloudtrail", region_name="us-east-1", endpoint_url=httpserver.url_for("/"),
        aws_access_key_id="testing", aws_secret_access_key="testing", config=RETRY_CONFIG,
    )  # fmt: skip


def _read(client: Any, config: LookupConfig | None = None) -> list[Any]:
    sink = LookupSink(config or LookupConfig(interval=0), now=NOW, sleep=lambda _: None)
    sink.read_region(client, ct.ACCOUNT, "us-east-1")
    return sink.records()


def _serve(httpserver: HTTPServer, history: History) -> None:
    httpserver.expect_request("/", method="POST").respond_with_handler(history)


def test_every_page_is_read_into_the_same_summaries_as_the_trail_files(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    records = _events(120)
    history = History(records)
    _serve(httpserver, history)
    read = _read(_client(httpserver))
    assert [r.get("NextToken") for r in history.requests] == [None, "50", "100"]
    [scope] = [r for r in read if isinstance(r, ActivityScope)]
    assert scope.source == f"aws-lookup-events:{ct.ACCOUNT}/us-east-1"
    assert scope.accounts == (ct.ACCOUNT,) and scope.management_only and scope.events == 120
    assert scope.since == NOW - timedelta(days=90) and scope.until == NOW and scope.notes == ()

    ct.write(tmp_path, ct.log_key(NOW - timedelta(days=1)), list(reversed(records)))
    trail = CloudTrailConnector(CloudTrailConfig(locations=(str(tmp_path),)))
    from_files = list(trail.collect(CollectContext(now=NOW)))
    expected = [_sourceless(s) for s in from_files if isinstance(s, ActivitySummary)]
    got = [_sourceless(s) for s in read if isinstance(s, ActivitySummary)]
    assert got == expected and len(got) == 2
    denied = [u for s in got for u in s.uses if u.outcome == "denied"]
    assert denied and all(u.error == "AccessDenied" for u in denied)


def _sourceless(summary: ActivitySummary) -> ActivitySummary:
    """The summary with its samples reduced to how many: a sample names where it was read (a
    log file, or the account and region's history), and the first ones read differ with the
    order (a file holds oldest first, the history gives newest first)."""
    uses = tuple(
        replace(use, samples=tuple(EventRef(id="", time=NOW, source="") for _ in use.samples))
        for use in summary.uses
    )
    return replace(summary, uses=uses)


def test_a_throttle_is_retried_and_reading_goes_on(httpserver: HTTPServer) -> None:
    history = History(_events(60), faults=[(400, "ThrottlingException")])
    _serve(httpserver, history)
    read = _read(_client(httpserver))
    assert not [r for r in read if isinstance(r, CollectionGap)]
    [scope] = [r for r in read if isinstance(r, ActivityScope)]
    assert scope.events == 60 and len(history.requests) == 3


def test_the_cap_stops_reading_and_the_window_starts_at_the_oldest_event_read(
    httpserver: HTTPServer,
) -> None:
    records = _events(120)
    history = History(records)
    _serve(httpserver, history)
    read = _read(_client(httpserver), LookupConfig(max_events=60, interval=0))
    [scope] = [r for r in read if isinstance(r, ActivityScope)]
    assert len(history.requests) == 2 and scope.events == 60
    oldest = datetime.fromisoformat(records[59]["eventTime"].replace("Z", "+00:00"))
    assert scope.since == oldest
    assert any("stopped at 60 events" in note for note in scope.notes)


def test_a_window_longer_than_the_history_is_cut_and_says_so(httpserver: HTTPServer) -> None:
    history = History(_events(3))
    _serve(httpserver, history)
    read = _read(_client(httpserver), LookupConfig(window_days=200, interval=0))
    [scope] = [r for r in read if isinstance(r, ActivityScope)]
    assert scope.since == NOW - timedelta(days=90)
    assert "keeps the last 90 days" in scope.notes[0]
    assert history.requests[0]["StartTime"] == (NOW - timedelta(days=90)).timestamp()


def test_a_refusal_is_a_gap_naming_the_account_and_region(httpserver: HTTPServer) -> None:
    _serve(httpserver, History([], faults=[(400, "AccessDeniedException")]))
    read = _read(_client(httpserver))
    [gap] = read
    assert isinstance(gap, CollectionGap)
    assert (gap.scope, gap.operation, gap.reason) == (
        f"{ct.ACCOUNT}/us-east-1", "cloudtrail:LookupEvents", GapReason.ACCESS_DENIED)  # fmt: skip
    assert "unknown, not absent" in gap.detail


@pytest.mark.usefixtures("moto")
def test_moto_lacking_the_call_is_a_gap_per_region_never_no_activity() -> None:
    with mock_aws():
        clients = Clients(boto3.session.Session(region_name="us-east-1"))
        sink = LookupSink(LookupConfig(interval=0), now=NOW)
        with ThreadPoolExecutor(2) as pool:
            sink.read(clients, ct.ACCOUNT, ("us-east-1", "eu-west-1"), pool)
    read = sink.records()
    assert all(isinstance(r, CollectionGap) for r in read)
    assert [(g.scope, g.operation) for g in read] == [
        (f"{ct.ACCOUNT}/eu-west-1", "cloudtrail:LookupEvents"),
        (f"{ct.ACCOUNT}/us-east-1", "cloudtrail:LookupEvents"),
    ]
    assert all("NotImplemented" in g.detail for g in read)  # type: ignore[union-attr]


def _collected(values: dict[str, dict[str, Any]]) -> list[Any]:
    from nhiscan.app.config import Settings
    from nhiscan.app.options import SourceOptions
    from nhiscan.app.sources import build_connectors

    [aws, *_] = build_connectors(SourceOptions(values=values), Settings())
    return list(aws.collect(CollectContext(now=NOW)))


def _operations(records: list[Any]) -> list[tuple[str, str]]:
    return sorted((g.scope, g.operation) for g in records if isinstance(g, CollectionGap))


@pytest.mark.usefixtures("moto")
def test_the_live_collection_reads_the_history_unless_a_trail_or_the_switch_says_not() -> None:
    """End to end through the options: moto lacks both calls, so each is a gap (per region for
    the history, one per account for last-accessed), never an empty answer; a trail's files
    (--aws-cloudtrail) replace the history, and the switches turn each off."""
    boto3.client("iam", region_name="us-east-1").create_user(UserName="deploy-bot")
    region = {"aws_regions": ("us-east-1",)}
    account = "123456789012"
    both = _collected({"aws": region})
    assert _operations(both) == [
        (account, "iam:GenerateServiceLastAccessedDetails"),
        (f"{account}/us-east-1", "cloudtrail:LookupEvents"),
    ]
    assert not [r for r in both if isinstance(r, ActivityScope | ActivitySummary)]
    trail = _collected({"aws": region, "aws-cloudtrail": {"aws_cloudtrail": ("/trail",)}})
    assert _operations(trail) == [(account, "iam:GenerateServiceLastAccessedDetails")]
    off = {**region, "no_lookup_events": True, "no_last_accessed": True}
    assert _operations(_collected({"aws": off})) == []

"""The event history of an organization read account by account (each account's sink on its own
worker) and merged on the client gives the records of one sink over every account: the gaps and
scopes sorted together, one summary per identity and session kind with its counts, times, daily
counts, addresses and agents added up (an identity seen in two accounts' histories).

The CloudTrail clients are real boto3 clients answered by botocore's Stubber with the documented
``LookupEvents`` shape (``Events[]`` with the record as the ``CloudTrailEvent`` string).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.stub import Stubber

from nhiscan.connectors.aws.clients import RETRY_CONFIG
from nhiscan.connectors.aws.lookup_events import LookupConfig, LookupSink
from nhiscan.connectors.aws.lookup_merge import merge_records
from nhiscan.scanner.activity import ActivitySummary, EventRef
from nhiscan.scanner.model import CollectionGap, Record
from tests.connectors.aws import cloudtrail_data as ct

NOW = datetime(2026, 11, 10, tzinfo=UTC)
A, B = "111111111111", "222222222222"
EAST, WEST, OREGON = "us-east-1", "eu-west-1", "us-west-2"
CONFIG = LookupConfig(interval=0.0)
ALPHA = f"arn:aws:iam::{ct.ACCOUNT}:user/alpha-bot"  # sorts before ct.USER, read after it
AGENT = ct.session("intake-1700000000", source_identity="intake-b")


def _event(identity: dict[str, Any], name: str, time: str, n: int, **more: Any) -> dict[str, Any]:
    return ct.event(identity, name, time=time, event_id=f"00000000-0000-4000-8000-{n:012d}",
                    **more)  # fmt: skip


# Each account and region's history, newest first; None: the history is refused.
HISTORIES: dict[tuple[str, str], list[dict[str, Any]] | None] = {
    (A, EAST): [
        _event(ct.user(), "GetBucketPolicy", "2026-11-03T12:00:00Z", 3, error="AccessDenied"),
        _event(ct.user(), "ListBuckets", "2026-11-03T11:00:00Z", 2),
        _event(ct.user(), "ListBuckets", "2026-11-03T10:00:00Z", 1),
    ],
    (A, WEST): [_event(AGENT, "ListBuckets", "2026-11-04T08:00:00Z", 4)],
    (B, EAST): [
        # the same user's calls, logged in the other account's history too
        _event(
            ct.user(),
            "ListBuckets",
            "2026-11-05T09:00:00Z",
            6,
            ip="198.51.100.7",
            agent="aws-cli/2.15.0",
        ),
        _event(ct.user(), "GetBucketPolicy", "2026-11-01T07:00:00Z", 5, error="AccessDenied"),
        _event(ct.user(ALPHA), "ListBuckets", "2026-11-01T06:00:00Z", 8),
    ],
    (B, WEST): None,
    (A, OREGON): None,
    (B, OREGON): [_event(AGENT, "ListBuckets", "2026-11-04T09:00:00Z", 7)],
}


def _client(account: str, region: str) -> Any:
    client = boto3.client("cloudtrail", region_name=region, aws_access_key_id="testing",
                          aws_secret_access_key="testing", config=RETRY_CONFIG)  # fmt: skip
    stubber = Stubber(client)
    records = HISTORIES[(account, region)]
    if records is None:
        stubber.add_client_error("lookup_events", "AccessDeniedException", "not authorized")
    else:
        stubber.add_response("lookup_events", {"Events": [_item(r) for r in records]})
    stubber.activate()
    return client


def _item(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "EventId": record["eventID"],
        "EventName": record["eventName"],
        "EventTime": datetime.fromisoformat(record["eventTime"].replace("Z", "+00:00")),
        "EventSource": record["eventSource"],
        "CloudTrailEvent": json.dumps(record),
    }


def _read(sink: LookupSink, account: str) -> None:
    for region in (EAST, WEST, OREGON):
        sink.read_region(_client(account, region), account, region)


def _sink() -> LookupSink:
    return LookupSink(CONFIG, now=NOW, sleep=lambda _: None)


def _sampleless(records: list[Record]) -> list[Record]:
    """The samples reduced to how many: one pass keeps the first ones read, which depends on
    which account and region was read first; the merge keeps the earliest."""
    kept: list[Record] = []
    for record in records:
        if isinstance(record, ActivitySummary):
            uses = tuple(
                replace(u, samples=tuple(EventRef(id="", time=NOW, source="") for _ in u.samples))
                for u in record.uses
            )
            record = replace(record, uses=uses)
        kept.append(record)
    return kept


def test_accounts_read_apart_and_merged_are_one_pass_over_every_account() -> None:
    one = _sink()
    for account in (A, B):
        _read(one, account)
    expected = one.records()
    apart = {account: _sink() for account in (B, A)}
    for account, sink in apart.items():
        _read(sink, account)
    for order in ((A, B), (B, A)):
        merged = merge_records([r for a in order for r in apart[a].records()], config=CONFIG)
        assert _sampleless(merged) == _sampleless(expected)

    gaps = [r.scope for r in expected if isinstance(r, CollectionGap)]
    assert gaps == [f"{A}/{OREGON}", f"{B}/{WEST}"]
    [agent] = [r for r in expected if isinstance(r, ActivitySummary) and r.identity == ct.ROLE]
    assert agent.count == 2
    [user] = [r for r in expected if isinstance(r, ActivitySummary) and r.identity == ct.USER]
    assert user.count == 5 and len(user.source_ips) == 2 and len(user.user_agents) == 2
    assert sum(d.count for d in user.daily) == 5
    [denied] = [u for u in user.uses if u.error == "AccessDenied"]
    assert denied.count == 2 and denied.first_seen == datetime(2026, 11, 1, 7, tzinfo=UTC)
    merged = merge_records([*apart[B].records(), *apart[A].records()], config=CONFIG)
    [merged_user] = [r for r in merged if isinstance(r, ActivitySummary) and r.identity == ct.USER]
    assert [s.time for s in merged_user.uses[0].samples] == sorted(
        s.time for s in merged_user.uses[0].samples
    )

"""What identities did, from CloudTrail's event history (``LookupEvents``) when no trail's files
are given (``--aws-cloudtrail``): the live collection's fallback.

The event history keeps the last 90 days of *management* events of one account in one region
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events.html); data
events (s3:GetObject, lambda:InvokeFunction, ...) are never in it, so its scope says
``management_only`` and its silence is not read as "unused". Each answer's ``Events[]`` holds the
full record as a JSON string (``CloudTrailEvent``), the same record a log file holds: it goes
through the same decoder and the same summariser as the trail's files
(https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html: at most 50
events a page, ``NextToken`` for the next; 2 requests per second per account and region).

Bounded: at most ``max_events`` per account and region, newest first (the history is returned
newest first); when the bound stops the reading, the scope's window starts at the oldest event
read and a note says so. A refusal, a throttle past botocore's retries, or an endpoint that does
not implement the call (moto) is a ``CollectionGap`` naming the account and region: never "no
activity". One summariser serves every account and region of a collection, so that an identity
seen in two accounts' histories (a cross-account call is logged in both) is one summary.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from nhiscan.connectors.aws.calls import call
from nhiscan.connectors.aws.clients import Clients
from nhiscan.connectors.aws.cloudtrail_actions import catalogue_table
from nhiscan.connectors.aws.cloudtrail_summary import Aggregator, Counters
from nhiscan.connectors.aws.cloudtrail_wire import Event, decode_event
from nhiscan.scanner.activity import ActivityScope
from nhiscan.scanner.codec import parse_time
from nhiscan.scanner.model import CollectionGap, GapReason, Provider, Record

HISTORY_DAYS = 90  # what the event history keeps
PAGE_SIZE = 50  # LookupEvents' largest MaxResults
SOURCE = "aws-lookup-events"
OPERATION = "cloudtrail:LookupEvents"
_UNREAD = "the event history was not read (its activity is unknown, not absent): "


@dataclass(frozen=True, slots=True, kw_only=True)
class LookupConfig:
    max_events: int = 5_000  # per account and region: 100 pages, 50 s at 2 requests/s
    window_days: int = 90  # asked; more than the history keeps is cut, with a note
    samples: int = 3
    set_limit: int = 20
    # Seconds between two pages of one account and region: LookupEvents allows 2 a second.
    interval: float = 0.5


@dataclass(slots=True)
class RegionRead:
    """What one account and region's history gave."""

    events: list[Event] = field(default_factory=list)
    oldest: str | None = None  # the oldest event's time read (eventTime form)
    capped: bool = False  # max_events stopped the reading: older events were not read
    undecoded: int = 0  # CloudTrailEvent strings that were not a record
    gap: CollectionGap | None = None


def fetch_region(
    client: Any,
    *,
    scope: str,
    since: datetime,
    until: datetime,
    max_events: int,
    interval: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> RegionRead:
    """Every management event of [since, until) the history of ``client``'s region holds, up to
    ``max_events`` (newest first); a failed page ends the reading with its gap."""
    read = RegionRead()
    token: str | None = None
    while True:
        params: dict[str, Any] = {"StartTime": since, "EndTime": until, "MaxResults": PAGE_SIZE}
        if token is not None:
            params["NextToken"] = token
        answer = call(client, "LookupEvents", scope=scope, note=_UNREAD, **params)
        if answer.gap is not None:
            read.gap = answer.gap
            break
        items = list(answer.value.get("Events") or ())
        for item in items:
            if len(read.events) >= max_events:
                read.capped = True
                return read
            _add(read, item)
        token = answer.value.get("NextToken") or None
        if token is None:
            break
        if len(read.events) >= max_events:
            read.capped = True
            break
        sleep(interval)
    return read


def _add(read: RegionRead, item: Any) -> None:
    event = decode_event(str(item.get("CloudTrailEvent") or ""))
    if event is None:
        read.undecoded += 1
        return
    read.events.append(event)
    if read.oldest is None or event.eventTime < read.oldest:
        read.oldest = event.eventTime


def window(
    config: LookupConfig, until: datetime, now: datetime
) -> tuple[datetime, datetime, tuple[str, ...]]:
    """The window read and a note when the one asked reaches past what the history keeps
    (the 90 days before ``now``, whatever ``until`` is)."""
    asked = until - timedelta(days=config.window_days)
    kept = now - timedelta(days=HISTORY_DAYS)
    if asked >= kept:
        return asked, until, ()
    note = (
        f"the window asked starts {asked:%Y-%m-%d}; CloudTrail's event history keeps the last "
        f"{HISTORY_DAYS} days, so it was read from {kept:%Y-%m-%d} (give the trail's files with "
        "--aws-cloudtrail to read further back)"
    )
    return kept, until, (note,)


class LookupSink:
    """Every account and region of one live collection read into one summariser (thread-safe:
    regions are read in parallel); ``records`` at the end."""

    def __init__(
        self,
        config: LookupConfig,
        *,
        now: datetime,
        until: datetime | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._config = config
        self._since, self._until, self._notes = window(config, until or now, now)
        self._sleep = sleep
        self._aggregator = Aggregator(
            catalogue_table(), samples=config.samples, set_limit=config.set_limit
        )
        self._lock = threading.Lock()
        self._gaps: list[CollectionGap] = []
        self._scopes: list[ActivityScope] = []

    def read(self, clients: Clients, account: str, regions: Iterable[str], pool: Executor) -> None:
        """Each region's history of ``account``, in parallel on ``pool``."""
        futures = [
            pool.submit(self.read_region, clients.client("cloudtrail", region), account, region)
            for region in regions
        ]
        for future in futures:
            future.result()

    def read_region(self, client: Any, account: str, region: str) -> None:
        """One account and region's history (``client`` is that region's CloudTrail)."""
        scope = f"{account}/{region}"
        if self._since >= self._until:
            self._add_gap(_too_old(scope, self._until))
            return
        read = fetch_region(
            client, scope=scope, since=self._since, until=self._until,
            max_events=self._config.max_events, interval=self._config.interval,
            sleep=self._sleep,
        )  # fmt: skip
        counters = Counters()
        with self._lock:
            self._aggregator.add(read.events, f"{SOURCE}:{scope}", counters,
                                 _stamp(self._since), _stamp(self._until))  # fmt: skip
            if read.gap is not None:
                self._gaps.append(read.gap)
            if read.gap is None or read.events:
                self._scopes.append(self._scope(scope, account, read, counters))

    def _add_gap(self, gap: CollectionGap) -> None:
        with self._lock:
            self._gaps.append(gap)

    def _scope(
        self, scope: str, account: str, read: RegionRead, counters: Counters
    ) -> ActivityScope:
        """The region's scope: its window starts at the oldest event read when the cap or a
        failed page stopped the reading before the window's start."""
        notes = list(self._notes)
        since = self._since
        if (read.capped or read.gap is not None) and read.oldest is not None:
            since = max(since, parse_time(read.oldest))
        if read.capped:
            notes.append(
                f"stopped at {self._config.max_events} events ([aws] lookup_events_max): the "
                f"history before {since:%Y-%m-%dT%H:%M:%SZ} was not read"
            )
        if read.undecoded:
            notes.append(f"{read.undecoded} CloudTrailEvent strings were not a CloudTrail record")
        config = self._config
        return ActivityScope(
            provider=Provider.AWS, source=f"{SOURCE}:{scope}", since=since, until=self._until,
            accounts=(account,), events=counters.events,
            service_events=dict(sorted(counters.service.items())),
            unmapped=dict(sorted(counters.unmapped.items())),
            unattributed=dict(sorted(counters.unattributed.items())),
            set_limit=config.set_limit, sample_limit=config.samples,
            management_only=True, notes=tuple(notes),
        )  # fmt: skip

    def records(self) -> list[Record]:
        """The gaps, then the summaries, then a scope per account and region read."""
        with self._lock:
            gaps = sorted(self._gaps, key=lambda gap: (gap.scope, gap.operation))
            scopes = sorted(self._scopes, key=lambda scope: scope.source)
            return [*gaps, *self._aggregator.summaries(), *scopes]


def _too_old(scope: str, until: datetime) -> CollectionGap:
    return CollectionGap(
        provider=Provider.AWS,
        scope=scope,
        operation=OPERATION,
        reason=GapReason.FAILED,
        detail=f"the activity window ends {until:%Y-%m-%d}, before the {HISTORY_DAYS} days "
        "CloudTrail's event history keeps: nothing of it can be read there (give the trail's "
        "files with --aws-cloudtrail); its activity is unknown, not absent",
    )


def _stamp(moment: datetime) -> str:
    """CloudTrail's eventTime form, which compares as the times do."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

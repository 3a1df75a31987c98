"""``CloudTrailConnector``: what identities did, from CloudTrail log files on disk or in S3.

Reads every ``.json.gz`` file of each ``--aws-cloudtrail`` location within the activity window
(``--activity-since`` / ``--activity-until``; default the ``window_days`` before the scan, or
before ``--as-of``), and
yields one ``ActivitySummary`` per identity and session, then one ``ActivityScope`` per location.
A file that is not gzip, is cut short or is not CloudTrail's JSON is a ``ConnectorError`` naming
it: never a silent "no activity". A location that cannot be listed, or a file that cannot be
fetched (S3 refused it), is a ``CollectionGap``: that part of the trail is unknown.

Pipeline: ``cloudtrail_files`` (where) -> ``cloudtrail_wire`` (bytes to events) ->
``cloudtrail_callers`` (who) -> ``cloudtrail_summary`` (the records); event names become IAM
actions by ``cloudtrail_actions``' table. docs/dev/activity.md has the design.

Not split into work units on a cluster (``--executor``): batches of files give partial summaries
that do not merge into what one pass gives (bounded sets of addresses, sessions joined to their
start across files); docs/dev/cloudtrail-batches.md says why and what would change it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from nhiscan.collector import no_cycle_collection
from nhiscan.connectors.aws.cloudtrail_actions import catalogue_table
from nhiscan.connectors.aws.cloudtrail_files import (
    TrailFile,
    Window,
    account_of,
    classify,
    day_of,
    local_files,
    read_local,
    read_s3,
    s3_keys,
    split_s3,
)
from nhiscan.connectors.aws.cloudtrail_summary import Aggregator, Counters
from nhiscan.connectors.aws.cloudtrail_wire import decode, gunzip
from nhiscan.connectors.base import CollectContext
from nhiscan.scanner.activity import ActivityScope
from nhiscan.scanner.model import CollectionGap, GapReason, Provider, Record

DENIED_CODES = frozenset({"AccessDenied", "AllAccessDisabled", "AccessDeniedException"})
_PROGRESS_EVERY = 200  # files
# Past the longest session (36 hours): a session started this long before a file's delivery day
# has no event in it or after it.
_SESSION_LIFE = timedelta(days=2)


@dataclass(frozen=True, slots=True, kw_only=True)
class CloudTrailConfig:
    locations: tuple[str, ...]  # folders, files, s3://bucket/prefix
    since: datetime | None = None  # None: ``window_days`` before ``until``
    until: datetime | None = None  # None: the scan's time
    window_days: int = 90
    samples: int = 3  # sample events kept per (action, resource, outcome)
    set_limit: int = 20  # source IPs and user agents kept per summary

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        until = self.until or now
        return self.since or until - timedelta(days=self.window_days), until


@dataclass(slots=True)
class _Scope:
    files: int = 0
    skipped: int = 0
    # The accounts whose log folders were listed (files read or skipped by their date), and
    # the one a location's prefix names: their identities are covered by the trail.
    accounts: set[str] = field(default_factory=set)


class CloudTrailConnector:
    def __init__(self, config: CloudTrailConfig, *, s3_client: Callable[[], Any] | None = None):
        self._config = config
        self._s3_client = s3_client or _default_s3_client

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(f"aws-cloudtrail:{location}" for location in self._config.locations)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        with no_cycle_collection():
            records = self._read(ctx)
        yield from records

    def _read(self, ctx: CollectContext) -> list[Record]:
        """Every location read: the gaps met, then the summaries, then a scope per location."""
        config = self._config
        since, until = config.window(ctx.as_of or ctx.now)
        bounds = (_stamp(since), _stamp(until))
        aggregator = Aggregator(catalogue_table(), samples=config.samples,
                                set_limit=config.set_limit)  # fmt: skip
        gaps: list[Record] = []
        scopes: list[Record] = []
        for location in config.locations:
            counters, scope = Counters(), _Scope()
            files = self._files(location, Window.of(since.date(), until.date()), scope)
            for item in files:
                data = item if isinstance(item, CollectionGap) else _fetch(item, location)
                if isinstance(data, CollectionGap):
                    gaps.append(data)
                    continue
                assert isinstance(item, TrailFile)
                aggregator.add(decode(gunzip(data, item.name), item.name), item.name, counters,
                               *bounds)  # fmt: skip
                scope.files += 1
                if item.day is not None:
                    aggregator.expire(f"{item.day - _SESSION_LIFE:%Y-%m-%d}")
                if scope.files % _PROGRESS_EVERY == 0:
                    ctx.progress(f"aws-cloudtrail {location}: {scope.files} files, "
                                 f"{counters.events} events")  # fmt: skip
            ctx.progress(f"aws-cloudtrail {location}: {scope.files} files, {counters.events} "
                         f"events, {scope.skipped} files skipped")  # fmt: skip
            scopes.append(_scope_record(location, since, until, scope, counters, config))
        return [*gaps, *aggregator.summaries(), *scopes]

    def _files(
        self, location: str, window: Window, scope: _Scope
    ) -> Iterator[TrailFile | CollectionGap]:
        """The files of ``location`` to read, oldest delivery first; skipped ones counted."""
        found: list[TrailFile] = []
        named = account_of(location)
        if named is not None:
            scope.accounts.add(named)
        if location.startswith("s3://"):
            bucket, prefix = split_s3(location)
            client = self._s3_client()
            try:
                names = [
                    (key, read_s3(client, bucket, key)) for key in s3_keys(client, bucket, prefix)
                ]
            except Exception as exc:  # botocore's ClientError and connection errors
                scope.accounts.clear()  # nothing was looked at: nothing is covered
                yield _gap(location, "s3:ListBucket", exc, None)
                return
            listed = [(f"s3://{bucket}/{key}", reader) for key, reader in names]
        else:
            listed = [(path, read_local(path)) for path in local_files(location)]
        for name, reader in listed:
            kind = classify(name)
            if kind == "ignore":
                continue
            day = day_of(name)
            account = account_of(name) if kind == "read" else None
            if account is not None:
                scope.accounts.add(account)
            if kind == "skip" or not window.holds(day):
                scope.skipped += 1
                continue
            found.append(TrailFile(name, day, reader))
        yield from sorted(found, key=lambda item: item.order)


def _fetch(item: TrailFile, location: str) -> bytes | CollectionGap:
    if not item.name.startswith("s3://"):
        return item.read()
    try:
        return item.read()
    except Exception as exc:  # botocore's ClientError and connection errors
        return _gap(location, "s3:GetObject", exc, item.name)


def _gap(location: str, operation: str, exc: Exception, subject: str | None) -> CollectionGap:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    reason = GapReason.ACCESS_DENIED if code in DENIED_CODES else GapReason.FAILED
    return CollectionGap(
        provider=Provider.AWS,
        scope=location,
        operation=operation,
        reason=reason,
        detail=f"{code or type(exc).__name__}: {exc}"[:500]
        + " (that part of the trail was not read: its activity is unknown, not absent)",
        subject=subject,
    )


def _scope_record(
    location: str,
    since: datetime,
    until: datetime,
    scope: _Scope,
    counters: Counters,
    config: CloudTrailConfig,
) -> ActivityScope:
    return ActivityScope(
        provider=Provider.AWS, source=location, since=since, until=until,
        accounts=tuple(sorted(scope.accounts)), files=scope.files,
        skipped_files=scope.skipped, events=counters.events,
        service_events=dict(sorted(counters.service.items())),
        unmapped=dict(sorted(counters.unmapped.items())),
        unattributed=dict(sorted(counters.unattributed.items())),
        set_limit=config.set_limit, sample_limit=config.samples,
    )  # fmt: skip


def _stamp(moment: datetime) -> str:
    """CloudTrail's eventTime form, which compares as the times do."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _default_s3_client() -> Any:
    import boto3

    from nhiscan.connectors.aws.clients import RETRY_CONFIG

    return boto3.client("s3", config=RETRY_CONFIG)

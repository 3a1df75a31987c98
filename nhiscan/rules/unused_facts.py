"""What the snapshot knows of each identity's use, for the "unused" rules (NHI704, NHI705): the
last use from every source, and whether anything looked long enough to call it unused.

An identity is *covered* (its silence means something) when, over the whole ``unused_days``
before the judged moment:

- an audit trail's scope lists its account, its window reaches back that far and up to the
  judged moment (a day's slack either side: windows are set when collecting, rules judge a
  little later), it holds data events too (not ``management_only``: the event history of
  LookupEvents lacks data events, so an identity that only reads objects looks idle there), and
  no gap names that source (a file S3 refused);
- or the provider's service last-accessed data answered for it, tracking that far back.

Its *last use* is the latest of: the trail's events (any outcome: a refused call is still the
identity acting), the last-accessed data, and its own last-used dates (a role's RoleLastUsed,
a password's or a key's last use). A management-only source gives last uses but never covers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from nhiscan.scanner.activity import ActivityScope, ServiceAccess
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Identity

SLACK = timedelta(days=1)
TRAIL = "the audit trail"
LAST_ACCESSED = "service last-accessed data"
OWN = "its own last-used date"


@dataclass(frozen=True, slots=True, kw_only=True)
class LastUse:
    when: datetime
    source: str  # TRAIL, LAST_ACCESSED or OWN


@dataclass(frozen=True, slots=True, kw_only=True)
class Coverage:
    """What was looked at for one identity, and the latest use found."""

    sources: tuple[str, ...]  # the trail sources covering it, and "service last-accessed data"
    since: datetime | None  # the earliest start among them: what was looked at goes back to it
    last: LastUse | None

    @property
    def covered(self) -> bool:
        return bool(self.sources)


class UseIndex:
    """The snapshot's uses by identity, built once per rule run."""

    def __init__(self, estate: Estate, now: datetime, unused_days: int) -> None:
        snapshot = estate.snapshot
        self._estate = estate
        self._start = now - timedelta(days=unused_days)
        self._now = now
        self._trail_last: dict[str, datetime] = {}
        for summary in snapshot.activity:
            known = self._trail_last.get(summary.identity)
            if known is None or summary.last_seen > known:
                self._trail_last[summary.identity] = summary.last_seen
        self.services: dict[str, list[ServiceAccess]] = defaultdict(list)
        for record in snapshot.service_access:
            self.services[record.identity].append(record)
        gapped = {gap.scope for gap in snapshot.gaps}
        self._scopes = [s for s in snapshot.activity_sources if self._covers(s, gapped)]

    def _covers(self, scope: ActivityScope, gapped: set[str]) -> bool:
        return (
            not scope.management_only
            and scope.source not in gapped
            and scope.since <= self._start + SLACK
            and scope.until >= self._now - SLACK
        )

    def coverage(self, identity: Identity) -> Coverage:
        sources = [s for s in self._scopes if identity.account in s.accounts]
        starts = [s.since for s in sources]
        names = [s.source for s in sources]
        tracked = self.tracked(identity.id)
        if tracked is not None:
            names.append(LAST_ACCESSED)
            starts.append(tracked)
        return Coverage(
            sources=tuple(names),
            since=min(starts) if starts else None,
            last=self.last_use(identity),
        )

    def tracked(self, identity_id: str) -> datetime | None:
        """Where the identity's last-accessed data starts, when it reaches back far enough."""
        records = self.services.get(identity_id)
        if not records:
            return None
        starts = [r.tracked_since for r in records if r.tracked_since is not None]
        since = max(starts) if starts else self._start
        return since if since <= self._start + SLACK else None

    def last_use(self, identity: Identity) -> LastUse | None:
        found = [LastUse(when=when, source=source) for when, source in self._uses(identity)]
        return max(found, key=lambda use: use.when) if found else None

    def _uses(self, identity: Identity) -> Iterable[tuple[datetime, str]]:
        trail = self._trail_last.get(identity.id)
        if trail is not None:
            yield trail, TRAIL
        for record in self.services.get(identity.id, ()):
            if record.last_accessed is not None:
                yield record.last_accessed, LAST_ACCESSED
        for own in (identity.last_used, identity.password_last_used):
            if own is not None:
                yield own, OWN
        for credential in self._estate.credentials(identity.id):
            if credential.last_used is not None:
                yield credential.last_used, OWN

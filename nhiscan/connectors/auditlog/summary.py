"""Audit-log events -> ``ActivitySummary`` records, in memory that grows with the distinct
(identity, kind of session, action, resource) seen, not with the events.

Each reader names an event's caller (``Who``: the inventory's id, the principal's kind, the
account, who it acted for) and its uses (action, the provider's own event name, resource,
whether it was refused); this keeps per caller the uses' first and last times, counts and first
few events, bounded sets of source IPs and user agents, and events per day and service (the
timeline). Events that are no identity's activity, or whose caller cannot be named, are counted
apart in ``Counters`` and end in the source's ``ActivityScope``.

Times are kept as "YYYY-MM-DDTHH:MM:SSZ" strings (``stamp``), which sort as the times do, until
a record is built.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from nhiscan.connectors.auditlog.files import line_of_record
from nhiscan.errors import ConnectorError
from nhiscan.scanner.activity import (
    ActionUse,
    ActivityScope,
    ActivitySummary,
    DailyCount,
    EventRef,
    Outcome,
)
from nhiscan.scanner.codec import parse_time
from nhiscan.scanner.model import Provider

_USER_AGENT_LENGTH = 256
_DIGITS = frozenset("0123456789")
_FRACTION = re.compile(r"(\.\d{1,6})\d*")


class BadEntry(Exception):
    """A record of a file that is not what its reader expects: the reader turns it into a
    ConnectorError naming the file and the record's line (``error``)."""

    def __init__(self, index: int, problem: str) -> None:
        super().__init__(problem)
        self.index = index  # the record's position in its file, from 1
        self.problem = problem

    def error(self, data: bytes, source: str) -> ConnectorError:
        return ConnectorError(f"{source}:{line_of_record(data, self.index)}: {self.problem}")


def stamp(text: Any, index: int) -> str:
    """An ISO 8601 UTC time (any offset, any fraction) as "YYYY-MM-DDTHH:MM:SSZ" (the second
    it falls in); BadEntry for the file's ``index``-th record when it is not one.

    The hot path of every reader: a UTC time ("Z" or "+00:00") is checked by its minute (one
    cached parse per minute seen) and its seconds' digits, and cut; any other is parsed."""
    if (
        type(text) is str
        and len(text) >= 20
        and (text[-1] == "Z" or text.endswith("+00:00"))
        and text[16] == ":"
        and text[17] in "012345"
        and text[18] in _DIGITS
        and _minute(text[:16])
    ):
        return text[:19] + "Z"
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", str(text)).replace("Z", "+00:00"))
    except ValueError:
        raise BadEntry(index, f"the time {text!r:.60} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=4096)
def _minute(text: str) -> bool:
    """Whether "YYYY-MM-DDTHH:MM" is a minute."""
    if text[10] != "T":
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def bound(moment: datetime) -> str:
    """A window bound in ``stamp``'s form."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Who:
    """An event's caller, as ``ActivitySummary`` names it."""

    identity: str
    principal: str
    # Not part of what tells summaries apart (the snapshot's key has no account): the first
    # event's says it.
    account: str | None = field(default=None, compare=False)
    assumed_by: str | None = None  # who it acted for (an impersonation chain's origin)


@dataclass(slots=True)
class Counters:
    """What one source's events were, apart from the summaries (``ActivityScope``)."""

    events: int = 0
    service: Counter[str] = field(default_factory=Counter)
    unattributed: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)
    accounts: set[str] = field(default_factory=set)
    files: int = 0
    skipped: int = 0


@dataclass(slots=True, eq=False)
class Tally:
    """One caller's uses and what else its events said (``Aggregator.tally``)."""

    # (action, event, resource, refusal or None) -> [first, last, count, samples]
    uses: dict[tuple[str | None, str, str, str | None], list[Any]] = field(default_factory=dict)
    ips: set[str] = field(default_factory=set)
    ips_more: int = 0
    agents: set[str] = field(default_factory=set)
    agents_more: int = 0
    daily: Counter[tuple[str, str]] = field(default_factory=Counter)


class Aggregator:
    """Add events (``use``, then ``seen`` once per event, on the caller's ``tally``), then
    ``summaries``. A reader keeps each caller's tally with its own cache of callers, so that
    the hot path hashes no ``Who``."""

    def __init__(self, provider: Provider, *, samples: int = 3, set_limit: int = 20) -> None:
        self._provider = provider
        self._samples = samples
        self._limit = set_limit
        self._kinds: dict[Who, Tally] = {}

    def tally(self, who: Who) -> Tally:
        found = self._kinds.get(who)
        if found is None:
            found = self._kinds[who] = Tally()
        return found

    def use(
        self,
        kind: Tally,
        action: str | None,
        event: str,
        resource: str,
        refused: str | None,
        time: str,
        event_id: str,
        source: str,
        service: str,
    ) -> None:
        """One use of an event (an event checking two permissions is two uses)."""
        key = (action, event, resource, refused)
        found = kind.uses.get(key)
        if found is None:
            found = kind.uses[key] = [time, time, 0, []]
        elif time < found[0]:
            found[0] = time
        elif time > found[1]:
            found[1] = time
        found[2] += 1
        if len(found[3]) < self._samples:
            found[3].append((event_id, time, source))
        kind.daily[(time[:10], service)] += 1

    def seen(self, kind: Tally, ip: str | None, agent: str | None) -> None:
        """An event's source address and user agent."""
        limit = self._limit
        if ip and ip not in kind.ips:
            if len(kind.ips) < limit:
                kind.ips.add(ip)
            else:
                kind.ips_more += 1
        if agent:
            agent = agent[:_USER_AGENT_LENGTH]
            if agent not in kind.agents:
                if len(kind.agents) < limit:
                    kind.agents.add(agent)
                else:
                    kind.agents_more += 1

    def summaries(self) -> Iterator[ActivitySummary]:
        for who, kind in sorted(self._kinds.items(), key=lambda item: _order(item[0])):
            yield self._summary(who, kind)

    def _summary(self, who: Who, kind: Tally) -> ActivitySummary:
        uses = []
        for (action, event, resource, refused), (first, last, count, samples) in sorted(
            kind.uses.items(),
            key=lambda item: (item[0][1], item[0][0] or "", item[0][2], item[0][3] or ""),
        ):
            uses.append(ActionUse(
                action=action, event=event, resource=resource,
                outcome=Outcome.DENIED if refused else Outcome.ALLOWED,
                first_seen=parse_time(first), last_seen=parse_time(last), count=count,
                samples=tuple(EventRef(id=i, time=parse_time(t), source=s) for i, t, s in samples),
                error=refused,
            ))  # fmt: skip
        daily = tuple(
            DailyCount(day=parse_time(f"{day}T00:00:00Z"), service=service, count=count)
            for (day, service), count in sorted(kind.daily.items())
        )
        return ActivitySummary(
            provider=self._provider, identity=who.identity, principal=who.principal,
            account=who.account, assumed_by=who.assumed_by,
            first_seen=min(u.first_seen for u in uses), last_seen=max(u.last_seen for u in uses),
            count=sum(u.count for u in uses), uses=tuple(uses),
            source_ips=tuple(sorted(kind.ips)), source_ips_more=kind.ips_more,
            user_agents=tuple(sorted(kind.agents)), user_agents_more=kind.agents_more,
            daily=daily,
        )  # fmt: skip


def _order(who: Who) -> tuple[str, ...]:
    return (who.identity, who.principal, who.account or "", who.assumed_by or "")


def scope(
    provider: Provider,
    location: str,
    window: tuple[datetime, datetime],
    counters: Counters,
    *,
    samples: int,
    set_limit: int,
) -> ActivityScope:
    """What ``location`` covered and what its events counted apart."""
    return ActivityScope(
        provider=provider, source=location, since=window[0], until=window[1],
        accounts=tuple(sorted(counters.accounts)), files=counters.files,
        skipped_files=counters.skipped, events=counters.events,
        service_events=dict(sorted(counters.service.items())),
        unmapped=dict(sorted(counters.unmapped.items())),
        unattributed=dict(sorted(counters.unattributed.items())),
        set_limit=set_limit, sample_limit=samples,
    )  # fmt: skip

"""CloudTrail events -> ``ActivitySummary`` records, in memory that grows with the distinct
(identity, session, action, resource) seen, not with the events.

Sessions are told apart by what the trail says of them: the source identity, the session name's
pattern, and the session tags and assuming principal of the AssumeRole call that started them
(``requestParameters.tags``, its caller). That call and the session's events may come in either
order (another region's file, a later delivery), so a session whose start is not known yet is
kept by its access key until the end, then joined to its start when the trail had it.

A session lives at most 36 hours (12 for AssumeRole, 36 for a federation token), so a start is
forgotten two days after it (``expire``, called as the reader moves on in delivery order), and
the cache of callers is emptied when it grows past its bound: memory stays flat in the number of
events and of sessions.

Times stay CloudTrail's ISO strings ("2026-11-01T12:00:00Z", which sort as the times do) until a
record is built.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from nhiscan.connectors.aws.cloudtrail_actions import ActionTable
from nhiscan.connectors.aws.cloudtrail_callers import Apart, Caller, caller
from nhiscan.connectors.aws.cloudtrail_wire import Event, issued_key, parameters
from nhiscan.scanner.activity import ActionUse, ActivitySummary, DailyCount, EventRef, Outcome
from nhiscan.scanner.codec import parse_time
from nhiscan.scanner.model import Provider

# The calls that start a role session, and whose response names its access key.
STARTS = frozenset({"AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"})
_STS = "sts.amazonaws.com"
_S3 = "s3.amazonaws.com"
_S3_OBJECT = "AWS::S3::Object"
_USER_AGENT_LENGTH = 256
_CALLERS_BOUND = 16_384


def denied(code: str) -> bool:
    """Whether a CloudTrail ``errorCode`` is an authorization refusal (AccessDenied,
    AccessDeniedException, UnauthorizedOperation, Client.UnauthorizedOperation, ...): any other
    error passed authorization."""
    return "AccessDenied" in code or "Unauthorized" in code or code.startswith("Authorization")


@dataclass(slots=True)
class Counters:
    """What one source's events were, apart from the summaries (``ActivityScope``)."""

    events: int = 0
    service: Counter[str] = field(default_factory=Counter)
    unattributed: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)  # by "source:name"


@dataclass(slots=True)
class _Session:
    caller: Caller
    key: str | None  # the access key, while the session's start is not known
    since: str = ""  # its first event's time, while its start is not known
    # (source, name, resource, error code or None) -> [first, last, count, samples, action,
    # service, its ``daily`` entry]
    uses: dict[tuple[str, str, str, str | None], list[Any]] = field(default_factory=dict)
    # service -> day ("YYYY-MM-DD") -> events: the window's days times the services, at most
    daily: dict[str, dict[str, int]] = field(default_factory=dict)
    ips: set[str] = field(default_factory=set)
    ips_more: int = 0
    agents: set[str] = field(default_factory=set)
    agents_more: int = 0
    # Set when a session waiting for its start was joined to it (or given up on): its events
    # go there from then on.
    merged_into: _Session | None = None


@dataclass(frozen=True, slots=True)
class _Start:
    tags: tuple[tuple[str, str], ...]
    assumed_by: str | None


class Aggregator:
    """Add events file by file (``add``), then ``summaries``."""

    def __init__(self, table: ActionTable, *, samples: int = 3, set_limit: int = 20) -> None:
        self._table = table
        self._samples = samples
        self._limit = set_limit
        # the raw caller fields of an event -> its session (or why it is counted apart)
        self._callers: dict[tuple[Any, ...], _Session | Apart] = {}
        # (caller, None, start) for sessions joined to their start (or with none to wait for),
        # (caller, access key, None) for sessions waiting for theirs
        self._sessions: dict[tuple[Any, ...], _Session] = {}
        self._waiting: dict[str, list[_Session]] = {}  # by access key, oldest first
        self._starts: dict[str, tuple[str, _Start]] = {}  # by access key, oldest first
        self._denied: dict[str, bool] = {}
        self._services: dict[tuple[str, str], tuple[str | None, str]] = {}

    def add(
        self, events: list[Event], source: str, counters: Counters, since: str, until: str
    ) -> None:
        """Count ``events`` of one file (``source``) that fall in [since, until).

        The hot path of a scan with a trail (millions of events): one pass, the session found
        by one dictionary look-up of the caller's raw fields, the use by one more.
        """
        samples, limit, denied_codes = self._samples, self._limit, self._denied
        callers, unmapped = self._callers, counters.unmapped
        outside = 0
        day = day_end = ""  # the day of the last event and the first time after it
        for event in events:
            time = event.eventTime
            if not since <= time < until:
                outside += 1
                continue
            event_source = event.eventSource
            if event_source == _STS and event.eventName in STARTS and not event.errorCode:
                self._started(event)
            if event.eventType == "AwsServiceEvent":
                counters.service[event_source] += 1
                continue
            identity = event.userIdentity
            context = identity.sessionContext if identity is not None else None
            caller_key = (
                None if identity is None else identity.type,
                None if identity is None else identity.arn,
                None if identity is None else identity.accessKeyId,
                None if context is None else context.sourceIdentity,
                None if context is None or context.sessionIssuer is None
                else context.sessionIssuer.arn,
            )  # fmt: skip
            session = callers.get(caller_key)
            if session is None:
                session = self._session(event, caller_key)
            if not isinstance(session, _Session):
                self._apart(session, counters)
                continue
            while session.merged_into is not None:
                session = session.merged_into
            code = event.errorCode
            refused = None
            if code:
                is_denied = denied_codes.get(code)
                if is_denied is None:
                    is_denied = denied_codes[code] = denied(code)
                refused = code if is_denied else None
            resources = event.resources
            first = resources[0] if resources else None
            if first is not None and first.ARN:
                arn = first.ARN
                resource = arn.split("/", 1)[0] + "/*" if first.type == _S3_OBJECT else arn
            else:
                resource = _resource(event)
            key = (event_source, event.eventName, resource, refused)
            use = session.uses.get(key)
            if use is None:
                action, service = self._mapped(event_source, event.eventName)
                days = session.daily.get(service)
                if days is None:
                    days = session.daily[service] = {}
                use = session.uses[key] = [time, time, 0, [], action, service, days]
            elif time < use[0]:
                use[0] = time
            elif time > use[1]:
                use[1] = time
            use[2] += 1
            if not day <= time < day_end:
                day = time[:10]
                day_end = day + "U"  # after "YYYY-MM-DDThh:mm:ssZ" of that day
            days = use[6]
            days[day] = days.get(day, 0) + 1
            if len(use[3]) < samples:
                use[3].append((event.eventID, time, source))
            if use[4] is None:
                unmapped[f"{event_source}:{event.eventName}"] += 1
            ip = event.sourceIPAddress
            if ip is not None and ip not in session.ips:
                if len(session.ips) < limit:
                    session.ips.add(ip)
                else:
                    session.ips_more += 1
            agent = event.userAgent
            if agent is not None:
                if len(agent) > _USER_AGENT_LENGTH:
                    agent = agent[:_USER_AGENT_LENGTH]
                if agent not in session.agents:
                    if len(session.agents) < limit:
                        session.agents.add(agent)
                    else:
                        session.agents_more += 1
        counters.events += len(events) - outside

    def _mapped(self, event_source: str, event_name: str) -> tuple[str | None, str]:
        """The event's action (None: unmapped) and the service it is counted under."""
        key = (event_source, event_name)
        found = self._services.get(key)
        if found is None:
            action = self._table.action(event_source, event_name)
            found = self._services[key] = (action, service_of(action, event_source))
        return found

    def _session(self, event: Event, caller_key: tuple[Any, ...]) -> _Session | Apart:
        """The session of a caller not seen (or no longer remembered), or why it is apart."""
        if len(self._callers) >= _CALLERS_BOUND:
            self._callers.clear()
        who = caller(event.userIdentity, event.eventSource)
        found: _Session | Apart = who if isinstance(who, Apart) else self._open(
            who, caller_key[2] if who.principal == "role-session" else None, event.eventTime
        )  # fmt: skip
        self._callers[caller_key] = found
        return found

    @staticmethod
    def _apart(apart: _Session | Apart, counters: Counters) -> None:
        assert isinstance(apart, Apart)
        if apart.service is not None:
            counters.service[apart.service] += 1
        else:
            counters.unattributed[apart.unattributed or "(none)"] += 1

    def _open(self, who: Caller, access_key: str | None, time: str) -> _Session:
        known = self._starts.get(access_key) if access_key is not None else None
        start = known[1] if known is not None else None
        waiting = access_key if access_key is not None and start is None else None
        found_key = (who, waiting, start)
        session = self._sessions.get(found_key)
        if session is None:
            session = self._sessions[found_key] = _Session(who, waiting, time)
            if waiting is not None:
                self._waiting.setdefault(waiting, []).append(session)
        return session

    def _join(self, session: _Session, start: _Start | None) -> None:
        """A waiting session joined to its start (None: given up on) and forgotten."""
        del self._sessions[(session.caller, session.key, None)]
        target = self._sessions.get((session.caller, None, start))
        if target is None:
            session.key = None
            self._sessions[(session.caller, None, start)] = session
            return
        _absorb(target, session, self._samples, self._limit)
        session.merged_into = target

    def _started(self, event: Event) -> None:
        key = issued_key(event)
        if key is None:
            return
        params = parameters(event)
        tags = _tags(params.tags if params is not None else None)
        identity = event.userIdentity
        by = None
        if identity is not None:
            by = identity.arn or identity.principalId or identity.invokedBy
        self._starts.pop(key, None)
        start = _Start(tags, by)
        self._starts[key] = (event.eventTime, start)
        for session in self._waiting.pop(key, ()):
            self._join(session, start)

    def expire(self, before: str) -> None:
        """Forget the sessions started before ``before`` (an eventTime-form string): no event of
        theirs can come after it."""
        while self._starts:
            key, (time, _) = next(iter(self._starts.items()))
            if time >= before:
                break
            del self._starts[key]
        while self._waiting:
            key, sessions = next(iter(self._waiting.items()))
            if sessions[0].since >= before:
                break
            del self._waiting[key]
            for session in sessions:
                self._join(session, None)

    # --- the records -------------------------------------------------------------------------

    def summaries(self) -> Iterator[ActivitySummary]:
        """The summaries, one per identity and session (events no table maps are in them with
        action None)."""
        merged: dict[tuple[Any, ...], list[_Session]] = {}
        for (who, _, start), session in self._sessions.items():
            merged.setdefault((who, start), []).append(session)
        for (who, start), sessions in sorted(merged.items(), key=_order):
            yield self._summary(who, start, sessions)

    def _summary(
        self, who: Caller, start: _Start | None, sessions: list[_Session]
    ) -> ActivitySummary:
        uses = _merge_uses(sessions, self._samples)
        records = []
        for (source, name, resource, refused), (first, last, count, samples, action, *_) in sorted(
            uses.items(), key=lambda item: (item[0][0], item[0][1], item[0][2], item[0][3] or "")
        ):
            records.append(ActionUse(
                action=action, event=f"{source}:{name}", resource=resource,
                outcome=Outcome.DENIED if refused else Outcome.ALLOWED,
                first_seen=parse_time(first), last_seen=parse_time(last), count=count,
                samples=tuple(EventRef(id=i, time=parse_time(t), source=s) for i, t, s in samples),
                error=refused,
            ))  # fmt: skip
        ips, ips_more = _bounded((s.ips for s in sessions), self._limit)
        agents, agents_more = _bounded((s.agents for s in sessions), self._limit)
        return ActivitySummary(
            provider=Provider.AWS, identity=who.identity, principal=who.principal,
            account=who.account, source_identity=who.source_identity,
            session_name=who.session_name,
            session_tags=dict(start.tags) if start is not None else {},
            assumed_by=start.assumed_by if start is not None else None,
            first_seen=min(u.first_seen for u in records),
            last_seen=max(u.last_seen for u in records),
            count=sum(u.count for u in records), uses=tuple(records),
            source_ips=ips, source_ips_more=ips_more + sum(s.ips_more for s in sessions),
            user_agents=agents,
            user_agents_more=agents_more + sum(s.agents_more for s in sessions),
            daily=_daily(sessions),
        )  # fmt: skip


def _absorb(target: _Session, source: _Session, samples: int, limit: int) -> None:
    """Add ``source``'s uses, addresses and agents to ``target``."""
    _add_uses(target.uses, source.uses, samples, target.daily)
    _add_daily(target.daily, source.daily)
    source.uses, source.daily = {}, {}  # its events go to ``target`` from now on
    target.ips_more += source.ips_more + _add_bounded(target.ips, source.ips, limit)
    target.agents_more += source.agents_more + _add_bounded(target.agents, source.agents, limit)


def _add_bounded(into: set[str], values: set[str], limit: int) -> int:
    """Add ``values`` to ``into`` while it holds fewer than ``limit``; how many did not fit."""
    missed = 0
    for value in values:
        if value in into:
            continue
        if len(into) < limit:
            into.add(value)
        else:
            missed += 1
    return missed


def _resource(event: Event) -> str:
    """The resource of an event whose record lists none (``add`` takes the record's first ARN,
    S3 objects folded into their bucket, "arn:aws:s3:::b/*"): from the request for S3 and STS
    calls; "*" otherwise."""
    if event.eventSource == _S3 or event.eventSource == _STS:
        params = parameters(event)
        if params is not None:
            if isinstance(params.bucketName, str) and params.bucketName:
                return f"arn:aws:s3:::{params.bucketName}"
            if isinstance(params.roleArn, str) and params.roleArn:
                return params.roleArn
    return "*"


def _tags(value: Any) -> tuple[tuple[str, str], ...]:
    """AssumeRole's ``tags`` request parameter ([{"key": k, "value": v}]) as sorted pairs."""
    if not isinstance(value, list):
        return ()
    pairs = {
        (str(tag["key"]), str(tag.get("value", "")))
        for tag in value
        if isinstance(tag, dict) and isinstance(tag.get("key"), str)
    }
    return tuple(sorted(pairs))


def _merge_uses(sessions: list[_Session], samples: int) -> dict[tuple[Any, ...], list[Any]]:
    if len(sessions) == 1:
        return sessions[0].uses
    merged: dict[tuple[Any, ...], list[Any]] = {}
    for session in sessions:
        _add_uses(merged, session.uses, samples, {})
    return merged


def _add_uses(
    into: dict[tuple[Any, ...], list[Any]],
    uses: dict[tuple[Any, ...], list[Any]],
    samples: int,
    daily: dict[str, dict[str, int]],
) -> None:
    """Add ``uses`` (as ``_Session.uses``) to ``into`` (whose session's ``daily`` is
    ``daily``): the earliest first seen, the latest last seen, the counts summed, the earliest
    samples."""
    for key, (first, last, count, kept, action, service, _) in uses.items():
        found = into.get(key)
        if found is None:
            days = daily.setdefault(service, {})
            into[key] = [first, last, count, list(kept), action, service, days]
            continue
        found[0] = min(found[0], first)
        found[1] = max(found[1], last)
        found[2] += count
        found[3] = sorted(found[3] + kept, key=lambda sample: sample[1])[:samples]


def _add_daily(into: dict[str, dict[str, int]], daily: dict[str, dict[str, int]]) -> None:
    for service, days in daily.items():
        found = into.setdefault(service, {})
        for day, count in days.items():
            found[day] = found.get(day, 0) + count


def service_of(action: str | None, event_source: str) -> str:
    """The service an event is counted under in the timeline: its action's prefix ("s3"), or,
    for an event no table maps, its event source's first label ("signin.amazonaws.com" ->
    "signin")."""
    if action is not None:
        return action.split(":", 1)[0]
    return event_source.split(".", 1)[0]


def _daily(sessions: list[_Session]) -> tuple[DailyCount, ...]:
    """The sessions' events per (day, service), by day then service."""
    merged: dict[str, dict[str, int]] = {}
    for session in sessions:
        _add_daily(merged, session.daily)
    counts = sorted(
        (day, service, count)
        for service, days in merged.items()
        for day, count in days.items()
        if count
    )
    return tuple(
        DailyCount(day=datetime.fromisoformat(day).replace(tzinfo=UTC), service=service,
                   count=count)
        for day, service, count in counts
    )  # fmt: skip


def _bounded(sets: Iterator[set[str]] | Any, limit: int) -> tuple[tuple[str, ...], int]:
    """The union of ``sets``, sorted, its first ``limit`` values and how many more there were."""
    union = sorted(set().union(*sets))
    return tuple(union[:limit]), max(0, len(union) - limit)


def _order(item: tuple[tuple[Caller, _Start | None], list[_Session]]) -> tuple[str, ...]:
    who, start = item[0]
    tags = "" if start is None else repr(start.tags)
    by = "" if start is None or start.assumed_by is None else start.assumed_by
    return (who.identity, who.principal, who.source_identity or "", who.session_name or "",
            tags, by)  # fmt: skip

"""``analyze_usage``: needed vs granted vs used for one agent (issue #19; the statuses are
described in ``scanner/usage.py``). Pure: the agent's plan and gap, the snapshot's activity
(``ActivityIndex``, built once per analysis), the clock and ``[activity] unused_days`` in;
``AgentUsage`` out.

It lives here rather than beside its records because it reads the gap analysis (the grants,
the needs bound to each identity) and the gap analysis holds its result.

- A use is *planned* when a need of the identity that used it has its action (the catalogue's
  spelling, compared without case, as ``classify`` does) and covers its resource pattern
  (``covers``: the need's glob matches the used pattern read literally). An event the trail
  names no resource for is taken as planned when the action is; an unmapped event (no action)
  never is.
- Which uses count: a use or denial is the agent's only in its ``MINE`` sessions; a need is
  used when a ``MINE`` or ``UNKNOWN`` session used it (an indistinguishable session may be the
  agent's, so its need is not "unused"); a grant is in use when any session of the identity
  holding it used it (the policy change would break that session too).
- Revocable: an excess or excess-scope item of the gap analysis (for excess scope: uses outside
  the needed resources) with no use within ``unused_days`` before ``now``, on an identity a
  source covered. The trail must reach back that far, or the identity's own last use
  (``Identity.last_used``) must be older than that: otherwise nothing is said.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from nhiscan.scanner.activity import ActionUse, EventRef, Outcome
from nhiscan.scanner.agents.model import AgentPlan, Need
from nhiscan.scanner.agents.plan import plan_hash
from nhiscan.scanner.agents.sessions import Verdict
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.gaps.classify import covers
from nhiscan.scanner.gaps.model import AgentGap, GrantItem
from nhiscan.scanner.gaps.usage_sessions import ActivityIndex, Attribution
from nhiscan.scanner.model import Provider
from nhiscan.scanner.provider import ProviderSet
from nhiscan.scanner.usage import (
    AgentUsage,
    AttributedSession,
    UsageItem,
    UseStatus,
    session_label,
)

EVENTS_KEPT = 10  # sample events kept per item
# The trail is taken to reach back ``unused_days`` when it starts this close after the line:
# its window ends at the collection time, a few seconds before the analysis's ``now``.
REACH_SLACK = timedelta(days=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageContext:
    """What every agent's usage reads, built once per analysis."""

    index: ActivityIndex
    attribution: Attribution
    estate: Estate
    providers: ProviderSet
    now: datetime
    unused_days: int

    @property
    def cutoff(self) -> datetime:
        return self.now - timedelta(days=self.unused_days)


@dataclass(slots=True)
class _Seen:
    """The uses of one (action, resource) gathered over the agent's sessions."""

    provider: Provider
    action: str
    resource: str
    unmapped: bool
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    events: list[EventRef] = field(default_factory=list)
    identities: set[str] = field(default_factory=set)
    sessions: set[str] = field(default_factory=set)
    steps: set[int] = field(default_factory=set)
    planned: bool = False
    error: str | None = None

    def add(self, use: ActionUse, identity: str, session: str) -> None:
        self.count += use.count
        self.first = use.first_seen if self.first is None else min(self.first, use.first_seen)
        self.last = use.last_seen if self.last is None else max(self.last, use.last_seen)
        self.events.extend(use.samples)
        self.identities.add(identity)
        self.sessions.add(session)
        self.error = self.error or use.error


def analyze_usage(
    ctx: UsageContext, plan: AgentPlan, identities: tuple[str, ...], gap: AgentGap | None
) -> AgentUsage:
    sessions = tuple(ctx.attribution.sessions(plan.name, identities, ctx.index))
    covered = tuple(i for i in identities if ctx.index.covers(i, ctx.estate.identities.get(i)))
    needs = {i: _needs_of(i, plan, gap) for i in identities}
    used, denied = _uses(ctx, sessions, needs)
    met = _met_needs(sessions, needs, covered)
    by_status: dict[UseStatus, list[UsageItem]] = {status: [] for status in UseStatus}
    for item in (*_used_items(ctx, used), *_denied_items(ctx, denied),
                 *_planned_unused(ctx, needs, covered, met, denied),
                 *_revocable(ctx, gap, set(covered))):  # fmt: skip
        by_status[item.status].append(item)
    ordered = [
        item
        for found in by_status.values()
        for item in sorted(found, key=lambda i: (i.action.lower(), i.resource))
    ]
    return AgentUsage(
        agent=plan.name,
        since=ctx.index.since,
        until=ctx.index.until,
        unused_days=ctx.unused_days,
        covered=covered,
        not_covered=tuple(i for i in identities if i not in covered),
        sessions=sessions,
        items=tuple(ordered),
        least_privilege_used=_least_privilege_used(ctx, needs, met),
        plan_hash=plan_hash(plan),
    )


def _needs_of(identity: str, plan: AgentPlan, gap: AgentGap | None) -> tuple[Need, ...]:
    """The plan's needs bound to the identity by the gap analysis (implicit accounts filled
    in), or as the plan writes them without it."""
    found = next((g for g in gap.identities if g.identity == identity), None) if gap else None
    return found.needed if found is not None and found.analysed else plan.needs


def planning(needs: Iterable[Need], action: str | None, resource: str) -> list[Need]:
    """The needs that plan a use of ``action`` on ``resource`` (none for an unmapped event)."""
    if action is None:
        return []
    lower = action.lower()
    return [
        need
        for need in needs
        if need.action.lower() == lower and (resource == "*" or covers(need.resource, resource))
    ]


Key = tuple[str, str]


def _uses(
    ctx: UsageContext,
    sessions: Iterable[AttributedSession],
    needs: Mapping[str, tuple[Need, ...]],
) -> tuple[dict[Key, _Seen], dict[Key, _Seen]]:
    """The uses (allowed) and denials of the agent's own sessions, by (action, resource)."""
    used: dict[Key, _Seen] = {}
    denied: dict[Key, _Seen] = {}
    for attributed in sessions:
        if attributed.verdict is not Verdict.MINE:
            continue
        summary = attributed.summary
        label = session_label(summary)
        for use in summary.uses:
            name = use.action or use.event
            target = denied if use.outcome is Outcome.DENIED else used
            seen = target.get((name, use.resource))
            if seen is None:
                seen = target[(name, use.resource)] = _Seen(
                    provider=summary.provider, action=name, resource=use.resource,
                    unmapped=use.action is None)  # fmt: skip
            seen.add(use, summary.identity, label)
            for need in planning(needs.get(summary.identity, ()), use.action, use.resource):
                seen.planned = True
                seen.steps.update(need.steps)
    return used, denied


Met = dict[str, set[int]]  # identity -> the positions of its needs that were used


def _met_needs(
    sessions: Iterable[AttributedSession],
    needs: Mapping[str, tuple[Need, ...]],
    covered: tuple[str, ...],
) -> Met:
    """Per covered identity, its needs some session that may be the agent's used (allowed)."""
    met: Met = {i: set() for i in covered}
    for attributed in sessions:
        summary = attributed.summary
        if summary.identity not in met:
            continue
        own = needs.get(summary.identity, ())
        for use in summary.uses:
            if use.outcome is Outcome.DENIED or use.action is None:
                continue
            met[summary.identity].update(
                position for position, need in enumerate(own) if planning((need,), use.action,
                                                                         use.resource))  # fmt: skip
    return met


def _used_items(ctx: UsageContext, used: Mapping[Key, _Seen]) -> Iterator[UsageItem]:
    for seen in used.values():
        planned = seen.planned and not seen.unmapped
        yield _item(ctx, seen, UseStatus.USED_PLANNED if planned else UseStatus.USED_UNPLANNED)


def _denied_items(ctx: UsageContext, denied: Mapping[Key, _Seen]) -> Iterator[UsageItem]:
    for seen in denied.values():
        yield _item(ctx, seen, UseStatus.DENIED)


def _item(ctx: UsageContext, seen: _Seen, status: UseStatus) -> UsageItem:
    events = tuple(sorted(seen.events, key=lambda e: (e.time, e.id))[:EVENTS_KEPT])
    return UsageItem(
        provider=seen.provider, action=seen.action, resource=seen.resource, status=status,
        steps=tuple(sorted(seen.steps)), identities=tuple(sorted(seen.identities)),
        count=seen.count, first_seen=seen.first, last_seen=seen.last, events=events,
        access_level=None if seen.unmapped else _level(ctx, seen.provider, seen.action),
        error=seen.error if status is UseStatus.DENIED else None,
        sessions=tuple(sorted(seen.sessions)), unmapped=seen.unmapped,
        last_seen_from="trail" if seen.last is not None else None,
    )  # fmt: skip


def _level(ctx: UsageContext, provider: str, action: str) -> str | None:
    found = ctx.providers.get(provider)
    info = found.catalog.info(action) if found is not None else None
    return str(info.access_level) if info is not None else None


def _planned_unused(
    ctx: UsageContext,
    needs: Mapping[str, tuple[Need, ...]],
    covered: tuple[str, ...],
    met: Met,
    denied: Mapping[Key, _Seen],
) -> Iterator[UsageItem]:
    """The needs no covered identity's sessions used; a need attempted and refused is a denial
    (the plan is not stale: the grant is missing), not "unused"."""
    unused: dict[Key, tuple[Need, list[str]]] = {}
    used = {
        (need.action.lower(), need.resource)
        for identity in covered
        for position, need in enumerate(needs.get(identity, ()))
        if position in met.get(identity, ())
    }
    refused = [(s.action, s.resource) for s in denied.values() if not s.unmapped]
    for identity in covered:
        for need in needs.get(identity, ()):
            key = (need.action.lower(), need.resource)
            if key in used or any(planning((need,), a, r) for a, r in refused):
                continue
            unused.setdefault(key, (need, []))[1].append(identity)
    for need, holders in unused.values():
        yield UsageItem(provider=need.provider, action=need.action, resource=need.resource,
                        status=UseStatus.PLANNED_UNUSED, steps=need.steps,
                        identities=tuple(sorted(set(holders))),
                        access_level=_level(ctx, need.provider, need.action))  # fmt: skip


def _revocable(ctx: UsageContext, gap: AgentGap | None, covered: set[str]) -> Iterator[UsageItem]:
    if gap is None:
        return
    last_uses = _LastUses(ctx)
    cutoff = ctx.cutoff
    seen: set[tuple[str, str, str]] = set()
    for identity_gap in gap.identities:
        if identity_gap.identity not in covered or not identity_gap.analysed:
            continue
        for item in (*identity_gap.excess, *identity_gap.excess_scope):
            holder = item.via[-1] if item.via else identity_gap.identity
            key = (item.action.lower(), item.resource, holder)
            if key in seen or not ctx.index.covers(holder, ctx.estate.identities.get(holder)):
                continue
            seen.add(key)
            found = _revocable_item(ctx, item, holder, last_uses, cutoff)
            if found is not None:
                yield found


def _revocable_item(
    ctx: UsageContext, item: GrantItem, holder: str, last_uses: _LastUses, cutoff: datetime
) -> UsageItem | None:
    last, first, count, events = last_uses.of(holder, item)
    if last is not None and last >= cutoff:
        return None
    identity = ctx.estate.identities.get(holder)
    before = identity.last_used if identity is not None else None
    if ctx.index.since > cutoff + REACH_SLACK and (before is None or before >= cutoff):
        return None  # the trail does not reach back unused_days, nor does the last use
    source = "trail" if last is not None else None
    if last is None and before is not None and before < ctx.index.since:
        last, source = before, "identity"
    return UsageItem(
        provider=item.provider, action=item.action, resource=item.resource,
        status=UseStatus.REVOCABLE, identities=(holder,), count=count, first_seen=first,
        last_seen=last, events=events, access_level=item.access_level,
        statements=item.statements, last_seen_from=source,
    )  # fmt: skip


class _LastUses:
    """Each holder's allowed uses by action, indexed once (an administrator's grants are
    thousands of items, each looked up here)."""

    def __init__(self, ctx: UsageContext) -> None:
        self._ctx = ctx
        self._by: dict[str, dict[str, list[ActionUse]]] = {}

    def of(
        self, holder: str, item: GrantItem
    ) -> tuple[datetime | None, datetime | None, int, tuple[EventRef, ...]]:
        """(last, first, count, sample events) of the uses the grant item allowed; for an
        excess-scope item, only uses outside the resources the agent needs it on."""
        uses = self._index(holder).get(item.action.lower(), ())
        matching = [
            u
            for u in uses
            if (u.resource == "*" or covers(item.resource, u.resource))
            and not any(covers(n, u.resource) for n in item.needed_on)
        ]
        if not matching:
            return None, None, 0, ()
        events = sorted((e for u in matching for e in u.samples), key=lambda e: (e.time, e.id))
        return (max(u.last_seen for u in matching), min(u.first_seen for u in matching),
                sum(u.count for u in matching), tuple(events[-EVENTS_KEPT:]))  # fmt: skip

    def _index(self, holder: str) -> dict[str, list[ActionUse]]:
        found = self._by.get(holder)
        if found is None:
            found = self._by[holder] = {}
            for summary in self._ctx.index.of_identity(holder):
                for use in summary.uses:
                    if use.action is not None and use.outcome is Outcome.ALLOWED:
                        found.setdefault(use.action.lower(), []).append(use)
        return found


def _least_privilege_used(
    ctx: UsageContext, needs: Mapping[str, tuple[Need, ...]], met: Met
) -> Mapping[str, Any] | None:
    """Per covered identity, the provider's least-privilege policy from the needs its sessions
    used (planned ∩ used); None when nothing planned was used."""
    found: dict[str, Any] = {}
    for identity_id, used in met.items():
        identity = ctx.estate.identities.get(identity_id)
        provider = ctx.providers.get(identity.provider) if identity is not None else None
        vocabulary = provider.agents if provider is not None else None
        if not used or identity is None or vocabulary is None:
            continue
        kept = tuple(n for position, n in enumerate(needs[identity_id]) if position in used)
        document = vocabulary.render_least_privilege(kept, identity.account, identity.id)
        if document is not None:
            found[identity_id] = document
    return found or None

"""Behaviour drift (issue #19): what an agent's sessions did in one run against the previous run
of the same scope, and whether a change of its plan explains the difference.

The store keeps per agent and run (in the run's ``agents`` JSON, beside its grants) the plan's
hash and needs and what the agent's sessions did: the (action, resource) pairs used (allowed
calls only: denied attempts are NHI703's), the source IPs and the user agents. Two runs'
records give, per agent, the actions, resources, source IPs and user agents that are new.

A new action or resource is *explained by the plan change* when the plan's hash changed between
the runs and the new plan needs every new (action, resource) that brings it; otherwise it is
*unexplained*. A plan says nothing of networks or clients: a new source IP or user agent is
never explained by it. Items flagged in one run stay flagged (``flagged`` in the record) while
the behaviour lasts and no plan change explains it, so that a standing deviation is one standing
finding (NHI706), not a finding that comes and goes between runs.

A run recorded before this existed, or without an audit trail read, has no behaviour: the two
runs are *not comparable*, which is never reported as a change.

Pure: agent results and activity records, or stored JSON, in; records out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from nhiscan.scanner.activity import ActivitySummary, EventRef, Outcome
from nhiscan.scanner.agents.model import SessionSelector
from nhiscan.scanner.agents.plan import plan_hash
from nhiscan.scanner.agents.sessions import Verdict, selects
from nhiscan.scanner.gaps.analysis import AgentResult
from nhiscan.scanner.glob import glob_match

RECORD = dict(frozen=True, slots=True, kw_only=True)
Matched = Mapping[tuple[str, int], tuple[str, ...]]
"""(agent, identity reference index) -> the identity ids the reference matched (``Claims``)."""


class ItemKind(StrEnum):
    ACTION = "action"
    RESOURCE = "resource"
    SOURCE_IP = "source-ip"
    USER_AGENT = "user-agent"


@dataclass(**RECORD)
class BehaviourItem:
    """One new thing an agent did since the previous run."""

    kind: ItemKind
    value: str
    explained: bool  # by the plan change between the runs
    carried: bool = False  # flagged in the previous run already, and still seen

    @property
    def key(self) -> str:
        return f"{self.kind.value} {self.value}"


@dataclass(**RECORD)
class AgentBehaviourChange:
    agent: str
    plan_changed: bool
    items: tuple[BehaviourItem, ...]  # new since the previous run (carried ones included)

    @property
    def unexplained(self) -> tuple[BehaviourItem, ...]:
        return tuple(item for item in self.items if not item.explained)

    @property
    def new(self) -> tuple[BehaviourItem, ...]:
        """The items new since the previous run (not those carried from before it)."""
        return tuple(item for item in self.items if not item.carried)


@dataclass(**RECORD)
class PreviousBehaviour:
    """What the rules compare an agent's behaviour with: the previous run of the scan's scope,
    read from the store before the rules run. ``note`` says why nothing can be compared (no
    previous run, or one without an audit trail), for the report."""

    run: int | None = None
    started_at: datetime | None = None
    agents: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # by agent name
    note: str | None = None

    def of(self, agent: str) -> Mapping[str, Any] | None:
        return self.agents.get(agent)


def agent_sessions(
    result: AgentResult, activity: Sequence[ActivitySummary], matched: Matched
) -> list[ActivitySummary]:
    """The agent's sessions: its usage's (the three-way analysis attributes them) when set; else
    every session of its identities that one of the references naming the identity admits
    (``sessions.selects``: mine, or indistinguishable from another agent's, which is kept: a
    deviation of a shared identity concerns every agent that may have done it)."""
    if result.usage is not None:
        return [s.summary for s in result.usage.sessions if s.verdict is not Verdict.NOT_MINE]
    selectors: dict[str, list[SessionSelector | None]] = {}
    for index, ref in enumerate(result.agent.identities):
        for identity in matched.get((result.agent.name, index), ()):
            selectors.setdefault(identity, []).append(ref.session)
    return [
        session
        for session in activity
        if any(
            selects(s, session) is not Verdict.NOT_MINE for s in selectors.get(session.identity, ())
        )
    ]


def agent_behaviour(
    result: AgentResult, activity: Sequence[ActivitySummary], matched: Matched
) -> dict[str, list[str]]:
    """What the agent's sessions did, as the store keeps it: sorted "action resource" pairs
    used (the event's name for an unmapped one), source IPs and user agents."""
    sessions = agent_sessions(result, activity, matched)
    uses = {
        f"{use.action or use.event} {use.resource}"
        for session in sessions
        for use in session.uses
        if use.outcome is Outcome.ALLOWED
    }
    return {
        "uses": sorted(uses),
        "source_ips": sorted({ip for s in sessions for ip in s.source_ips}),
        "user_agents": sorted({ua for s in sessions for ua in s.user_agents}),
    }


def stored_agent(
    result: AgentResult,
    activity: Sequence[ActivitySummary] | None,
    matched: Matched,
    flagged: Iterable[str] = (),
) -> dict[str, Any]:
    """The behaviour keys of an agent's stored summary: its plan's hash and needs, and what it
    did (None when no activity source was read: not comparable), with the items flagged."""
    return {
        "plan_hash": plan_hash(result.plan),
        "needs": sorted({f"{n.action} {n.resource}" for n in result.plan.needs}),
        "behaviour": None if activity is None else agent_behaviour(result, activity, matched),
        "flagged": sorted(set(flagged)),
    }


def comparable(record: Mapping[str, Any] | None) -> bool:
    return record is not None and "plan_hash" in record and record.get("behaviour") is not None


def compare(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, *, name: str
) -> AgentBehaviourChange | None:
    """What ``name`` does in ``after`` that it did not in ``before`` (stored summaries), each
    item explained or not; items ``before`` flagged and ``after`` still shows are carried. None:
    not comparable (either run has no behaviour recorded)."""
    if before is None or after is None or not comparable(before) or not comparable(after):
        return None
    was, now = before["behaviour"], after["behaviour"]
    changed = before["plan_hash"] != after["plan_hash"]
    needs = tuple(_pair(n) for n in after.get("needs", ()))
    old_pairs = {_pair(u) for u in was.get("uses", ())}
    pairs = {_pair(u) for u in now.get("uses", ())}
    fresh = pairs - old_pairs
    items: list[BehaviourItem] = []
    for kind, index in ((ItemKind.ACTION, 0), (ItemKind.RESOURCE, 1)):
        before_values = {p[index] for p in old_pairs}
        for value in sorted({p[index] for p in fresh} - before_values):
            bringing = [p for p in fresh if p[index] == value]
            explained = changed and _planned(bringing, needs)
            items.append(BehaviourItem(kind=kind, value=value, explained=explained))
    for kind, name_ in ((ItemKind.SOURCE_IP, "source_ips"), (ItemKind.USER_AGENT, "user_agents")):
        for value in sorted(set(now.get(name_, ())) - set(was.get(name_, ()))):
            items.append(BehaviourItem(kind=kind, value=value, explained=False))
    items += _carried(before, after, {i.key for i in items}, pairs, needs, changed)
    return AgentBehaviourChange(agent=name, plan_changed=changed, items=tuple(items))


def _carried(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    new: set[str],
    pairs: set[tuple[str, str]],
    needs: Sequence[tuple[str, str]],
    changed: bool,
) -> list[BehaviourItem]:
    """The items ``before`` flagged that ``after`` still shows and no plan change explains."""
    now = after["behaviour"]
    present = {
        ItemKind.ACTION: {p[0] for p in pairs},
        ItemKind.RESOURCE: {p[1] for p in pairs},
        ItemKind.SOURCE_IP: set(now.get("source_ips", ())),
        ItemKind.USER_AGENT: set(now.get("user_agents", ())),
    }
    found = []
    for key in before.get("flagged", ()):
        kind_text, _, value = str(key).partition(" ")
        kind = _KINDS.get(kind_text)
        if key in new or kind is None or value not in present[kind]:
            continue
        if kind in (ItemKind.ACTION, ItemKind.RESOURCE):
            index = 0 if kind is ItemKind.ACTION else 1
            if changed and _planned([p for p in pairs if p[index] == value], needs):
                continue
        found.append(BehaviourItem(kind=kind, value=value, explained=False, carried=True))
    return found


_KINDS = {kind.value: kind for kind in ItemKind}


def _pair(text: str) -> tuple[str, str]:
    action, _, resource = str(text).partition(" ")
    return action, resource


def _planned(pairs: Iterable[tuple[str, str]], needs: Sequence[tuple[str, str]]) -> bool:
    """Whether every pair is one the plan needs (its action and resource patterns)."""
    return all(
        any(
            glob_match(action, a, ignore_case=True) and glob_match(resource, r)
            for action, resource in needs
        )
        for a, r in pairs
    )


def events_for(
    sessions: Sequence[ActivitySummary], items: Sequence[BehaviourItem]
) -> list[EventRef]:
    """The sample events behind ``items`` in ``sessions`` (the evidence an investigator pulls):
    for an action or resource the uses of it, for a source IP or user agent the sessions that
    carried it; oldest first."""
    wanted = {(i.kind, i.value) for i in items}
    found: dict[str, EventRef] = {}
    for session in sessions:
        whole = any((ItemKind.SOURCE_IP, ip) in wanted for ip in session.source_ips) or any(
            (ItemKind.USER_AGENT, ua) in wanted for ua in session.user_agents
        )
        for use in session.uses:
            action = use.action or use.event
            hit = (ItemKind.ACTION, action) in wanted or (ItemKind.RESOURCE, use.resource) in wanted
            if whole or hit:
                found.update((e.id, e) for e in use.samples)
    return sorted(found.values(), key=lambda e: (e.time, e.id))

"""Audit trail rules (issue #19): what each agent's sessions did against its plan and grants
(``AgentResult.usage``, ``scanner/gaps/usage.py``). NHI700 used outside the plan, NHI701
revocable unused grant, NHI702 planned but unused, NHI703 denied attempts. Silent when no
activity source was read. Every finding names the events (id, time, source file) an
investigator pulls from the trail."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from nhiscan.rules.base import RuleContext, make_finding
from nhiscan.rules.common import agent_results
from nhiscan.rules.usage_meta import DENIED, OUTSIDE_PLAN, PLANNED_UNUSED, REVOCABLE
from nhiscan.scanner.activity import EventRef
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.codec import iso
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import AccessLevel
from nhiscan.scanner.gaps.analysis import AgentResult
from nhiscan.scanner.model import Finding, Provider, Severity
from nhiscan.scanner.usage import AgentUsage, UsageItem, UseStatus

LISTED = 50  # items named in one finding's evidence
CRITICAL_LEVELS = frozenset({AccessLevel.WRITE.value, AccessLevel.PERMISSIONS_MANAGEMENT.value})


def _usages(ctx: RuleContext) -> Iterator[tuple[AgentResult, AgentUsage]]:
    for result in agent_results(ctx):
        if result.usage is not None:
            yield result, result.usage


def event_json(event: EventRef) -> dict[str, Any]:
    return {"id": event.id, "time": iso(event.time), "source": event.source}


def _when(moment: Any) -> str | None:
    return iso(moment) if moment is not None else None


def use_json(item: UsageItem) -> dict[str, Any]:
    """An item as a finding's evidence names it: what, where, when, who, and the events."""
    data: dict[str, Any] = {
        "action": item.action,
        "resource": item.resource,
        "access_level": item.access_level,
        "count": item.count,
        "first_seen": _when(item.first_seen),
        "last_seen": _when(item.last_seen),
        "identities": list(item.identities),
        "sessions": list(item.sessions),
        "events": [event_json(e) for e in item.events],
    }
    if item.unmapped:
        data["unmapped"] = True
    if item.error is not None:
        data["error"] = item.error
    return data


def _digest(keys: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:16]


def _provider(items: Iterable[UsageItem]) -> Provider:
    return next((i.provider for i in items), Provider.AWS)


class AgentUsedOutsidePlan:
    meta = OUTSIDE_PLAN

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for result, usage in _usages(ctx):
            for item in usage.of(UseStatus.USED_UNPLANNED):
                critical = item.access_level in CRITICAL_LEVELS
                what = f"{item.access_level.lower()} " if item.access_level else ""
                yield make_finding(
                    self.meta,
                    subject=item.identities[0],
                    provider=item.provider,
                    severity=Severity.CRITICAL if critical else Severity.HIGH,
                    title=(
                        f"Agent {result.agent.name} did {item.action} ({what or 'unknown '}"
                        f"action) on {item.resource}, which its plan does not need: "
                        f"{item.count:,} event(s) in {len(item.sessions)} session kind(s)."
                    ),
                    key=(result.agent.name, item.action, item.resource),
                    evidence={
                        "agent": result.agent.name,
                        "plan_hash": usage.plan_hash,
                        **use_json(item),
                    },
                )


class RevocableUnusedGrant:
    meta = REVOCABLE

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for result, usage in _usages(ctx):
            groups: dict[tuple[str, StatementRef], list[UsageItem]] = {}
            held: dict[str, frozenset[str]] = {}
            for item in usage.of(UseStatus.REVOCABLE):
                holder = item.identities[0]
                if holder not in held:
                    held[holder] = _own_policies(estate, holder)
                for statement in item.statements:
                    if statement.policy_id in held[holder]:
                        groups.setdefault((holder, statement), []).append(item)
            for (holder, statement), items in sorted(groups.items(), key=_statement_order):
                items.sort(key=_riskiest)
                yield self._finding(result, usage, holder, statement, items)

    def _finding(
        self,
        result: AgentResult,
        usage: AgentUsage,
        holder: str,
        statement: StatementRef,
        items: list[UsageItem],
    ) -> Finding:
        last = max((i.last_seen for i in items if i.last_seen is not None), default=None)
        policy = statement.policy_id
        where = f"statement {statement.index}" + (f" ({statement.sid})" if statement.sid else "")
        window = (usage.until - usage.since).days
        when = (
            f"last used {iso(last)}"
            if last is not None
            else f"never seen in the {window}-day trail"
        )
        return make_finding(
            self.meta,
            subject=holder,
            provider=_provider(items),
            title=(
                f"Agent {result.agent.name}: {where} of {policy} grants {len(items):,} "
                f"action(s) its plan does not need, none used in {usage.unused_days} days "
                f"({when}): remove them from the statement."
            ),
            key=(result.agent.name, policy, str(statement.index)),
            evidence={
                "agent": result.agent.name,
                "identity": holder,
                "policy": policy,
                "statement": statement.index,
                "sid": statement.sid,
                # What to take out of the statement (all of it, when it grants nothing else;
                # NHI300's least-privilege policy keeps what the plan needs).
                "remove": [f"{i.action} on {i.resource}" for i in items[:LISTED]],
                "more_grants": max(0, len(items) - LISTED),
                # The whole change at once: the identity's least-privilege policy (what its plan
                # needs), to replace the policies that grant more.
                "replace_with": _least_privilege(result, holder),
                "unused_days": usage.unused_days,
                "last_used": _when(last),
                "last_used_from": next((i.last_seen_from for i in items if i.last_seen == last
                                        and last is not None), None),
                "never_seen_since": _when(usage.since) if last is None else None,
            },
        )  # fmt: skip


# Permission changes first, then writes, then the rest: the order a reviewer removes them in.
_LEVEL_ORDER: dict[str, int] = {AccessLevel.PERMISSIONS_MANAGEMENT: 0, AccessLevel.WRITE: 1,
                AccessLevel.TAGGING: 2, AccessLevel.READ: 3, AccessLevel.LIST: 4}  # fmt: skip


def _riskiest(item: UsageItem) -> tuple[int, str, str]:
    return (_LEVEL_ORDER.get(item.access_level or "", 5), item.action, item.resource)


def _least_privilege(result: AgentResult, holder: str) -> Mapping[str, Any] | None:
    gaps = result.gap.identities if result.gap is not None else ()
    return next((gap.policy for gap in gaps if gap.identity == holder), None)


def _own_policies(estate: Estate, holder: str) -> frozenset[str]:
    """The policies attached to the identity or its groups: the ones whose statements NHI701
    asks to change. A grant through a resource policy (a key policy delegating to the account)
    is listed in the agent's activity but not named for removal: that statement serves every
    principal the resource trusts."""
    identity = estate.identities.get(holder)
    if identity is None:
        return frozenset()
    groups = (estate.groups.get(g) for g in identity.member_of)
    return frozenset(identity.policies).union(*(g.policies for g in groups if g is not None))


def _statement_order(entry: tuple[tuple[str, StatementRef], list[UsageItem]]) -> tuple[Any, ...]:
    (holder, statement), _ = entry
    return (holder, statement.policy_id, statement.index)


class PlannedButUnused:
    meta = PLANNED_UNUSED

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for result, usage in _usages(ctx):
            items = usage.of(UseStatus.PLANNED_UNUSED)
            if not items:
                continue
            steps = sorted({s for i in items for s in i.steps})
            yield make_finding(
                self.meta,
                subject=f"agent:{result.agent.name}",
                provider=_provider(items),
                title=(
                    f"Agent {result.agent.name}'s plan needs {len(items)} permission(s) "
                    f"(steps {', '.join(map(str, steps)) or '-'}) none of its sessions used "
                    f"in the {(usage.until - usage.since).days}-day trail: the plan may be stale."
                ),
                key=(result.agent.name, _digest(f"{i.action} {i.resource}" for i in items)),
                evidence={
                    "agent": result.agent.name,
                    "since": iso(usage.since),
                    "until": iso(usage.until),
                    "identities": list(usage.covered),
                    "unused": [_need_json(i) for i in items[:LISTED]],
                    "more": max(0, len(items) - LISTED),
                },
            )


def _need_json(item: UsageItem) -> Mapping[str, Any]:
    return {"action": item.action, "resource": item.resource, "steps": list(item.steps)}


class AgentDeniedAttempts:
    meta = DENIED

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for result, usage in _usages(ctx):
            items = usage.of(UseStatus.DENIED)
            if not items:
                continue
            count = sum(i.count for i in items)
            errors = sorted({i.error for i in items if i.error})
            yield make_finding(
                self.meta,
                subject=f"agent:{result.agent.name}",
                provider=_provider(items),
                title=(
                    f"Agent {result.agent.name}'s sessions were refused {count:,} time(s) "
                    f"({', '.join(sorted({i.action for i in items})[:5])}"
                    f"{', …' if len(items) > 5 else ''}): its plan or grants are wrong, or "
                    "something probes."
                ),
                key=(result.agent.name, _digest(f"{i.action} {i.resource}" for i in items)),
                evidence={
                    "agent": result.agent.name,
                    "errors": errors,
                    "denied": [use_json(i) for i in items[:LISTED]],
                    "more": max(0, len(items) - LISTED),
                },
            )

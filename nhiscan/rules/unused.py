"""Unused for ``[activity] unused_days``, across every machine identity, agent or not (issue #19):
identities nothing used (NHI704) and services an identity is granted but did not use (NHI705,
the decision Repokid makes from IAM's last-accessed data).

Judged only where something looked: an audit trail over the identity's account for the whole
span, or the provider's service last-accessed data (``unused_facts``); every finding states the
last use when one is known, and where it comes from.

How NHI704 differs from the lifecycle rules: NHI002 judges one access key by its own last use,
NHI008 one role by its RoleLastUsed alone (``[lifecycle] role_unused_days``); NHI704 judges the
identity as a whole from every use known (the trail's events, last-accessed data, its own and
its keys' last-used dates). For a role NHI704 covers, it is the same judgement as NHI008's with
better evidence, so NHI008 leaves that role to it (``covered_roles``): one finding per role.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

from nhiscan.rules.base import RuleContext, days_between, make_finding
from nhiscan.rules.common import capital, describe, when
from nhiscan.rules.reach_support import admin_reach, is_nhi, sorted_identities
from nhiscan.rules.unused_facts import LAST_ACCESSED, TRAIL, Coverage, UseIndex
from nhiscan.rules.unused_meta import UNUSED_IDENTITY, UNUSED_SERVICE_GRANT
from nhiscan.scanner.activity import ServiceAccess
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph.export import ref_json
from nhiscan.scanner.model import Finding, Identity, Severity


class UnusedIdentity:
    meta = UNUSED_IDENTITY

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        days = ctx.activity.unused_days
        index = UseIndex(estate, ctx.now, days)
        start = ctx.now - timedelta(days=days)
        for identity in sorted_identities(estate):
            if not is_nhi(identity, ctx.providers):
                continue
            if identity.created is not None and identity.created > start:
                continue  # younger than the span: it has not had the time to be used
            coverage = index.coverage(identity)
            last = coverage.last
            if not coverage.covered or (last is not None and last.when > start):
                continue
            yield self._finding(estate, ctx, identity, coverage, days)

    def _finding(
        self, estate: Estate, ctx: RuleContext, identity: Identity, coverage: Coverage, days: int
    ) -> Finding:
        admin, stores = _reach(estate, ctx, identity)
        last = coverage.last
        idle = days_between(last.when, ctx.now) if last is not None else None
        return make_finding(
            self.meta,
            subject=identity.id,
            provider=identity.provider,
            title=_identity_title(describe(identity, identity.id, ctx.providers), coverage, idle),
            evidence={
                "identity": identity.id,
                "account": identity.account,
                "last_used": when(last.when) if last is not None else None,
                "last_used_from": last.source if last is not None else None,
                "days": idle,
                "threshold_days": days,
                "covered_by": list(coverage.sources),
                "covered_since": when(coverage.since),
                "admin": admin,
                "data_stores": stores,
            },
            severity=Severity.HIGH if admin or stores else Severity.MEDIUM,
        )


def _identity_title(who: str, coverage: Coverage, idle: int | None) -> str:
    last = coverage.last
    if last is not None and idle is not None:
        return (f"{capital(who)} has not been used for {idle} days (last used "
                f"{last.when:%Y-%m-%d}, from {last.source}).")  # fmt: skip
    seen = "in the trail" if any(s != LAST_ACCESSED for s in coverage.sources) else (
        "in its service last-accessed data"
    )  # fmt: skip
    since = f" since {coverage.since:%Y-%m-%d}" if coverage.since is not None else ""
    return f"{capital(who)} was never seen used {seen}{since}."


def _reach(estate: Estate, ctx: RuleContext, identity: Identity) -> tuple[bool, int]:
    """Whether the identity is (or can become) an administrator, and how many data stores it
    reaches; (False, 0) without the reach graph (--no-reach)."""
    graph = ctx.graph
    if graph is None or identity.id not in graph.graph:
        return False, 0
    admin = admin_reach(graph).reaches(identity.id)
    stores = sum(
        1
        for node in graph.parents(identity.id)
        if (r := estate.resources.get(node)) is not None
        and r.kind in ctx.providers.facts(r.provider).data_store_kinds
    )
    return admin, stores


def covered_roles(estate: Estate, ctx: RuleContext) -> frozenset[str]:
    """The identities NHI704 judges (covered by a trail or last-accessed data): NHI008 leaves
    these roles to it."""
    snapshot = estate.snapshot
    if not snapshot.activity_sources and not snapshot.service_access:
        return frozenset()
    index = UseIndex(estate, ctx.now, ctx.activity.unused_days)
    return frozenset(i.id for i in estate.identities.values() if index.coverage(i).covered)


class UnusedServiceGrant:
    meta = UNUSED_SERVICE_GRANT

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        days = ctx.activity.unused_days
        index = UseIndex(estate, ctx.now, days)
        start = ctx.now - timedelta(days=days)
        trail = _trail_services(estate)
        for identity in sorted_identities(estate):
            records = index.services.get(identity.id)
            if not records or not is_nhi(identity, ctx.providers):
                continue
            if index.tracked(identity.id) is None:
                continue  # the provider's tracking does not reach back unused_days
            used = trail.get(identity.id, {})
            unused = [r for r in records if not _used_since(r, used.get(r.service), start)]
            if unused:
                yield self._finding(estate, ctx, identity, unused, used, days)

    def _finding(
        self,
        estate: Estate,
        ctx: RuleContext,
        identity: Identity,
        unused: list[ServiceAccess],
        trail: dict[str, datetime],
        days: int,
    ) -> Finding:
        services: list[dict[str, Any]] = []
        names: list[str] = []
        for record in sorted(unused, key=lambda r: r.service):
            last, source = _latest(record, trail.get(record.service))
            refs = _granting(estate, identity, record.service)
            names.append(record.service)
            services.append({"service": record.service, "last_used": when(last),
                             "last_used_from": source,
                             "statements": [ref_json(ref) for ref in refs]})  # fmt: skip
        sensitive = sorted(set(names) & ctx.providers.facts(identity.provider).sensitive_services)
        who = capital(describe(identity, identity.id, ctx.providers))
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        return make_finding(
            self.meta,
            subject=identity.id,
            provider=identity.provider,
            title=f"{who} is granted {len(names)} service{'s' if len(names) > 1 else ''} it "
            f"has not used in {days} days: {shown}.",
            evidence={
                "identity": identity.id,
                "account": identity.account,
                "threshold_days": days,
                "services": services,
                "sensitive": sensitive,
                "tracked_since": when(_tracked(unused)),
            },
            severity=Severity.MEDIUM if sensitive else Severity.LOW,
        )


def _trail_services(estate: Estate) -> dict[str, dict[str, datetime]]:
    """identity -> service prefix -> the trail's last use of an action of it."""
    found: dict[str, dict[str, datetime]] = {}
    for summary in estate.snapshot.activity:
        mine = found.setdefault(summary.identity, {})
        for use in summary.uses:
            if use.action is None:
                continue
            service = use.action.split(":", 1)[0].lower()
            if service not in mine or use.last_seen > mine[service]:
                mine[service] = use.last_seen
    return found


def _used_since(record: ServiceAccess, trail: datetime | None, start: datetime) -> bool:
    last, _ = _latest(record, trail)
    return last is not None and last > start


def _latest(record: ServiceAccess, trail: datetime | None) -> tuple[datetime | None, str | None]:
    options = [(t, s) for t, s in ((record.last_accessed, LAST_ACCESSED), (trail, TRAIL)) if t]
    if not options:
        return None, None
    return max(options, key=lambda option: option[0])


def _tracked(records: list[ServiceAccess]) -> datetime | None:
    starts = [r.tracked_since for r in records if r.tracked_since is not None]
    return max(starts) if starts else None


def _granting(estate: Estate, identity: Identity, service: str) -> list[StatementRef]:
    """The Allow statements of the identity's policies (its own and its groups') whose actions
    name the service (``*``, ``svc:*``, ``svc:Get*``, or a NotAction that leaves some of it)."""
    policy_ids = list(identity.policies)
    for group in identity.member_of:
        found = estate.groups.get(group)
        policy_ids.extend(found.policies if found is not None else ())
    refs: list[StatementRef] = []
    for policy_id in dict.fromkeys(policy_ids):
        policy = estate.policy(policy_id)
        if policy is None:
            continue
        for position, statement in enumerate(_statements(policy.document)):
            if statement.get("Effect") == "Allow" and _names(statement, service):
                sid = statement.get("Sid")
                refs.append(StatementRef(policy_id=policy_id, index=position,
                                         sid=sid if isinstance(sid, str) else None))  # fmt: skip
    return refs


def _statements(document: Any) -> list[dict[str, Any]]:
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    return [s for s in statements or () if isinstance(s, dict)]


def _names(statement: dict[str, Any], service: str) -> bool:
    if "NotAction" in statement:
        return not any(_matches(a, service, whole=True) for a in _list(statement["NotAction"]))
    return any(_matches(a, service) for a in _list(statement.get("Action")))


def _matches(action: str, service: str, *, whole: bool = False) -> bool:
    """Whether an action pattern names some (``whole``: every) action of ``service``."""
    if action == "*":
        return True
    prefix, _, name = action.partition(":")
    if not fnmatchcase(service, prefix.lower()):
        return False
    return not whole or name == "*"


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value or () if isinstance(v, str)] if isinstance(value, list) else []

"""The gap analysis' records: what is granted beyond need, what is missing, per identity and
per agent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.model import Provider


@dataclass(frozen=True, slots=True, kw_only=True)
class GrantItem:
    provider: Provider
    action: str
    resource: str
    service: str
    access_level: str | None
    statements: tuple[StatementRef, ...]
    conditional: bool = False
    via: tuple[str, ...] = ()  # the roles assumed to hold it, in order; () held directly
    needed_on: tuple[str, ...] = ()  # excess scope: the resources the agent needs it on
    # A grant of all but some: ``resource`` is "*" and these are the resources it leaves out.
    except_resources: tuple[str, ...] = ()
    # What the provider says the score weighs: a data store or secrets service
    # (``ProviderFacts.sensitive_services``), every resource or a whole service (``is_broad``).
    sensitive: bool = False
    broad: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingItem:
    """A need with why it is not met (missing), or why the provider could not judge it
    (``IdentityGap.unjudged``: what decides it is not in the snapshot)."""

    provider: Provider
    action: str
    resource: str
    steps: tuple[int, ...]
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationItem:
    """One escalation method open to a principal, over all the targets it reaches."""

    principal: str
    method: str
    target: str  # the first target (an identity or resource id, or "admin")
    targets: int = 1  # how many targets the method reaches
    samples: tuple[str, ...] = ()  # the first few targets, sorted
    conditional: bool = False  # every way rests on undecided conditions


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityGap:
    identity: str
    provider: Provider
    account: str
    analysed: bool = True
    reason: str | None = None  # why it was not analysed
    needed: tuple[Need, ...] = ()  # bound to this identity's account
    granted: int = 0  # (action, resource) pairs granted, with every assumable role's
    excess: tuple[GrantItem, ...] = ()
    excess_scope: tuple[GrantItem, ...] = ()
    conditional: tuple[GrantItem, ...] = ()  # excess allowed only under undecided conditions
    missing: tuple[MissingItem, ...] = ()
    conditional_needs: tuple[Need, ...] = ()  # needs met only under undecided conditions
    # Needs its provider cannot judge from the snapshot (neither met nor missing), with why.
    unjudged: tuple[MissingItem, ...] = ()
    roles: tuple[str, ...] = ()  # roles it can assume, directly or in a chain
    admin: bool = False
    escalations: tuple[EscalationItem, ...] = ()
    policy: Mapping[str, Any] | None = None  # the least-privilege policy to apply
    trust: Mapping[str, Any] | None = None  # a role's least trust
    by_service: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # granted counts
    # Attached policies (or groups) not in the snapshot: the grants are incomplete by them.
    uncollected: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentGap:
    agent: str
    identities: tuple[IdentityGap, ...]

    @property
    def excess(self) -> tuple[GrantItem, ...]:
        return _unique(item for gap in self.identities for item in gap.excess)

    @property
    def excess_scope(self) -> tuple[GrantItem, ...]:
        return _unique(item for gap in self.identities for item in gap.excess_scope)

    @property
    def conditional(self) -> tuple[GrantItem, ...]:
        return _unique(item for gap in self.identities for item in gap.conditional)

    @property
    def missing(self) -> tuple[MissingItem, ...]:
        """Needs no analysed identity meets: the workflow breaks whichever identity runs it."""
        analysed = [gap for gap in self.identities if gap.analysed]
        if not analysed:
            return ()
        keys = [{(m.action, m.resource) for m in gap.missing} for gap in analysed]
        common = set.intersection(*keys)
        return tuple(m for m in analysed[0].missing if (m.action, m.resource) in common)

    @property
    def unjudged(self) -> tuple[MissingItem, ...]:
        """Needs some analysed identity's provider could not judge (first reason kept)."""
        found: dict[tuple[str, str], MissingItem] = {}
        for gap in self.identities:
            for item in gap.unjudged:
                found.setdefault((item.action, item.resource), item)
        return tuple(found.values())

    @property
    def escalations(self) -> tuple[EscalationItem, ...]:
        return tuple(dict.fromkeys(e for gap in self.identities for e in gap.escalations))

    @property
    def admin(self) -> bool:
        return any(gap.admin for gap in self.identities)


def _unique(items: Iterable[GrantItem]) -> tuple[GrantItem, ...]:
    seen: dict[tuple[str, str, tuple[str, ...]], GrantItem] = {}
    for item in items:
        seen.setdefault((item.action, item.resource, item.via), item)
    return tuple(seen.values())


Counts = dict[str, dict[str, int]]  # service -> access level -> count


def count_by_service(items: Iterable[GrantItem]) -> Counts:
    """How many items per service and access level ("Unknown" for uncatalogued actions)."""
    counts: Counts = {}
    for item in items:
        level = item.access_level or "Unknown"
        slot = counts.setdefault(item.service, {})
        slot[level] = slot.get(level, 0) + 1
    return sort_counts(counts)


def add_counts(many: Iterable[Mapping[str, Mapping[str, int]]]) -> Counts:
    """The sum of several service-by-level counts."""
    total: Counts = {}
    for counts in many:
        for service, levels in counts.items():
            slot = total.setdefault(service, {})
            for level, count in levels.items():
                slot[level] = slot.get(level, 0) + count
    return sort_counts(total)


def sort_counts(counts: Mapping[str, Mapping[str, int]]) -> Counts:
    return {s: dict(sorted(v.items())) for s, v in sorted(counts.items())}

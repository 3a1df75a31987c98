"""The capped parts of an agent's card in the HTML report: what it is granted, by service and
access level, and its excess grouped by service then level, with the page's caps.

An administrator holds tens of thousands of excess grants and the page must stay small: each
service group lists at most ``GROUP_ITEMS`` items (shared fairly between its access levels), the
agent at most ``AGENT_ITEMS``; services past that are counted only. Counts are always exact;
report.json lists every item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.gaps import GrantItem, IdentityGap
from nhiscan.scanner.gaps.model import add_counts
from nhiscan.scanner.gaps.score import weight

GROUP_ITEMS = 50  # excess items listed per service group
AGENT_ITEMS = 500  # excess items listed per agent, over all its groups
GROUPS_SHOWN = 25  # service groups shown open; the rest sit behind one <details>
FLAT_ROWS = 200  # excess scope, conditional excess and escalations listed per agent
SERVICES_OPEN = 12  # a granted-by-service table longer than this is collapsed
LEVELS = ("Permissions management", "Write", "Read", "Tagging", "List")
UNKNOWN_LEVEL = "Unknown"

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class GrantRow:
    action: str
    resource: str
    level: str
    statements: tuple[str, ...]  # "policy_id#index (sid)"
    via: tuple[str, ...]  # roles assumed to hold it, in order
    needed_on: tuple[str, ...]  # excess scope: the resources it is needed on


@dataclass(frozen=True, slots=True, kw_only=True)
class LevelGroup:
    level: str
    count: int  # exact
    rows: tuple[GrantRow, ...]  # the ones listed

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceGroup:
    service: str
    count: int  # exact
    levels: tuple[LevelGroup, ...]

    @property
    def listed(self) -> int:
        return sum(len(level.rows) for level in self.levels)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceCounts:
    service: str
    counts: tuple[int, ...]  # one per level column of the table it is in
    total: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ExcessView:
    total: int
    listed: int
    groups: tuple[ServiceGroup, ...]  # services with items listed, most score points first
    shown: int  # how many of them are shown at once, the rest behind one <details>
    levels: tuple[str, ...]  # the level columns of ``unlisted``
    unlisted: tuple[ServiceCounts, ...]  # services past the page's cap: counts only

    @property
    def more(self) -> int:
        return self.total - self.listed


@dataclass(frozen=True, slots=True, kw_only=True)
class Capped(Generic[T]):
    rows: tuple[T, ...]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True, slots=True, kw_only=True)
class GrantedView:
    granted: int
    admin: bool
    roles: tuple[str, ...]
    levels: tuple[str, ...]  # the columns of the per-service table
    services: tuple[ServiceCounts, ...]
    collapsed: bool


# --- what it is granted ----------------------------------------------------------------------


def granted_view(gaps: Sequence[IdentityGap]) -> GrantedView:
    """Summed over the agent's identities, as report.json's ``granted_summary``."""
    by_service = add_counts(gap.by_service for gap in gaps)
    present = {level for counts in by_service.values() for level in counts}
    columns = tuple(level_order(present))
    services = tuple(
        ServiceCounts(
            service=service,
            counts=tuple(counts.get(level, 0) for level in columns),
            total=sum(counts.values()),
        )
        for service, counts in sorted(by_service.items())
    )
    return GrantedView(
        granted=sum(g.granted for g in gaps),
        admin=any(g.admin for g in gaps),
        roles=tuple(sorted({r for g in gaps for r in g.roles})),
        levels=columns,
        services=services,
        collapsed=len(services) > SERVICES_OPEN,
    )


def level_order(levels: Iterable[str]) -> list[str]:
    """The catalogue's access levels, most powerful first; any other name after, by name."""
    rank = {name: n for n, name in enumerate(LEVELS)}
    return sorted(set(levels), key=lambda level: (rank.get(level, len(LEVELS)), level))


def level_of(item: GrantItem) -> str:
    return item.access_level or UNKNOWN_LEVEL


# --- excess ----------------------------------------------------------------------------------


def excess_view(items: Sequence[GrantItem]) -> ExcessView:
    """Excess grouped by service, then access level. Services carrying the most score points
    come first; each lists at most GROUP_ITEMS items (shared fairly between its levels), and
    the agent at most AGENT_ITEMS in all; services past that are counted only. The counts are
    always exact."""
    by_service: dict[str, list[GrantItem]] = {}
    for item in items:
        by_service.setdefault(item.service, []).append(item)
    ranked = sorted(by_service.items(), key=lambda kv: (-_points(kv[1]), kv[0]))
    budget = AGENT_ITEMS
    groups = []
    for service, grants in ranked:
        group = service_group(service, grants, min(GROUP_ITEMS, budget))
        budget -= group.listed
        groups.append(group)
    listed = tuple(g for g in groups if g.listed)
    columns = tuple(level_order(level_of(item) for item in items))
    return ExcessView(
        total=len(items),
        listed=sum(g.listed for g in listed),
        groups=listed,
        shown=min(len(listed), GROUPS_SHOWN),
        levels=columns,
        unlisted=tuple(service_counts(g, columns) for g in groups if not g.listed),
    )


def service_counts(group: ServiceGroup, columns: Sequence[str]) -> ServiceCounts:
    counts = {level.level: level.count for level in group.levels}
    return ServiceCounts(
        service=group.service,
        counts=tuple(counts.get(level, 0) for level in columns),
        total=group.count,
    )


def service_group(service: str, items: Sequence[GrantItem], budget: int) -> ServiceGroup:
    by_level: dict[str, list[GrantItem]] = {}
    for item in items:
        by_level.setdefault(level_of(item), []).append(item)
    levels = level_order(by_level)
    shares = split(budget, [len(by_level[level]) for level in levels])
    return ServiceGroup(
        service=service,
        count=len(items),
        levels=tuple(
            LevelGroup(
                level=level,
                count=len(by_level[level]),
                rows=grant_rows(sorted(by_level[level], key=_item_key)[:share]),
            )
            for level, share in zip(levels, shares, strict=True)
        ),
    )


def split(budget: int, sizes: Sequence[int]) -> list[int]:
    """Share ``budget`` between groups of ``sizes``: equal shares, a group needing less than
    its share leaving the rest to the others. Never more than a group holds."""
    shares = [0] * len(sizes)
    left = budget
    order = sorted(range(len(sizes)), key=lambda n: (sizes[n], n))
    for position, n in enumerate(order):
        shares[n] = min(sizes[n], left // (len(sizes) - position))
        left -= shares[n]
    return shares


def _points(items: Iterable[GrantItem]) -> float:
    return sum(weight(item) for item in items)


def _item_key(item: GrantItem) -> tuple[str, str, tuple[str, ...]]:
    return (item.action, item.resource, item.via)


def grant_rows(items: Iterable[GrantItem]) -> tuple[GrantRow, ...]:
    return tuple(
        GrantRow(
            action=item.action,
            resource=item.resource,
            level=level_of(item),
            statements=tuple(statement_text(s) for s in item.statements),
            via=item.via,
            needed_on=item.needed_on,
        )
        for item in items
    )


def statement_text(ref: StatementRef) -> str:
    """``policy_id#index (sid)``, the sid only when the statement has one."""
    text = f"{ref.policy_id}#{ref.index}"
    return f"{text} ({ref.sid})" if ref.sid else text


def capped_grants(items: Sequence[GrantItem]) -> Capped[GrantRow]:
    """The first FLAT_ROWS as rows (only those are shaped), and the exact total."""
    return Capped(rows=grant_rows(items[:FLAT_ROWS]), total=len(items))


def capped(items: Sequence[T], limit: int = FLAT_ROWS) -> Capped[T]:
    return Capped(rows=tuple(items[:limit]), total=len(items))

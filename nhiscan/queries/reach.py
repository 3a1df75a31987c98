"""``nhiscan reach``: everything one identity, key or piece of compute can reach.

Identities and admin sinks come with the shortest path to them (``ReachGraph.reach``). For
resources every principal in reach counts, not only the one the shortest path ends at: a user
may read a bucket itself and, through a role it assumes, also write it. Each action on each
resource is credited to its best way (certain before conditional, then fewest hops); an action
is conditional only when every way to it rests on a condition nhiscan could not decide.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from nhiscan.queries.resolve import QueryError, describe
from nhiscan.scanner.facts import AccessLevel, PermissionCatalog
from nhiscan.scanner.graph import EdgeKind, Hop, NodeKind, ReachGraph

Path = tuple[Hop, ...]

# Worst first: what an attacker holding the identity would look for first.
LEVELS = (
    AccessLevel.PERMISSIONS_MANAGEMENT.value,
    AccessLevel.WRITE.value,
    AccessLevel.TAGGING.value,
    AccessLevel.READ.value,
    AccessLevel.LIST.value,
)
UNKNOWN_LEVEL = "Unknown"  # an action the catalogue does not know
# What reach can act as: users and roles, and groups an escalation leads into.
ACTING = (NodeKind.IDENTITY, NodeKind.GROUP)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reached:
    """An identity or admin sink in reach, with a shortest path to it."""

    node: str
    path: Path

    @property
    def conditional(self) -> bool:
        return conditional(self.path)


@dataclass(frozen=True, slots=True, kw_only=True)
class Grant:
    """One action on one resource and its best way: ``path`` ends in the can_access hop of
    ``via``, the principal whose permission it is."""

    action: str
    via: str
    path: Path
    conditional: bool

    @property
    def rank(self) -> tuple[bool, int, str]:
        return (self.conditional, len(self.path), self.via)


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceAccess:
    """The actions of one access level on one resource."""

    resource: str
    service: str
    level: str
    grants: tuple[Grant, ...]  # by action

    @property
    def path(self) -> Path:
        """The best way to any of the actions."""
        return min(self.grants, key=lambda g: g.rank).path

    @property
    def conditional(self) -> bool:
        return all(g.conditional for g in self.grants)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReachResult:
    start: str
    origin: str  # where reach begins: the start, or the role compute runs as
    identities: tuple[Reached, ...]
    admin: tuple[Reached, ...]
    resources: tuple[ResourceAccess, ...]  # by service, level (worst first), resource
    notes: tuple[str, ...] = ()


def conditional(path: Path) -> bool:
    return any(hop.conditional for hop in path)


def origin(graph: ReachGraph, start: str) -> tuple[str, Path]:
    """Where reach from ``start`` begins and the hops to it: compute (a Lambda function, an EC2
    instance, an instance profile) acts as the role it runs as; identities and keys as
    themselves. Groups and admin sinks act as nothing."""
    kind = graph.kind(start)
    if kind is NodeKind.RESOURCE:
        runs = sorted(graph.out_hops(start), key=lambda h: h.target)
        for hop in runs:
            if hop.edge is EdgeKind.RUNS_AS:
                return hop.target, (hop,)
        raise QueryError(
            f"{describe(graph, start)} is a resource that runs as no role: it acts as nobody"
        )
    if kind is NodeKind.GROUP:
        raise QueryError(
            f"{describe(graph, start)} is a group: a group cannot act; ask about a member"
        )
    if kind is NodeKind.ADMIN:
        raise QueryError(f"{start} is an admin sink, not something that acts")
    return start, ()


def reach_paths(graph: ReachGraph, start: str) -> dict[str, Path]:
    """Every node ``start`` reaches (compute through the role it runs as), with a path."""
    begin, prefix = origin(graph, start)
    paths = {node: prefix + path for node, path in graph.reach(begin).items()}
    if prefix:
        paths[begin] = prefix
    paths.pop(start, None)
    return paths


def reach(graph: ReachGraph, start: str, catalog: PermissionCatalog) -> ReachResult:
    begin, prefix = origin(graph, start)
    paths = reach_paths(graph, start)
    identities = [n for n in paths if graph.kind(n) in ACTING]
    admin = [n for n in paths if graph.kind(n) is NodeKind.ADMIN]
    actors = {n: paths[n] for n in identities}
    if graph.kind(begin) is NodeKind.IDENTITY:
        actors[begin] = prefix
    notes = []
    if graph.kind(start) is NodeKind.CREDENTIAL and not paths:
        notes.append("the credential is not active: it reaches nothing")
    return ReachResult(
        start=start,
        origin=begin,
        identities=_reached(graph, identities, paths),
        admin=_reached(graph, admin, paths),
        resources=resource_access(graph, actors, catalog),
        notes=tuple(notes),
    )


def _reached(graph: ReachGraph, nodes: list[str], paths: dict[str, Path]) -> tuple[Reached, ...]:
    found = [Reached(node=n, path=paths[n]) for n in nodes]
    return tuple(sorted(found, key=lambda r: (r.conditional, len(r.path), r.node)))


def resource_access(
    graph: ReachGraph, actors: dict[str, Path], catalog: PermissionCatalog
) -> tuple[ResourceAccess, ...]:
    """What the principals in ``actors`` (each with the path to it) can do to resources."""
    best: dict[tuple[str, str], Grant] = {}
    for actor, to_actor in actors.items():
        before = conditional(to_actor)
        for hop in graph.hops_from(actor, EdgeKind.CAN_ACCESS):
            path = (*to_actor, hop)
            for action in hop.actions:
                grant = Grant(
                    action=action,
                    via=actor,
                    path=path,
                    conditional=before or action in hop.conditional_actions,
                )
                key = (hop.target, action)
                if key not in best or grant.rank < best[key].rank:
                    best[key] = grant
    grouped: defaultdict[tuple[str, str], list[Grant]] = defaultdict(list)
    for (resource, action), grant in best.items():
        grouped[(resource, level_of(catalog, action))].append(grant)
    found = [
        ResourceAccess(
            resource=resource,
            service=service_of(resource),
            level=level,
            grants=tuple(sorted(grants, key=lambda g: g.action)),
        )
        for (resource, level), grants in grouped.items()
    ]
    return tuple(sorted(found, key=_access_order))


def level_of(catalog: PermissionCatalog, action: str) -> str:
    info = catalog.info(action)
    return UNKNOWN_LEVEL if info is None else info.access_level.value


def service_of(arn: str) -> str:
    parts = arn.split(":", 3)
    return parts[2] if len(parts) > 2 and parts[0] == "arn" else "unknown"


def _access_order(access: ResourceAccess) -> tuple[str, int, str]:
    rank = LEVELS.index(access.level) if access.level in LEVELS else len(LEVELS)
    return (access.service, rank, access.resource)

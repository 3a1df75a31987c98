"""``nhiscan who-can``: every principal that may perform an action on a resource.

Directly: each principal of the estate is asked of the policy evaluator (ALLOW, or CONDITIONAL
when a condition could not be decided), with the statements that grant it. Through chains: a
breadth-first search backwards along the edges reach follows (``ReachGraph.toward``) finds
every principal that reaches one of those, or reaches the admin sink of the resource's account
(an administrator can do anything there), with its shortest path.
"""

from __future__ import annotations

from dataclasses import dataclass

from nhiscan.queries.resolve import QueryError, resolve
from nhiscan.scanner.authz import Authorizer, Decision, Evaluation
from nhiscan.scanner.facts import IdScheme, PermissionCatalog
from nhiscan.scanner.graph import Hop, NodeKind, ReachGraph, admin_node
from nhiscan.scanner.graph.model import is_hub
from nhiscan.scanner.graph.reach import through

Path = tuple[Hop, ...]
ANY_RESOURCE = "*"


@dataclass(frozen=True, slots=True, kw_only=True)
class Direct:
    principal: str
    evaluation: Evaluation

    @property
    def conditional(self) -> bool:
        return self.evaluation.decision is Decision.CONDITIONAL


@dataclass(frozen=True, slots=True, kw_only=True)
class Chained:
    principal: str
    via: str  # the principal that can, or the admin sink, the path ends at
    path: Path

    @property
    def conditional(self) -> bool:
        return any(hop.conditional for hop in self.path)


@dataclass(frozen=True, slots=True, kw_only=True)
class WhoCanResult:
    action: str
    resource: str
    known_action: bool  # the catalogue knows the action
    direct: tuple[Direct, ...]
    chained: tuple[Chained, ...]


def parse_action(catalog: PermissionCatalog, text: str) -> tuple[str, bool]:
    """The action in the catalogue's spelling, and whether the catalogue knows it."""
    action = text.strip()
    if "*" in action or "?" in action or ":" not in action:
        raise QueryError(
            f"action {text!r}: give one action as service:Name ({catalog.example}), not a pattern"
        )
    info = catalog.info(action)
    return (action, False) if info is None else (info.name, True)


def parse_resource(graph: ReachGraph, ids: IdScheme, text: str) -> str:
    """An id as given, ``*``, or the id of the estate resource or identity a name names."""
    wanted = text.strip()
    if wanted == ANY_RESOURCE or ids.owns(wanted):
        return wanted
    node = resolve(graph, wanted, what="resource")
    if graph.kind(node) in (NodeKind.CREDENTIAL, NodeKind.ADMIN, NodeKind.GROUP):
        raise QueryError(f"resource {text!r} names a {graph.kind(node).value}: give an ARN or *")
    return node


def who_can(
    graph: ReachGraph,
    authorizer: Authorizer,
    ids: IdScheme,
    action: str,
    resource: str,
    *,
    known: bool,
) -> WhoCanResult:
    direct = []
    for principal in sorted(set(authorizer.principals())):
        result = authorizer.evaluate(principal, action, resource)
        if result.decision.possible:
            direct.append(Direct(principal=principal, evaluation=result))
    sinks = {d.principal for d in direct if d.principal in graph}
    sinks |= _admin_sinks(graph, ids, resource)
    toward = graph.toward(sinks)
    already = {d.principal for d in direct}
    chained = [
        _chain(node, toward, sinks)
        for node in toward
        if node not in already and graph.kind(node) is NodeKind.IDENTITY
    ]
    return WhoCanResult(
        action=action,
        resource=resource,
        known_action=known,
        direct=tuple(sorted(direct, key=lambda d: (d.conditional, d.principal))),
        chained=tuple(sorted(chained, key=lambda c: (c.conditional, len(c.path), c.principal))),
    )


def _admin_sinks(graph: ReachGraph, ids: IdScheme, resource: str) -> set[str]:
    """The admin sinks whose holder may act on ``resource``: its account's (every account's
    for ``*``; none when the account cannot be told)."""
    if resource == ANY_RESOURCE:
        return set(graph.nodes_of(NodeKind.ADMIN))
    estate = graph.estate
    container = ids.container_of(resource)
    known = (
        estate.resources.get(resource)
        or estate.identities.get(resource)
        or (estate.resources.get(container) if container else None)  # an object: its container's
    )
    account = known.account if known is not None else ids.scope_of(resource)
    if account is None or admin_node(account) not in graph:
        return set()
    return {admin_node(account)}


def _chain(node: str, toward: dict[str, Hop], sinks: set[str]) -> Chained:
    hops = []
    current = node
    while current not in sinks:
        hop = toward[current]
        if is_hub(hop.target) and hop.target in toward:  # shown as one hop naming both
            hop = through(hop, toward[hop.target])
        hops.append(hop)
        current = hop.target
    return Chained(principal=node, via=current, path=tuple(hops))

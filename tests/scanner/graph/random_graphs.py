"""Random reach graphs, to compare the walks that answer for every node at once
(``graph.nearest``, ``graph.closure``) with a breadth-first walk from each node: principals,
resources (which end paths; some with hops of their own), admin sinks (some inheriting others),
hubs (whose members include nodes with a hop into them, some with several), conditional hops,
parallel hops that differ only in their statements, hops no path follows, and keys held by
principals; and what the walk from one node found (``breadth_first``,
``breadth_first_radius``), to compare with."""

from __future__ import annotations

import random
from itertools import pairwise

import networkx as nx

from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.blast import Radius
from nhiscan.scanner.graph import EdgeKind, Hop, NodeKind, ReachGraph
from nhiscan.scanner.graph.model import INHERITS, hub_node
from nhiscan.scanner.graph.reach import unwind
from nhiscan.scanner.model import Credential, ResourceKind
from tests import factories as f

EDGES = (EdgeKind.CAN_ASSUME, EdgeKind.ESCALATES_TO, EdgeKind.HAS_CREDENTIAL, EdgeKind.LEAKS)
UNTRAVERSED = (EdgeKind.MEMBER_OF, EdgeKind.CAN_PASS_ROLE, EdgeKind.RUNS_AS)
METHODS = (None, "CreateAccessKey", "PassRole")
RESOURCES = (ResourceKind.SECRET, ResourceKind.S3_BUCKET, ResourceKind.LAMBDA_FUNCTION)
FACTS = f.providers().facts
ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "s3:GetObject")


def _hop(rng: random.Random, source: str, target: str, edge: EdgeKind, **extra: object) -> Hop:
    ref = StatementRef(policy_id=f"p{rng.randrange(4)}", index=rng.randrange(3))
    fields: dict[str, object] = {
        "method": rng.choice(METHODS) if edge is EdgeKind.ESCALATES_TO else None,
        "statements": (ref,),
        "conditional": rng.random() < 0.3,
    }
    if edge is EdgeKind.CAN_ACCESS:
        fields["actions"] = tuple(rng.sample(ACTIONS, rng.randrange(1, 3)))
    return Hop(source=source, target=target, edge=edge, **(fields | extra))  # type: ignore[arg-type]


def random_graph(seed: int) -> tuple[ReachGraph, list[Credential]]:
    """A random graph, and the keys its principals hold (each a node with its hop)."""
    rng = random.Random(seed)
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    names = [f"n{i:03d}" for i in rng.sample(range(1000), rng.randrange(6, 40))]
    kinds = {n: NodeKind.RESOURCE if rng.random() < 0.15 else NodeKind.IDENTITY for n in names}
    resources = [
        f.resource(name, id=name, kind=rng.choice(RESOURCES))
        for name in names
        if kinds[name] is NodeKind.RESOURCE
    ]
    sinks = [f"admin:{n}" for n in range(rng.randrange(1, 4))]
    hubs = [hub_node(str(n), rng.choice(["sts:AssumeRole", "iam:*"])) for n in range(3)]
    for node, kind in kinds.items():
        graph.add_node(node, kind=kind.value)
    for resource in resources:
        graph.nodes[resource.id]["type"] = resource.kind.value
    for node in sinks:
        graph.add_node(node, kind=NodeKind.ADMIN.value)
    for node in hubs:
        graph.add_node(node, kind=NodeKind.HUB.value)
    principals = [n for n in names if kinds[n] is NodeKind.IDENTITY]

    def add(hop: Hop) -> None:
        graph.add_edge(hop.source, hop.target, hop=hop)

    for _ in range(rng.randrange(len(names) * 2)):
        source, target = rng.choice(names), rng.choice(names)
        if source != target and kinds[target] is NodeKind.IDENTITY:
            hop = _hop(rng, source, target, rng.choice(EDGES))
            add(hop)
            if rng.random() < 0.15:  # a parallel hop: the same but for its statements
                add(_hop(rng, source, target, hop.edge, method=hop.method,
                         conditional=hop.conditional))  # fmt: skip
        if rng.random() < 0.1:
            add(_hop(rng, source, target, rng.choice(UNTRAVERSED)))
    for source in rng.sample(names, min(len(names), rng.randrange(12))):
        if resources:
            add(_hop(rng, source, rng.choice(resources).id, EdgeKind.CAN_ACCESS))
    for source in rng.sample(names, min(len(names), rng.randrange(6))):
        add(_hop(rng, source, rng.choice(sinks), EdgeKind.IS_ADMIN))
    for upper, lower in pairwise(sinks):
        if rng.random() < 0.6:
            add(_hop(rng, upper, lower, EdgeKind.IS_ADMIN, method=INHERITS))
    for hub in hubs:
        for member in rng.sample(principals, min(len(principals), rng.randrange(6))):
            add(_hop(rng, hub, member, rng.choice(EDGES[:2])))
        for caller in rng.sample(names, min(len(names), rng.randrange(6))):
            for _ in range(rng.choice((1, 1, 2, 3))):  # some callers with several hops into it
                add(_hop(rng, caller, hub, rng.choice(EDGES[:2])))
    keys = []
    for n, owner in enumerate(rng.sample(principals, min(len(principals), rng.randrange(8)))):
        key = f.access_key(owner, id=f"AKIA{seed:06d}{n:04d}")
        graph.add_node(key.id, kind=NodeKind.CREDENTIAL.value)
        add(_hop(rng, key.id, owner, EdgeKind.HAS_CREDENTIAL))
        keys.append(key)
    estate = f.estate(*resources)
    return ReachGraph(estate=estate, graph=graph, escalations=(), potential=()), keys


def breadth_first(graph: ReachGraph, node: str, within: set[str] | None) -> tuple[Hop, ...] | None:
    """The path the rules took before: a walk from ``node`` to the first sink it meets."""
    if graph.is_admin(node):
        return ()
    parents = graph.parents(node, within=within, until=graph.is_admin)
    sinks = [n for n in parents if graph.is_admin(n)]
    return unwind(parents, sinks[0]) if sinks else None


def breadth_first_radius(graph: ReachGraph, identity: str) -> Radius:
    """The radius as the walk per identity found it: the nodes ``parents`` reaches, by kind,
    the first admin sink met, and the secrets the identity and each identity reached read."""
    parents = graph.parents(identity)
    facts = FACTS("aws")
    kinds = {n: graph.graph.nodes[n]["kind"] for n in parents}
    resources = [n for n, kind in kinds.items() if kind == NodeKind.RESOURCE.value]
    sinks = [n for n, kind in kinds.items() if kind == NodeKind.ADMIN.value]
    readers = [identity, *(n for n, kind in kinds.items() if kind == NodeKind.IDENTITY.value)]
    secrets = {
        hop.target
        for reader in readers
        for hop in graph.hops_from(reader)
        if hop.edge is EdgeKind.CAN_ACCESS
        and graph.estate.resources[hop.target].kind in facts.secret_kinds
        and any(a.lower() in facts.secret_read_actions for a in hop.actions)
    }
    return Radius(
        admin_path=unwind(parents, sinks[0]) if sinks else None,
        roles=len(readers) - 1,
        resources=len(resources),
        data_stores=sum(
            graph.estate.resources[n].kind in facts.data_store_kinds for n in resources
        ),
        secrets=tuple(sorted(secrets)),
    )

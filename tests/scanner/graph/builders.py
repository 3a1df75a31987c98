"""Small builders for reach-graph tests, on top of tests/factories.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from nhiscan.scanner.graph import EdgeKind, Hop, ReachGraph, admin_node
from nhiscan.scanner.model import Identity, Policy, PolicyKind, Record, Resource, ResourceKind
from tests import factories as f

ADMIN = admin_node(f.ACCOUNT)
REGION = "eu-west-1"


def inline(owner: Identity, name: str, *statements: Mapping[str, Any]) -> Policy:
    """An inline policy of ``owner``: id ``<arn>#inline/<name>``."""
    return f.policy(
        id=f"{owner.id}#inline/{name}",
        name=name,
        kind=PolicyKind.INLINE,
        account=owner.account,
        document=f.document(*statements),
    )


def granted(owner: Identity, *statements: Mapping[str, Any], **overrides: Any) -> list[Record]:
    """``owner`` holding one inline policy of ``statements``, and the policy."""
    policy = inline(owner, "grant", *statements)
    return [replace(owner, policies=(*owner.policies, policy.id), **overrides), policy]


def trusting(role: Identity, principal: Any) -> Policy:
    return f.trust_policy(role, f.document(f.assume_role_statement(principal)))


def function(name: str, runs_as: Identity) -> Resource:
    return f.resource(
        name,
        id=f"arn:aws:lambda:{REGION}:{f.ACCOUNT}:function:{name}",
        kind=ResourceKind.LAMBDA_FUNCTION,
        runs_as=runs_as.id,
        policy=None,
    )


def secret(name: str, **overrides: Any) -> Resource:
    fields: dict[str, Any] = {
        "id": f"arn:aws:secretsmanager:{REGION}:{f.ACCOUNT}:secret:{name}-AbCdEf",
        "kind": ResourceKind.SECRET,
        "policy": None,
    }
    return f.resource(name, **{**fields, **overrides})


def graph(*records: Record | list[Record]) -> ReachGraph:
    flat: list[Record] = []
    for record in records:
        flat += record if isinstance(record, list) else [record]
    return f.reach_graph(f.estate(*flat))


def hops(graph: ReachGraph, kind: EdgeKind) -> list[Hop]:
    return sorted(graph.edges(kind), key=lambda h: (h.source, h.target, h.method or ""))


def pairs(graph: ReachGraph, kind: EdgeKind) -> set[tuple[str, str]]:
    return {(h.source, h.target) for h in graph.edges(kind)}


def escalations(graph: ReachGraph, principal: Identity | str) -> set[tuple[str, str]]:
    """(method, target) of the principal's escalates_to hops."""
    who = principal if isinstance(principal, str) else principal.id
    return {
        (h.method or "", h.target) for h in graph.edges(EdgeKind.ESCALATES_TO) if h.source == who
    }

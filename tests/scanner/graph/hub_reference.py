"""The reference for hubs (issue #16): the same estate's reach graph built with every
(caller, role) pair its own can_assume hop (``HUB_MIN_PAIRS = None``), and what a reader is
shown of both, to compare. Also a small dense hand-built estate: wildcard trusts, callers
allowed sts:AssumeRole on ``*``, and the things that must keep a caller or a role out of a hub
(a boundary, a Deny, a resource-naming grant, a conditional trust, a Deny in a trust)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from nhiscan.app import pipeline
from nhiscan.providers.aws.graph import assume
from nhiscan.providers.aws.policy import trust_share
from nhiscan.providers.aws.privesc import targets
from nhiscan.reports.model import Report
from nhiscan.scanner.escalation import expand
from nhiscan.scanner.graph import ReachGraph
from nhiscan.scanner.graph.counts import reach_counts
from nhiscan.scanner.graph.model import EdgeKind, Hop, is_hub
from nhiscan.scanner.model import Record
from nhiscan.scanner.snapshot import Snapshot
from tests import factories as f

ROOT = f"arn:aws:iam::{f.ACCOUNT}:root"


@contextmanager
def hubs(
    min_pairs: int | None, min_targets: int | None = None, block: int | None = 3
) -> Iterator[None]:
    """Graphs built inside use hubs from ``min_pairs`` pairs, cut into blocks of ``block``
    roles (small: the estates are), and escalations to target sets from ``min_targets``
    targets (None: never, the reference)."""
    before = assume.HUB_MIN_PAIRS, targets.SET_MIN_TARGETS, assume.HUB_BLOCK
    assume.HUB_MIN_PAIRS, targets.SET_MIN_TARGETS, assume.HUB_BLOCK = min_pairs, min_targets, block
    try:
        yield
    finally:
        assume.HUB_MIN_PAIRS, targets.SET_MIN_TARGETS, assume.HUB_BLOCK = before


@contextmanager
def shared_trust(on: bool) -> Iterator[None]:
    """Graphs built inside ask each (caller, role) pair on its own (``on`` False: the
    reference) or once per trust class (``trust_share``)."""
    before = trust_share.SHARE_TRUST
    trust_share.SHARE_TRUST = on
    try:
        yield
    finally:
        trust_share.SHARE_TRUST = before


def report(
    snapshot: Snapshot,
    *,
    min_pairs: int | None,
    min_targets: int | None = None,
    share: bool = True,
) -> Report:
    with hubs(min_pairs, min_targets), shared_trust(share):
        return pipeline.analyze(snapshot, settings=f.settings(), now=f.NOW)


def hops(graph: ReachGraph, *, assume: bool = True) -> list[tuple[str, str, Any]]:
    """Every edge with its hop, in the order the graph holds them (the order paths are
    searched in); without ``assume``, the can_assume edges left out."""
    return [
        (u, v, d["hop"])
        for u, v, d in graph.graph.edges(data=True)
        if assume or d["hop"].edge is not EdgeKind.CAN_ASSUME
    ]


def assumed(graph: ReachGraph) -> list[Hop]:
    """Every can_assume hop as a reader is told of it (``ReachGraph.assumes``: a hub's hops
    followed through to each role), whether the graph holds it through a hub, a block of one,
    or as a pair."""
    found = [hop for node in graph.graph if not is_hub(node) for hop in graph.assumes(node)]
    return sorted(found, key=lambda h: (h.source, h.target))


def shown(graph: ReachGraph, start: str) -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Each node reached from ``start`` and the hops of its path as (from, to, edge)."""
    return {
        node: tuple((h.source, h.target, h.edge.value) for h in path)
        for node, path in graph.reach(start).items()
    }


def summary(rep: Report) -> dict[str, Any]:
    """What a reader is told, independent of which of several equally short paths is shown:
    findings (rule, subject, severity, fingerprint), blast radius figures and admin path
    lengths, reach counts, escalations, every principal's reach set and path lengths."""
    graph = rep.graph
    assert graph is not None and rep.blast is not None
    principals = sorted(i for i in graph.estate.identities if i in graph.graph)
    reach = {p: graph.reach(p) for p in principals}
    counts = reach_counts(graph)
    return {
        "findings": sorted(
            (x.rule_id, x.subject, x.severity.value, x.fingerprint) for x in rep.findings
        ),
        "blast": sorted(
            (
                b.credential.id,
                b.admin,
                b.radius.roles,
                b.radius.resources,
                b.radius.data_stores,
                b.radius.secrets,
                None if b.admin_path is None else len(b.admin_path),
            )
            for b in rep.blast
        ),
        "counts": {p: counts[p] for p in principals},
        "escalations": sorted(
            (e.principal, e.method, e.target, e.conditional, e.missing, repr(e.steps))
            for e in expand(graph.escalations)
        ),
        "potential": sorted(
            (e.principal, e.method, e.target, e.missing, repr(e.steps))
            for e in expand(graph.potential)
        ),
        "reach": {
            p: {n: (len(path), any(h.conditional for h in path)) for n, path in r.items()}
            for p, r in reach.items()
        },
    }


def dense_records(seed: int = 7, *, users: int = 30, roles: int = 30) -> list[Record]:
    """A small dense estate: most callers may assume any role, most roles trust the account,
    and a sprinkling of what must stay exact."""
    rng = random.Random(seed)
    anywhere = f.managed_policy("assume-anywhere", f.allow("sts:AssumeRole"))
    mfa_only = f.managed_policy(
        "assume-with-mfa",
        f.allow("sts:AssumeRole", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
    )
    prefixed = f.managed_policy(
        "assume-ops", f.allow("sts:AssumeRole", f.arn(f.ACCOUNT, "role/ops-*"))
    )
    deny_admin = f.managed_policy(
        "no-admin-role", f.deny("sts:AssumeRole", f.arn(f.ACCOUNT, "role/admin-0"))
    )
    boundary = f.managed_policy(
        "boundary-ops", f.allow("sts:AssumeRole", f.arn(f.ACCOUNT, "role/ops-*")),
        f.allow("s3:GetObject"),
    )  # fmt: skip
    admin = f.managed_policy("everything", f.allow("*", "*"))
    reads = f.managed_policy("reads", f.allow("s3:GetObject"))
    keys = f.managed_policy("keys", f.allow("iam:CreateAccessKey"))
    policies = [anywhere, mfa_only, prefixed, deny_admin, boundary, admin, reads, keys]
    records: list[Record] = [*policies]
    for n in range(users):
        chosen = [anywhere.id] if rng.random() < 0.7 else [reads.id]
        if rng.random() < 0.15:
            chosen = [mfa_only.id]
        if rng.random() < 0.1:
            chosen.append(prefixed.id)
        if rng.random() < 0.15:
            chosen.append(deny_admin.id)
        if rng.random() < 0.1:
            chosen.append(keys.id)
        extra: dict[str, Any] = {}
        if rng.random() < 0.15:
            extra["permissions_boundary"] = boundary.id
        user = f.user(f"user-{n}", policies=tuple(chosen), **extra)
        records.append(user)
        if rng.random() < 0.5:
            records.append(f.access_key(user, id=f"AKIAHUB{n:013d}"))
    for n in range(roles):
        name = f"admin-{n}" if n < 3 else f"ops-{n}" if n % 3 == 0 else f"app-{n}"
        chosen = [admin.id] if n < 3 else [anywhere.id] if rng.random() < 0.4 else [reads.id]
        role = f.role(name, policies=tuple(chosen))
        records += [role, f.trust_policy(role, _trust(rng, role.id))]
    return records


def _trust(rng: random.Random, role_id: str) -> dict[str, Any]:
    pick = rng.random()
    statement = f.assume_role_statement
    if pick < 0.55:
        return f.document(statement({"AWS": ROOT}))
    if pick < 0.65:
        return f.document(
            statement({"AWS": f.ACCOUNT}), statement({"Service": "ec2.amazonaws.com"})
        )
    if pick < 0.75:  # a conditional trust: not a hub role
        cond = {"StringEquals": {"aws:PrincipalTag/team": "ops"}}
        return f.document(statement({"AWS": ROOT}, condition=cond))
    if pick < 0.82:  # a Deny in the trust: not a hub role
        deny = {"Effect": "Deny", "Principal": {"AWS": f.arn(f.ACCOUNT, "user/user-1")},
                "Action": "sts:AssumeRole"}  # fmt: skip
        return f.document(statement({"AWS": ROOT}), deny)
    if pick < 0.9:
        return f.document(statement({"AWS": f.arn(f.ACCOUNT, "user/user-2")}))
    return f.document(statement({"Service": "lambda.amazonaws.com"}))


def snapshot_of(records: list[Record]) -> Snapshot:
    return f.snapshot(*records)


def hub_nodes(graph: ReachGraph) -> list[str]:
    return [n for n in graph.graph if is_hub(n)]

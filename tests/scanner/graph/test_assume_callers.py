"""Which callers the graph asks about each role: a trust naming an account admits only callers
whose own policies allow sts:AssumeRole, so only those are asked (the others are never
admitted); the edges must equal asking every principal about every role."""

from __future__ import annotations

from dataclasses import replace

from nhiscan.providers.aws.policy import EstateAuthorizer
from nhiscan.scanner.graph import EdgeKind
from tests.factories import (
    OTHER_ACCOUNT,
    allow,
    assume_role_statement,
    document,
    estate,
    managed_policy,
    reach_graph,
    role,
    trust_policy,
    user,
)

ROOT = "arn:aws:iam::123456789012:root"


def test_can_assume_edges_equal_asking_every_principal_about_every_role() -> None:
    may_assume = managed_policy("may-assume", allow("sts:AssumeRole"))
    reads = managed_policy("reads", allow("s3:GetObject"))
    delegated = replace(user("delegated"), policies=(may_assume.id,))
    plain = replace(user("plain"), policies=(reads.id,))
    named = user("named")  # no policy: admitted only where a trust names its ARN
    outsider = replace(user("outsider", account=OTHER_ACCOUNT), policies=(may_assume.id,))
    by_root = role("by-root")
    by_arn = role("by-arn")
    by_anyone = role("by-anyone")
    by_other_account = role("by-other-account")
    records = [
        may_assume, reads, delegated, plain, named, outsider, by_root, by_arn, by_anyone,
        by_other_account,
        trust_policy(by_root, document(assume_role_statement({"AWS": ROOT}))),
        trust_policy(by_arn, document(assume_role_statement({"AWS": named.id}))),
        trust_policy(by_anyone, document(assume_role_statement("*"))),
        trust_policy(by_other_account, document(assume_role_statement({"AWS": OTHER_ACCOUNT}))),
    ]  # fmt: skip
    e = estate(*records)
    graph = reach_graph(e)
    edges = {(h.source, h.target) for h in graph.edges(EdgeKind.CAN_ASSUME)}
    authorizer = EstateAuthorizer(e)
    principals = list(authorizer.principals())
    roles = [i.id for i in e.identities.values() if i.kind.value == "iam-role"]
    brute = {
        (p, r)
        for p in principals
        for r in roles
        if p != r and authorizer.evaluate(p, "sts:AssumeRole", r).decision.possible
    }
    assert edges == brute
    assert (delegated.id, by_root.id) in edges and (plain.id, by_root.id) not in edges
    assert (named.id, by_arn.id) in edges and (outsider.id, by_other_account.id) in edges

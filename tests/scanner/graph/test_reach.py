"""ReachGraph: reach, parents, paths, admin paths, hop order, and hops as JSON."""

from __future__ import annotations

import pytest

from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.graph import EdgeKind, Hop, ReachGraph, path_json
from nhiscan.scanner.graph.reach import unwind
from tests import factories as f
from tests.scanner.graph.builders import ADMIN, granted, graph, secret, trusting

ADMIN_POLICY = f.managed_policy("admin", f.allow("*"))


def _chain() -> tuple[list[str], ReachGraph]:
    """key -> user -> role a -> role b (admin); b reads a secret."""
    bot = f.user("bot")
    a, b = f.role("a"), f.role("b", policies=(ADMIN_POLICY.id,))
    vault = secret("db")
    key = f.access_key(bot, id="AKIAB")
    g = graph(bot, key, a, b, trusting(a, bot.id), trusting(b, a.id), ADMIN_POLICY, vault)
    return ["AKIAB", bot.id, a.id, b.id, vault.id], g


def test_reach_follows_chains_from_a_credential() -> None:
    (key, bot, a, b, vault), g = _chain()
    reached = g.reach(key)
    assert set(reached) == {bot, a, b, vault, ADMIN}
    assert [h.target for h in reached[ADMIN]] == [bot, a, b, ADMIN]
    assert [h.edge for h in reached[vault]][-1] is EdgeKind.CAN_ACCESS


def test_parents_and_unwind_agree_with_reach() -> None:
    (_, bot, _, b, _), g = _chain()
    parents = g.parents(bot)
    assert unwind(parents, b) == g.path(bot, b)
    assert bot not in parents


def test_unknown_start_is_a_key_error() -> None:
    _, g = _chain()
    with pytest.raises(KeyError):
        g.parents("arn:aws:iam::123456789012:user/nobody")


def test_admin_sinks_and_resources_end_paths() -> None:
    ops = f.role("ops", policies=(ADMIN_POLICY.id,))
    g = graph(ops, ADMIN_POLICY, secret("db"))
    assert g.reach(ADMIN) == {}
    assert g.reach(secret("db").id) == {}
    assert g.path(ops.id, ADMIN) is not None


def test_admin_path_is_the_shortest() -> None:
    bot = f.user("bot")
    a, b = f.role("a"), f.role("b", policies=(ADMIN_POLICY.id,))
    records = granted(bot, f.allow("iam:PutUserPolicy", bot.id))
    g = graph(*records, a, b, trusting(a, bot.id), trusting(b, a.id), ADMIN_POLICY)
    path = g.admin_path(bot.id)
    assert path is not None and len(path) == 1 and path[0].method == "iam:PutUserPolicy"


def test_no_admin_path_without_one() -> None:
    bot = f.user("bot")
    assert graph(bot).admin_path(bot.id) is None


def test_hops_from_puts_certain_hops_first() -> None:
    bot = f.user("bot")
    sure, unsure = f.role("sure"), f.role("unsure")
    office_ip = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
    unsure_trust = f.trust_policy(
        unsure, f.document(f.assume_role_statement({"AWS": bot.id}, condition=office_ip))
    )
    g = graph(bot, sure, unsure, trusting(sure, bot.id), unsure_trust)
    out = g.hops_from(bot.id)
    assert [(h.target, h.conditional) for h in out] == [(sure.id, False), (unsure.id, True)]
    assert g.hops_from(bot.id) is out  # computed once


def test_edges_by_kind() -> None:
    (_, bot, a, b, _), g = _chain()
    assumed = {(h.source, h.target) for h in g.edges(EdgeKind.CAN_ASSUME)}
    assert assumed == {(bot, a), (a, b)}


def test_hop_json_shape() -> None:
    ref = StatementRef(policy_id="p", index=2, sid="S", effect="Allow")
    escalation = Hop(
        source="u",
        target="admin:1",
        edge=EdgeKind.ESCALATES_TO,
        method="iam:PutUserPolicy",
        statements=(ref,),
    )
    read = ("s3:GetObject",)
    access = Hop(
        source="u",
        target="arn:aws:s3:::b",
        edge=EdgeKind.CAN_ACCESS,
        conditional=True,
        actions=read,
        conditional_actions=read,
    )
    assert path_json((escalation, access)) == [
        {"from": "u", "to": "admin:1", "edge": "escalates_to", "method": "iam:PutUserPolicy",
         "statements": [{"policy_id": "p", "index": 2, "sid": "S", "effect": "Allow"}]},
        {"from": "u", "to": "arn:aws:s3:::b", "edge": "can_access", "statements": [],
         "conditional": True, "actions": ["s3:GetObject"],
         "conditional_actions": ["s3:GetObject"]},
    ]  # fmt: skip

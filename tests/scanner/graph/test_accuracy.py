"""The reach graph's accuracy requirements, each a test on a hand-built snapshot.

Each pairs a baseline that escalates (or assumes) with the one change that must remove it, so a
test cannot pass because nothing was ever found.
"""

from __future__ import annotations

from typing import Any

from nhiscan.scanner.graph import EdgeKind
from nhiscan.scanner.model import Identity, Policy, Record
from tests import factories as f
from tests.scanner.graph.builders import ADMIN, escalations, granted, graph, pairs, trusting

SELF_POLICY = ("iam:PutUserPolicy", ADMIN)
ADMIN_POLICY = f.managed_policy("admin", f.allow("*"))


def _bot(**overrides: Any) -> Identity:
    return f.user("ci-bot", **overrides)


def _self_escalation(*extra: Record, **overrides: Any) -> set[tuple[str, str]]:
    """The escalations of a user allowed iam:PutUserPolicy on itself, with ``extra`` records."""
    bot = _bot(**overrides)
    records = granted(bot, f.allow("iam:PutUserPolicy", bot.id))
    return escalations(graph(*records, *extra), bot)


def test_baseline_self_escalation_reaches_admin() -> None:
    assert _self_escalation() == {SELF_POLICY}


def test_a_deny_in_a_second_attached_policy_removes_the_escalation() -> None:
    guard = f.managed_policy("guard", f.deny("iam:Put*Policy"))
    assert _self_escalation(guard, policies=(guard.id,)) == set()


def test_a_permission_boundary_removes_the_escalation() -> None:
    boundary = f.managed_policy("boundary", f.allow(["s3:*", "sqs:*"]))
    assert _self_escalation(boundary, permissions_boundary=boundary.id) == set()


def test_a_boundary_that_allows_it_keeps_the_escalation() -> None:
    boundary = f.managed_policy("boundary", f.allow(["iam:*"]))
    assert _self_escalation(boundary, permissions_boundary=boundary.id) == {SELF_POLICY}


def test_an_scp_removes_the_escalation() -> None:
    guard = f.scp("no-iam-writes", f.allow("*"), f.deny("iam:Put*"), attached_to=(f.ROOT,))
    assert _self_escalation(f.org_account(), guard) == set()


def test_a_resource_restriction_to_another_user_removes_self_escalation() -> None:
    bot, other = _bot(), f.user("someone-else")
    records = granted(bot, f.allow("iam:PutUserPolicy", other.id))
    assert escalations(graph(*records, other), bot) == set()


def test_a_condition_that_cannot_hold_removes_the_escalation() -> None:
    bot = _bot(tags={"team": "y"})
    team_x = {"StringEquals": {"aws:PrincipalTag/team": "x"}}
    statement = f.allow("iam:PutUserPolicy", bot.id, Condition=team_x)
    assert escalations(graph(*granted(bot, statement)), bot) == set()
    in_team_x = granted(_bot(tags={"team": "x"}), statement)
    assert escalations(graph(*in_team_x), bot) == {SELF_POLICY}


def test_user_only_methods_do_not_escalate_roles() -> None:
    app = f.role("app")
    records = granted(app, f.allow(["iam:PutUserPolicy", "iam:AttachUserPolicy"], "*"))
    assert escalations(graph(*records), app) == set()


def test_role_only_methods_do_not_escalate_users() -> None:
    bot = _bot()
    records = granted(bot, f.allow(["iam:PutRolePolicy", "iam:AttachRolePolicy"], bot.id))
    assert escalations(graph(*records), bot) == set()
    app = f.role("app")
    own = granted(app, f.allow("iam:PutRolePolicy", app.id))
    assert escalations(graph(*own), app) == {("iam:PutRolePolicy", ADMIN)}


def test_a_role_reached_only_through_two_assume_role_hops() -> None:
    bot = _bot()
    a, b = f.role("a"), f.role("b", policies=(ADMIN_POLICY.id,))
    g = graph(bot, a, b, trusting(a, bot.id), trusting(b, a.id), ADMIN_POLICY)
    assert pairs(g, EdgeKind.CAN_ASSUME) == {(bot.id, a.id), (a.id, b.id)}
    path = g.path(bot.id, b.id)
    assert path is not None
    assert [(h.source, h.target, h.edge) for h in path] == [
        (bot.id, a.id, EdgeKind.CAN_ASSUME),
        (a.id, b.id, EdgeKind.CAN_ASSUME),
    ]
    assert [s.policy_id for s in path[0].statements] == [a.trust_policy]
    assert [s.policy_id for s in path[1].statements] == [b.trust_policy]
    admin = g.admin_path(bot.id)
    assert admin is not None and [h.target for h in admin] == [a.id, b.id, ADMIN]


def test_a_trust_naming_the_exact_principal_needs_no_identity_policy() -> None:
    caller, target = f.role("caller"), f.role("target")
    g = graph(caller, _ec2(caller), target, trusting(target, {"AWS": caller.id}))
    assert pairs(g, EdgeKind.CAN_ASSUME) == {(caller.id, target.id)}


def test_a_trust_naming_the_account_root_needs_the_callers_identity_policy() -> None:
    caller, target = f.role("caller"), f.role("target")
    trust = trusting(target, {"AWS": f"arn:aws:iam::{f.ACCOUNT}:root"})
    assert pairs(graph(caller, _ec2(caller), target, trust), EdgeKind.CAN_ASSUME) == set()
    allowed = granted(caller, f.allow("sts:AssumeRole", target.id))
    g = graph(*allowed, _ec2(caller), target, trust)
    assert pairs(g, EdgeKind.CAN_ASSUME) == {(caller.id, target.id)}


def test_a_deny_on_assume_role_removes_a_trust_naming_the_principal() -> None:
    caller, target = f.role("caller"), f.role("target")
    denied = granted(caller, f.deny("sts:AssumeRole", target.id))
    g = graph(*denied, _ec2(caller), target, trusting(target, caller.id))
    assert pairs(g, EdgeKind.CAN_ASSUME) == set()


def _ec2(role: Identity) -> Policy:
    """The caller role's own trust, collected (a trust missing from the snapshot would make
    the caller itself conditionally assumable by anyone)."""
    return trusting(role, {"Service": "ec2.amazonaws.com"})


def test_a_potential_escalation_is_never_a_concrete_path() -> None:
    bot = _bot()
    g = graph(*granted(bot, f.allow("lambda:UpdateFunctionCode")))
    (potential,) = [e for e in g.potential if e.principal == bot.id]
    assert potential.method == "lambda:UpdateFunctionCode"
    assert potential.potential and potential.missing is not None
    assert "Lambda function" in potential.missing
    assert not any(e.principal == bot.id for e in g.escalations)
    assert escalations(g, bot) == set()
    assert g.admin_path(bot.id) is None

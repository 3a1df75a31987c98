"""is_admin: effective * on *."""

from __future__ import annotations

from typing import Any

import pytest

from nhiscan.scanner.authz import Decision
from tests.factories import (
    OU,
    ROOT,
    allow,
    deny,
    group,
    managed_policy,
    org_account,
    policy,
    role,
    scp,
    user,
)
from tests.providers.aws.policy.helpers import authorizer, check

ADMIN = policy(
    id="arn:aws:iam::aws:policy/AdministratorAccess",
    name="AdministratorAccess",
    account=None,
    document={
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
)


def test_administrator_access_is_admin() -> None:
    ops = role("ops", policies=(ADMIN.id,))
    result = check(authorizer(ops, ADMIN).is_admin(ops.id), Decision.ALLOW)
    assert [r.policy_id for r in result.allowed_by] == [ADMIN.id]


def test_admin_through_a_group() -> None:
    admins = group("admins", policies=(ADMIN.id,))
    alice = user("alice", member_of=(admins.id,))
    check(authorizer(alice, admins, ADMIN).is_admin(alice.id), Decision.ALLOW)


def test_star_star_spelled_as_service_wildcard() -> None:
    everything = managed_policy("everything", allow("*:*"))
    ops = role("ops", policies=(everything.id,))
    check(authorizer(ops, everything).is_admin(ops.id), Decision.ALLOW)


def test_not_action_excluding_real_actions_is_not_admin() -> None:
    power = managed_policy("power", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    ops = role("ops", policies=(power.id,))
    result = check(authorizer(ops, power).is_admin(ops.id), Decision.IMPLICIT_DENY)
    assert result.reason == "no identity policy allows * on *"
    vacuous = managed_policy(
        "vacuous", {"Effect": "Allow", "NotAction": "nosuch:Thing", "Resource": "*"}
    )
    dev = role("dev", policies=(vacuous.id,))
    check(authorizer(dev, vacuous).is_admin(dev.id), Decision.ALLOW)


def test_star_on_one_resource_is_not_admin() -> None:
    narrow = managed_policy("narrow", allow("*", "arn:aws:s3:::b/*"))
    ops = role("ops", policies=(narrow.id,))
    check(authorizer(ops, narrow).is_admin(ops.id), Decision.IMPLICIT_DENY)


def test_a_boundary_cuts_admin_down() -> None:
    boundary = managed_policy("boundary", allow("s3:*"))
    ops = role("ops", policies=(ADMIN.id,), permissions_boundary=boundary.id)
    result = check(authorizer(ops, ADMIN, boundary).is_admin(ops.id), Decision.IMPLICIT_DENY)
    assert result.reason == "the permission boundary does not allow * on *"
    full = managed_policy("full", allow("*"))
    bounded = role("bounded", policies=(ADMIN.id,), permissions_boundary=full.id)
    check(authorizer(bounded, ADMIN, full).is_admin(bounded.id), Decision.ALLOW)


def test_an_scp_cuts_admin_down() -> None:
    root_full = scp("full", allow("*"), attached_to=(ROOT,))
    ou_limited = scp("limited", allow("s3:*", "ec2:*"), attached_to=(OU,))
    ops = role("ops", policies=(ADMIN.id,))
    a = authorizer(ops, ADMIN, org_account(), root_full, ou_limited)
    result = check(a.is_admin(ops.id), Decision.IMPLICIT_DENY)
    assert result.reason == f"no SCP attached to {OU} allows * on *"
    b = authorizer(ops, ADMIN, org_account(), root_full)
    check(b.is_admin(ops.id), Decision.ALLOW)


def test_an_scp_deny_cuts_admin_down() -> None:
    root_guard = scp(
        "guard", allow("*"), deny("organizations:LeaveOrganization"), attached_to=(ROOT,)
    )
    ops = role("ops", policies=(ADMIN.id,))
    result = check(
        authorizer(ops, ADMIN, org_account(), root_guard).is_admin(ops.id), Decision.DENY
    )
    assert result.denied_by[0].policy_id == root_guard.id


def test_a_deny_on_iam_cuts_admin_down() -> None:
    no_iam = managed_policy("no-iam", deny("iam:*"))
    ops = role("ops", policies=(ADMIN.id, no_iam.id))
    result = check(authorizer(ops, ADMIN, no_iam).is_admin(ops.id), Decision.DENY)
    assert [r.policy_id for r in result.denied_by] == [no_iam.id]


def test_a_deny_decided_false_does_not_cut_admin_down() -> None:
    others = managed_policy(
        "others",
        deny("iam:*", Condition={"StringNotEquals": {"aws:PrincipalTag/role": "admin"}}),
    )
    ops = role("ops", policies=(ADMIN.id, others.id), tags={"role": "admin"})
    check(authorizer(ops, ADMIN, others).is_admin(ops.id), Decision.ALLOW)


def test_admin_under_mfa_is_conditional_for_a_user_with_an_mfa_device() -> None:
    mfa = managed_policy(
        "mfa", deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})
    )
    alice = user("alice", policies=(ADMIN.id, mfa.id), mfa_devices=1)
    result = check(authorizer(alice, ADMIN, mfa).is_admin(alice.id), Decision.CONDITIONAL)
    assert [r.policy_id for r in result.undecided] == [mfa.id]


def test_admin_under_mfa_is_denied_to_long_term_keys_without_an_mfa_device() -> None:
    # aws:MultiFactorAuthPresent is absent from requests signed with long-term access keys.
    mfa = managed_policy(
        "mfa", deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})
    )
    alice = user("alice", policies=(ADMIN.id, mfa.id), mfa_devices=0)
    check(authorizer(alice, ADMIN, mfa).is_admin(alice.id), Decision.DENY)


def test_nothing_attached_is_not_admin() -> None:
    alice = user("alice")
    check(authorizer(alice).is_admin(alice.id), Decision.IMPLICIT_DENY)


# --- statements AWS's grammar rejects (kept only by a live scan, with a gap) -----------------


def test_allow_under_an_unknown_operator_is_a_conditional_admin_never_absent() -> None:
    odd = managed_policy(
        "odd", allow("*", Condition={"StringFrobnicates": {"aws:username": "ops"}})
    )
    ops = user("ops", policies=(odd.id,))
    result = check(authorizer(ops, odd).is_admin(ops.id), Decision.CONDITIONAL)
    assert [r.policy_id for r in result.undecided] == [odd.id]


def test_deny_under_an_unknown_operator_may_apply_but_is_not_certain() -> None:
    odd = managed_policy(
        "odd", allow("*"), deny("*", Condition={"StringFrobnicates": {"aws:username": "ops"}})
    )
    ops = user("ops", policies=(odd.id,))
    result = check(authorizer(ops, odd).is_admin(ops.id), Decision.CONDITIONAL)
    assert result.undecided[0].effect == "Deny"


def test_a_malformed_statement_is_never_certain() -> None:
    # "Action": 5 reads as "5"; a condition block that is not an object would read as none.
    odd = managed_policy(
        "odd", allow("*", Condition={"StringEquals": "not-an-object"}), allow(["s3:*", 5])
    )
    ops = user("ops", policies=(odd.id,))
    check(authorizer(ops, odd).is_admin(ops.id), Decision.CONDITIONAL)
    evaluation = authorizer(ops, odd).evaluate(ops.id, "s3:GetObject", "arn:aws:s3:::b/k")
    check(evaluation, Decision.CONDITIONAL)


@pytest.mark.parametrize(
    "statements", ["Allow", [{"Effect": "Allow", "Action": "*", "Resource": "*"}, "Deny"]]
)
def test_a_document_without_statements_to_read_is_as_unknown_as_a_missing_one(
    statements: Any,
) -> None:
    odd = policy(id="arn:aws:iam::123456789012:policy/odd", document={"Statement": statements})
    ops = user("ops", policies=(odd.id,))
    result = check(authorizer(ops, odd).evaluate(ops.id, "s3:GetObject", "*"), Decision.CONDITIONAL)
    assert result.undecided[0].index == -1


def test_a_condition_value_that_does_not_parse_is_undecided_never_false() -> None:
    # A Deny whose NumericLessThan value is not a number must not read as "never applies".
    odd = managed_policy(
        "odd", allow("*"), deny("*", Condition={"NumericLessThan": {"aws:EpochTime": "x"}})
    )
    ops = user("ops", policies=(odd.id,))
    check(authorizer(ops, odd).is_admin(ops.id), Decision.CONDITIONAL)

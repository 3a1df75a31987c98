"""Identity policies, groups, permission boundaries and SCPs."""

from __future__ import annotations

from nhiscan.scanner.authz import Decision
from tests.factories import (
    ACCOUNT,
    MANAGEMENT_ACCOUNT,
    OU,
    ROOT,
    allow,
    deny,
    group,
    managed_policy,
    org_account,
    role,
    scp,
    service_linked_role,
    user,
)
from tests.providers.aws.policy.helpers import OBJECT, authorizer, check

READ = managed_policy("read", allow("s3:GetObject"))
ALL = managed_policy("all", allow("*"))


def test_an_identity_policy_allows() -> None:
    alice = user("alice", policies=(READ.id,))
    result = check(
        authorizer(alice, READ).evaluate(alice.id, "s3:GetObject", OBJECT), Decision.ALLOW
    )
    assert [r.policy_id for r in result.allowed_by] == [READ.id]
    assert result.allowed_by[0].index == 0
    assert result.reason == f"allowed by identity policy {READ.id}"


def test_nothing_allows() -> None:
    alice = user("alice", policies=(READ.id,))
    result = authorizer(alice, READ).evaluate(alice.id, "s3:PutObject", OBJECT)
    check(result, Decision.IMPLICIT_DENY)
    assert result.reason == "no identity policy allows it"


def test_explicit_deny_in_a_second_policy_wins() -> None:
    no_reports = managed_policy("no-reports", deny("s3:*", "arn:aws:s3:::app-bucket/reports/*"))
    alice = user("alice", policies=(READ.id, no_reports.id))
    a = authorizer(alice, READ, no_reports)
    result = check(a.evaluate(alice.id, "s3:GetObject", OBJECT), Decision.DENY)
    assert [(r.policy_id, r.effect) for r in result.denied_by] == [(no_reports.id, "Deny")]
    assert result.reason == f"denied by identity policy {no_reports.id}"
    check(a.evaluate(alice.id, "s3:GetObject", "arn:aws:s3:::app-bucket/x"), Decision.ALLOW)


def test_a_group_policy_grants() -> None:
    devs = group("devs", policies=(READ.id,))
    alice = user("alice", member_of=(devs.id,))
    result = check(
        authorizer(alice, devs, READ).evaluate(alice.id, "s3:GetObject", OBJECT), Decision.ALLOW
    )
    assert result.reason == f"allowed by group policy {READ.id}"


def test_a_group_deny_wins() -> None:
    no_s3 = managed_policy("no-s3", deny("s3:*"))
    devs = group("devs", policies=(no_s3.id,))
    alice = user("alice", policies=(READ.id,), member_of=(devs.id,))
    result = authorizer(alice, devs, READ, no_s3).evaluate(alice.id, "s3:GetObject", OBJECT)
    check(result, Decision.DENY)
    assert result.reason == f"denied by group policy {no_s3.id}"


def test_boundary_intersects() -> None:
    boundary = managed_policy("boundary", allow("s3:*"))
    alice = user("alice", policies=(ALL.id,), permissions_boundary=boundary.id)
    a = authorizer(alice, ALL, boundary)
    allowed = check(a.evaluate(alice.id, "s3:GetObject", OBJECT), Decision.ALLOW)
    assert {r.policy_id for r in allowed.allowed_by} == {ALL.id, boundary.id}
    outside = check(a.evaluate(alice.id, "iam:CreateUser", "*"), Decision.IMPLICIT_DENY)
    assert outside.reason == "the permission boundary does not allow it"


def test_the_boundary_grants_nothing_by_itself() -> None:
    boundary = managed_policy("boundary", allow("*"))
    alice = user("alice", permissions_boundary=boundary.id)
    result = authorizer(alice, boundary).evaluate(alice.id, "s3:GetObject", OBJECT)
    check(result, Decision.IMPLICIT_DENY)


def test_a_deny_in_the_boundary_denies() -> None:
    boundary = managed_policy("boundary", allow("*"), deny("s3:GetObject"))
    alice = user("alice", policies=(ALL.id,), permissions_boundary=boundary.id)
    result = authorizer(alice, ALL, boundary).evaluate(alice.id, "s3:GetObject", OBJECT)
    check(result, Decision.DENY)
    assert result.reason == f"denied by permission boundary {boundary.id}"


FULL_ACCESS_ROOT = scp("full-root", allow("*"), attached_to=(ROOT,))
FULL_ACCESS_ACCOUNT = scp("full-account", allow("*"), attached_to=(ACCOUNT,))


def test_every_level_of_the_organization_must_allow() -> None:
    ou_s3_only = scp("s3-only", allow("s3:*"), attached_to=(OU,))
    alice = user("alice", policies=(ALL.id,))
    records = (alice, ALL, org_account(), FULL_ACCESS_ROOT, ou_s3_only, FULL_ACCESS_ACCOUNT)
    a = authorizer(*records)
    allowed = check(a.evaluate(alice.id, "s3:GetObject", OBJECT), Decision.ALLOW)
    assert ou_s3_only.id in {r.policy_id for r in allowed.allowed_by}
    result = check(a.evaluate(alice.id, "ec2:RunInstances", "*"), Decision.IMPLICIT_DENY)
    assert result.reason == f"no SCP attached to {OU} allows it"


def test_one_allowing_scp_per_level_is_enough() -> None:
    ou_s3_only = scp("s3-only", allow("s3:*"), attached_to=(OU,))
    ou_ec2 = scp("ec2", allow("ec2:*"), attached_to=(OU,))
    alice = user("alice", policies=(ALL.id,))
    a = authorizer(alice, ALL, org_account(), FULL_ACCESS_ROOT, ou_s3_only, ou_ec2)
    check(a.evaluate(alice.id, "ec2:RunInstances", "*"), Decision.ALLOW)


def test_an_scp_deny_denies() -> None:
    no_iam = scp("no-iam", allow("*"), deny("iam:*"), attached_to=(OU,))
    alice = user("alice", policies=(ALL.id,))
    a = authorizer(alice, ALL, org_account(), FULL_ACCESS_ROOT, no_iam)
    result = check(a.evaluate(alice.id, "iam:CreateUser", "*"), Decision.DENY)
    assert result.reason == f"denied by SCP {no_iam.id}"


def test_scps_do_not_apply_to_the_management_account() -> None:
    no_iam = scp("no-iam", allow("*"), deny("iam:*"), attached_to=(ROOT,))
    boss = user("boss", account=MANAGEMENT_ACCOUNT, policies=(ALL.id,))
    records = (boss, ALL, org_account(MANAGEMENT_ACCOUNT, parents=(ROOT,), is_management=True))
    check(authorizer(*records, no_iam).evaluate(boss.id, "iam:CreateUser", "*"), Decision.ALLOW)


def test_scps_do_not_apply_to_service_linked_roles() -> None:
    no_ec2 = scp("no-ec2", allow("*"), deny("ec2:*"), attached_to=(ROOT,))
    elb = service_linked_role(policies=(ALL.id,))
    plain = role("plain", policies=(ALL.id,))
    a = authorizer(elb, plain, ALL, org_account(), no_ec2)
    check(a.evaluate(elb.id, "ec2:DescribeInstances", "*"), Decision.ALLOW)
    check(a.evaluate(plain.id, "ec2:DescribeInstances", "*"), Decision.DENY)


def test_no_scp_data_means_no_restriction() -> None:
    alice = user("alice", policies=(ALL.id,))
    check(authorizer(alice, ALL, org_account()).evaluate(alice.id, "iam:X", "*"), Decision.ALLOW)


def test_a_policy_missing_from_the_snapshot_is_undecided() -> None:
    alice = user("alice", policies=("arn:aws:iam::aws:policy/NotCollected",))
    result = authorizer(alice).evaluate(alice.id, "s3:GetObject", OBJECT)
    check(result, Decision.CONDITIONAL)
    assert result.undecided[0].index == -1
    assert "is not in the snapshot" in result.reason


def test_principals_are_users_and_roles() -> None:
    alice, app = user("alice"), role("app")
    assert set(authorizer(alice, app).principals()) == {alice.id, app.id}

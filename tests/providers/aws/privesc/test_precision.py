"""Precision of the escalation engine on hand-built twin estates, with the real evaluator: each
case has a twin that must escalate and one that must not (issue 16, item 3).

1. A policy change on another role escalates the caller only when it can act as that role.
2. Conditions whose value the snapshot knows (time, MFA with long-term keys, principal tags,
   the organization) or the caller sets (region, transport, request tags) are decided.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from nhiscan.providers.aws.policy import EstateAuthorizer
from nhiscan.providers.aws.privesc import Escalation, find_escalations
from nhiscan.scanner.authz import Decision
from nhiscan.scanner.model import Identity, Policy, Record
from tests import factories as f
from tests.providers.aws.privesc.helpers import function

ATTACH = "iam:AttachRolePolicy/other-role"
PUT = "iam:PutRolePolicy/other-role"
KEY = "iam:CreateAccessKey"


def run(*records: Record) -> list[Escalation]:
    estate = f.estate(*records)
    return list(find_escalations(estate, EstateAuthorizer(estate)))


def of(found: list[Escalation], principal: Identity, method: str) -> list[Escalation]:
    return [e for e in found if e.principal == principal.id and e.method == method]


def grants(name: str, *statements: Mapping[str, Any]) -> Policy:
    return f.managed_policy(name, *statements)


def trusts(role: Identity, principal: Mapping[str, Any] | str) -> Policy:
    return f.trust_policy(role, f.document(f.assume_role_statement(principal)))


# --- 1. modifying a role one cannot become ---------------------------------------------------


def _modifier(*actions: str) -> tuple[Identity, Policy]:
    policy = grants("modify", f.allow(list(actions)))
    return f.user("dev", policies=(policy.id,)), policy


@pytest.mark.parametrize(
    "action,method", [("iam:AttachRolePolicy", ATTACH), ("iam:PutRolePolicy", PUT)]
)
def test_changing_a_role_it_can_assume_is_admin(action: str, method: str) -> None:
    dev, policy = _modifier(action, "sts:AssumeRole")
    ops = f.role("ops")
    [escalation] = of(run(dev, policy, ops, trusts(ops, {"AWS": dev.id})), dev, method)
    assert (escalation.target, escalation.potential, escalation.conditional) == (
        "admin",
        False,
        False,
    )
    assert [(s.action, s.resource) for s in escalation.steps] == [
        ("sts:AssumeRole", ops.id),
        (action, ops.id),
    ]


@pytest.mark.parametrize(
    "action,method", [("iam:AttachRolePolicy", ATTACH), ("iam:PutRolePolicy", PUT)]
)
def test_changing_a_role_it_cannot_become_is_no_escalation(action: str, method: str) -> None:
    dev, policy = _modifier(action, "sts:AssumeRole")
    ops = f.role("ops")  # trusts EC2 only: dev can neither assume nor pass it
    assert of(run(dev, policy, ops, f.trust_policy(ops)), dev, method) == []


def test_a_trust_admitting_the_account_needs_the_callers_own_grant() -> None:
    ops = f.role("ops")
    trust = trusts(ops, {"AWS": f"arn:aws:iam::{f.ACCOUNT}:root"})
    with_grant, p1 = _modifier("iam:AttachRolePolicy", "sts:AssumeRole")
    assert of(run(with_grant, p1, ops, trust), with_grant, ATTACH)
    without, p2 = _modifier("iam:AttachRolePolicy")
    assert of(run(without, p2, ops, trust), without, ATTACH) == []


def test_rewriting_the_trust_too_makes_it_two_steps() -> None:
    ops = f.role("ops")
    dev, policy = _modifier("iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy")
    [escalation] = of(run(dev, policy, ops, f.trust_policy(ops)), dev, ATTACH)
    assert escalation.target == "admin"
    assert [s.action for s in escalation.steps] == [
        "iam:UpdateAssumeRolePolicy",
        "iam:AttachRolePolicy",
    ]


def test_passing_the_role_to_compute_it_runs_is_a_way_to_act_as_it() -> None:
    worker = f.role("worker")
    trust = trusts(worker, {"Service": "lambda.amazonaws.com"})
    actions = ("iam:PutRolePolicy", "iam:PassRole", "lambda:CreateFunction")
    dev, policy = _modifier(*actions, "lambda:InvokeFunction")
    [escalation] = of(run(dev, policy, worker, trust), dev, PUT)
    assert escalation.target == "admin"
    assert escalation.steps[0].action == "iam:PassRole"
    assert escalation.steps[-1][:2] == ("iam:PutRolePolicy", worker.id)
    # Without the rights to create and run the function, the role is out of its reach.
    short, p2 = _modifier("iam:PutRolePolicy", "iam:PassRole")
    assert of(run(short, p2, worker, trust), short, PUT) == []


def test_running_code_on_compute_that_runs_as_the_role_is_a_way_to_act_as_it() -> None:
    worker = f.role("worker")
    lam = function("job", worker)
    dev, policy = _modifier("iam:PutRolePolicy", "lambda:UpdateFunctionCode")
    [escalation] = of(run(dev, policy, worker, f.trust_policy(worker), lam), dev, PUT)
    assert escalation.target == "admin"
    assert [(s.action, s.resource) for s in escalation.steps] == [
        ("lambda:UpdateFunctionCode", lam.id),
        ("iam:PutRolePolicy", worker.id),
    ]
    other = f.role("other")  # runs nothing: out of reach
    found = run(dev, policy, other, f.trust_policy(other), worker, f.trust_policy(worker), lam)
    assert [e.steps[-1].resource for e in of(found, dev, PUT)] == [worker.id]


def test_a_role_whose_trust_was_not_collected_is_conditional() -> None:
    dev, policy = _modifier("iam:AttachRolePolicy", "sts:AssumeRole")
    ops = f.role("ops")  # no trust policy in the snapshot: a gap, never "cannot assume"
    [escalation] = of(run(dev, policy, ops), dev, ATTACH)
    assert (escalation.target, escalation.conditional) == ("admin", True)


def test_a_role_with_a_boundary_is_reached_not_admin() -> None:
    fence = grants("fence", f.allow("s3:*"))
    ops = f.role("ops", permissions_boundary=fence.id)
    dev, policy = _modifier("iam:AttachRolePolicy", "sts:AssumeRole")
    [escalation] = of(run(dev, policy, fence, ops, trusts(ops, {"AWS": dev.id})), dev, ATTACH)
    assert escalation.target == ops.id


def test_access_keys_for_another_user_still_escalate() -> None:
    # Credentials of another user make the caller that user: no "act as" needed.
    dev, policy = _modifier("iam:CreateAccessKey")
    boss = f.user("boss")
    assert [e.target for e in of(run(dev, policy, boss), dev, KEY)] == [boss.id]


# --- 2. known condition values ---------------------------------------------------------------


def _conditional_grant(condition: Mapping[str, Any], **user: Any) -> tuple[Identity, Policy]:
    policy = grants("keys", f.allow("iam:CreateAccessKey", Condition=dict(condition)))
    return f.user("dev", policies=(policy.id,), **user), policy


def _key_escalation(condition: Mapping[str, Any], *extra: Record, **user: Any) -> list[Escalation]:
    dev, policy = _conditional_grant(condition, **user)
    return of(run(dev, policy, f.user("boss"), *extra), dev, KEY)


def _role_escalation(condition: Mapping[str, Any]) -> list[Escalation]:
    """A role allowed iam:CreateAccessKey under ``condition``."""
    policy = grants("keys", f.allow("iam:CreateAccessKey", Condition=dict(condition)))
    ci = f.role("ci", policies=(policy.id,))
    return of(run(ci, policy, f.trust_policy(ci), f.user("boss")), ci, KEY)


PAST, FUTURE = "2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z"  # the snapshot: 2025-06-01


def test_token_issued_before_a_past_date_never_holds_for_a_new_session() -> None:
    assert _role_escalation({"DateLessThan": {"aws:TokenIssueTime": PAST}}) == []
    [after] = _role_escalation({"DateGreaterThan": {"aws:TokenIssueTime": PAST}})
    assert not after.conditional


def test_a_users_long_term_keys_carry_no_token_issue_time() -> None:
    assert _key_escalation({"DateGreaterThan": {"aws:TokenIssueTime": PAST}}) == []
    [escalation] = _key_escalation({"Null": {"aws:TokenIssueTime": "true"}})
    assert not escalation.conditional


@pytest.mark.parametrize("key", ["aws:CurrentTime", "aws:EpochTime"])
def test_request_time_before_and_after_a_past_date(key: str) -> None:
    past = PAST if key == "aws:CurrentTime" else "1577836800"
    assert _key_escalation({"DateLessThan": {key: past}}) == []
    [after] = _key_escalation({"DateGreaterThan": {key: past}})
    assert not after.conditional


def test_request_time_after_a_future_date_is_left_open_naming_the_key() -> None:
    [later] = _key_escalation({"DateGreaterThan": {"aws:CurrentTime": FUTURE}})
    assert later.conditional
    [step] = later.steps
    assert step.evaluation.decision is Decision.CONDITIONAL
    assert "aws:CurrentTime" in step.evaluation.reason
    [now] = _key_escalation({"DateLessThan": {"aws:CurrentTime": FUTURE}})
    assert not now.conditional


def test_numeric_epoch_time_is_decided() -> None:
    assert _key_escalation({"NumericLessThan": {"aws:EpochTime": "1577836800"}}) == []
    [escalation] = _key_escalation({"NumericGreaterThan": {"aws:EpochTime": "1577836800"}})
    assert not escalation.conditional


def test_mfa_required_is_never_met_by_a_users_long_term_keys() -> None:
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert _key_escalation(mfa) == []
    # A user with an MFA device may sign requests with MFA: left open, naming the key.
    [open_] = _key_escalation(mfa, mfa_devices=1)
    assert open_.conditional
    assert "aws:MultiFactorAuthPresent" in open_.steps[0].evaluation.reason


def test_a_deny_without_mfa_applies_to_long_term_keys() -> None:
    guard = grants(
        "guard", f.deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})
    )
    keys = grants("keys", f.allow("iam:CreateAccessKey"))
    guarded = f.user("dev", policies=(keys.id, guard.id))
    assert of(run(guarded, keys, guard, f.user("boss")), guarded, KEY) == []
    free = f.user("dev", policies=(keys.id,))
    assert of(run(free, keys, f.user("boss")), free, KEY)


def test_principal_tag_match_and_mismatch() -> None:
    condition = {"StringEquals": {"aws:PrincipalTag/team": "platform"}}
    [match] = _key_escalation(condition, tags={"team": "platform"})
    assert not match.conditional
    assert _key_escalation(condition, tags={"team": "web"}) == []
    assert _key_escalation(condition) == []


@pytest.mark.parametrize(
    "key,value",
    [
        ("aws:PrincipalArn", f"arn:aws:iam::{f.ACCOUNT}:user/dev"),
        ("aws:PrincipalAccount", f.ACCOUNT),
        ("aws:PrincipalType", "User"),
        ("aws:username", "dev"),
    ],
)
def test_principal_keys_are_decided(key: str, value: str) -> None:
    [match] = _key_escalation({"StringEquals": {key: value}})
    assert not match.conditional
    assert _key_escalation({"StringEquals": {key: "someone-else"}}) == []


def test_principal_org_id_decided_when_the_organization_was_collected() -> None:
    condition = {"StringEquals": {"aws:PrincipalOrgID": f.ORG_ID}}
    [inside] = _key_escalation(condition, f.org_account())
    assert not inside.conditional
    assert _key_escalation(condition, f.org_account(org_id="o-another")) == []
    # DescribeOrganization said the account is in none: the key is absent.
    assert _key_escalation(condition, f.account(is_management=False)) == []


def test_principal_org_id_left_open_without_the_organization_naming_the_key() -> None:
    condition = {"StringEquals": {"aws:PrincipalOrgID": f.ORG_ID}}
    [unknown] = _key_escalation(condition)  # an account export: no organization collected
    assert unknown.conditional
    assert "aws:PrincipalOrgID" in unknown.steps[0].evaluation.reason


def test_what_the_caller_sets_it_sets_in_its_favour() -> None:
    https = {"Bool": {"aws:SecureTransport": "true"}}
    assert not _key_escalation(https)[0].conditional
    tagged = {"StringEquals": {"aws:RequestTag/project": "x"}}
    assert not _key_escalation(tagged)[0].conditional
    no_tags = {"ForAllValues:StringEquals": {"aws:TagKeys": ["project"]}}
    assert not _key_escalation(no_tags)[0].conditional


FUNCTION = f"arn:aws:lambda:eu-west-1:{f.ACCOUNT}:function:x"


def _lambda(*statements: Mapping[str, Any]) -> Decision:
    """What a user holding ``statements`` may do with lambda:CreateFunction (a regional
    service: the caller names the region)."""
    policy = grants("p", *statements)
    dev = f.user("dev", policies=(policy.id,))
    estate = f.estate(dev, policy)
    return EstateAuthorizer(estate).evaluate(dev.id, "lambda:CreateFunction", FUNCTION).decision


def test_the_caller_names_the_region_of_a_regional_service() -> None:
    region = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    assert _lambda(f.allow("lambda:*", Condition=region)) is Decision.ALLOW
    elsewhere = {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}
    assert _lambda(f.allow("lambda:*"), f.deny("*", Condition=elsewhere)) is Decision.ALLOW
    everywhere = {"StringLike": {"aws:RequestedRegion": "*"}}
    assert _lambda(f.allow("lambda:*"), f.deny("*", Condition=everywhere)) is Decision.DENY


def test_a_deny_the_caller_can_avoid_does_not_apply() -> None:
    keys = grants("keys", f.allow("iam:CreateAccessKey"))
    fence = grants(
        "fence",
        f.deny("*", Condition={"Bool": {"aws:SecureTransport": "false"}}),
        f.deny("*", Condition={"StringEquals": {"aws:RequestTag/owner": "nobody"}}),
    )
    dev = f.user("dev", policies=(keys.id, fence.id))
    [escalation] = of(run(dev, keys, fence, f.user("boss")), dev, KEY)
    assert not escalation.conditional


def test_a_deny_on_every_value_the_caller_may_send_applies() -> None:
    keys = grants("keys", f.allow("iam:CreateAccessKey"))
    wall = grants("wall", f.deny("*", Condition={"StringLike": {"aws:RequestedRegion": "*"}}))
    dev = f.user("dev", policies=(keys.id, wall.id))
    assert of(run(dev, keys, wall, f.user("boss")), dev, KEY) == []


def test_a_truly_unknown_key_stays_conditional_and_is_named() -> None:
    [escalation] = _key_escalation({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    assert escalation.conditional
    assert "aws:SourceIp" in escalation.steps[0].evaluation.reason


@pytest.mark.parametrize(("allowed", "escalates"), [("eu-west-1", False), ("us-east-1", True)])
def test_iam_requests_are_always_in_us_east_1(allowed: str, escalates: bool) -> None:
    # A region lock the caller cannot dodge for IAM: IAM's single endpoint is in us-east-1.
    keys = grants("keys", f.allow("iam:CreateAccessKey"))
    lock = grants(
        "lock", f.deny("*", Condition={"StringNotEquals": {"aws:RequestedRegion": [allowed]}})
    )
    dev = f.user("dev", policies=(keys.id, lock.id))
    assert bool(of(run(dev, keys, lock, f.user("boss")), dev, KEY)) is escalates


def test_one_request_carries_one_region_for_every_statement() -> None:
    # Each statement alone can be satisfied; together, no region is both allowed and not denied.
    only_eu = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    deny_eu = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    assert _lambda(f.allow("lambda:*", Condition=only_eu), f.deny("*", Condition=deny_eu)) in (
        Decision.DENY,
        Decision.IMPLICIT_DENY,
    )
    walls = (
        f.deny("*", Condition={"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}),
        f.deny("*", Condition={"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}),
    )
    assert _lambda(f.allow("lambda:*"), *walls) is Decision.DENY
    # The twin: a region allowed and not denied exists.
    deny_us = {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
    assert _lambda(f.allow("lambda:*", Condition=only_eu), f.deny("*", Condition=deny_us)) is (
        Decision.ALLOW
    )


def test_one_request_carries_one_tag_value() -> None:
    tagged = {"StringEquals": {"aws:RequestTag/env": "dev"}}
    no_dev = {"StringEquals": {"aws:RequestTag/env": "dev"}}
    assert _lambda(f.allow("lambda:*", Condition=tagged), f.deny("*", Condition=no_dev)) in (
        Decision.DENY,
        Decision.IMPLICIT_DENY,
    )
    not_prod = {"StringEquals": {"aws:RequestTag/env": "prod"}}
    assert _lambda(f.allow("lambda:*", Condition=tagged), f.deny("*", Condition=not_prod)) is (
        Decision.ALLOW
    )


def test_the_trust_index_admits_what_each_role_admits() -> None:
    """``TrustIndex.admitting`` (one reverse index of the names trusts use) gives exactly the
    roles ``may_admit`` accepts one by one, for callers named, of the account, of another
    account, with and without their own sts:AssumeRole grant."""
    from nhiscan.providers.aws.privesc.act_as import TrustIndex

    dev = f.user("dev")
    other = f.user("other", account="444455556666")
    named, root, anyone, service, foreign, missing = (
        f.role(n) for n in ("named", "root", "anyone", "service", "foreign", "missing")
    )
    records: list[Record] = [
        dev,
        other,
        named,
        trusts(named, {"AWS": dev.id}),
        root,
        trusts(root, {"AWS": f"arn:aws:iam::{f.ACCOUNT}:root"}),
        anyone,
        trusts(anyone, {"AWS": "*"}),
        service,
        f.trust_policy(service),
        foreign,
        trusts(foreign, {"AWS": "444455556666"}),
        missing,  # its trust policy is not in the snapshot: anyone may be admitted
    ]
    estate = f.estate(*records)
    roles = [i for i in estate.identities.values() if i.id.split("/")[-1] in {
        "named", "root", "anyone", "service", "foreign", "missing"}]  # fmt: skip
    index = TrustIndex(estate)
    seen = set()
    for caller in (dev, other):
        for delegated in (True, False):
            expected = {r.id for r in roles if index.may_admit(r, caller, delegated=delegated)}
            assert index.admitting(caller, delegated=delegated) == expected
            seen.add(frozenset(expected))
    assert len(seen) == 4  # the cases differ: the test tells them apart
    assert index.admitting(dev, delegated=False) == {named.id, missing.id}


def test_a_trust_naming_one_principal_admits_no_other_of_its_account() -> None:
    """A trust naming an IAM user's ARN admits that user alone: another user of the account
    with sts:AssumeRole on any role is not a candidate (the evaluator agrees), while a trust
    naming a role's session may admit that role, and the account root any delegated caller."""
    from nhiscan.providers.aws.privesc.act_as import TrustIndex

    anywhere = f.managed_policy("anywhere", f.allow("sts:AssumeRole"))
    dev, ops = (f.user(n, policies=(anywhere.id,)) for n in ("dev", "ops"))
    worker = f.role("worker", policies=(anywhere.id,))
    named, session, root = (f.role(n) for n in ("named", "session", "root"))
    records: list[Record] = [
        anywhere, dev, ops, worker, named, trusts(named, {"AWS": dev.id}),
        session, trusts(session, {"AWS": f"arn:aws:sts::{f.ACCOUNT}:assumed-role/worker/s"}),
        root, trusts(root, {"AWS": f"arn:aws:iam::{f.ACCOUNT}:root"}),
    ]  # fmt: skip
    estate = f.estate(*records)
    index = TrustIndex(estate)
    assert named.id in index.admitting(dev)
    assert named.id not in index.admitting(ops)
    assert {session.id, root.id} <= index.admitting(worker)
    authorizer = EstateAuthorizer(estate)
    assert authorizer.evaluate(ops.id, "sts:AssumeRole", named.id).decision is (
        Decision.IMPLICIT_DENY
    )
    assert authorizer.evaluate(dev.id, "sts:AssumeRole", named.id).decision is Decision.ALLOW
    assert authorizer.evaluate(worker.id, "sts:AssumeRole", session.id).decision is (
        Decision.CONDITIONAL
    )

"""Conditions: decided from the snapshot, or left undecided."""

from __future__ import annotations

from typing import Any

import pytest

from nhiscan.providers.aws.policy.conditions import compile_condition
from nhiscan.providers.aws.policy.matching import UNKNOWN, KeyValue, Partial, Tri
from nhiscan.providers.aws.statements import Condition
from nhiscan.scanner.authz import Decision
from tests.factories import (
    ACCOUNT,
    ORG_ID,
    OTHER_ACCOUNT,
    allow,
    deny,
    document,
    managed_policy,
    org_account,
    resource,
    resource_policy,
    role,
    user,
)
from tests.providers.aws.policy.helpers import BUCKET, OBJECT, authorizer, check


def conditional_read(condition: dict[str, Any], **user_fields: Any) -> tuple[Any, ...]:
    granted = managed_policy("p", allow("s3:GetObject", Condition=condition))
    alice = user("alice", policies=(granted.id,), **user_fields)
    return alice, granted


def decide(
    condition: dict[str, Any], resource_arn: str = OBJECT, *extra: Any, **fields: Any
) -> Decision:
    alice, granted = conditional_read(condition, **fields)
    return (
        authorizer(alice, granted, *extra).evaluate(alice.id, "s3:GetObject", resource_arn).decision
    )


def test_principal_tag_decides() -> None:
    condition = {"StringEquals": {"aws:PrincipalTag/team": "red"}}
    assert decide(condition, tags={"team": "red"}) is Decision.ALLOW
    assert decide(condition, tags={"Team": "red"}) is Decision.ALLOW  # tag keys: any case
    assert decide(condition, tags={"team": "blue"}) is Decision.IMPLICIT_DENY
    assert decide(condition) is Decision.IMPLICIT_DENY  # absent: a positive test fails


def test_resource_tag_decides() -> None:
    condition = {"StringEquals": {"aws:ResourceTag/env": "dev"}}
    dev = resource("app-bucket", tags={"env": "dev"}, policy=None)
    prod = resource("prod-bucket", tags={"env": "prod"}, policy=None)
    assert decide(condition, dev.id, dev) is Decision.ALLOW
    assert decide(condition, prod.id, prod) is Decision.IMPLICIT_DENY
    unknown = decide(condition, "arn:aws:s3:::not-collected")
    assert unknown is Decision.CONDITIONAL


def test_principal_account_decides() -> None:
    assert decide({"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}) is Decision.ALLOW
    assert (
        decide({"StringEquals": {"aws:PrincipalAccount": OTHER_ACCOUNT}}) is Decision.IMPLICIT_DENY
    )


def test_principal_arn_and_type() -> None:
    alice_arn = f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert (
        decide({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/*"}})
        is Decision.ALLOW
    )
    assert decide({"ArnNotEquals": {"aws:PrincipalArn": alice_arn}}) is Decision.IMPLICIT_DENY
    assert decide({"StringEquals": {"aws:PrincipalType": "User"}}) is Decision.ALLOW
    assert decide({"StringEquals": {"aws:username": "alice"}}) is Decision.ALLOW


def test_principal_org_id() -> None:
    condition = {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}
    assert decide(condition, OBJECT, org_account()) is Decision.ALLOW
    assert decide(condition, OBJECT, org_account(org_id="o-other")) is Decision.IMPLICIT_DENY
    assert decide(condition) is Decision.CONDITIONAL  # no Account record: unknown


def test_principal_is_aws_service_is_false_for_identities() -> None:
    assert decide({"Bool": {"aws:PrincipalIsAWSService": "false"}}) is Decision.ALLOW
    assert decide({"Bool": {"aws:PrincipalIsAWSService": "true"}}) is Decision.IMPLICIT_DENY


def test_an_allow_on_a_request_time_key_is_conditional() -> None:
    alice, granted = conditional_read({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    result = authorizer(alice, granted).evaluate(alice.id, "s3:GetObject", OBJECT)
    check(result, Decision.CONDITIONAL)
    assert [(r.policy_id, r.index) for r in result.undecided] == [(granted.id, 0)]
    assert result.allowed_by == ()
    assert (
        result.reason == f"allowed by identity policy {granted.id} under conditions on aws:SourceIp"
    )


def test_an_unconditional_allow_beats_a_conditional_one() -> None:
    granted = managed_policy(
        "p",
        allow("s3:GetObject", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
        allow("s3:GetObject"),
    )
    alice = user("alice", policies=(granted.id,))
    result = authorizer(alice, granted).evaluate(alice.id, "s3:GetObject", OBJECT)
    check(result, Decision.ALLOW)


def test_a_deny_on_a_request_time_key_makes_an_allow_conditional() -> None:
    granted = managed_policy(
        "p",
        allow("s3:GetObject"),
        deny("s3:*", Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
    )
    alice = user("alice", policies=(granted.id,))
    result = authorizer(alice, granted).evaluate(alice.id, "s3:GetObject", OBJECT)
    check(result, Decision.CONDITIONAL)
    assert [(r.index, r.effect) for r in result.undecided] == [(1, "Deny")]
    assert [r.index for r in result.allowed_by] == [0]
    assert "a Deny in" in result.reason and "aws:SourceIp" in result.reason


def test_a_condition_decided_false_removes_the_statement() -> None:
    granted = managed_policy(
        "p",
        allow("s3:GetObject"),
        deny("s3:*", Condition={"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}),
    )
    alice = user("alice", policies=(granted.id,))
    check(authorizer(alice, granted).evaluate(alice.id, "s3:GetObject", OBJECT), Decision.ALLOW)


def test_if_exists() -> None:
    condition = {"StringEqualsIfExists": {"aws:PrincipalTag/team": "red"}}
    assert decide(condition) is Decision.ALLOW  # absent: passes
    assert decide(condition, tags={"team": "blue"}) is Decision.IMPLICIT_DENY


def test_null() -> None:
    assert decide({"Null": {"aws:PrincipalTag/team": "true"}}) is Decision.ALLOW
    assert decide({"Null": {"aws:PrincipalTag/team": "false"}}) is Decision.IMPLICIT_DENY
    assert decide({"Null": {"aws:SourceIp": "true"}}) is Decision.CONDITIONAL


def test_role_user_id_is_known_up_to_the_session_name() -> None:
    granted = managed_policy("p", allow("s3:GetObject"))
    app = role("app", native_id="AROAEXAMPLE", policies=(granted.id,))
    bucket = resource("app-bucket")

    def with_condition(test: dict[str, Any]) -> Decision:
        doc = document(
            allow("s3:*", f"{BUCKET}/*", Principal="*"),
            deny("s3:*", f"{BUCKET}/*", Principal="*", Condition=test),
        )
        return (
            authorizer(app, granted, bucket, resource_policy(bucket, doc))
            .evaluate(app.id, "s3:GetObject", OBJECT)
            .decision
        )

    assert with_condition({"StringNotLike": {"aws:userid": "AROAEXAMPLE:*"}}) is Decision.ALLOW
    assert with_condition({"StringNotLike": {"aws:userid": "AROAOTHER:*"}}) is Decision.DENY
    assert (
        with_condition({"StringNotEquals": {"aws:userid": "AROAEXAMPLE:job"}})
        is Decision.CONDITIONAL
    )


# --- operators, one condition at a time ------------------------------------------------------


def run(operator: str, key: str, values: tuple[str, ...], value: KeyValue) -> Tri:
    condition = compile_condition(
        Condition(operator=operator, key=key, values=values), variables=True
    )
    return condition.evaluate({key.lower(): value}.get)


@pytest.mark.parametrize(
    ("operator", "values", "value", "expected"),
    [
        ("StringEquals", ("a", "b"), ("b",), Tri.YES),
        ("StringEquals", ("A",), ("a",), Tri.NO),
        ("StringEqualsIgnoreCase", ("A",), ("a",), Tri.YES),
        ("StringNotEquals", ("a", "b"), ("c",), Tri.YES),
        ("StringNotEquals", ("a", "b"), ("a",), Tri.NO),
        ("StringNotEquals", ("a",), None, Tri.YES),  # absent: a negated test passes
        ("StringEquals", ("a",), None, Tri.NO),
        ("StringLike", ("pre-*",), ("pre-x",), Tri.YES),
        ("StringNotLike", ("pre-*",), ("pre-x",), Tri.NO),
        ("NumericLessThan", ("10",), ("9",), Tri.YES),
        ("NumericGreaterThanEquals", ("10",), ("9",), Tri.NO),
        ("NumericEquals", ("10",), ("ten",), Tri.NO),
        ("DateGreaterThan", ("2020-01-01T00:00:00Z",), ("2021-01-01T00:00:00Z",), Tri.YES),
        ("DateGreaterThan", ("2020-01-01T00:00:00Z",), ("1500000000",), Tri.NO),
        ("Bool", ("true",), ("True",), Tri.YES),
        ("IpAddress", ("10.0.0.0/8",), ("10.1.2.3",), Tri.YES),
        ("NotIpAddress", ("10.0.0.0/8",), ("10.1.2.3",), Tri.NO),
        ("ArnLike", ("arn:aws:iam::*:role/*",), ("arn:aws:iam::1:role/x",), Tri.YES),
        ("ArnNotLike", ("arn:aws:iam::*:role/*",), ("arn:aws:iam::1:user/x",), Tri.YES),
        ("StringEqualsIfExists", ("a",), None, Tri.YES),
        ("ForAnyValue:StringEquals", ("a",), ("x", "a"), Tri.YES),
        ("ForAnyValue:StringEquals", ("a",), None, Tri.NO),
        ("ForAllValues:StringEquals", ("a", "b"), ("a", "b"), Tri.YES),
        ("ForAllValues:StringEquals", ("a",), ("a", "b"), Tri.NO),
        ("ForAllValues:StringEquals", ("a",), None, Tri.YES),
        ("StringEquals", ("a",), UNKNOWN, Tri.MAYBE),
        ("NoSuchOperator", ("a",), ("a",), Tri.MAYBE),
        ("StringLike", ("AROAX:*",), Partial("AROAX:"), Tri.YES),
        ("StringLike", ("AROAY:*",), Partial("AROAX:"), Tri.NO),
        ("StringLike", ("AROAX:job-*",), Partial("AROAX:"), Tri.MAYBE),
    ],
)
def test_operators(operator: str, values: tuple[str, ...], value: KeyValue, expected: Tri) -> None:
    assert run(operator, "k:key", values, value) is expected


def test_condition_values_with_variables() -> None:
    condition = compile_condition(
        Condition(operator="StringLike", key="s3:prefix", values=("home/${aws:username}/*",)),
        variables=True,
    )
    lookup = {"s3:prefix": ("home/alice/docs",), "aws:username": ("alice",)}.get
    assert condition.evaluate(lookup) is Tri.YES
    other = {"s3:prefix": ("home/bob/docs",), "aws:username": ("alice",)}.get
    assert condition.evaluate(other) is Tri.NO


def test_an_irrelevant_conditional_allow_is_not_listed() -> None:
    granted = managed_policy(
        "p",
        allow("s3:GetObject"),
        allow("s3:GetObject", Condition={"Bool": {"aws:SecureTransport": "true"}}),
        deny("s3:*", Condition={"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}),
    )
    alice = user("alice", policies=(granted.id,))
    result = authorizer(alice, granted).evaluate(alice.id, "s3:GetObject", OBJECT)
    check(result, Decision.CONDITIONAL)
    assert [r.index for r in result.undecided] == [2]


def test_a_conditional_boundary_makes_the_answer_conditional() -> None:
    boundary = managed_policy(
        "boundary", allow("*", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    )
    everything = managed_policy("all", allow("*"))
    alice = user("alice", policies=(everything.id,), permissions_boundary=boundary.id)
    result = authorizer(alice, boundary, everything).evaluate(alice.id, "s3:GetObject", OBJECT)
    check(result, Decision.CONDITIONAL)
    assert [r.policy_id for r in result.undecided] == [boundary.id]
    assert result.reason == (
        f"the permission boundary {boundary.id} allows it only under conditions on aws:SourceIp"
    )


def test_request_time_values_given_by_the_caller_are_decided() -> None:
    granted = managed_policy(
        "pass",
        allow(
            "iam:PassRole",
            Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
        ),
    )
    alice = user("alice", policies=(granted.id,))
    a = authorizer(alice, granted)
    target = "arn:aws:iam::123456789012:role/app"
    check(a.evaluate(alice.id, "iam:PassRole", target), Decision.CONDITIONAL)
    to_lambda = {"iam:PassedToService": "lambda.amazonaws.com"}
    check(a.evaluate(alice.id, "iam:PassRole", target, context=to_lambda), Decision.ALLOW)
    to_ec2 = {"iam:PassedToService": ["ec2.amazonaws.com"]}
    check(a.evaluate(alice.id, "iam:PassRole", target, context=to_ec2), Decision.IMPLICIT_DENY)
    check(
        a.evaluate(alice.id, "iam:PassRole", target, context={"iam:PassedToService": None}),
        Decision.IMPLICIT_DENY,
    )

"""Actions, resources, NotAction/NotResource, policy variables."""

from __future__ import annotations

import pytest

from nhiscan.providers.aws.policy.matching import (
    UNKNOWN,
    KeyValue,
    Tri,
    Variable,
    arn_like,
    glob_match,
    parse_template,
    resolve,
    resolved_text,
)
from nhiscan.scanner.authz import Decision
from tests.factories import ACCOUNT, allow, arn, deny, managed_policy, policy, role, user
from tests.providers.aws.policy.helpers import OBJECT, authorizer, check


def evaluate_one(statement: dict[str, object], action: str, resource: str) -> Decision:
    granted = managed_policy("p", statement)
    alice = user("alice", policies=(granted.id,))
    return authorizer(alice, granted).evaluate(alice.id, action, resource).decision


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:GetObject", "s3:getobject", Decision.ALLOW),
        ("S3:GETOBJECT", "s3:GetObject", Decision.ALLOW),
        ("s3:get*", "s3:GetObjectAcl", Decision.ALLOW),
        ("s3:Get?bject", "s3:GetObject", Decision.ALLOW),
        ("s3:Get?bject", "s3:GetObjects", Decision.IMPLICIT_DENY),
        ("s3:*", "s3:PutObject", Decision.ALLOW),
        ("*", "iam:CreateUser", Decision.ALLOW),
        ("s3:Get*", "s3:PutObject", Decision.IMPLICIT_DENY),
        ("s3:Get*", "s3x:GetObject", Decision.IMPLICIT_DENY),
        ("*:Get*", "dynamodb:GetItem", Decision.ALLOW),
    ],
)
def test_actions_match_without_regard_to_case(
    pattern: str, action: str, expected: Decision
) -> None:
    assert evaluate_one(allow(pattern), action, OBJECT) is expected


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        ("arn:aws:s3:::app-bucket/*", OBJECT, True),
        ("arn:aws:s3:::app-*/reports/*", OBJECT, True),
        ("arn:aws:s3:::app-bucket/reports/202?.csv", OBJECT, True),
        ("arn:aws:s3:::app-bucket/reports/20?.csv", OBJECT, False),
        ("arn:aws:s3:::app-bucket", OBJECT, False),
        ("arn:aws:s3:::APP-BUCKET/*", OBJECT, False),  # resources are case-sensitive
        ("arn:aws:s3:::*", OBJECT, True),  # a trailing * runs past "/" (and ":")
        ("arn:aws:iam::*", arn(ACCOUNT, "role/a/b"), True),
        (
            "arn:aws:lambda:*:123456789012:function:*",
            "arn:aws:lambda:eu-west-1:123456789012:function:f",
            True,
        ),
        ("*", "*", True),
        ("arn:aws:s3:::b", "*", False),
    ],
)
def test_resource_globs(pattern: str, resource: str, expected: bool) -> None:
    result = evaluate_one(allow("s3:GetObject", pattern), "s3:GetObject", resource)
    assert (result is Decision.ALLOW) is expected


def test_not_action() -> None:
    everything_but_iam = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    assert evaluate_one(everything_but_iam, "s3:GetObject", OBJECT) is Decision.ALLOW
    assert evaluate_one(everything_but_iam, "IAM:CreateUser", "*") is Decision.IMPLICIT_DENY


def test_not_resource() -> None:
    statement = {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret*"}
    assert evaluate_one(statement, "s3:GetObject", OBJECT) is Decision.ALLOW
    assert (
        evaluate_one(statement, "s3:GetObject", "arn:aws:s3:::secret/x") is Decision.IMPLICIT_DENY
    )


def test_deny_with_not_action_denies_all_other_actions() -> None:
    granted = managed_policy(
        "p", allow("*"), {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}
    )
    alice = user("alice", policies=(granted.id,))
    a = authorizer(alice, granted)
    check(a.evaluate(alice.id, "s3:GetObject", OBJECT), Decision.ALLOW)
    check(a.evaluate(alice.id, "ec2:RunInstances", "*"), Decision.DENY)


HOME = "arn:aws:iam::123456789012:user/${aws:username}"


def test_username_variable_resolves_for_the_user_itself() -> None:
    granted = managed_policy("self", allow("iam:CreateAccessKey", HOME))
    alice = user("alice", policies=(granted.id,))
    a = authorizer(alice, granted)
    check(a.evaluate(alice.id, "iam:CreateAccessKey", alice.id), Decision.ALLOW)
    check(
        a.evaluate(alice.id, "iam:CreateAccessKey", arn(ACCOUNT, "user/bob")),
        Decision.IMPLICIT_DENY,
    )


def test_username_is_absent_for_a_role_so_nothing_matches() -> None:
    granted = managed_policy("self", allow("iam:CreateAccessKey", HOME))
    app = role("app", policies=(granted.id,))
    check(
        authorizer(app, granted).evaluate(app.id, "iam:CreateAccessKey", arn(ACCOUNT, "user/app")),
        Decision.IMPLICIT_DENY,
    )


def test_variable_default_value() -> None:
    statement = allow("s3:GetObject", "arn:aws:s3:::home/${aws:username, 'shared'}/*")
    granted = managed_policy("p", statement)
    app = role("app", policies=(granted.id,))
    a = authorizer(app, granted)
    check(a.evaluate(app.id, "s3:GetObject", "arn:aws:s3:::home/shared/x"), Decision.ALLOW)


def test_an_unresolvable_variable_is_conditional() -> None:
    statement = allow("s3:GetObject", "arn:aws:s3:::uploads/${aws:SourceIdentity}/*")
    granted = managed_policy("p", statement)
    alice = user("alice", policies=(granted.id,))
    result = authorizer(alice, granted).evaluate(
        alice.id, "s3:GetObject", "arn:aws:s3:::uploads/x/y"
    )
    check(result, Decision.CONDITIONAL)
    assert result.undecided[0].policy_id == granted.id
    assert "${aws:sourceidentity}" in result.reason


def test_principal_tag_variable() -> None:
    statement = allow("s3:GetObject", "arn:aws:s3:::team-${aws:PrincipalTag/team}/*")
    granted = managed_policy("p", statement)
    alice = user("alice", policies=(granted.id,), tags={"Team": "red"})
    a = authorizer(alice, granted)
    check(a.evaluate(alice.id, "s3:GetObject", "arn:aws:s3:::team-red/x"), Decision.ALLOW)
    check(a.evaluate(alice.id, "s3:GetObject", "arn:aws:s3:::team-blue/x"), Decision.IMPLICIT_DENY)


def test_variables_are_literal_in_old_policy_versions() -> None:
    old = policy(
        id=arn(ACCOUNT, "policy/old"),
        document={
            "Version": "2008-10-17",
            "Statement": [allow("s3:GetObject", "arn:aws:s3:::${aws:username}/*")],
        },
    )
    alice = user("alice", policies=(old.id,))
    a = authorizer(alice, old)
    check(a.evaluate(alice.id, "s3:GetObject", "arn:aws:s3:::alice/x"), Decision.IMPLICIT_DENY)
    check(a.evaluate(alice.id, "s3:GetObject", "arn:aws:s3:::${aws:username}/x"), Decision.ALLOW)


def test_deny_with_a_variable_resource() -> None:
    granted = managed_policy(
        "p", allow("s3:*"), deny("s3:DeleteObject", "arn:aws:s3:::home/${aws:username}/*")
    )
    alice = user("alice", policies=(granted.id,))
    a = authorizer(alice, granted)
    check(a.evaluate(alice.id, "s3:DeleteObject", "arn:aws:s3:::home/alice/x"), Decision.DENY)
    check(a.evaluate(alice.id, "s3:DeleteObject", "arn:aws:s3:::home/bob/x"), Decision.ALLOW)


# --- the primitives --------------------------------------------------------------------------


def test_templates() -> None:
    assert parse_template("plain") is None
    assert parse_template("a/${aws:UserName}/b") == ("a/", Variable("aws:username"), "/b")
    assert parse_template("${aws:x, 'it''s'}") == (Variable("aws:x", "it's"),)
    assert parse_template("${*}${?}${$}") == (
        Variable("", "*"),
        Variable("", "?"),
        Variable("", "$"),
    )


def test_resolve() -> None:
    values: dict[str, KeyValue] = {"aws:username": ("alice",), "aws:sourceip": UNKNOWN}
    lookup = values.get
    template = parse_template("home/${aws:username}/${*}")
    assert template is not None
    resolved = resolve(template, lookup)
    assert not isinstance(resolved, Tri)
    assert resolved_text(resolved) == "home/alice/*"
    assert resolve(parse_template("${aws:sourceip}") or (), lookup) is Tri.MAYBE
    assert resolve(parse_template("${aws:missing}") or (), lookup) is Tri.NO


def test_escaped_star_is_literal_in_a_resource() -> None:
    statement = allow("s3:GetObject", "arn:aws:s3:::b/${*}")
    assert evaluate_one(statement, "s3:GetObject", "arn:aws:s3:::b/*") is Decision.ALLOW
    assert evaluate_one(statement, "s3:GetObject", "arn:aws:s3:::b/x") is Decision.IMPLICIT_DENY


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("arn:aws:iam::123456789012:role/a", "arn:aws:iam::*:role/*", True),
        ("arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/?", True),
        ("arn:aws:iam::123456789012:role/a", "arn:aws:*:role/a", False),  # components apart
        ("arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:ROLE/a", False),
        ("not-an-arn", "*", False),
    ],
)
def test_arn_like(value: str, pattern: str, expected: bool) -> None:
    assert arn_like(value, pattern) is expected


def test_glob_match() -> None:
    assert glob_match("s3:get*", "S3:GetObject", ignore_case=True)
    assert not glob_match("s3:get*", "S3:GetObject")
    assert glob_match("a?c", "abc") and not glob_match("a?c", "abbc")

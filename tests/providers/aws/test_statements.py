from __future__ import annotations

from typing import Any

import pytest

from nhiscan.providers.aws.statements import (
    Condition,
    Statement,
    account_of,
    admits_anyone_but,
    is_public,
    narrowed_by,
    narrows,
    statements,
    trusted_accounts,
)


def one(raw: dict[str, Any]) -> Statement:
    [statement] = statements({"Version": "2012-10-17", "Statement": [raw]})
    return statement


# --- shapes ----------------------------------------------------------------------------------


def test_statement_may_be_one_object_or_a_list() -> None:
    raw = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    assert statements({"Statement": raw}) == statements({"Statement": [raw]})
    assert len(statements({"Statement": [raw, raw]})) == 2


@pytest.mark.parametrize("document", [None, {}, {"Version": "2012-10-17"}, {"Statement": []}])
def test_no_statements(document: dict[str, Any] | None) -> None:
    assert statements(document) == ()


def test_strings_and_lists_read_the_same() -> None:
    as_strings = one({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})
    as_lists = one(
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]}
    )
    assert as_strings == as_lists
    assert as_strings.actions == ("s3:GetObject",)
    assert as_strings.resources == ("arn:aws:s3:::b/*",)


def test_all_elements_are_read() -> None:
    statement = one(
        {
            "Sid": "Mixed",
            "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*"],
            "NotResource": "arn:aws:s3:::b",
        }
    )
    assert statement.sid == "Mixed"
    assert statement.effect == "Deny"
    assert not statement.allows
    assert statement.actions == ()
    assert statement.not_actions == ("iam:*", "sts:*")
    assert statement.resources == ()
    assert statement.not_resources == ("arn:aws:s3:::b",)
    assert statement.principals is None
    assert statement.not_principals is None
    assert statement.conditions == ()


def test_values_keep_their_case_and_wildcards() -> None:
    statement = one({"Effect": "Allow", "Action": "S3:Get*", "Resource": "*"})
    assert statement.actions == ("S3:Get*",)


def test_non_string_scalars_become_json_text() -> None:
    statement = one({"Sid": 7, "Effect": "Allow", "Condition": {"Bool": {"aws:MultiFactor": True}}})
    assert statement.sid == "7"
    assert statement.conditions[0].values == ("true",)


def test_malformed_statements_are_skipped() -> None:
    assert statements({"Statement": ["nonsense", {"Effect": "Allow"}]}) == (
        Statement(sid=None, effect="Allow"),
    )


# --- principals ------------------------------------------------------------------------------


def test_star_principal_reads_as_aws_star() -> None:
    assert one({"Effect": "Allow", "Principal": "*"}).principals == {"AWS": ("*",)}


def test_principal_mapping_with_strings_and_lists() -> None:
    statement = one(
        {
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::111122223333:root",
                "Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"],
                "Federated": "cognito-identity.amazonaws.com",
            },
        }
    )
    assert statement.principals == {
        "AWS": ("arn:aws:iam::111122223333:root",),
        "Service": ("ec2.amazonaws.com", "lambda.amazonaws.com"),
        "Federated": ("cognito-identity.amazonaws.com",),
    }
    assert statement.principal_values("Service") == ("ec2.amazonaws.com", "lambda.amazonaws.com")
    assert statement.principal_values("CanonicalUser") == ()


def test_not_principal_is_kept_apart() -> None:
    statement = one({"Effect": "Allow", "NotPrincipal": {"AWS": ["111122223333"]}})
    assert statement.principals is None
    assert statement.not_principals == {"AWS": ("111122223333",)}
    assert admits_anyone_but(statement)
    assert not is_public(statement)


@pytest.mark.parametrize(
    ("principal", "public"),
    [
        ("*", True),
        ({"AWS": "*"}, True),
        ({"AWS": ["111122223333", "*"]}, True),
        ({"AWS": "111122223333"}, False),
        ({"Service": "s3.amazonaws.com"}, False),
    ],
)
def test_is_public(principal: Any, public: bool) -> None:
    assert is_public(one({"Effect": "Allow", "Principal": principal})) is public


def test_identity_policy_statement_is_not_public() -> None:
    assert not is_public(one({"Effect": "Allow", "Action": "*", "Resource": "*"}))


# --- accounts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "account"),
    [
        ("111122223333", "111122223333"),
        (" 111122223333 ", "111122223333"),
        ("arn:aws:iam::111122223333:root", "111122223333"),
        ("arn:aws:iam::111122223333:role/path/to/deploy", "111122223333"),
        ("arn:aws:iam::111122223333:user/robot", "111122223333"),
        ("arn:aws:sts::111122223333:assumed-role/deploy/session", "111122223333"),
        ("arn:aws-cn:iam::111122223333:root", "111122223333"),
        ("arn:aws-us-gov:iam::111122223333:root", "111122223333"),
        ("*", None),
        ("AROAEXAMPLEUNIQUEID1", None),
        ("ec2.amazonaws.com", None),
        ("11112222333", None),
        ("arn:aws:iam::aws:policy/ReadOnlyAccess", None),
    ],
)
def test_account_of(principal: str, account: str | None) -> None:
    assert account_of(principal) == account


def test_trusted_accounts_are_sorted_unique_and_from_aws_principals_only() -> None:
    statement = one(
        {
            "Effect": "Allow",
            "Principal": {
                "AWS": [
                    "arn:aws:iam::444455556666:role/a",
                    "111122223333",
                    "arn:aws:iam::111122223333:root",
                    "*",
                ],
                "Federated": "arn:aws:iam::777788889999:saml-provider/Okta",
            },
        }
    )
    assert trusted_accounts(statement) == ("111122223333", "444455556666")


# --- conditions ------------------------------------------------------------------------------


def test_conditions_are_flattened_with_list_and_string_values() -> None:
    statement = one(
        {
            "Effect": "Allow",
            "Condition": {
                "StringEquals": {"sts:ExternalId": "abc", "aws:PrincipalOrgID": ["o-1", "o-2"]},
                "ForAnyValue:StringLikeIfExists": {"aws:PrincipalOrgPaths": "o-1/r-a/*"},
            },
        }
    )
    assert statement.conditions == (
        Condition(operator="StringEquals", key="sts:ExternalId", values=("abc",)),
        Condition(operator="StringEquals", key="aws:PrincipalOrgID", values=("o-1", "o-2")),
        Condition(
            operator="ForAnyValue:StringLikeIfExists",
            key="aws:PrincipalOrgPaths",
            values=("o-1/r-a/*",),
        ),
    )


def test_condition_lookup_ignores_case() -> None:
    statement = one(
        {
            "Effect": "Allow",
            "Condition": {
                "StringEquals": {"STS:EXTERNALID": "abc"},
                "StringLike": {"sts:externalid": ["d*", "e*"]},
            },
        }
    )
    assert statement.has_condition("sts:ExternalId")
    assert statement.condition_values("sts:ExternalId") == ("abc", "d*", "e*")
    assert [c.operator for c in statement.condition("Sts:ExternalId")] == [
        "StringEquals",
        "StringLike",
    ]
    assert not statement.has_condition("aws:SourceArn")
    assert statement.condition_values("aws:SourceArn") == ()


@pytest.mark.parametrize(
    ("operator", "qualifier", "base", "if_exists"),
    [
        ("StringEquals", None, "StringEquals", False),
        ("StringLikeIfExists", None, "StringLike", True),
        ("ForAnyValue:StringEquals", "ForAnyValue", "StringEquals", False),
        ("ForAllValues:ArnLikeIfExists", "ForAllValues", "ArnLike", True),
        ("Null", None, "Null", False),
    ],
)
def test_condition_operator_parts(
    operator: str, qualifier: str | None, base: str, if_exists: bool
) -> None:
    condition = Condition(operator=operator, key="k", values=("v",))
    assert (condition.qualifier, condition.base, condition.if_exists) == (
        qualifier,
        base,
        if_exists,
    )


@pytest.mark.parametrize(
    ("operator", "values", "expected"),
    [
        ("StringEquals", ("o-abc",), True),
        ("StringEqualsIgnoreCase", ("o-abc",), True),
        ("StringLike", ("o-abc/*",), True),
        ("ArnLike", ("arn:aws:s3:::b",), True),
        ("ArnEquals", ("arn:aws:s3:::b",), True),
        ("ForAnyValue:StringEquals", ("o-abc",), True),
        ("StringLike", ("*",), False),
        ("StringLike", ("o-abc", "*"), False),
        ("StringEquals", (), False),
        ("StringNotEquals", ("o-abc",), False),
        ("StringEqualsIfExists", ("o-abc",), False),
        ("ForAllValues:StringEquals", ("o-abc",), False),
        ("Null", ("false",), False),
        ("Bool", ("true",), False),
    ],
)
def test_narrows(operator: str, values: tuple[str, ...], expected: bool) -> None:
    assert narrows(Condition(operator=operator, key="aws:PrincipalOrgID", values=values)) is (
        expected
    )


def test_narrowed_by_reports_keys_as_written() -> None:
    statement = one(
        {
            "Effect": "Allow",
            "Condition": {
                "StringEquals": {"AWS:SourceAccount": "123456789012"},
                "StringLike": {"aws:SourceArn": "*"},
                "StringNotEquals": {"aws:PrincipalOrgID": "o-1"},
            },
        }
    )
    keys = ("aws:SourceAccount", "aws:SourceArn", "aws:PrincipalOrgID")
    assert narrowed_by(statement, keys) == ("AWS:SourceAccount",)
    assert narrowed_by(statement, ("aws:SourceVpce",)) == ()

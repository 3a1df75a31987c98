"""AWS's policy grammar (providers/aws/policy/syntax.py): the documents it rejects, each
problem with its statement."""

from __future__ import annotations

from typing import Any

import pytest

from nhiscan.providers.aws.policy.syntax import known_operator, problems

OK = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


def doc(*statements: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.mark.parametrize(
    "document",
    [
        doc(OK),
        {"Statement": OK},  # a lone statement object
        {"Version": "2008-10-17", "Statement": []},
        doc({"Sid": "Trust", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
             "Action": "sts:AssumeRole"}),
        doc({"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": "arn:aws:s3:::b/*",
             "Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": False},
                                             "NumericLessThan": {"s3:max-keys": 10}}}),
        doc({**OK, "Condition": {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*"]},
                                 "Null": {"aws:TokenIssueTime": "true"}}}),
    ],
)  # fmt: skip
def test_well_formed_documents_have_no_problem(document: dict[str, Any]) -> None:
    assert problems(document) == ()


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ({"Effect": "Allow", "Action": 5, "Resource": "*"}, "Action must be a string or a list"),
        ({"Effect": "Allow", "Action": ["s3:*", 5], "Resource": "*"}, "a list holding a number"),
        ({"Effect": "Allow", "Action": [], "Resource": "*"}, "Action is an empty list"),
        ({"Effect": "Maybe", "Action": "s3:*"}, "got 'Maybe'"),
        ({"Effect": "deny", "Action": "s3:*"}, "(case-sensitive), got 'deny'"),
        ({"Action": "s3:*"}, "no Effect"),
        ({"Effect": "Allow", "Resource": "*"}, "neither Action nor NotAction"),
        ({"Effect": "Allow", "Action": "s3:*", "NotAction": "iam:*"}, "both Action and NotAction"),
        ({**OK, "NotResource": "x"}, "both Resource and NotResource"),
        ({**OK, "Resource": {"arn": "x"}}, "Resource must be a string or a list of strings"),
        ({**OK, "Principal": ["arn:aws:iam::1:root"]}, 'Principal must be "*" or an object'),
        ({**OK, "Principal": {"Aws": "*"}}, "unknown principal type 'Aws'"),
        ({**OK, "Principal": "*", "NotPrincipal": "*"}, "both Principal and NotPrincipal"),
        ({**OK, "Condition": {"StringFrobnicates": {"k": "v"}}}, "unknown condition operator"),
        ({**OK, "Condition": {"NullIfExists": {"k": "true"}}}, "unknown condition operator"),
        ({**OK, "Condition": {"ForSomeValues:StringLike": {"k": "v"}}}, "unknown condition"),
        ({**OK, "Condition": {"StringEquals": "v"}}, "Condition.StringEquals must be an object"),
        ({**OK, "Condition": {"StringEquals": {"k": {"a": 1}}}}, "values must be strings"),
        ({**OK, "Condition": ["x"]}, "Condition must be an object"),
        ({**OK, "Condition": {"NumericLessThan": {"s3:max-keys": "ten"}}}, "'ten' is not a number"),
        ({**OK, "Condition": {"DateGreaterThan": {"aws:CurrentTime": "1e309"}}}, "is not a date"),
        ({**OK, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.300/8"}}}, "not an IP address"),
        ({**OK, "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}, 'is not "true" or'),
        ({**OK, "effect": "Allow"}, "unknown element 'effect'"),
        ({**OK, "Sid": 3}, "Sid must be a string"),
    ],
)
def test_each_problem_names_the_statement(statement: dict[str, Any], message: str) -> None:
    found = problems(doc(OK, {**statement, "Sid": statement.get("Sid", "Two")}))
    assert found, statement
    assert all(p.statement == 1 for p in found)
    assert any(message in p.message for p in found), [str(p) for p in found]
    assert str(found[0]).startswith("Statement[1]")


def test_the_sid_is_named_when_there_is_one() -> None:
    (found,) = problems(doc({"Sid": "Mine", "Effect": "allow", "Action": "s3:*"}))
    assert str(found).startswith("Statement[0] (Sid 'Mine'): Effect must be")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "expected a JSON object, got a list"),
        ({"Version": "2012-10-17"}, "no Statement element"),
        ({"Statement": "Allow"}, "Statement must be an object or a list"),
        ({"Version": "2020-01-01", "Statement": OK}, "Version must be one of"),
    ],
)
def test_document_level_problems(document: Any, message: str) -> None:
    (found,) = problems(document)
    assert found.statement is None and message in found.message
    assert str(found).startswith("the document: ")


def test_a_statement_that_is_not_an_object() -> None:
    (found,) = problems(doc(OK, "Allow everything"))
    assert found.statement == 1 and "expected an object, got a string" in found.message


@pytest.mark.parametrize(
    ("operator", "known"),
    [
        ("StringEquals", True), ("stringequals", True), ("StringNotEqualsIgnoreCase", True),
        ("ArnNotLikeIfExists", True), ("ForAllValues:StringLike", True),
        ("ForAnyValue:NumericLessThanEqualsIfExists", True), ("Null", True),
        ("BinaryEquals", True), ("NotIpAddress", True), ("DateGreaterThanEquals", True),
        ("NullIfExists", False), ("StringFrobnicates", False), ("IfExists", False),
        ("ForAllValues:", False), ("forallvalues:StringLike", False), ("", False),
    ],
)  # fmt: skip
def test_known_operators(operator: str, known: bool) -> None:
    assert known_operator(operator) is known

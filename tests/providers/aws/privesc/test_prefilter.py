"""The snapshot prefilter: False only when no policy could allow the action anywhere."""

from __future__ import annotations

from typing import Any

import pytest

from nhiscan.providers.aws.privesc.prefilter import PolicyPrefilter
from nhiscan.scanner.model import PolicyKind
from tests import factories as f


def could(statement: dict[str, Any], action: str, *extra: Any) -> bool:
    inline = f.policy(
        id=f.arn(f.ACCOUNT, "user/app#inline/p"),
        kind=PolicyKind.INLINE,
        document=f.document(statement),
    )
    app = f.user("app", policies=(inline.id,))
    return PolicyPrefilter(f.estate(app, inline, *extra)).could_allow(app.id, action)


CREATE_KEY = "iam:CreateAccessKey"
S3 = "arn:aws:s3:::b"


def stmt(action: str, resource: str = "*", effect: str = "Allow") -> dict[str, Any]:
    """A statement; "!x" puts x in NotAction / NotResource."""
    action_key, action = ("NotAction", action[1:]) if action[0] == "!" else ("Action", action)
    res_key, resource = (
        ("NotResource", resource[1:]) if resource[0] == "!" else ("Resource", resource)
    )
    return {"Effect": effect, action_key: action, res_key: resource}


@pytest.mark.parametrize(
    ("statement", "action", "expected"),
    [
        (stmt("iam:Create*"), CREATE_KEY, True),
        (stmt("IAM:CREATEACCESSKEY"), CREATE_KEY, True),
        (stmt("iam:Put*"), CREATE_KEY, False),
        (stmt("*", effect="Deny"), CREATE_KEY, False),
        # an action on the wrong kind of resource cannot allow it
        (stmt("*", f"{S3}/*"), CREATE_KEY, False),
        (stmt("*", "arn:aws:iam::*:user/*"), CREATE_KEY, True),
        (stmt("*", "arn:aws:ec2:*:*:instance/*"), "ssm:SendCommand", True),
        (stmt("*", S3), "glue:CreateDevEndpoint", False),
        (stmt("*", f"!{S3}"), "glue:CreateDevEndpoint", True),
        (stmt("!iam:*"), CREATE_KEY, False),
        (stmt("!iam:*"), "lambda:UpdateFunctionCode", True),
        # globs anywhere in the name, one character with ?, compared without regard to case
        (stmt("iam:*Access?ey"), CREATE_KEY, True),
        (stmt("IAM:create?CCESSKEY"), CREATE_KEY, True),
        (stmt("iam:Create?Key"), CREATE_KEY, False),
        (stmt("!IAM:Create*"), CREATE_KEY, False),
    ],
)
def test_identity_statements(statement: dict[str, Any], action: str, expected: bool) -> None:
    assert could(statement, action) is expected


def test_group_policies_count() -> None:
    shared = f.policy(document=f.document({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}))
    team = f.group("team", policies=(shared.id,))
    app = f.user("app", member_of=(team.id,))
    prefilter = PolicyPrefilter(f.estate(app, team, shared))
    assert prefilter.could_allow(app.id, "iam:CreateAccessKey")


@pytest.mark.parametrize(
    "unknown",
    [
        {"policies": (f.arn(f.ACCOUNT, "policy/not-collected"),)},
        {"member_of": (f.arn(f.ACCOUNT, "group/not-collected"),)},
    ],
)
def test_anything_unknown_reads_as_could(unknown: dict[str, Any]) -> None:
    app = f.user("app", **unknown)
    prefilter = PolicyPrefilter(f.estate(app))
    assert prefilter.could_allow(app.id, "iam:CreateAccessKey")
    assert prefilter.could_allow(f.arn(f.ACCOUNT, "user/not-in-the-estate"), "iam:PutUserPolicy")


def test_resource_and_trust_policies_grant_to_anyone() -> None:
    fn = f.resource("fn", id="arn:aws:lambda:eu-west-1:123456789012:function:fn")
    grant = {"Effect": "Allow", "Principal": "*", "Action": "lambda:UpdateFunctionCode"}
    function_policy = f.resource_policy(fn, f.document(grant))
    app = f.user("app")
    prefilter = PolicyPrefilter(f.estate(app, fn, function_policy))
    assert prefilter.could_allow(app.id, "lambda:UpdateFunctionCode")
    assert not prefilter.could_allow(app.id, "lambda:CreateFunction")

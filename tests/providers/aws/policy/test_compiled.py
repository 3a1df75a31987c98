"""Compilation: statement positions, the service index, one compilation per content."""

from __future__ import annotations

import pytest

from nhiscan.providers.aws.policy.compiled import PolicyCompiler, compile_document
from nhiscan.providers.aws.statements import indexed_statements
from tests.factories import allow, deny, document, managed_policy, role, user
from tests.providers.aws.policy.helpers import OBJECT, authorizer


def test_indexed_statements_keep_source_positions() -> None:
    doc = {"Statement": ["nonsense", allow("s3:GetObject"), deny("s3:*")]}
    assert [(i, s.effect) for i, s in indexed_statements(doc)] == [(1, "Allow"), (2, "Deny")]
    lone = {"Statement": allow("s3:GetObject")}
    assert [i for i, _ in indexed_statements(lone)] == [0]


def test_statements_are_indexed_by_service() -> None:
    compiled = compile_document(
        document(
            allow("s3:GetObject"),
            allow(["ec2:Describe*", "S3:Put*"]),
            allow("*"),
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        )
    )
    assert [s.index for s in compiled.by_service["s3"]] == [0, 1]
    assert [s.index for s in compiled.by_service["*"]] == [2, 3]
    assert [s.index for s in compiled.for_action("s3:putobject")] == [1, 2, 3]
    assert [s.index for s in compiled.for_action("iam:createuser")] == [2]
    assert compiled.for_action("s3:putobject") is compiled.for_action("s3:putobject")


def test_each_distinct_document_is_compiled_once() -> None:
    compiler = PolicyCompiler()
    first = compiler.compile(document(allow("s3:GetObject")))
    again = compiler.compile(
        {
            "Statement": [{"Resource": "*", "Action": "s3:GetObject", "Effect": "Allow"}],
            "Version": "2012-10-17",
        }
    )
    assert first is again
    assert len(compiler) == 1


def test_identical_policies_share_a_compiled_document_but_keep_their_ids() -> None:
    one = managed_policy("one", allow("s3:GetObject"))
    two = managed_policy("two", allow("s3:GetObject"))
    alice, bob = user("alice", policies=(one.id,)), role("bob", policies=(two.id,))
    a = authorizer(alice, bob, one, two)
    assert a.view(alice.id).identity[0].document is a.view(bob.id).identity[0].document
    assert a.evaluate(alice.id, "s3:GetObject", OBJECT).allowed_by[0].policy_id == one.id
    assert a.evaluate(bob.id, "s3:GetObject", OBJECT).allowed_by[0].policy_id == two.id


def test_views_are_built_once() -> None:
    alice = user("alice")
    a = authorizer(alice)
    assert a.view(alice.id) is a.view(alice.id)


def test_unknown_principal() -> None:
    with pytest.raises(KeyError, match="not an IAM user or role"):
        authorizer().evaluate("arn:aws:iam::123456789012:user/ghost", "s3:GetObject", "*")

"""Role trust: sts:AssumeRole on a role ARN, and services assuming roles."""

from __future__ import annotations

from typing import Any

import pytest

from nhiscan.scanner.authz import Decision
from tests.factories import (
    ACCOUNT,
    OTHER_ACCOUNT,
    allow,
    arn,
    assume_role_statement,
    deny,
    document,
    managed_policy,
    role,
    trust_policy,
    user,
)
from tests.providers.aws.policy.helpers import authorizer, check

ASSUME_ANY = managed_policy("assume", allow("sts:AssumeRole"))


def target_trusting(principal: Any, **extra: Any) -> tuple[Any, Any]:
    target = role("target")
    return target, trust_policy(target, document(assume_role_statement(principal, **extra)))


def test_a_trust_naming_the_callers_arn_needs_no_identity_policy() -> None:
    alice = user("alice")
    target, trust = target_trusting({"AWS": alice.id})
    result = authorizer(alice, target, trust).evaluate(alice.id, "sts:AssumeRole", target.id)
    check(result, Decision.ALLOW)
    assert result.allowed_by[0].policy_id == trust.id
    assert result.reason == f"allowed by trust policy {trust.id}"


def test_a_trust_naming_the_account_needs_the_identity_policy() -> None:
    alice = user("alice")
    bob = user("bob", policies=(ASSUME_ANY.id,))
    for principal in ({"AWS": arn(ACCOUNT, "root")}, {"AWS": ACCOUNT}):
        target, trust = target_trusting(principal)
        a = authorizer(alice, bob, ASSUME_ANY, target, trust)
        result = check(a.evaluate(alice.id, "sts:AssumeRole", target.id), Decision.IMPLICIT_DENY)
        assert (
            result.reason == "the trust policy admits the account, and no identity policy allows it"
        )
        check(a.evaluate(bob.id, "sts:AssumeRole", target.id), Decision.ALLOW)


def test_an_identity_policy_alone_does_not_assume_a_role() -> None:
    alice = user("alice", policies=(ASSUME_ANY.id,))
    target, trust = target_trusting({"AWS": arn(ACCOUNT, "user/someone-else")})
    result = authorizer(alice, ASSUME_ANY, target, trust).evaluate(
        alice.id, "sts:AssumeRole", target.id
    )
    check(result, Decision.IMPLICIT_DENY)
    assert result.reason == f"the trust policy of {target.id} does not admit this principal"


def test_cross_account_trust_needs_both_sides() -> None:
    outsider_policy = managed_policy("assume", allow("sts:AssumeRole"), account=OTHER_ACCOUNT)
    outsider = user("outsider", account=OTHER_ACCOUNT, policies=(outsider_policy.id,))
    plain = user("plain", account=OTHER_ACCOUNT)
    target, trust = target_trusting({"AWS": [OTHER_ACCOUNT, plain.id]})
    a = authorizer(outsider, plain, outsider_policy, target, trust)
    check(a.evaluate(outsider.id, "sts:AssumeRole", target.id), Decision.ALLOW)
    # Named exactly, but across accounts the caller's identity policy must allow too:
    check(a.evaluate(plain.id, "sts:AssumeRole", target.id), Decision.IMPLICIT_DENY)
    # The identity policy alone is not enough:
    other, other_trust = target_trusting({"AWS": arn(ACCOUNT, "root")})
    b = authorizer(outsider, outsider_policy, other, other_trust)
    check(b.evaluate(outsider.id, "sts:AssumeRole", other.id), Decision.IMPLICIT_DENY)


def test_a_role_assumes_a_role_named_by_its_arn() -> None:
    source = role("source")
    target, trust = target_trusting({"AWS": source.id})
    check(
        authorizer(source, target, trust).evaluate(source.id, "sts:AssumeRole", target.id),
        Decision.ALLOW,
    )


def test_a_service_trust_does_not_admit_users() -> None:
    alice = user("alice", policies=(ASSUME_ANY.id,))
    target, trust = target_trusting({"Service": "lambda.amazonaws.com"})
    a = authorizer(alice, ASSUME_ANY, target, trust)
    check(a.evaluate(alice.id, "sts:AssumeRole", target.id), Decision.IMPLICIT_DENY)
    check(a.trust_admits_service(target.id, "lambda.amazonaws.com"), Decision.ALLOW)
    check(a.trust_admits_service(target.id, "ec2.amazonaws.com"), Decision.IMPLICIT_DENY)


def test_a_service_trust_with_a_source_condition_is_conditional() -> None:
    condition = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    target, trust = target_trusting({"Service": "lambda.amazonaws.com"}, condition=condition)
    result = authorizer(target, trust).trust_admits_service(target.id, "lambda.amazonaws.com")
    check(result, Decision.CONDITIONAL)
    assert result.undecided[0].policy_id == trust.id


def test_a_deny_in_the_trust_denies() -> None:
    alice = user("alice")
    target = role("target")
    trust = trust_policy(
        target,
        document(
            assume_role_statement({"AWS": arn(ACCOUNT, "root")}),
            deny("sts:AssumeRole", "*", Principal={"AWS": alice.id}),
        ),
    )
    a = authorizer(alice, ASSUME_ANY, target, trust)
    check(a.evaluate(alice.id, "sts:AssumeRole", target.id), Decision.DENY)


def test_an_external_id_condition_is_conditional() -> None:
    outsider_policy = managed_policy("assume", allow("sts:AssumeRole"), account=OTHER_ACCOUNT)
    outsider = user("outsider", account=OTHER_ACCOUNT, policies=(outsider_policy.id,))
    condition = {"StringEquals": {"sts:ExternalId": "secret"}}
    target, trust = target_trusting({"AWS": OTHER_ACCOUNT}, condition=condition)
    result = authorizer(outsider, outsider_policy, target, trust).evaluate(
        outsider.id, "sts:AssumeRole", target.id
    )
    check(result, Decision.CONDITIONAL)
    assert "sts:ExternalId" in result.reason


@pytest.mark.parametrize("action", ["sts:TagSession", "STS:assumerole"])
def test_other_trust_actions_read_the_trust(action: str) -> None:
    alice = user("alice")
    target, trust = target_trusting({"AWS": alice.id}, Action=["sts:AssumeRole", "sts:TagSession"])
    check(authorizer(alice, target, trust).evaluate(alice.id, action, target.id), Decision.ALLOW)


def test_iam_actions_on_a_role_do_not_read_its_trust() -> None:
    alice = user("alice")
    target, trust = target_trusting({"AWS": alice.id}, Action="*")
    result = authorizer(alice, target, trust).evaluate(alice.id, "iam:PassRole", target.id)
    check(result, Decision.IMPLICIT_DENY)


def test_a_role_the_snapshot_lacks_is_conditional() -> None:
    alice = user("alice", policies=(ASSUME_ANY.id,))
    missing = arn(OTHER_ACCOUNT, "role/elsewhere")
    result = authorizer(alice, ASSUME_ANY).evaluate(alice.id, "sts:AssumeRole", missing)
    check(result, Decision.CONDITIONAL)
    assert "not in the snapshot" in result.reason

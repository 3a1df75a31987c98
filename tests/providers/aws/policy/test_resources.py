"""Resource policies: same account, boundaries, cross account, NotPrincipal."""

from __future__ import annotations

from typing import Any

from nhiscan.scanner.authz import Decision
from nhiscan.scanner.model import ResourceKind
from tests.factories import (
    ACCOUNT,
    OTHER_ACCOUNT,
    ROOT,
    allow,
    arn,
    deny,
    document,
    managed_policy,
    org_account,
    resource,
    resource_policy,
    role,
    scp,
    user,
)
from tests.providers.aws.policy.helpers import BUCKET, OBJECT, authorizer, check

BOUNDARY = managed_policy("boundary", allow("ec2:*"))


def bucket_policy(principal: Any, action: str = "s3:GetObject", **extra: Any) -> dict[str, Any]:
    return allow(action, f"{BUCKET}/*", Principal=principal, **extra)


def bucket(*statements: dict[str, Any], account: str = ACCOUNT) -> tuple[Any, Any]:
    owned = resource("app-bucket", account=account)
    return owned, resource_policy(owned, document(*statements))


def test_a_resource_policy_alone_grants_a_same_account_user() -> None:
    alice = user("alice")
    result = authorizer(alice, *bucket(bucket_policy({"AWS": alice.id}))).evaluate(
        alice.id, "s3:GetObject", OBJECT
    )
    check(result, Decision.ALLOW)
    assert result.allowed_by[0].policy_id == f"{BUCKET}#policy"
    assert result.reason == f"allowed by resource policy {BUCKET}#policy"


def test_a_resource_policy_naming_the_account_needs_the_identity_policy() -> None:
    alice = user("alice")
    records = bucket(bucket_policy({"AWS": arn(ACCOUNT, "root")}))
    check(
        authorizer(alice, *records).evaluate(alice.id, "s3:GetObject", OBJECT),
        Decision.IMPLICIT_DENY,
    )
    reader = managed_policy("read", allow("s3:GetObject"))
    bob = user("bob", policies=(reader.id,))
    check(
        authorizer(bob, reader, *records).evaluate(bob.id, "s3:GetObject", OBJECT), Decision.ALLOW
    )


def test_a_resource_policy_naming_a_user_is_not_limited_by_its_boundary() -> None:
    alice = user("alice", permissions_boundary=BOUNDARY.id)
    a = authorizer(alice, BOUNDARY, *bucket(bucket_policy({"AWS": alice.id})))
    check(a.evaluate(alice.id, "s3:GetObject", OBJECT), Decision.ALLOW)


def test_a_resource_policy_naming_a_role_is_limited_by_its_boundary() -> None:
    app = role("app", permissions_boundary=BOUNDARY.id)
    a = authorizer(app, BOUNDARY, *bucket(bucket_policy({"AWS": app.id})))
    result = check(a.evaluate(app.id, "s3:GetObject", OBJECT), Decision.IMPLICIT_DENY)
    assert result.reason == "the permission boundary does not allow it"
    unbounded = role("free")
    b = authorizer(unbounded, *bucket(bucket_policy({"AWS": unbounded.id})))
    check(b.evaluate(unbounded.id, "s3:GetObject", OBJECT), Decision.ALLOW)


def test_a_resource_policy_naming_a_role_session_is_conditional_on_the_session_name() -> None:
    app = role("app", permissions_boundary=BOUNDARY.id)
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/worker"
    a = authorizer(app, BOUNDARY, *bucket(bucket_policy({"AWS": session})))
    check(a.evaluate(app.id, "s3:GetObject", OBJECT), Decision.CONDITIONAL)


def test_a_public_grant_to_a_bounded_principal_is_undecided() -> None:
    alice = user("alice", permissions_boundary=BOUNDARY.id)
    a = authorizer(alice, BOUNDARY, *bucket(bucket_policy("*")))
    result = check(a.evaluate(alice.id, "s3:GetObject", OBJECT), Decision.CONDITIONAL)
    assert "does not document" in result.reason
    bob = user("bob")
    check(
        authorizer(bob, *bucket(bucket_policy("*"))).evaluate(bob.id, "s3:GetObject", OBJECT),
        Decision.ALLOW,
    )


def test_scps_limit_what_a_resource_policy_grants() -> None:
    alice = user("alice")
    ec2_only = scp("ec2-only", allow("ec2:*"), attached_to=(ROOT,))
    records = (alice, org_account(), ec2_only, *bucket(bucket_policy({"AWS": alice.id})))
    result = authorizer(*records).evaluate(alice.id, "s3:GetObject", OBJECT)
    check(result, Decision.IMPLICIT_DENY)
    assert result.reason == f"no SCP attached to {ROOT} allows it"


def test_a_resource_policy_deny_wins() -> None:
    reader = managed_policy("read", allow("s3:GetObject"))
    alice = user("alice", policies=(reader.id,))
    records = bucket(deny("s3:*", f"{BUCKET}/*", Principal="*"))
    result = authorizer(alice, reader, *records).evaluate(alice.id, "s3:GetObject", OBJECT)
    check(result, Decision.DENY)
    assert result.reason == f"denied by resource policy {BUCKET}#policy"


OUTSIDER_POLICY = managed_policy("read", allow("s3:GetObject"), account=OTHER_ACCOUNT)


def test_cross_account_needs_both_sides() -> None:
    outsider_plain = user("outsider", account=OTHER_ACCOUNT)
    outsider = user("reader", account=OTHER_ACCOUNT, policies=(OUTSIDER_POLICY.id,))
    grants = bucket(bucket_policy({"AWS": [outsider.id, outsider_plain.id]}))
    silent = bucket(bucket_policy({"AWS": arn(ACCOUNT, "user/someone-else")}))
    # Only the identity side:
    only_identity = authorizer(outsider, OUTSIDER_POLICY, *silent)
    result = only_identity.evaluate(outsider.id, "s3:GetObject", OBJECT)
    check(result, Decision.IMPLICIT_DENY)
    assert result.reason == f"cross-account: the resource policy of {OBJECT} does not grant it"
    # Only the resource policy:
    only_resource = authorizer(outsider_plain, *grants)
    result = only_resource.evaluate(outsider_plain.id, "s3:GetObject", OBJECT)
    check(result, Decision.IMPLICIT_DENY)
    assert result.reason.startswith("cross-account: no identity policy")
    # Both:
    both = authorizer(outsider, OUTSIDER_POLICY, *grants)
    result = check(both.evaluate(outsider.id, "s3:GetObject", OBJECT), Decision.ALLOW)
    assert {r.policy_id for r in result.allowed_by} == {OUTSIDER_POLICY.id, f"{BUCKET}#policy"}


def test_cross_account_by_account_principal() -> None:
    outsider = user("reader", account=OTHER_ACCOUNT, policies=(OUTSIDER_POLICY.id,))
    records = bucket(bucket_policy({"AWS": OTHER_ACCOUNT}))
    check(
        authorizer(outsider, OUTSIDER_POLICY, *records).evaluate(
            outsider.id, "s3:GetObject", OBJECT
        ),
        Decision.ALLOW,
    )


def test_cross_account_resource_not_in_the_snapshot_is_conditional() -> None:
    everything = managed_policy("all", allow("*"))
    alice = user("alice", policies=(everything.id,))
    table = f"arn:aws:dynamodb:eu-west-1:{OTHER_ACCOUNT}:table/orders"
    result = authorizer(alice, everything).evaluate(alice.id, "dynamodb:GetItem", table)
    check(result, Decision.CONDITIONAL)
    assert "unknown" in result.reason


def test_a_kms_key_policy_must_allow() -> None:
    everything = managed_policy("all", allow("*"))
    alice = user("alice", policies=(everything.id,))
    key = resource(
        "key-1",
        id=f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234",
        kind=ResourceKind.KMS_KEY,
    )
    nobody = resource_policy(key, document(allow("kms:*", "*", Principal={"AWS": OTHER_ACCOUNT})))
    check(
        authorizer(alice, everything, key, nobody).evaluate(alice.id, "kms:Decrypt", key.id),
        Decision.IMPLICIT_DENY,
    )
    delegates = resource_policy(key, document(allow("kms:*", "*", Principal={"AWS": ACCOUNT})))
    check(
        authorizer(alice, everything, key, delegates).evaluate(alice.id, "kms:Decrypt", key.id),
        Decision.ALLOW,
    )


def test_not_principal_deny_spares_the_listed_user_and_account() -> None:
    reader = managed_policy("read", allow("s3:GetObject"))
    alice, bob = user("alice", policies=(reader.id,)), user("bob", policies=(reader.id,))
    only_alice = deny("s3:*", f"{BUCKET}/*", NotPrincipal={"AWS": [alice.id, arn(ACCOUNT, "root")]})
    a = authorizer(alice, bob, reader, *bucket(only_alice))
    check(a.evaluate(alice.id, "s3:GetObject", OBJECT), Decision.ALLOW)
    check(a.evaluate(bob.id, "s3:GetObject", OBJECT), Decision.DENY)
    # Without the account listed, AWS may deny the account itself, hence the user:
    user_only = deny("s3:*", f"{BUCKET}/*", NotPrincipal={"AWS": [alice.id]})
    check(
        authorizer(alice, reader, *bucket(user_only)).evaluate(alice.id, "s3:GetObject", OBJECT),
        Decision.DENY,
    )


def test_not_principal_deny_always_applies_to_a_bounded_principal() -> None:
    boundary = managed_policy("boundary", allow("*"))
    reader = managed_policy("read", allow("s3:GetObject"))
    alice = user("alice", policies=(reader.id,), permissions_boundary=boundary.id)
    spare = deny("s3:*", f"{BUCKET}/*", NotPrincipal={"AWS": [alice.id, arn(ACCOUNT, "root")]})
    a = authorizer(alice, reader, boundary, *bucket(spare))
    check(a.evaluate(alice.id, "s3:GetObject", OBJECT), Decision.DENY)


def test_not_principal_allow_admits_everyone_else() -> None:
    alice, bob = user("alice"), user("bob")
    everyone_but_bob = allow("s3:GetObject", f"{BUCKET}/*", NotPrincipal={"AWS": bob.id})
    a = authorizer(alice, bob, *bucket(everyone_but_bob))
    check(a.evaluate(alice.id, "s3:GetObject", OBJECT), Decision.ALLOW)
    check(a.evaluate(bob.id, "s3:GetObject", OBJECT), Decision.IMPLICIT_DENY)


def test_the_bucket_policy_applies_to_its_objects_and_the_bucket() -> None:
    alice = user("alice")
    records = bucket(
        allow(
            ["s3:ListBucket", "s3:GetObject"], [BUCKET, f"{BUCKET}/*"], Principal={"AWS": alice.id}
        )
    )
    a = authorizer(alice, *records)
    check(a.evaluate(alice.id, "s3:ListBucket", BUCKET), Decision.ALLOW)
    check(a.evaluate(alice.id, "s3:GetObject", OBJECT), Decision.ALLOW)
    check(
        a.evaluate(alice.id, "s3:GetObject", "arn:aws:s3:::other-bucket/x"), Decision.IMPLICIT_DENY
    )


def test_allowed_actions_on_a_resource() -> None:
    alice = user("alice")
    a = authorizer(alice, *bucket(bucket_policy({"AWS": alice.id}, "s3:Get*")))
    found = a.allowed_actions(alice.id, OBJECT)
    assert "s3:GetObject" in found
    assert "s3:PutObject" not in found
    assert all(e.decision is Decision.ALLOW for e in found.values())

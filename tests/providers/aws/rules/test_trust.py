from __future__ import annotations

from typing import Any

import pytest

from nhiscan.providers.aws.rules.trust import (
    PUBLIC_RESTRICTING_KEYS,
    CrossAccountTrustWithoutExternalId,
    PublicTrust,
)
from nhiscan.rules.base import Rule
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Finding, PolicyKind, Severity
from tests.factories import (
    ACCOUNT,
    OTHER_ACCOUNT,
    assume_role_statement,
    context,
    document,
    estate,
    policy,
    resource,
    resource_policy,
    role,
    trust_policy,
)

THIRD_ACCOUNT = "444455556666"


def run(rule: Rule, e: Estate) -> list[Finding]:
    return list(rule.evaluate(e, context()))


def trusting(*statements: dict[str, Any], name: str = "vendor-access") -> Estate:
    target = role(name)
    return estate(target, trust_policy(target, document(*statements)))


# --- NHI005 cross-account-trust-without-external-id ------------------------------------------


@pytest.mark.parametrize(
    "principal",
    [
        OTHER_ACCOUNT,
        f"arn:aws:iam::{OTHER_ACCOUNT}:root",
        f"arn:aws:iam::{OTHER_ACCOUNT}:role/integration",
        f"arn:aws:iam::{OTHER_ACCOUNT}:user/robot",
        [f"arn:aws:iam::{OTHER_ACCOUNT}:root"],
    ],
)
def test_foreign_principal_without_external_id_is_flagged(principal: Any) -> None:
    [finding] = run(
        CrossAccountTrustWithoutExternalId(), trusting(assume_role_statement({"AWS": principal}))
    )
    assert finding.rule_id == "NHI005"
    assert finding.subject == f"arn:aws:iam::{ACCOUNT}:role/vendor-access"
    assert finding.severity is Severity.HIGH
    assert finding.evidence["trusted_account"] == OTHER_ACCOUNT
    principals = principal if isinstance(principal, list) else [principal]
    assert finding.evidence["trusted_principals"] == principals
    [statement] = finding.evidence["statements"]
    assert statement["principals"] == {"AWS": principals}
    assert OTHER_ACCOUNT in finding.title and "vendor-access" in finding.title


def test_one_finding_per_foreign_account() -> None:
    e = trusting(
        assume_role_statement({"AWS": [OTHER_ACCOUNT, f"arn:aws:iam::{THIRD_ACCOUNT}:root"]}),
        assume_role_statement({"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:role/x"}),
    )
    findings = run(CrossAccountTrustWithoutExternalId(), e)
    by_account = {f.evidence["trusted_account"]: f for f in findings}
    assert set(by_account) == {OTHER_ACCOUNT, THIRD_ACCOUNT}
    assert len(by_account[OTHER_ACCOUNT].evidence["statements"]) == 2
    assert len({f.fingerprint for f in findings}) == 2


def test_external_id_condition_is_enough_whatever_the_case_of_the_key() -> None:
    condition = {"StringEquals": {"STS:ExternalID": "a1b2c3"}}
    e = trusting(assume_role_statement({"AWS": OTHER_ACCOUNT}, condition=condition))
    assert run(CrossAccountTrustWithoutExternalId(), e) == []


def test_wildcard_external_id_is_no_external_id() -> None:
    condition = {"StringLike": {"sts:ExternalId": "*"}}
    e = trusting(assume_role_statement({"AWS": OTHER_ACCOUNT}, condition=condition))
    assert len(run(CrossAccountTrustWithoutExternalId(), e)) == 1


def test_organization_condition_marks_trust_internal() -> None:
    condition = {"StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}}
    e = trusting(assume_role_statement({"AWS": OTHER_ACCOUNT}, condition=condition))
    assert run(CrossAccountTrustWithoutExternalId(), e) == []


def test_own_account_is_not_cross_account() -> None:
    e = trusting(
        assume_role_statement({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
        assume_role_statement({"AWS": ACCOUNT}),
        assume_role_statement({"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci"}),
    )
    assert run(CrossAccountTrustWithoutExternalId(), e) == []


def test_services_federation_and_deny_are_not_cross_account() -> None:
    e = trusting(
        assume_role_statement({"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]}),
        assume_role_statement(
            {"Federated": f"arn:aws:iam::{OTHER_ACCOUNT}:saml-provider/Okta"},
            Action="sts:AssumeRoleWithSAML",
        ),
        assume_role_statement(
            {"Federated": "token.actions.githubusercontent.com"},
            Action="sts:AssumeRoleWithWebIdentity",
        ),
        assume_role_statement({"AWS": OTHER_ACCOUNT}, Effect="Deny"),
    )
    assert run(CrossAccountTrustWithoutExternalId(), e) == []


def test_trust_statement_given_as_a_single_object() -> None:
    target = role("single")
    doc = {"Statement": assume_role_statement({"AWS": OTHER_ACCOUNT})}
    assert len(run(CrossAccountTrustWithoutExternalId(), estate(target, trust_policy(target, doc))))


def test_role_without_collected_trust_policy_is_skipped() -> None:
    assert run(CrossAccountTrustWithoutExternalId(), estate(role("no-trust"))) == []


# --- NHI006 public-trust ---------------------------------------------------------------------


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}])
def test_public_role_trust_is_critical(principal: Any) -> None:
    [finding] = run(PublicTrust(), trusting(assume_role_statement(principal), name="open"))
    assert finding.rule_id == "NHI006"
    assert finding.subject == f"arn:aws:iam::{ACCOUNT}:role/open"
    assert finding.severity is Severity.CRITICAL
    assert finding.evidence["policy_kind"] == "trust"
    assert finding.evidence["statements"][0]["principals"] == {"AWS": ["*"]}
    assert "open" in finding.title


def test_public_bucket_policy_is_high() -> None:
    bucket = resource("public-assets")
    doc = document({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})
    [finding] = run(PublicTrust(), estate(bucket, resource_policy(bucket, doc)))
    assert finding.subject == "arn:aws:s3:::public-assets"
    assert finding.severity is Severity.HIGH
    assert finding.evidence["policy"] == "arn:aws:s3:::public-assets#policy"
    assert finding.evidence["statements"][0]["actions"] == ["s3:GetObject"]
    assert "S3 bucket public-assets" in finding.title


def test_allow_with_not_principal_is_public() -> None:
    bucket = resource("almost-everyone")
    doc = document(
        {
            "Effect": "Allow",
            "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/mallory"},
            "Action": "s3:*",
            "Resource": "*",
        }
    )
    assert len(run(PublicTrust(), estate(bucket, resource_policy(bucket, doc)))) == 1


def test_resource_policy_not_referenced_by_a_resource_is_still_read() -> None:
    orphan = policy(
        id="arn:aws:s3:::lost#policy",
        kind=PolicyKind.RESOURCE,
        attached_to=(),
        document=document({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}),
    )
    [finding] = run(PublicTrust(), estate(orphan))
    assert finding.subject == "arn:aws:s3:::lost"


@pytest.mark.parametrize("key", sorted(PUBLIC_RESTRICTING_KEYS))
def test_restricting_condition_clears_a_public_principal(key: str) -> None:
    condition = {"StringEquals": {key: "o-abc123"}}
    e = trusting(assume_role_statement("*", condition=condition), name="org-wide")
    assert run(PublicTrust(), e) == []


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"sts:ExternalId": "x"}},  # not a restriction on who
        {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}},  # everyone else
        {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}},  # absent key passes
        {"StringLike": {"aws:PrincipalOrgID": "*"}},  # any organisation
        {"ForAllValues:StringEquals": {"aws:PrincipalOrgPaths": ["o-a/r-b/ou-c/"]}},
    ],
)
def test_conditions_that_do_not_restrict_leave_it_public(condition: dict[str, Any]) -> None:
    e = trusting(assume_role_statement("*", condition=condition), name="open")
    assert len(run(PublicTrust(), e)) == 1


def test_named_principals_and_deny_are_not_public() -> None:
    bucket = resource("private")
    doc = document(
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT}, "Action": "s3:GetObject"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "*"},
    )
    target = role("private-role")
    e = estate(
        bucket,
        resource_policy(bucket, doc),
        target,
        trust_policy(target),
    )
    assert run(PublicTrust(), e) == []


def test_public_service_statement_confined_to_source_account() -> None:
    bucket = resource("logs")
    doc = document(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "Bool": {"aws:SecureTransport": True},
            },
        }
    )
    assert run(PublicTrust(), estate(bucket, resource_policy(bucket, doc))) == []

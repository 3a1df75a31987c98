"""Role trust policies read into FederatedTrusts, IAM identity providers into Registrations."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nhiscan.providers.aws import federation
from nhiscan.providers.aws.checks import policy_problems
from nhiscan.providers.aws.provider import PROVIDER
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.federation import ClaimTest, FederatedTrust, Match, Platform, Registration
from nhiscan.scanner.model import Identity, Policy, PolicyKind, Provider, Record
from tests.factories import ACCOUNT, arn, document, estate, role, snapshot, trust_policy

GITHUB = "token.actions.githubusercontent.com"
GITHUB_PROVIDER = arn(ACCOUNT, f"oidc-provider/{GITHUB}")
EKS_ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/5C3B8A7E1F0D4C2B9A6E"
EKS_PROVIDER = arn(ACCOUNT, f"oidc-provider/{EKS_ISSUER}")
SAML_PROVIDER = arn(ACCOUNT, "saml-provider/corp-idp")
WEB = "sts:AssumeRoleWithWebIdentity"
DEPLOY = role("deploy")


def web(
    principal: str = GITHUB_PROVIDER,
    condition: dict[str, Any] | None = None,
    *,
    action: Any = WEB,
    effect: str = "Allow",
    **extra: Any,
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": effect,
        "Principal": {"Federated": principal},
        "Action": action,
        **extra,
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


def oidc_provider(
    provider_arn: str = GITHUB_PROVIDER, answer: dict[str, Any] | None = None
) -> Policy:
    """An IAM OIDC provider's record as the live connector writes it."""
    url = provider_arn.partition("oidc-provider/")[2]
    body = {"Url": url, "ClientIDList": ["sts.amazonaws.com"]} if answer is None else answer
    return Policy(
        provider=Provider.AWS,
        id=provider_arn,
        name=url,
        kind=PolicyKind.AWS_OIDC_PROVIDER,
        account=ACCOUNT,
        document={"Arn": provider_arn, **body},
    )


def trusts(*statements: dict[str, Any], target: Identity = DEPLOY, extra: tuple[Record, ...] = ()):
    e = estate(target, trust_policy(target, document(*statements)), *extra)
    return list(federation.federated_trusts(e))


def one(*statements: dict[str, Any], extra: tuple[Record, ...] = ()) -> FederatedTrust:
    [found] = trusts(*statements, extra=extra)
    return found


def sub(match: Match, *values: str, claim: str = "sub", ignore_case: bool = False) -> ClaimTest:
    return ClaimTest(claim=claim, match=match, values=values, ignore_case=ignore_case)


AUD = sub(Match.EQUALS, "sts.amazonaws.com", claim="aud")


def test_github_trust_field_by_field() -> None:
    condition = {
        "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
        "StringLike": {f"{GITHUB}:sub": "repo:acme-lending/*"},
    }
    trust = one(web(condition=condition, Sid="GitHub"), extra=(oidc_provider(),))
    assert trust == FederatedTrust(
        provider=Provider.AWS,
        target=DEPLOY.id,
        account=ACCOUNT,
        issuer=GITHUB,
        platform=Platform.GITHUB_ACTIONS,
        admissions=trust.admissions,
        source=f"{DEPLOY.id}#trust",
        registration=GITHUB_PROVIDER,
        audiences=("sts.amazonaws.com",),
        via=WEB,
    )
    [admission] = trust.admissions
    assert admission.tests == (AUD, sub(Match.LIKE, "repo:acme-lending/*"))
    assert admission.undecided == ()
    assert admission.statement == StatementRef(
        policy_id=f"{DEPLOY.id}#trust", index=0, sid="GitHub"
    )
    pull_request = {
        "sub": "repo:acme-lending/agents-platform:pull_request",
        "aud": "sts.amazonaws.com",
    }
    assert trust.admits(pull_request) is True
    assert trust.admits({**pull_request, "aud": "sigstore"}) is False


def test_owner_wildcard_twins_one_character_apart() -> None:
    """``repo:acme-lending/*`` keeps to the owner; ``repo:acme-lending*`` also admits any owner
    whose name starts so (anyone can register ``acme-lending-evil``)."""
    squatter = {"sub": "repo:acme-lending-evil/x:ref:refs/heads/main", "aud": "sts.amazonaws.com"}
    own = {"sub": "repo:acme-lending/app:ref:refs/heads/main", "aud": "sts.amazonaws.com"}
    for pattern, admits_squatter in (("repo:acme-lending/*", False), ("repo:acme-lending*", True)):
        condition = {
            "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
            "StringLike": {f"{GITHUB}:sub": pattern},
        }
        trust = one(web(condition=condition))
        assert trust.admissions[0].tests[1] == sub(Match.LIKE, pattern)
        assert trust.admits(own) is True
        assert trust.admits(squatter) is admits_squatter


def test_branch_pinned_twins_equals_or_like() -> None:
    """StringEquals takes ``*`` literally; StringLike as a wildcard."""
    pattern = "repo:acme-lending/agents-platform:ref:refs/heads/*"
    feature = {"sub": "repo:acme-lending/agents-platform:ref:refs/heads/feature", "aud": "x"}
    for operator, match, admits in (
        ("StringEquals", Match.EQUALS, False),
        ("StringLike", Match.LIKE, True),
    ):
        trust = one(web(condition={operator: {f"{GITHUB}:sub": pattern}}))
        assert trust.admissions[0].tests == (sub(match, pattern),)
        assert trust.admits(feature) is admits


def test_no_condition_admits_every_token_and_audiences_unknown_without_the_provider() -> None:
    trust = one(web())
    assert [a.tests for a in trust.admissions] == [()]
    assert trust.audiences is None and trust.registration == GITHUB_PROVIDER
    assert trust.admits({"sub": "repo:anyone/anything:pull_request"}) is True


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("StringNotEquals", sub(Match.NOT_EQUALS, "repo:a/b:pull_request")),
        ("StringNotLike", sub(Match.NOT_LIKE, "repo:a/b:pull_request")),
        ("StringEqualsIgnoreCase", sub(Match.EQUALS, "repo:a/b:pull_request", ignore_case=True)),
        (
            "StringNotEqualsIgnoreCase",
            sub(Match.NOT_EQUALS, "repo:a/b:pull_request", ignore_case=True),
        ),
        # sub is in every token: these differ from the plain operator only when it is absent
        ("ForAllValues:StringLike", sub(Match.LIKE, "repo:a/b:pull_request")),
        ("ForAnyValue:StringEquals", sub(Match.EQUALS, "repo:a/b:pull_request")),
        ("ForAnyValue:StringNotLike", sub(Match.NOT_LIKE, "repo:a/b:pull_request")),
        ("StringLikeIfExists", sub(Match.LIKE, "repo:a/b:pull_request")),
    ],
)
def test_each_operator_shape_on_sub(operator: str, expected: ClaimTest) -> None:
    trust = one(web(condition={operator: {f"{GITHUB}:SUB": "repo:a/b:pull_request"}}))
    assert trust.admissions[0].tests == (expected,)
    assert trust.admissions[0].undecided == ()


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLikeIfExists": {f"{GITHUB}:environment": "prod"}},  # absent: passes
        {"ForAllValues:StringEquals": {f"{GITHUB}:repository_owner": "acme-lending"}},
        {"ForAnyValue:StringNotEquals": {f"{GITHUB}:repository_owner": "acme-lending"}},
        {"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},  # not a claim
        {"StringEquals": {"gitlab.com:sub": "project_path:acme/app:ref_type:branch:ref:main"}},
        {"StringLike": {f"{GITHUB}:sub": "repo:${aws:PrincipalTag/owner}/*"}},  # a variable
        {"NumericLessThan": {f"{GITHUB}:run_attempt": "3"}},  # not a string comparison
        {"Null": {f"{GITHUB}:sub": ["true", "false"]}},
    ],
)
def test_what_is_not_exactly_a_test_stays_as_written(condition: dict[str, Any]) -> None:
    merged: dict[str, dict[str, Any]] = {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}}
    for operator, tests in condition.items():
        merged.setdefault(operator, {}).update(tests)
    trust = one(web(condition=merged))
    [admission] = trust.admissions
    assert admission.tests == (AUD,)
    [(operator, tests)] = condition.items()
    [(key, values)] = tests.items()
    listed = values if isinstance(values, list) else [values]
    assert admission.undecided == (json.dumps({operator: {key: listed}}),)
    assert trust.admits({"sub": "repo:a/b:ref:refs/heads/main", "aud": "sts.amazonaws.com"}) is None


def test_null_reads_as_presence() -> None:
    present = one(web(condition={"Null": {f"{GITHUB}:job_workflow_ref": "false"}}))
    assert present.admissions[0].tests == (sub(Match.LIKE, "*", claim="job_workflow_ref"),)
    absent = one(web(condition={"Null": {f"{GITHUB}:environment": "true"}}))
    assert absent.admissions[0].tests == (sub(Match.NOT_LIKE, "*", claim="environment"),)
    assert absent.admits({"sub": "x"}) is True
    assert absent.admits({"sub": "x", "environment": "prod"}) is False


def test_each_allow_statement_is_one_admission_in_document_order() -> None:
    main = {"StringEquals": {f"{GITHUB}:sub": "repo:acme-lending/app:ref:refs/heads/main"}}
    prod = {"StringEquals": {f"{GITHUB}:sub": "repo:acme-lending/app:environment:prod"}}
    ec2 = {
        "Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    trust = one(web(condition=main), ec2, web(condition=prod))
    assert [a.statement.index for a in trust.admissions if a.statement] == [0, 2]
    assert trust.admits({"sub": "repo:acme-lending/app:environment:prod"}) is True
    assert trust.admits({"sub": "repo:acme-lending/app:pull_request"}) is False


@pytest.mark.parametrize(
    ("action", "read"),
    [
        ("sts:AssumeRoleWithWebIdentity", True),
        ("STS:assumerolewithwebidentity", True),
        ("sts:AssumeRoleWith*", True),
        ("sts:*", True),
        ("*", True),
        ("sts:AssumeRole", False),
        ("sts:AssumeRoleWithSAML", False),
        (["sts:TagSession", "sts:AssumeRoleWithWebIdentit?"], True),
    ],
)
def test_actions_that_cover_the_exchange(action: Any, read: bool) -> None:
    assert bool(trusts(web(action=action))) is read


def test_not_action_covers_what_it_does_not_name() -> None:
    saml_only = {"Effect": "Allow", "Principal": {"Federated": GITHUB_PROVIDER}}
    assert trusts({**saml_only, "NotAction": "sts:AssumeRoleWithSAML"})
    assert not trusts({**saml_only, "NotAction": "sts:AssumeRoleWith*"})


def test_two_providers_in_one_statement_each_get_their_own_keys() -> None:
    gitlab = arn(ACCOUNT, "oidc-provider/gitlab.com")
    condition = {
        "StringLike": {
            f"{GITHUB}:sub": "repo:acme-lending/*",
            "gitlab.com:sub": "project_path:acme-lending/*",
        }
    }
    github, lab = trusts(web(principal=[GITHUB_PROVIDER, gitlab], condition=condition))
    assert (github.issuer, lab.issuer) == (GITHUB, "gitlab.com")
    assert lab.platform is Platform.GITLAB_CI
    assert github.admissions[0].tests == (sub(Match.LIKE, "repo:acme-lending/*"),)
    assert lab.admissions[0].tests == (sub(Match.LIKE, "project_path:acme-lending/*"),)
    assert len(github.admissions[0].undecided) == len(lab.admissions[0].undecided) == 1


def test_a_plain_deny_adds_its_negation_to_every_admission() -> None:
    allow = web(condition={"StringLike": {f"{GITHUB}:sub": "repo:acme-lending/*"}})
    deny = web(effect="Deny", condition={"StringLike": {f"{GITHUB}:sub": "*:pull_request"}})
    trust = one(allow, deny)
    assert trust.admissions[0].tests == (
        sub(Match.LIKE, "repo:acme-lending/*"),
        sub(Match.NOT_LIKE, "*:pull_request"),
    )
    assert trust.admits({"sub": "repo:acme-lending/app:pull_request"}) is False
    assert trust.admits({"sub": "repo:acme-lending/app:ref:refs/heads/main"}) is True


def test_deny_to_anyone_applies_and_deny_to_another_provider_does_not() -> None:
    allow = web()
    condition = {"StringNotEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}}
    anyone = {"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Condition": condition}
    assert one(allow, anyone).admissions[0].tests == (AUD,)
    other = web(principal=EKS_PROVIDER, effect="Deny")
    assert one(allow, other).admissions[0].tests == ()


def test_an_unconditioned_deny_leaves_no_trust_and_a_compound_one_stays_undecided() -> None:
    assert trusts(web(), web(effect="Deny")) == []
    compound = {
        "StringLike": {f"{GITHUB}:sub": "*:pull_request"},
        "StringEquals": {f"{GITHUB}:repository_owner": "acme-lending"},
    }
    [admission] = one(web(), web(effect="Deny", condition=compound)).admissions
    assert admission.tests == ()
    [text] = admission.undecided
    assert text.startswith("unless denied by statement 1: ") and "*:pull_request" in text


def test_eks_irsa_trust() -> None:
    condition = {
        "StringEquals": {
            f"{EKS_ISSUER}:sub": "system:serviceaccount:payments:api",
            f"{EKS_ISSUER}:aud": "sts.amazonaws.com",
        }
    }
    trust = one(web(principal=EKS_PROVIDER, condition=condition))
    assert (trust.issuer, trust.platform, trust.registration) == (
        EKS_ISSUER,
        Platform.KUBERNETES,
        EKS_PROVIDER,
    )
    assert trust.admissions[0].tests == (
        sub(Match.EQUALS, "system:serviceaccount:payments:api"),
        AUD,
    )


def test_eks_pod_identity_trust_reads_session_tags() -> None:
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {
            "StringEquals": {
                "aws:RequestTag/kubernetes-namespace": "payments",
                "aws:RequestTag/kubernetes-service-account": "api",
            },
            "ArnEquals": {"aws:SourceArn": "arn:aws:eks:us-east-1:123456789012:cluster/prod"},
        },
    }
    trust = one(statement)
    assert (trust.issuer, trust.platform, trust.via, trust.registration, trust.audiences) == (
        "pods.eks.amazonaws.com",
        Platform.EKS_POD_IDENTITY,
        "sts:AssumeRole",
        None,
        None,
    )
    [admission] = trust.admissions
    assert admission.tests == (
        sub(Match.EQUALS, "payments", claim="kubernetes-namespace"),
        sub(Match.EQUALS, "api", claim="kubernetes-service-account"),
    )
    assert admission.undecided == (
        '{"ArnEquals": {"aws:SourceArn": ["arn:aws:eks:us-east-1:123456789012:cluster/prod"]}}',
    )
    # a service trust is no federation
    ec2 = {
        "Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    assert trusts(ec2) == []


def test_saml_trust() -> None:
    statement = web(
        principal=SAML_PROVIDER,
        action="sts:AssumeRoleWithSAML",
        condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
    )
    trust = one(statement)
    assert (trust.issuer, trust.platform, trust.via, trust.registration) == (
        SAML_PROVIDER,
        Platform.SAML,
        "sts:AssumeRoleWithSAML",
        SAML_PROVIDER,
    )
    assert trust.admissions[0].tests == (
        sub(Match.EQUALS, "https://signin.aws.amazon.com/saml", claim="aud"),
    )
    assert trusts(web(principal=SAML_PROVIDER)) == []  # web identity is not SAML's exchange


def test_cognito_amr_is_read_as_one_of_its_values() -> None:
    pool = "us-east-1:9d0c4f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
    condition = {
        "StringEquals": {"cognito-identity.amazonaws.com:aud": pool},
        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
    }
    trust = one(web(principal="cognito-identity.amazonaws.com", condition=condition))
    assert (trust.issuer, trust.platform, trust.registration) == (
        "cognito-identity.amazonaws.com",
        Platform.COGNITO,
        None,
    )
    assert trust.admissions[0].tests == (
        sub(Match.EQUALS, pool, claim="aud"),
        sub(Match.LIKE, "authenticated", claim="amr"),
    )
    every = {"ForAllValues:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}
    loose = one(web(principal="cognito-identity.amazonaws.com", condition=every))
    assert loose.admissions[0].tests == () and len(loose.admissions[0].undecided) == 1


def test_registrations_from_collected_providers() -> None:
    refused = oidc_provider(EKS_PROVIDER, answer={})  # GetOpenIDConnectProvider was refused
    saml = Policy(
        provider=Provider.AWS,
        id=SAML_PROVIDER,
        name="corp-idp",
        kind=PolicyKind.AWS_SAML_PROVIDER,
        account=ACCOUNT,
        document={"Arn": SAML_PROVIDER, "ValidUntil": "2031-01-01T00:00:00+00:00"},
    )
    e = estate(DEPLOY, trust_policy(DEPLOY), oidc_provider(), refused, saml)
    assert list(federation.registrations(e)) == [
        Registration(
            provider=Provider.AWS,
            id=EKS_PROVIDER,
            account=ACCOUNT,
            issuer=EKS_ISSUER,
            platform=Platform.KUBERNETES,
            audiences=None,
        ),
        Registration(
            provider=Provider.AWS,
            id=GITHUB_PROVIDER,
            account=ACCOUNT,
            issuer=GITHUB,
            platform=Platform.GITHUB_ACTIONS,
            audiences=("sts.amazonaws.com",),
        ),
        Registration(
            provider=Provider.AWS,
            id=SAML_PROVIDER,
            account=ACCOUNT,
            issuer=SAML_PROVIDER,
            platform=Platform.SAML,
        ),
    ]
    analysis = PROVIDER.analyse(e)
    assert list(analysis.registrations()) == list(federation.registrations(e))
    assert list(analysis.federated_trusts()) == []  # the role trusts EC2 only


def test_the_provider_answers_what_the_module_reads() -> None:
    e = estate(DEPLOY, trust_policy(DEPLOY, document(web())), oidc_provider())
    assert list(PROVIDER.analyse(e).federated_trusts()) == list(federation.federated_trusts(e))
    assert len(list(PROVIDER.analyse(e).federated_trusts())) == 1


def test_provider_documents_are_not_checked_as_policies() -> None:
    assert list(PROVIDER.check(snapshot(oidc_provider()))) == []
    assert list(policy_problems(snapshot(DEPLOY, trust_policy(DEPLOY, {"Version": "x"})))) != []

"""IAM OIDC and SAML providers collected live: records, refusals as gaps, and what they feed."""

from __future__ import annotations

import json

import boto3

from nhiscan.connectors.aws.live import AwsConfig
from nhiscan.providers.aws.provider import PROVIDER
from nhiscan.scanner.federation import Match, Platform
from nhiscan.scanner.model import GapReason, Policy, PolicyKind
from tests.connectors.aws.conftest import World
from tests.connectors.aws.estate import ACCOUNT, REGION, doc
from tests.connectors.aws.helpers import collect, faulty_factory, gaps, of
from tests.factories import estate

GITLAB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.example.com"
SAML = f"arn:aws:iam::{ACCOUNT}:saml-provider/corp-idp"
GITHUB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"


def test_providers_are_collected_with_their_answers(world: World) -> None:
    policies = of(world.records, Policy)
    oidc = policies[GITLAB]
    assert (oidc.kind, oidc.name, oidc.account) == (
        PolicyKind.AWS_OIDC_PROVIDER,
        "gitlab.example.com",
        ACCOUNT,
    )
    assert oidc.document["Arn"] == GITLAB
    assert oidc.document["Url"] == "gitlab.example.com"
    assert oidc.document["ClientIDList"] == ["https://gitlab.example.com"]
    assert oidc.document["ThumbprintList"] == ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
    assert oidc.document["Tags"] == [{"Key": "team", "Value": "ci"}]
    assert "ResponseMetadata" not in oidc.document and "CreateDate" not in oidc.document
    assert oidc.created is not None and oidc.created.tzinfo is not None
    json.dumps(oidc.document)  # a snapshot can hold it
    saml = policies[SAML]
    assert (saml.kind, saml.name) == (PolicyKind.AWS_SAML_PROVIDER, "corp-idp")
    assert saml.document["Arn"] == SAML and "ValidUntil" in saml.document
    assert ("iam", "ListOpenIDConnectProviders") in world.calls
    assert ("iam", "GetOpenIDConnectProvider") in world.calls
    assert ("iam", "ListSAMLProviders") in world.calls
    assert not [g for g in gaps(world.records) if "Provider" in g.operation]


def test_registrations_come_from_the_collected_providers(world: World) -> None:
    providers = [r for r in world.records if isinstance(r, Policy) and r.kind.startswith("aws-")]
    by_id = {r.id: r for r in PROVIDER.analyse(estate(*providers)).registrations()}
    assert set(by_id) == {GITLAB, SAML}
    assert by_id[GITLAB].issuer == "gitlab.example.com"
    assert by_id[GITLAB].audiences == ("https://gitlab.example.com",)
    assert by_id[SAML].platform is Platform.SAML and by_id[SAML].audiences is None


def test_a_refused_listing_is_a_gap_not_an_empty_list(moto: None) -> None:
    boto3.client("iam").create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"]
    )
    factory = faulty_factory(
        {
            ("ListOpenIDConnectProviders", None): ("AccessDenied", "not allowed"),
            ("ListSAMLProviders", None): ("AccessDenied", "not allowed"),
        }
    )
    records = collect(AwsConfig(regions=(REGION,)), session_factory=factory)
    found = {g.operation: g for g in gaps(records)}
    assert found["iam:ListOpenIDConnectProviders"].reason is GapReason.ACCESS_DENIED
    assert found["iam:ListSAMLProviders"].reason is GapReason.ACCESS_DENIED
    assert found["iam:ListOpenIDConnectProviders"].scope == ACCOUNT
    assert not [r for r in records if isinstance(r, Policy) and r.kind.startswith("aws-")]


def test_a_refused_get_keeps_the_provider_without_its_audiences(moto: None) -> None:
    iam = boto3.client("iam")
    iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"]
    )
    trust = {
        "Effect": "Allow",
        "Principal": {"Federated": GITHUB},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}},
    }
    iam.create_role(RoleName="ci", AssumeRolePolicyDocument=json.dumps(doc(trust)))
    factory = faulty_factory({("GetOpenIDConnectProvider", None): ("AccessDenied", "no")})
    records = collect(AwsConfig(regions=(REGION,)), session_factory=factory)
    [gap] = [g for g in gaps(records) if g.operation == "iam:GetOpenIDConnectProvider"]
    assert (gap.subject, gap.reason) == (GITHUB, GapReason.ACCESS_DENIED)
    provider = of(records, Policy)[GITHUB]
    assert provider.document == {"Arn": GITHUB}
    analysis = PROVIDER.analyse(estate(*records))
    [registration] = analysis.registrations()
    assert registration.issuer == "token.actions.githubusercontent.com"
    assert registration.audiences is None
    [federated] = analysis.federated_trusts()
    assert federated.target == f"arn:aws:iam::{ACCOUNT}:role/ci"
    assert federated.registration == GITHUB and federated.audiences is None
    assert federated.admissions[0].tests[0].match is Match.LIKE


def test_collected_trusts_carry_the_provider_audiences(moto: None) -> None:
    iam = boto3.client("iam")
    iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com",
        ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"],
    )
    trust = {
        "Effect": "Allow",
        "Principal": {"Federated": GITHUB},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    iam.create_role(RoleName="ci", AssumeRolePolicyDocument=json.dumps(doc(trust)))
    records = collect(AwsConfig(regions=(REGION,)))
    assert gaps(records) == []
    [federated] = PROVIDER.analyse(estate(*records)).federated_trusts()
    assert federated.audiences == ("sts.amazonaws.com",)
    assert federated.platform is Platform.GITHUB_ACTIONS
    assert federated.admits({"sub": "repo:anyone/anything:pull_request"}) is True

"""Several accounts: assume_role, org_role over an Organization, and sources that fail whole."""

from __future__ import annotations

import boto3
import pytest

from nhiscan.connectors.aws.live import AwsConfig
from nhiscan.scanner.model import Account, GapReason, Identity, Policy, PolicyKind
from tests.connectors.aws.estate import ACCOUNT, REGION, build_org
from tests.connectors.aws.helpers import collect, faulty_factory, gaps, of, recording_factory

ORG_ROLE = "OrganizationAccountAccessRole"


def member_session(account: str) -> boto3.session.Session:
    creds = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ORG_ROLE}", RoleSessionName="setup"
    )["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGION,
    )


def test_org_role_collects_every_member_account(moto: None) -> None:
    org = build_org()
    member = org["member"]
    member_session(member).client("iam").create_user(UserName="member-bot")
    boto3.client("iam").create_user(UserName="mgmt-bot")
    calls: list[tuple[str, str]] = []
    config = AwsConfig(org_role=ORG_ROLE, regions=(REGION,), max_workers=2)
    records = collect(config, session_factory=recording_factory(calls))
    accounts = [r for r in records if isinstance(r, Account)]
    assert sorted(a.id for a in accounts) == sorted([ACCOUNT, member])  # management once
    member_account = of(records, Account)[member]
    assert (member_account.name, member_account.org_id) == ("member", org["org_id"])
    assert member_account.parents == (org["root"], org["ou"])
    assert member_account.is_management is False
    assert of(records, Account)[ACCOUNT].is_management is True
    names = {i.id: i.account for i in records if isinstance(i, Identity)}
    assert names[f"arn:aws:iam::{member}:user/member-bot"] == member
    assert names[f"arn:aws:iam::{ACCOUNT}:user/mgmt-bot"] == ACCOUNT
    scps = [p for p in records if isinstance(p, Policy) and p.kind is PolicyKind.SCP]
    assert len([p for p in scps if p.id == org["scp"]]) == 1
    assert calls.count(("sts", "AssumeRole")) == 1
    assert gaps(records) == []


def test_org_role_outside_an_organization_is_a_gap(moto: None) -> None:
    records = collect(AwsConfig(org_role=ORG_ROLE, regions=(REGION,)))
    [gap] = gaps(records)
    assert (gap.scope, gap.operation) == (ACCOUNT, "organizations:ListAccounts")
    assert "not in an organization" in gap.detail
    assert [a.id for a in records if isinstance(a, Account)] == [ACCOUNT]


def test_assume_role_collects_the_role_account(moto: None) -> None:
    org = build_org()
    member = org["member"]
    member_session(member).client("iam").create_user(UserName="member-bot")
    role = f"arn:aws:iam::{member}:role/auditor"
    records = collect(AwsConfig(assume_role=role, regions=(REGION,)))
    assert [a.id for a in records if isinstance(a, Account)] == [member]
    assert f"arn:aws:iam::{member}:user/member-bot" in of(records, Identity)


def test_failed_assume_role_is_a_gap_for_the_source(moto: None) -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/auditor"
    factory = faulty_factory({("AssumeRole", None): ("AccessDenied", "not authorized")})
    records = collect(AwsConfig(assume_role=role), session_factory=factory)
    [gap] = records
    assert (gap.scope, gap.operation, gap.reason) == (
        role,
        "sts:AssumeRole",
        GapReason.ACCESS_DENIED,
    )


@pytest.mark.parametrize("profile", [None, "dev"])
def test_failed_caller_identity_is_a_gap_and_nothing_else(moto: None, profile: str | None) -> None:
    expired = ("ExpiredToken", "The security token included in the request is expired")
    factory = faulty_factory({("GetCallerIdentity", None): expired})

    def session(name: str | None) -> boto3.session.Session:
        return factory(None)

    config = AwsConfig(profiles=(profile,) if profile else ())
    records = collect(config, session_factory=session)
    [gap] = records
    assert gap.scope == ("default-chain" if profile is None else f"profile/{profile}")
    assert gap.operation == "sts:GetCallerIdentity"
    assert gap.reason is GapReason.FAILED
    assert gap.detail == "ExpiredToken: The security token included in the request is expired"


def test_failed_source_does_not_stop_the_next(moto: None) -> None:
    boto3.client("iam").create_user(UserName="solo")
    failing = faulty_factory({("GetCallerIdentity", None): ("InvalidClientTokenId", "bad")})

    def factory(profile: str | None) -> boto3.session.Session:
        return failing(None) if profile == "broken" else boto3.session.Session(region_name=REGION)

    records = collect(
        AwsConfig(profiles=("broken", "ok"), regions=(REGION,)), session_factory=factory
    )
    assert [g.scope for g in gaps(records)] == ["profile/broken"]
    assert f"arn:aws:iam::{ACCOUNT}:user/solo" in of(records, Identity)

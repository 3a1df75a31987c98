"""AwsConnector against moto: every kind of thing it collects, with the right fields."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import boto3
import pytest

from nhiscan.connectors.aws.live import AwsConfig, AwsConnector
from nhiscan.errors import ConnectorError
from nhiscan.scanner import fingerprint
from nhiscan.scanner.model import (
    Account,
    Credential,
    CredentialKind,
    CredentialStatus,
    Group,
    Identity,
    IdentityKind,
    Policy,
    PolicyKind,
    Record,
    Resource,
    ResourceKind,
)
from tests.connectors.aws.conftest import World
from tests.connectors.aws.estate import ACCOUNT, OTHER_REGION, REGION, Built
from tests.connectors.aws.helpers import collect, gaps, of


@pytest.fixture
def built(world: World) -> Built:
    return world.built


@pytest.fixture
def records(world: World) -> list[Record]:
    return world.records


def test_users(built: Built, records: list[Record]) -> None:
    user = of(records, Identity)[built.user]
    assert user.kind is IdentityKind.IAM_USER
    assert (user.name, user.account, user.path) == ("ci-bot", ACCOUNT, "/svc/")
    assert user.native_id and user.tags == {"owner": "platform"}
    assert user.created == built.created[built.user].astimezone(UTC)
    assert user.created is not None and user.created.tzinfo is UTC
    assert user.policies == (built.managed, f"{built.user}#inline/inline-s3")
    assert user.member_of == (f"arn:aws:iam::{ACCOUNT}:group/teams/deployers",)
    assert user.member_of == (built.group,)
    assert (user.console_access, user.mfa_devices) == (True, 1)
    assert user.is_human is None and user.human_reason is None
    plain = of(records, Identity)[built.plain_user]
    assert (plain.console_access, plain.mfa_devices, plain.policies) == (False, 0, ())


def test_roles(built: Built, records: list[Record]) -> None:
    identities = of(records, Identity)
    role = identities[built.role]
    assert role.kind is IdentityKind.IAM_ROLE
    assert (role.name, role.path, role.description) == ("app-role", "/app/", "runs the app")
    assert role.max_session_seconds == 7200
    assert role.tags == {"team": "app"}
    assert role.created == built.created[built.role].astimezone(UTC)
    assert role.policies == (built.managed, f"{built.role}#inline/role-inline")
    assert role.permissions_boundary == built.boundary
    assert role.trust_policy == f"{built.role}#trust"
    assert role.instance_profiles == (built.profile,)
    assert role.service_linked is False
    assert identities[built.service_role].service_linked is True
    assert identities[built.lambda_role].max_session_seconds == 3600
    assert role.console_access is None and role.mfa_devices is None


def test_groups_and_policies(built: Built, records: list[Record]) -> None:
    group = of(records, Group)[built.group]
    assert (group.name, group.path) == ("deployers", "/teams/")
    assert group.policies == (built.managed, f"{built.group}#inline/group-inline")
    policies = of(records, Policy)
    managed = policies[built.managed]
    assert managed.kind is PolicyKind.CUSTOMER_MANAGED and managed.account == ACCOUNT
    assert (managed.name, managed.version, managed.document) == ("deploy", "v2", built.managed_v2)
    assert managed.created is not None and managed.updated is not None
    inline = policies[f"{built.user}#inline/inline-s3"]
    assert (inline.kind, inline.name, inline.document) == (
        PolicyKind.INLINE,
        "inline-s3",
        built.user_inline,
    )
    assert policies[f"{built.group}#inline/group-inline"].kind is PolicyKind.INLINE
    trust = policies[f"{built.role}#trust"]
    assert trust.kind is PolicyKind.TRUST
    assert trust.document["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert policies[built.boundary].kind is PolicyKind.CUSTOMER_MANAGED


def test_credentials(built: Built, records: list[Record]) -> None:
    creds = of(records, Credential)
    for key_id, status in built.keys.items():
        key = creds[key_id]
        assert (key.kind, key.identity, key.account) == (
            CredentialKind.ACCESS_KEY,
            built.user,
            ACCOUNT,
        )
        assert key.status is CredentialStatus(status)
        assert key.created is not None and key.created.tzinfo is UTC
        # never used: AWS says ServiceName "N/A" and gives no date
        assert (key.last_used, key.last_used_service, key.last_used_region) == (None, None, None)
        assert key.fingerprint == fingerprint.aws_access_key(key_id)
    password = creds[f"{built.user}#password"]
    assert (password.kind, password.status) == (CredentialKind.PASSWORD, CredentialStatus.ACTIVE)
    assert password.created == built.password_created.astimezone(UTC)
    assert not any(c.identity == built.plain_user for c in creds.values())


def test_resources(built: Built, records: list[Record]) -> None:
    resources = of(records, Resource)
    policies = of(records, Policy)
    bucket = resources["arn:aws:s3:::data-bucket"]
    assert (bucket.kind, bucket.region, bucket.account) == (ResourceKind.S3_BUCKET, REGION, ACCOUNT)
    assert bucket.policy == "arn:aws:s3:::data-bucket#policy"
    bucket_policy = policies["arn:aws:s3:::data-bucket#policy"]
    assert (bucket_policy.kind, bucket_policy.document) == (
        PolicyKind.RESOURCE,
        built.bucket_policy,
    )
    assert bucket_policy.attached_to == ("arn:aws:s3:::data-bucket",)
    assert resources["arn:aws:s3:::plain-bucket"].policy is None
    assert resources["arn:aws:s3:::eu-bucket"].region == OTHER_REGION
    key = resources[built.kms_key]
    assert (key.kind, key.region, key.policy) == (
        ResourceKind.KMS_KEY,
        REGION,
        f"{built.kms_key}#policy",
    )
    assert policies[f"{built.kms_key}#policy"].document["Statement"]
    secret = resources[built.secret]
    assert (secret.kind, secret.name, secret.policy) == (
        ResourceKind.SECRET,
        "db-password",
        f"{built.secret}#policy",
    )
    assert policies[f"{built.secret}#policy"].document == built.secret_policy
    assert resources[built.plain_secret].policy is None
    function = resources[built.function]
    assert (function.kind, function.runs_as) == (ResourceKind.LAMBDA_FUNCTION, built.lambda_role)
    instance = resources[f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{built.instance}"]
    assert (instance.kind, instance.name, instance.state) == (
        ResourceKind.EC2_INSTANCE,
        "web",
        "running",
    )
    assert instance.runs_as == built.profile
    profile = resources[built.profile]
    assert (profile.kind, profile.runs_as) == (ResourceKind.INSTANCE_PROFILE, built.role)


def test_account_in_organization(world: World) -> None:
    account = of(world.records, Account)[ACCOUNT]
    assert (account.org_id, account.is_management, account.name) == (
        world.org["org_id"],
        True,
        "master",
    )
    assert account.parents == (world.org["root"],)
    assert gaps(world.records) == []


def test_scps(world: World) -> None:
    scp = of(world.records, Policy)[world.org["scp"]]
    assert (scp.kind, scp.name, scp.account) == (PolicyKind.SCP, "deny-users", ACCOUNT)
    assert scp.attached_to == (world.org["ou"],)
    assert scp.document["Statement"][0]["Action"] == "iam:CreateUser"
    full = [p for p in of(world.records, Policy).values() if p.name == "FullAWSAccess"]
    assert full and world.org["root"] in full[0].attached_to


def test_regions_restricted(world: World) -> None:
    resources = of(world.restricted, Resource)
    built = world.built
    assert "arn:aws:s3:::eu-bucket" in resources
    assert "arn:aws:s3:::data-bucket" not in resources  # a us-east-1 bucket
    assert built.kms_key not in resources and built.function not in resources
    assert built.user in of(world.restricted, Identity)  # IAM is global
    assert gaps(world.restricted) == []


def test_progress_lines(world: World) -> None:
    assert f"aws {ACCOUNT}: users 2/2" in world.lines
    assert all(isinstance(line, str) and line.startswith("aws ") for line in world.lines)


def test_account_without_organization(moto: None) -> None:
    records = collect()
    account = of(records, Account)[ACCOUNT]
    assert (account.org_id, account.parents, account.is_management) == (None, (), False)
    assert gaps(records) == []


def test_sources() -> None:
    assert AwsConnector(AwsConfig()).sources == ("aws:default-chain",)
    config = AwsConfig(profiles=("dev", "prod"))
    assert AwsConnector(config).sources == ("aws:profile/dev", "aws:profile/prod")


def test_missing_profile_is_a_connector_error(moto: None) -> None:
    with pytest.raises(ConnectorError, match="'nope'"):
        collect(AwsConfig(profiles=("nope",)))


def test_no_credentials_is_a_connector_error(moto: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(ConnectorError, match="--aws-gaad"):
        collect()


def test_two_profiles_on_one_account_collect_it_once(moto: None, aws_env: Path) -> None:
    boto3.client("iam").create_user(UserName="solo")
    (aws_env / "credentials").write_text(
        "[a]\naws_access_key_id = k1\naws_secret_access_key = s1\n"
        "[b]\naws_access_key_id = k2\naws_secret_access_key = s2\n"
    )
    records = collect(AwsConfig(profiles=("a", "b"), regions=(REGION,)))
    assert [a.id for a in records if isinstance(a, Account)] == [ACCOUNT]
    assert [i.name for i in records if isinstance(i, Identity)] == ["solo"]


def test_session_factory_gets_the_profile(moto: None) -> None:
    asked: list[str | None] = []

    def factory(profile: str | None) -> boto3.session.Session:
        asked.append(profile)
        return boto3.session.Session(region_name=REGION)

    collect(AwsConfig(profiles=("x",), regions=(REGION,)), session_factory=factory)
    assert asked == ["x"]

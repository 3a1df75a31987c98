"""The demo estate, built through boto3 exactly as a customer's account would be, then aged.

A lending company runs AI agents on AWS. The estate shows each lifecycle case: an old key, an
unused key, two keys on one user, a cross-account trust without an external id, a public
bucket, an over-privileged agent role, a person's account with keys, an unowned role; a
deploy bot that can pass the admin agent role to a new EC2 instance (privilege escalation); and
two roles GitHub Actions assumes with no key at all (issue #20): ``github-release``, pinned to
the main branch of ``acme-lending/agents-platform``, and ``github-preview-deploy``, an admin
role that any workflow of any repository of the organisation can assume, pull requests included.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta
from typing import Any

import boto3

DEMO_ACCOUNT = "123456789012"  # moto's default account
DEMO_REGION = "us-east-1"
PARTNER_ACCOUNT = "999988887777"
AUDITOR_ACCOUNT = "444455556666"
OWNER = "lending-platform@example.com"
GITHUB_ORG = "acme-lending"
GITHUB_REPO = f"{GITHUB_ORG}/agents-platform"
GITHUB_ISSUER = "token.actions.githubusercontent.com"
GITHUB_PROVIDER = f"arn:aws:iam::{DEMO_ACCOUNT}:oidc-provider/{GITHUB_ISSUER}"
GITHUB_AUDIENCE = "sts.amazonaws.com"  # what aws-actions/configure-aws-credentials requests


def _trust(
    principal: dict[str, Any],
    condition: dict[str, Any] | None = None,
    action: str = "sts:AssumeRole",
) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _allow(actions: list[str], resources: list[str]) -> str:
    statement = {"Effect": "Allow", "Action": actions, "Resource": resources}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _tags(**tags: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


# name -> (trust principal, its condition and action (sts:AssumeRole unless given), tags,
# managed policies, inline actions/resources)
ROLES: dict[str, dict[str, Any]] = {
    "doc-extractor-agent": {
        "trust": {"Service": "lambda.amazonaws.com"},
        "tags": _tags(owner=OWNER, agent="doc-extractor"),
        "inline": (["s3:GetObject"], ["arn:aws:s3:::construction-docs/*"]),
        "description": "Extracts figures from construction documents",
    },
    "loan-review-agent": {
        "trust": {"Service": "ec2.amazonaws.com"},
        "tags": _tags(owner=OWNER, agent="loan-review"),
        "managed": ["arn:aws:iam::aws:policy/AdministratorAccess"],
        "description": "Reviews draw requests; granted admin 'to get it working'",
    },
    "vendor-integration": {
        "trust": {"AWS": f"arn:aws:iam::{PARTNER_ACCOUNT}:root"},
        "tags": _tags(owner="vendor-management@example.com"),
        "inline": (["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::vendor-exchange/*"]),
        "description": "Lets a title-insurance partner drop files",
    },
    "partner-audit": {
        "trust": {"AWS": f"arn:aws:iam::{AUDITOR_ACCOUNT}:root"},
        "condition": {"StringEquals": {"sts:ExternalId": "audit-7f3e9c"}},
        "tags": _tags(owner="compliance@example.com"),
        "managed": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        "description": "External auditor, with an external id",
    },
    "legacy-batch-role": {
        "trust": {"Service": "ec2.amazonaws.com"},
        "inline": (["dynamodb:*"], ["*"]),
        "description": "Nightly batch from the old platform",
    },
}

# Roles GitHub Actions assumes through the account's OIDC provider, as AWS documents the trust
# (the audience pinned, the subject narrowed with StringLike/StringEquals):
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
# Built last, so the ids moto draws for the rest of the estate stay as they were.
GITHUB_ROLES: dict[str, dict[str, Any]] = {
    "github-preview-deploy": {
        "trust": {"Federated": GITHUB_PROVIDER},
        "action": "sts:AssumeRoleWithWebIdentity",
        # every repository of the organisation, every branch, every pull request
        "condition": {
            "StringEquals": {f"{GITHUB_ISSUER}:aud": GITHUB_AUDIENCE},
            "StringLike": {f"{GITHUB_ISSUER}:sub": f"repo:{GITHUB_ORG}/*"},
        },
        "tags": _tags(owner="platform@example.com"),
        "managed": ["arn:aws:iam::aws:policy/AdministratorAccess"],
        "description": "Deploys pull request previews; admin 'so previews can create anything'",
    },
    "github-release": {
        "trust": {"Federated": GITHUB_PROVIDER},
        "action": "sts:AssumeRoleWithWebIdentity",
        "condition": {
            "StringEquals": {
                f"{GITHUB_ISSUER}:aud": GITHUB_AUDIENCE,
                f"{GITHUB_ISSUER}:sub": f"repo:{GITHUB_REPO}:ref:refs/heads/main",
            },
        },
        "tags": _tags(owner="platform@example.com"),
        "inline": (["s3:PutObject"], ["arn:aws:s3:::marketing-site/releases/*"]),
        "description": "Publishes release notes from the main branch",
    },
}

# name -> (tags, key plan: list of (age days, days since last use or None), console, mfa)
USERS: dict[str, dict[str, Any]] = {
    "svc-reporting-agent": {"tags": _tags(owner=OWNER, agent="reporting"), "keys": [(210, 1)]},
    "ci-deploy-bot": {"tags": _tags(owner="platform@example.com"), "keys": [(30, 0), (120, None)],
                      # "to deploy the reviewer's instances": enough to run as the admin role
                      "inline": (["iam:PassRole", "ec2:RunInstances"],
                                 [f"arn:aws:iam::{DEMO_ACCOUNT}:role/loan-review-agent", "*"])},
    "etl-sync-agent": {"tags": _tags(owner="data@example.com"), "keys": [(80, 60)]},
    "ops-automation": {"keys": [(40, 2)], "console": True},
    "jane.doe": {"tags": _tags(owner="jane.doe@example.com"), "keys": [(15, 3)], "console": True,
                 "mfa": True},
}  # fmt: skip


def build_demo_estate(session: boto3.session.Session, endpoint: str, now: datetime) -> None:
    iam = session.client("iam", endpoint_url=endpoint)
    iam.get_account_summary()  # moto creates the account's IAM backend on first use
    _install_aws_managed(["AdministratorAccess", "ReadOnlyAccess"])
    _policies(iam)
    for name, spec in ROLES.items():
        _role(iam, name, spec)
    for name, spec in USERS.items():
        _user(iam, name, spec)
    iam.create_group(GroupName="agents")
    iam.attach_group_policy(
        GroupName="agents", PolicyArn=f"arn:aws:iam::{DEMO_ACCOUNT}:policy/construction-docs-read"
    )
    for user in ("svc-reporting-agent", "etl-sync-agent"):
        iam.add_user_to_group(GroupName="agents", UserName=user)
    _resources(session, endpoint, iam)
    _organization(session, endpoint)
    _github(iam)
    _age(now)


def _install_aws_managed(names: list[str]) -> None:
    """Put the AWS managed policies the estate uses into moto, from the copies moto ships.

    (moto can load all of them, but only through a process-wide setting.)
    """
    from moto.iam.aws_managed_policies import aws_managed_policies_data
    from moto.iam.models import AWSManagedPolicy, iam_backends

    backend = iam_backends[DEMO_ACCOUNT]["aws"]
    data = json.loads(aws_managed_policies_data)
    for name in names:
        policy = AWSManagedPolicy.from_data(name, DEMO_ACCOUNT, "us-east-1", data[name])
        backend.aws_managed_policies.append(policy)
        backend.managed_policies[policy.arn] = policy


def _policies(iam: Any) -> None:
    iam.create_policy(
        PolicyName="construction-docs-read",
        PolicyDocument=_allow(
            ["s3:GetObject", "s3:ListBucket"],
            ["arn:aws:s3:::construction-docs", "arn:aws:s3:::construction-docs/*"],
        ),
        Description="Read the construction document store",
    )


def _role(iam: Any, name: str, spec: dict[str, Any]) -> None:
    iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=_trust(
            spec["trust"], spec.get("condition"), spec.get("action", "sts:AssumeRole")
        ),
        Description=spec.get("description", ""),
        Tags=spec.get("tags", []),
    )
    for arn in spec.get("managed", []):
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    if "inline" in spec:
        actions, resources = spec["inline"]
        iam.put_role_policy(
            RoleName=name, PolicyName=f"{name}-access", PolicyDocument=_allow(actions, resources)
        )


def _github(iam: Any) -> None:
    iam.create_open_id_connect_provider(
        Url=f"https://{GITHUB_ISSUER}",
        ClientIDList=[GITHUB_AUDIENCE],
        ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"],
    )
    for name, spec in GITHUB_ROLES.items():
        _role(iam, name, spec)


def _user(iam: Any, name: str, spec: dict[str, Any]) -> None:
    iam.create_user(UserName=name, Tags=spec.get("tags", []))
    if "inline" in spec:
        actions, resources = spec["inline"]
        iam.put_user_policy(
            UserName=name, PolicyName=f"{name}-access", PolicyDocument=_allow(actions, resources)
        )
    for _ in spec["keys"]:
        iam.create_access_key(UserName=name)
    if spec.get("console"):
        iam.create_login_profile(UserName=name, Password="Demo-only-Passw0rd!")
    if spec.get("mfa"):
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{name}-mfa")
        iam.enable_mfa_device(
            UserName=name,
            SerialNumber=device["VirtualMFADevice"]["SerialNumber"],
            AuthenticationCode1="123456",
            AuthenticationCode2="654321",
        )


def _resources(session: boto3.session.Session, endpoint: str, iam: Any) -> None:
    s3 = session.client("s3", endpoint_url=endpoint)
    for bucket in ("construction-docs", "vendor-exchange", "marketing-site"):
        s3.create_bucket(Bucket=bucket)
    public_read = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::marketing-site/*"}
        ],
    }  # fmt: skip
    s3.put_bucket_policy(Bucket="marketing-site", Policy=json.dumps(public_read))
    _secret_and_key(session, endpoint)
    _compute(session, endpoint, iam)


def _secret_and_key(session: boto3.session.Session, endpoint: str) -> None:
    kms = session.client("kms", endpoint_url=endpoint)
    kms.create_key(Description="construction documents key")
    secrets = session.client("secretsmanager", endpoint_url=endpoint)
    secrets.create_secret(Name="credit-bureau-api", SecretString="demo-not-a-real-secret")
    reader = f"arn:aws:iam::{DEMO_ACCOUNT}:role/loan-review-agent"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": reader},
             "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
        ],
    }  # fmt: skip
    secrets.put_resource_policy(SecretId="credit-bureau-api", ResourcePolicy=json.dumps(policy))


def _compute(session: boto3.session.Session, endpoint: str, iam: Any) -> None:
    iam.create_instance_profile(InstanceProfileName="loan-review-agent")
    iam.add_role_to_instance_profile(
        InstanceProfileName="loan-review-agent", RoleName="loan-review-agent"
    )
    ec2: Any = session.client("ec2", endpoint_url=endpoint)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        IamInstanceProfile={"Name": "loan-review-agent"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": _tags(Name="loan-review")}],
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    session.client("lambda", endpoint_url=endpoint).create_function(
        FunctionName="doc-extractor",
        Runtime="python3.12",
        Role=f"arn:aws:iam::{DEMO_ACCOUNT}:role/doc-extractor-agent",
        Handler="handler.handler",
        Code={"ZipFile": buffer.getvalue()},
    )


def _organization(session: boto3.session.Session, endpoint: str) -> None:
    org = session.client("organizations", endpoint_url=endpoint)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    deny_leave = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization",
                       "Resource": "*"}],
    }  # fmt: skip
    policy = org.create_policy(
        Name="deny-leave-organization",
        Description="Member accounts cannot leave",
        Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps(deny_leave),
    )
    org.attach_policy(PolicyId=policy["Policy"]["PolicySummary"]["Id"], TargetId=root)


def _age(now: datetime) -> None:
    """Give the estate a history. moto has no API for it, so set its in-process records."""
    from moto.iam.models import AccessKeyLastUsed, iam_backends

    backend: Any = iam_backends[DEMO_ACCOUNT]["aws"]
    naive_now = now.replace(tzinfo=None)  # moto keeps naive UTC datetimes
    for name, spec in USERS.items():
        user: Any = backend.users[name]
        user.create_date = naive_now - timedelta(days=400)
        for key, (age, used) in zip(user.access_keys, spec["keys"], strict=True):
            key.create_date = naive_now - timedelta(days=age)
            if used is not None:
                key.last_used = AccessKeyLastUsed(
                    naive_now - timedelta(days=used), "s3", DEMO_REGION
                )
        if spec.get("console"):
            user.password_last_used = naive_now - timedelta(days=2)
    ages = {"legacy-batch-role": (500, None), "vendor-integration": (300, 20)}
    role: Any
    for role in backend.roles.values():
        created, used = ages.get(role.name, (200, 1))
        role.create_date = naive_now - timedelta(days=created)
        role.last_used = None if used is None else naive_now - timedelta(days=used)
        role.last_used_region = None if used is None else DEMO_REGION

"""Generate a dense GAAD export shaped like the worst real accounts (issue #16 item 4).

The output has the shape of ``aws iam get-account-authorization-details`` (as
``bench/gaad_estate.py`` writes it), but is far denser in broad grants: by default 10,000
roles, 5,000 users, 200 groups, 2,000 customer-managed policies of 1 to 8 statements and 150
real AWS managed policies (their documents as moto bundles them in
``moto/iam/aws_managed_policies.py``), attached at random. Of the generated statements
(customer and inline policies) about 5% allow ``*`` on ``*``, 5% use ``NotAction``, 8% deny
and 10% carry a condition; of the roles 40% trust a service, 40% a principal of the same
account or the account root, and 20% another account (half of those with an
``sts:ExternalId`` condition); 8% of users and roles have a permissions boundary.
Deterministic for a seed.

Usage: python bench/gaad_dense.py OUT.json [--roles N --users N --groups N --policies N
--managed N --seed N]
"""

from __future__ import annotations

import argparse
import json
import random
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
OTHER_ACCOUNTS = [f"{n:012d}" for n in (210987654321, 444455556666, 777788889999, 123456789012)]
SERVICES = ["lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com",
            "glue.amazonaws.com", "sagemaker.amazonaws.com", "codebuild.amazonaws.com",
            "states.amazonaws.com", "events.amazonaws.com"]  # fmt: skip
ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:*", "dynamodb:GetItem",
           "dynamodb:PutItem", "dynamodb:Query", "dynamodb:*", "sqs:SendMessage",
           "sqs:ReceiveMessage", "sns:Publish", "kms:Decrypt", "kms:Encrypt",
           "secretsmanager:GetSecretValue", "lambda:InvokeFunction", "logs:PutLogEvents",
           "ec2:Describe*", "cloudwatch:PutMetricData", "ssm:GetParameter*", "ec2:*",
           "cloudformation:*", "ecr:*"]  # fmt: skip
# Common in real accounts: the permissions that let an identity act as another.
SENSITIVE = ["iam:PassRole", "iam:CreateAccessKey", "sts:AssumeRole", "iam:PutRolePolicy",
             "lambda:CreateFunction", "iam:AttachUserPolicy", "iam:AttachRolePolicy",
             "iam:*", "iam:UpdateAssumeRolePolicy", "iam:CreatePolicyVersion",
             "iam:CreateLoginProfile", "ec2:RunInstances", "lambda:UpdateFunctionCode",
             "sts:*"]  # fmt: skip
NOT_ACTIONS = [["iam:*", "organizations:*", "account:*"], ["iam:*"], ["s3:DeleteBucket"],
               ["iam:*", "sts:*"]]  # fmt: skip
# Statement kinds and their shares (the rest are ordinary allows).
P_ADMIN, P_NOT_ACTION, P_DENY, P_CONDITION = 0.05, 0.05, 0.08, 0.10
P_BOUNDARY = 0.08
# AWS managed policies always included (the ones real accounts attach most), then random ones.
MANAGED_ALWAYS = ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "IAMFullAccess",
                  "AmazonS3FullAccess", "AWSLambda_FullAccess", "AmazonEC2FullAccess",
                  "SecretsManagerReadWrite"]  # fmt: skip
BASE = datetime(2024, 1, 1, tzinfo=UTC)


def _date(rng: random.Random, span_days: int = 900) -> str:
    return (BASE + timedelta(seconds=rng.randrange(span_days * 86400))).isoformat()


def _condition(rng: random.Random) -> dict[str, Any]:
    """A condition of a kind real accounts use: some decidable from the snapshot, some not."""
    roll = rng.randrange(7)
    if roll == 0:
        return {"IpAddress": {"aws:SourceIp": f"10.{rng.randrange(256)}.0.0/16"}}
    if roll == 1:
        return {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    if roll == 2:
        return {"StringEquals": {"aws:PrincipalTag/team": f"team-{rng.randrange(40)}"}}
    if roll == 3:
        return {"StringEquals": {"aws:RequestedRegion": rng.choice(["us-east-1", "eu-west-1"])}}
    if roll == 4:
        return {"DateLessThan": {"aws:CurrentTime": "2023-06-30T00:00:00Z"}}
    if roll == 5:
        return {"Bool": {"aws:SecureTransport": "true"}}
    return {"StringLike": {"s3:prefix": [f"home/{rng.randrange(100)}/*"]}}


def _resource(rng: random.Random) -> str:
    return rng.choice(
        [
            "*",
            "*",
            f"arn:aws:s3:::bucket-{rng.randrange(500)}/*",
            f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t{rng.randrange(300)}",
            f"arn:aws:iam::{ACCOUNT}:role/app-role-*",
            f"arn:aws:iam::{ACCOUNT}:role/dense-role-{rng.randrange(10_000)}",
        ]
    )


def _statement(rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    statement: dict[str, Any]
    if roll < P_ADMIN:
        statement = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    elif roll < P_ADMIN + P_NOT_ACTION:
        statement = {"Effect": "Allow", "NotAction": rng.choice(NOT_ACTIONS), "Resource": "*"}
    else:
        actions = rng.sample(ACTIONS, rng.randint(1, 4))
        if rng.random() < 0.25:
            actions.append(rng.choice(SENSITIVE))
        effect = "Deny" if roll < P_ADMIN + P_NOT_ACTION + P_DENY else "Allow"
        statement = {"Effect": effect, "Action": actions, "Resource": _resource(rng)}
    if rng.random() < P_CONDITION:
        statement["Condition"] = _condition(rng)
    return statement


def _document(rng: random.Random, statements: int) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [_statement(rng) for _ in range(statements)]}


def _customer_policies(rng: random.Random, count: int) -> list[dict[str, Any]]:
    policies = []
    for i in range(count):
        created = _date(rng)
        policies.append({
            "PolicyName": f"dense-policy-{i}", "PolicyId": f"ANPA{i:017d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:policy/dense-policy-{i}", "Path": "/",
            "DefaultVersionId": "v1", "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True, "CreateDate": created, "UpdateDate": created,
            "PolicyVersionList": [{"Document": _document(rng, rng.randint(1, 8)),
                                   "VersionId": "v1", "IsDefaultVersion": True,
                                   "CreateDate": created}],
        })  # fmt: skip
    return policies


def aws_managed_policies() -> dict[str, dict[str, Any]]:
    """Real AWS managed policies by name, as moto bundles them."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    data: dict[str, dict[str, Any]] = json.loads(aws_managed_policies_data)
    return data


def _aws_managed(rng: random.Random, count: int) -> list[dict[str, Any]]:
    known = aws_managed_policies()
    always = [name for name in MANAGED_ALWAYS if name in known][:count]
    rest = sorted(set(known) - set(always))
    names = always + rng.sample(rest, max(0, min(count - len(always), len(rest))))
    policies = []
    for name in names:
        entry = known[name]
        version = entry.get("DefaultVersionId", "v1")
        policies.append({
            "PolicyName": name, "PolicyId": f"ANPAAWS{zlib.crc32(name.encode()):013d}",
            "Arn": f"arn:aws:iam::aws:policy{entry.get('Path', '/')}{name}",
            "Path": entry.get("Path", "/"), "DefaultVersionId": version, "AttachmentCount": 1,
            "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
            "CreateDate": entry["CreateDate"], "UpdateDate": entry["UpdateDate"],
            "PolicyVersionList": [{"Document": entry["Document"], "VersionId": version,
                                   "IsDefaultVersion": True, "CreateDate": entry["UpdateDate"]}],
        })  # fmt: skip
    return policies


def _attached(rng: random.Random, policies: list[dict[str, Any]], low: int, high: int) -> list[Any]:
    chosen = rng.sample(policies, rng.randint(low, high))
    return [{"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]} for p in chosen]


def _tags(rng: random.Random, i: int) -> list[dict[str, str]]:
    return [{"Key": "team", "Value": f"team-{i % 40}"}] if rng.random() < 0.7 else []


def _trust(rng: random.Random, users: int, roles: int) -> dict[str, Any]:
    roll = rng.random()
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole"}
    if roll < 0.4:
        statement["Principal"] = {"Service": rng.choice(SERVICES)}
    elif roll < 0.8:
        pick = rng.random()
        if pick < 0.5:
            principal = f"arn:aws:iam::{ACCOUNT}:root"
        elif pick < 0.75 and users:
            principal = f"arn:aws:iam::{ACCOUNT}:user/{_user_name(rng.randrange(users))}"
        else:
            principal = f"arn:aws:iam::{ACCOUNT}:role/dense-role-{rng.randrange(max(roles, 1))}"
        statement["Principal"] = {"AWS": principal}
    else:
        statement["Principal"] = {"AWS": f"arn:aws:iam::{rng.choice(OTHER_ACCOUNTS)}:root"}
        if rng.random() < 0.5:
            statement["Condition"] = {
                "StringEquals": {"sts:ExternalId": f"ext-{rng.randrange(10**6)}"}
            }
    return {"Version": "2012-10-17", "Statement": [statement]}


def _boundary(rng: random.Random, boundaries: list[dict[str, Any]]) -> dict[str, str] | None:
    if rng.random() >= P_BOUNDARY or not boundaries:
        return None
    chosen = rng.choice(boundaries)
    return {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": chosen["Arn"]}


def _user_name(i: int) -> str:
    return f"svc-dense-{i}" if i % 10 else f"person.{i}"


def _roles(
    rng: random.Random,
    count: int,
    users: int,
    policies: list[dict[str, Any]],
    boundaries: list[dict[str, Any]],
) -> list[Any]:
    roles = []
    for i in range(count):
        role: dict[str, Any] = {
            "Path": "/", "RoleName": f"dense-role-{i}", "RoleId": f"AROA{i:017d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/dense-role-{i}", "CreateDate": _date(rng),
            "AssumeRolePolicyDocument": _trust(rng, users, count), "InstanceProfileList": [],
            "RolePolicyList": [], "AttachedManagedPolicies": _attached(rng, policies, 0, 4),
            "Tags": _tags(rng, i), "RoleLastUsed": {},
        }  # fmt: skip
        if rng.random() < 0.3:
            role["RolePolicyList"] = [
                {"PolicyName": "inline", "PolicyDocument": _document(rng, rng.randint(1, 3))}
            ]
        if rng.random() < 0.6:
            role["RoleLastUsed"] = {"LastUsedDate": _date(rng, 1000), "Region": "us-east-1"}
        boundary = _boundary(rng, boundaries)
        if boundary:
            role["PermissionsBoundary"] = boundary
        roles.append(role)
    return roles


def _users(
    rng: random.Random,
    count: int,
    policies: list[Any],
    groups: list[str],
    boundaries: list[dict[str, Any]],
) -> list[Any]:
    users = []
    for i in range(count):
        name = _user_name(i)
        user: dict[str, Any] = {
            "Path": "/", "UserName": name, "UserId": f"AIDA{i:017d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "CreateDate": _date(rng),
            "UserPolicyList": [], "GroupList": _member_of(rng, groups),
            "AttachedManagedPolicies": _attached(rng, policies, 0, 3), "Tags": _tags(rng, i),
        }  # fmt: skip
        if rng.random() < 0.2:
            user["UserPolicyList"] = [
                {"PolicyName": "inline", "PolicyDocument": _document(rng, rng.randint(1, 3))}
            ]
        boundary = _boundary(rng, boundaries)
        if boundary:
            user["PermissionsBoundary"] = boundary
        users.append(user)
    return users


def _member_of(rng: random.Random, groups: list[str]) -> list[str]:
    return rng.sample(groups, min(len(groups), rng.randint(0, 3)))


def _groups(rng: random.Random, names: list[str], policies: list[Any]) -> list[Any]:
    groups = []
    for i, name in enumerate(names):
        group: dict[str, Any] = {
            "Path": "/", "GroupName": name, "GroupId": f"AGPA{i:017d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:group/{name}", "CreateDate": _date(rng),
            "GroupPolicyList": [], "AttachedManagedPolicies": _attached(rng, policies, 1, 3),
        }  # fmt: skip
        if rng.random() < 0.3:
            group["GroupPolicyList"] = [
                {"PolicyName": "inline", "PolicyDocument": _document(rng, rng.randint(1, 3))}
            ]
        groups.append(group)
    return groups


def generate(
    roles: int = 10_000,
    users: int = 5_000,
    groups: int = 200,
    policies: int = 2_000,
    managed: int = 150,
    seed: int = 16,
) -> dict[str, Any]:
    """The dense export: the four lists ``get-account-authorization-details`` returns."""
    rng = random.Random(seed)
    customer = _customer_policies(rng, policies)
    aws = _aws_managed(rng, managed)
    attachable = customer + aws
    # A few policies serve as permissions boundaries, as in real accounts.
    boundaries = customer[: min(10, len(customer))] + [
        p for p in aws if p["PolicyName"] == "PowerUserAccess"
    ]
    group_names = [f"dense-group-{i}" for i in range(groups)]
    return {
        "UserDetailList": _users(rng, users, attachable, group_names, boundaries),
        "GroupDetailList": _groups(rng, group_names, attachable),
        "RoleDetailList": _roles(rng, roles, users, attachable, boundaries),
        "Policies": attachable,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--roles", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--policies", type=int, default=2_000)
    parser.add_argument("--managed", type=int, default=150, help="real AWS managed policies")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    data = generate(args.roles, args.users, args.groups, args.policies, args.managed, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data), encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()

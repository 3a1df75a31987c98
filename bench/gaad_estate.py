"""Generate a synthetic GAAD export (``aws iam get-account-authorization-details`` output).

Default size: 10,000 roles, 5,000 users, 2,000 customer-managed policies, 50 groups, with
role-assumption chains (role N trusts role N-1) and cross-account trusts. Deterministic for a
seed. Usage: python bench/gaad_estate.py OUT.json [--roles N --users N --policies N]
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
SERVICES = ["lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com",
            "glue.amazonaws.com", "sagemaker.amazonaws.com"]  # fmt: skip
ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:*", "dynamodb:GetItem",
           "dynamodb:PutItem", "dynamodb:Query", "sqs:SendMessage", "sqs:ReceiveMessage",
           "sns:Publish", "kms:Decrypt", "kms:Encrypt", "secretsmanager:GetSecretValue",
           "lambda:InvokeFunction", "logs:PutLogEvents", "ec2:Describe*",
           "cloudwatch:PutMetricData"]  # fmt: skip
# Rarer, as in real accounts: the permissions that let an identity act as another.
SENSITIVE = ["iam:PassRole", "iam:CreateAccessKey", "sts:AssumeRole", "iam:PutRolePolicy",
             "lambda:CreateFunction", "iam:AttachUserPolicy"]  # fmt: skip
AWS_MANAGED = ["AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "AmazonS3FullAccess",
               "AmazonS3ReadOnlyAccess", "AmazonDynamoDBFullAccess", "IAMFullAccess",
               "AWSLambda_FullAccess", "SecretsManagerReadWrite", "AmazonSQSFullAccess"]  # fmt: skip  # noqa: E501
BASE = datetime(2024, 1, 1, tzinfo=UTC)


def _date(rng: random.Random, span_days: int = 900) -> str:
    return (BASE + timedelta(seconds=rng.randrange(span_days * 86400))).isoformat()


def _document(rng: random.Random, statements: int) -> dict[str, Any]:
    out = []
    for _ in range(statements):
        actions = rng.sample(ACTIONS, rng.randint(1, 4))
        if rng.random() < 0.03:
            actions.append(rng.choice(SENSITIVE))
        if rng.random() < 0.002:
            actions = ["*"]
        resource = rng.choice(
            [
                "*",
                f"arn:aws:s3:::bucket-{rng.randrange(500)}/*",
                f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t{rng.randrange(300)}",
            ]
        )
        statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resource}
        if rng.random() < 0.05:
            statement["Effect"] = "Deny"
        out.append(statement)
    return {"Version": "2012-10-17", "Statement": out}


def _policies(rng: random.Random, count: int) -> list[dict[str, Any]]:
    policies = []
    for i in range(count):
        created = _date(rng)
        policies.append({
            "PolicyName": f"app-policy-{i}", "PolicyId": f"ANPA{i:017d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:policy/app-policy-{i}", "Path": "/",
            "DefaultVersionId": "v1", "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True, "CreateDate": created, "UpdateDate": created,
            "PolicyVersionList": [{"Document": _document(rng, rng.randint(1, 4)),
                                   "VersionId": "v1", "IsDefaultVersion": True,
                                   "CreateDate": created}],
        })  # fmt: skip
    for name in AWS_MANAGED:
        policies.append({
            "PolicyName": name, "PolicyId": f"ANPAAWS{name[:10].upper()}",
            "Arn": f"arn:aws:iam::aws:policy/{name}", "Path": "/", "DefaultVersionId": "v1",
            "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
            "CreateDate": "2015-02-06T18:39:46+00:00", "UpdateDate": "2015-02-06T18:39:46+00:00",
            "PolicyVersionList": [{"Document": _document(rng, 2), "VersionId": "v1",
                                   "IsDefaultVersion": True,
                                   "CreateDate": "2015-02-06T18:39:46+00:00"}],
        })  # fmt: skip
    return policies


def _attached(rng: random.Random, policies: list[dict[str, Any]], most: int) -> list[Any]:
    chosen = rng.sample(policies, rng.randint(0, most))
    return [{"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]} for p in chosen]


def _tags(rng: random.Random, i: int) -> list[dict[str, str]]:
    return [{"Key": "owner", "Value": f"team-{i % 40}@example.com"}] if rng.random() < 0.7 else []


def _trust(rng: random.Random, i: int) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.3 and i > 0:
        principal: dict[str, Any] = {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app-role-{i - 1}"}
    elif roll < 0.35:
        principal = {"AWS": f"arn:aws:iam::{rng.randrange(10**11, 10**12)}:root"}
    else:
        principal = {"Service": rng.choice(SERVICES)}
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return {"Version": "2012-10-17", "Statement": [statement]}


def _roles(rng: random.Random, count: int, policies: list[dict[str, Any]]) -> list[Any]:
    roles = []
    for i in range(count):
        role: dict[str, Any] = {
            "Path": "/", "RoleName": f"app-role-{i}", "RoleId": f"AROA{i:017d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/app-role-{i}", "CreateDate": _date(rng),
            "AssumeRolePolicyDocument": _trust(rng, i), "InstanceProfileList": [],
            "RolePolicyList": [], "AttachedManagedPolicies": _attached(rng, policies, 3),
            "Tags": _tags(rng, i), "RoleLastUsed": {},
        }  # fmt: skip
        if rng.random() < 0.3:
            role["RolePolicyList"] = [{"PolicyName": "inline", "PolicyDocument": _document(rng, 2)}]
        if rng.random() < 0.6:
            role["RoleLastUsed"] = {"LastUsedDate": _date(rng, 1000), "Region": "us-east-1"}
        roles.append(role)
    return roles


def _users(rng: random.Random, count: int, policies: list[Any], groups: list[str]) -> list[Any]:
    users = []
    for i in range(count):
        name = f"svc-app-{i}" if i % 10 else f"person.{i}"
        user: dict[str, Any] = {
            "Path": "/", "UserName": name, "UserId": f"AIDA{i:017d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "CreateDate": _date(rng),
            "UserPolicyList": [], "GroupList": rng.sample(groups, rng.randint(0, 2)),
            "AttachedManagedPolicies": _attached(rng, policies, 2), "Tags": _tags(rng, i),
        }  # fmt: skip
        if rng.random() < 0.2:
            user["UserPolicyList"] = [{"PolicyName": "inline", "PolicyDocument": _document(rng, 1)}]
        users.append(user)
    return users


def _groups(rng: random.Random, names: list[str], policies: list[Any]) -> list[Any]:
    return [
        {"Path": "/", "GroupName": n, "GroupId": f"AGPA{i:017d}",
         "Arn": f"arn:aws:iam::{ACCOUNT}:group/{n}", "CreateDate": _date(rng),
         "GroupPolicyList": [], "AttachedManagedPolicies": _attached(rng, policies, 2)}
        for i, n in enumerate(names)
    ]  # fmt: skip


def generate(roles: int, users: int, policies: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    managed = _policies(rng, policies)
    group_names = [f"group-{i}" for i in range(50)]
    return {
        "UserDetailList": _users(rng, users, managed, group_names),
        "GroupDetailList": _groups(rng, group_names, managed),
        "RoleDetailList": _roles(rng, roles, managed),
        "Policies": managed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--roles", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--policies", type=int, default=2_000)
    args = parser.parse_args()
    data = generate(args.roles, args.users, args.policies)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data), encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()

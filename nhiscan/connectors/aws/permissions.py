"""The read-only AWS actions the live connector calls, as data, and the policy that grants them.

``OPERATION_ACTIONS`` maps each API operation the connector calls to the IAM action that
authorises it (mostly the same name; S3's ListBuckets is s3:ListAllMyBuckets). A test records
every call a moto collection makes and checks it against this table and README.md.
"""

from __future__ import annotations

from typing import Any

# (service, API operation) -> IAM action. Every operation the connector may call.
OPERATION_ACTIONS: dict[tuple[str, str], str] = {
    ("sts", "GetCallerIdentity"): "sts:GetCallerIdentity",
    ("sts", "AssumeRole"): "sts:AssumeRole",
    ("iam", "GetAccountAuthorizationDetails"): "iam:GetAccountAuthorizationDetails",
    ("iam", "ListUsers"): "iam:ListUsers",
    ("iam", "ListRoles"): "iam:ListRoles",
    ("iam", "ListAccessKeys"): "iam:ListAccessKeys",
    ("iam", "GetAccessKeyLastUsed"): "iam:GetAccessKeyLastUsed",
    ("iam", "GetLoginProfile"): "iam:GetLoginProfile",
    ("iam", "ListMFADevices"): "iam:ListMFADevices",
    ("iam", "ListOpenIDConnectProviders"): "iam:ListOpenIDConnectProviders",
    ("iam", "GetOpenIDConnectProvider"): "iam:GetOpenIDConnectProvider",
    ("iam", "ListSAMLProviders"): "iam:ListSAMLProviders",
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketLocation"): "s3:GetBucketLocation",
    ("s3", "GetBucketPolicy"): "s3:GetBucketPolicy",
    ("kms", "ListKeys"): "kms:ListKeys",
    ("kms", "GetKeyPolicy"): "kms:GetKeyPolicy",
    ("secretsmanager", "ListSecrets"): "secretsmanager:ListSecrets",
    ("secretsmanager", "GetResourcePolicy"): "secretsmanager:GetResourcePolicy",
    ("lambda", "ListFunctions"): "lambda:ListFunctions",
    ("ec2", "DescribeRegions"): "ec2:DescribeRegions",
    ("ec2", "DescribeInstances"): "ec2:DescribeInstances",
    ("organizations", "DescribeOrganization"): "organizations:DescribeOrganization",
    ("organizations", "ListAccounts"): "organizations:ListAccounts",
    ("organizations", "ListParents"): "organizations:ListParents",
    ("organizations", "ListPolicies"): "organizations:ListPolicies",
    ("organizations", "DescribePolicy"): "organizations:DescribePolicy",
    ("organizations", "ListTargetsForPolicy"): "organizations:ListTargetsForPolicy",
    ("cloudtrail", "LookupEvents"): "cloudtrail:LookupEvents",
    ("iam", "GenerateServiceLastAccessedDetails"): "iam:GenerateServiceLastAccessedDetails",
    ("iam", "GetServiceLastAccessedDetails"): "iam:GetServiceLastAccessedDetails",
}

REQUIRED_ACTIONS: tuple[str, ...] = tuple(sorted(set(OPERATION_ACTIONS.values())))

# Verbs of calls that change nothing. sts:AssumeRole only issues temporary credentials;
# iam:GenerateServiceLastAccessedDetails only starts a report job (AWS's SecurityAudit policy
# grants it).
READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Lookup")
READ_ONLY_EXCEPTIONS = frozenset({"sts:AssumeRole", "iam:GenerateServiceLastAccessedDetails"})


def is_read_only(action: str) -> bool:
    """True for a Get/List/Describe/Lookup action (or one of the exceptions)."""
    verb = action.split(":", 1)[-1]
    return action in READ_ONLY_EXCEPTIONS or verb.startswith(READ_ONLY_PREFIXES)


def readonly_policy() -> dict[str, Any]:
    """An IAM policy document allowing exactly ``REQUIRED_ACTIONS`` on every resource."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "NhiscanReadOnly",
                "Effect": "Allow",
                "Action": list(REQUIRED_ACTIONS),
                "Resource": "*",
            }
        ],
    }

"""The event -> action table: every action it names is in the pinned catalogue, every service
prefix is one the catalogue knows, and the documented exceptions hold."""

from __future__ import annotations

import pytest

from nhiscan.connectors.aws.cloudtrail_actions import (
    EXCEPTIONS,
    SOURCE_PREFIX,
    VERSION_SUFFIX,
    ActionTable,
    catalogue_table,
    service_prefix,
)
from nhiscan.providers.aws.catalog import default_catalog


def test_every_mapped_action_is_in_the_catalogue_with_its_spelling() -> None:
    catalog = default_catalog()
    for (prefix, name), action in EXCEPTIONS.items():
        info = catalog.info(action)
        assert info is not None, f"{prefix}:{name} -> {action}: not in the catalogue"
        assert info.name == action, f"{action}: the catalogue spells it {info.name}"
        assert action.split(":")[0] == prefix, f"{prefix}:{name} -> {action}: another service"


def test_every_exception_is_needed() -> None:
    """An exception whose event name is itself the action would be a rule, not an exception."""
    catalog = default_catalog()
    for prefix, name in EXCEPTIONS:
        assert catalog.info(f"{prefix}:{name}") is None, f"{prefix}:{name}"


def test_every_service_prefix_is_a_catalogued_service() -> None:
    services = set(default_catalog().services())
    for source, prefix in SOURCE_PREFIX.items():
        assert prefix in services, f"{source} -> {prefix}"
    assert set(VERSION_SUFFIX) <= services


@pytest.mark.parametrize(
    ("source", "name", "action"),
    [
        ("s3.amazonaws.com", "ListObjects", "s3:ListBucket"),
        ("s3.amazonaws.com", "ListObjectsV2", "s3:ListBucket"),
        ("s3.amazonaws.com", "GetObject", "s3:GetObject"),
        ("s3.amazonaws.com", "HeadObject", "s3:GetObject"),
        ("s3.amazonaws.com", "CompleteMultipartUpload", "s3:PutObject"),
        ("s3.amazonaws.com", "ListBuckets", "s3:ListAllMyBuckets"),
        ("iam.amazonaws.com", "CreateRole", "iam:CreateRole"),
        ("sts.amazonaws.com", "AssumeRole", "sts:AssumeRole"),
        ("kms.amazonaws.com", "Decrypt", "kms:Decrypt"),
        ("lambda.amazonaws.com", "Invoke", "lambda:InvokeFunction"),
        ("lambda.amazonaws.com", "CreateFunction20150331", "lambda:CreateFunction"),
        (
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            "lambda:UpdateFunctionConfiguration",
        ),
        (
            "cloudfront.amazonaws.com",
            "CreateDistribution2020_05_31",
            "cloudfront:CreateDistribution",
        ),
        ("monitoring.amazonaws.com", "PutMetricData", "cloudwatch:PutMetricData"),
        ("bedrock.amazonaws.com", "Converse", "bedrock:InvokeModel"),
        ("sqs.amazonaws.com", "SendMessageBatch", "sqs:SendMessage"),
        # not actions: left unmapped, never guessed
        ("signin.amazonaws.com", "ConsoleLogin", None),
        ("s3.amazonaws.com", "NotAnOperation", None),
        ("example.com", "GetObject", None),
    ],
)
def test_documented_mappings(source: str, name: str, action: str | None) -> None:
    assert catalogue_table().action(source, name) == action


def test_the_rule_takes_only_what_the_lookup_knows() -> None:
    asked: list[str] = []

    def lookup(action: str) -> str | None:
        asked.append(action)
        return "ec2:DescribeInstances" if action == "ec2:describeinstances" else None

    table = ActionTable(lookup)
    assert table.action("ec2.amazonaws.com", "describeinstances") == "ec2:DescribeInstances"
    assert table.action("ec2.amazonaws.com", "describeinstances") == "ec2:DescribeInstances"
    assert table.action("ec2.amazonaws.com", "Frobnicate") is None
    assert asked == ["ec2:describeinstances", "ec2:Frobnicate"]  # answered once each
    assert service_prefix("runtime.sagemaker.amazonaws.com") == "sagemaker"
    assert service_prefix("s3.amazonaws.com") == "s3"

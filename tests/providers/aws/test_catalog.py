from __future__ import annotations

import re

import pytest

from nhiscan.providers.aws.catalog import AccessLevel, Catalog, access_level, default_catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


def test_version_and_date(catalog: Catalog) -> None:
    assert catalog.version
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", catalog.updated_at)


def test_get_star_is_the_get_actions_only(catalog: Catalog) -> None:
    found = catalog.expand("s3:Get*")
    assert "s3:GetObject" in found
    assert "s3:GetBucketPolicy" in found
    assert "s3:PutObject" not in found
    assert all(a.startswith("s3:Get") for a in found)


def test_expansion_ignores_case_and_answers_canonical_names(catalog: Catalog) -> None:
    assert catalog.expand("S3:getobject") == frozenset({"s3:GetObject"})
    assert catalog.expand("s3:GET*") == catalog.expand("s3:Get*")


def test_question_mark_is_one_character(catalog: Catalog) -> None:
    assert catalog.expand("s3:GetObjec?") == frozenset({"s3:GetObject"})
    assert catalog.expand("s3:GetObjec??") == frozenset()
    assert "iam:PassRole" in catalog.expand("iam:Pass????")


def test_star_is_every_action(catalog: Catalog) -> None:
    everything = catalog.expand("*")
    assert len(everything) > 10_000
    assert {"s3:GetObject", "iam:PassRole", "sts:AssumeRole"} <= everything


def test_wildcard_service(catalog: Catalog) -> None:
    found = catalog.expand("s*:GetObject")
    assert "s3:GetObject" in found
    assert all(a.split(":")[0].startswith("s") for a in found)


def test_unknown_service_or_action(catalog: Catalog) -> None:
    # Written literally, an unknown action is kept so exact matches still work.
    assert catalog.expand("nosuchservice:DoThing") == frozenset({"nosuchservice:DoThing"})
    assert catalog.expand("s3:NoSuchAction") == frozenset({"s3:NoSuchAction"})
    assert catalog.expand("nosuchservice:*") == frozenset()
    assert catalog.expand("no-colon") == frozenset()
    assert catalog.info("nosuchservice:DoThing") is None


def test_expansion_loads_only_the_service_asked_for() -> None:
    fresh = Catalog()
    fresh.expand("s3:Get*")
    fresh.expand("s3:Put*")
    assert set(fresh._actions) == {"s3"}


@pytest.mark.parametrize(
    ("action", "level"),
    [
        ("iam:PutUserPolicy", AccessLevel.PERMISSIONS_MANAGEMENT),
        ("s3:GetObject", AccessLevel.READ),
        ("s3:ListAllMyBuckets", AccessLevel.LIST),
        ("s3:PutObject", AccessLevel.WRITE),
        ("iam:TagRole", AccessLevel.TAGGING),
    ],
)
def test_access_levels(catalog: Catalog, action: str, level: AccessLevel) -> None:
    info = catalog.info(action)
    assert info is not None
    assert info.access_level is level
    assert info.name == action


def test_access_level_reads_the_first_listed() -> None:
    assert access_level("Permissions management, Write") is AccessLevel.PERMISSIONS_MANAGEMENT
    assert access_level("Tagging, Write") is AccessLevel.TAGGING
    assert access_level("something new") is AccessLevel.WRITE


def test_resource_types_carry_arn_patterns(catalog: Catalog) -> None:
    info = catalog.info("s3:GetObject")
    assert info is not None
    by_name = {t.name: t for t in info.resource_types}
    assert by_name["object"].arn_patterns == ("arn:${Partition}:s3:::${BucketName}/${ObjectName}",)
    secret = catalog.info("secretsmanager:GetSecretValue")
    assert secret is not None and secret.resource_types[0].required


def test_actions_for_a_bucket_are_the_bucket_actions(catalog: Catalog) -> None:
    found = catalog.actions_for_resource("arn:aws:s3:::my-bucket")
    assert {"s3:ListBucket", "s3:PutBucketPolicy", "s3:DeleteBucket"} <= found
    assert "s3:GetObject" not in found


def test_actions_for_an_object_are_the_object_actions(catalog: Catalog) -> None:
    found = catalog.actions_for_resource("arn:aws:s3:::my-bucket/reports/2025.csv")
    assert {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"} <= found
    assert "s3:ListBucket" not in found


def test_actions_for_a_role_span_services(catalog: Catalog) -> None:
    found = catalog.actions_for_resource("arn:aws:iam::123456789012:role/ops/deploy")
    assert {"iam:PassRole", "iam:AttachRolePolicy", "sts:AssumeRole"} <= found
    assert "iam:CreateUser" not in found


def test_actions_for_a_secret_whose_name_has_slashes(catalog: Catalog) -> None:
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"
    assert "secretsmanager:GetSecretValue" in catalog.actions_for_resource(arn)


@pytest.mark.parametrize("arn", ["*", "not-an-arn", "arn:aws:nosuchservice:::x"])
def test_actions_for_something_that_is_no_known_arn(catalog: Catalog, arn: str) -> None:
    assert catalog.actions_for_resource(arn) == frozenset()

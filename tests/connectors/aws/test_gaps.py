"""Refused and failing calls are CollectionGaps, and collection goes on past them.

AccessDenied comes from moto's own IAM enforcement: with ``enable_iam_authentication`` every
request is checked against the caller's IAM policies (moto/core/authorization.py; the estate
is built before it is switched on). Disabled regions and throttling are AWS error answers
handed to botocore (``faulty_factory``).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from moto.core import enable_iam_authentication
from pytest_httpserver import HTTPServer

from nhiscan.connectors.aws.calls import call
from nhiscan.connectors.aws.clients import RETRY_CONFIG
from nhiscan.connectors.aws.live import AwsConfig
from nhiscan.scanner.model import CollectionGap, Credential, GapReason, Identity, Resource
from tests.connectors.aws.estate import ACCOUNT, REGION, allow, doc, trust
from tests.connectors.aws.helpers import collect, faulty_factory, gaps, of

ALLOWED = [
    "iam:GetAccountAuthorizationDetails",
    "iam:ListUsers",
    "iam:ListRoles",
    "iam:GetLoginProfile",
    "iam:ListMFADevices",
    "s3:ListAllMyBuckets",
    # moto >= 5.2 authorises S3 calls by their API operation name (ListBuckets) where AWS asks
    # for s3:ListAllMyBuckets; allowing both keeps this test about the denied calls below on
    # every moto a fresh install resolves.
    "s3:ListBuckets",
    "s3:GetBucketLocation",
    "kms:ListKeys",
    "ec2:DescribeInstances",
    "organizations:DescribeOrganization",
]  # not: iam:ListAccessKeys, s3:GetBucketPolicy, kms:GetKeyPolicy, secretsmanager:*, lambda:*


def scanner_session() -> boto3.session.Session:
    """A caller allowed only ALLOWED, in an estate with a user, a bucket, a key and a secret."""
    iam = boto3.client("iam")
    iam.create_user(UserName="app-bot")
    iam.create_access_key(UserName="app-bot")
    iam.create_role(
        RoleName="app-role", AssumeRolePolicyDocument=json.dumps(trust("ec2.amazonaws.com"))
    )
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="data-bucket")
    s3.put_bucket_policy(
        Bucket="data-bucket",
        Policy=json.dumps(
            doc({**allow("s3:GetObject", "arn:aws:s3:::data-bucket/*"), "Principal": "*"})
        ),
    )
    boto3.client("kms").create_key()
    boto3.client("secretsmanager").create_secret(Name="db", SecretString="x")
    iam.create_user(UserName="scanner")
    iam.put_user_policy(
        UserName="scanner", PolicyName="partial", PolicyDocument=json.dumps(doc(allow(ALLOWED)))
    )
    key = iam.create_access_key(UserName="scanner")["AccessKey"]
    return boto3.session.Session(
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        region_name=REGION,
    )


def test_denied_calls_are_gaps_and_the_rest_is_collected(moto: None) -> None:
    session = scanner_session()
    with enable_iam_authentication():
        records = collect(AwsConfig(regions=(REGION,)), session_factory=lambda _: session)
    found = {(g.scope, g.operation, g.subject): g for g in gaps(records)}
    assert not [g for g in found.values() if g.operation == "s3:ListBuckets"]  # allowed above
    app_bot = f"arn:aws:iam::{ACCOUNT}:user/app-bot"
    denied = found[(ACCOUNT, "iam:ListAccessKeys", app_bot)]
    assert denied.reason is GapReason.ACCESS_DENIED
    assert denied.detail.startswith("AccessDenied: ")
    assert "iam:ListAccessKeys" in denied.detail
    bucket = found[(ACCOUNT, "s3:GetBucketPolicy", "arn:aws:s3:::data-bucket")]
    assert bucket.reason is GapReason.ACCESS_DENIED
    key_policy = [g for g in found.values() if g.operation == "kms:GetKeyPolicy"]
    assert [g.scope for g in key_policy] == [f"{ACCOUNT}/{REGION}"]
    # moto answers JSON services' AccessDenied in XML; the gap still names the code
    assert key_policy[0].detail.startswith("AccessDenied: ")
    assert key_policy[0].reason is GapReason.ACCESS_DENIED
    secrets = found[(f"{ACCOUNT}/{REGION}", "secretsmanager:ListSecrets", None)]
    assert secrets.reason is GapReason.ACCESS_DENIED
    # what could be read is there
    identities = of(records, Identity)
    assert app_bot in identities and f"arn:aws:iam::{ACCOUNT}:role/app-role" in identities
    assert identities[app_bot].console_access is False  # GetLoginProfile was allowed
    assert not [c for c in records if isinstance(c, Credential)]  # keys unknown: a gap, above
    bucket_record = of(records, Resource)["arn:aws:s3:::data-bucket"]
    assert bucket_record.policy is None and bucket_record.region == REGION


def test_gaad_denied_falls_back_to_list_users_and_roles(moto: None) -> None:
    boto3.client("iam").create_user(UserName="app-bot")
    factory = faulty_factory(
        {("GetAccountAuthorizationDetails", None): ("AccessDenied", "no GAAD for you")}
    )
    records = collect(session_factory=factory)
    [gap] = gaps(records)
    assert (gap.operation, gap.scope, gap.subject) == (
        "iam:GetAccountAuthorizationDetails",
        ACCOUNT,
        None,
    )
    assert f"arn:aws:iam::{ACCOUNT}:user/app-bot" in of(records, Identity)


def test_disabled_region_and_throttling(moto: None) -> None:
    boto3.client("kms", region_name=REGION).create_key()
    factory = faulty_factory(
        {
            ("ListKeys", "eu-south-1"): ("UnrecognizedClientException", "invalid security token"),
            ("ListSecrets", "eu-south-1"): ("UnrecognizedClientException", "invalid token"),
            ("ListFunctions", "eu-south-1"): ("UnrecognizedClientException", "invalid token"),
            ("DescribeInstances", "eu-south-1"): ("AuthFailure", "not enabled"),
            ("ListFunctions", REGION): ("TooManyRequestsException", "Rate exceeded"),
        }
    )
    records = collect(AwsConfig(regions=(REGION, "eu-south-1")), session_factory=factory)
    by_key = {(g.scope, g.operation): g.reason for g in gaps(records)}
    south = f"{ACCOUNT}/eu-south-1"
    assert by_key == {
        (south, "kms:ListKeys"): GapReason.REGION_DISABLED,
        (south, "secretsmanager:ListSecrets"): GapReason.REGION_DISABLED,
        (south, "lambda:ListFunctions"): GapReason.REGION_DISABLED,
        (south, "ec2:DescribeInstances"): GapReason.REGION_DISABLED,
        (f"{ACCOUNT}/{REGION}", "lambda:ListFunctions"): GapReason.THROTTLED,
    }
    assert any(isinstance(r, Resource) and r.region == REGION for r in records)  # the KMS key


def test_describe_regions_denied_falls_back_to_the_session_region(moto: None) -> None:
    factory = faulty_factory({("DescribeRegions", None): ("UnauthorizedOperation", "no")})
    records = collect(AwsConfig(), session_factory=factory)
    [gap] = [g for g in records if isinstance(g, CollectionGap)]
    assert (gap.scope, gap.operation, gap.reason) == (
        ACCOUNT,
        "ec2:DescribeRegions",
        GapReason.ACCESS_DENIED,
    )


def test_an_unreadable_gaad_answer_is_a_gap(moto: None) -> None:
    broken = {"UserDetailList": [{"Arn": f"arn:aws:iam::{ACCOUNT}:user/x"}], "IsTruncated": False}

    def answer(**_: Any) -> Any:
        return AWSResponse("https://aws.invalid/", 200, {}, None), broken

    def factory(profile: str | None) -> boto3.session.Session:
        session = boto3.session.Session(region_name=REGION)
        session.events.register("before-call.iam.GetAccountAuthorizationDetails", answer)
        return session

    records = collect(session_factory=factory)
    [gap] = gaps(records)
    assert (gap.operation, gap.reason) == ("iam:GetAccountAuthorizationDetails", GapReason.FAILED)
    assert "UserDetailList[0]" in gap.detail and "UserName" in gap.detail


def test_an_answer_that_is_not_the_service_s_is_a_gap(httpserver: HTTPServer) -> None:
    """moto as a server (or a proxy) answers an operation it lacks with an HTML page, which
    botocore cannot parse (ResponseParserError, not a BotoCoreError): a gap, not a crash."""
    page = "<!doctype html><title>500 Internal Server Error</title>"
    httpserver.expect_request("/").respond_with_data(page, status=500, content_type="text/html")
    iam = boto3.client("iam", region_name=REGION, endpoint_url=httpserver.url_for("/"),
                       aws_access_key_id="testing", aws_secret_access_key="testing",
                       config=RETRY_CONFIG)  # fmt: skip
    user = f"arn:aws:iam::{ACCOUNT}:user/bot"
    answer = call(iam, "GenerateServiceLastAccessedDetails", scope=ACCOUNT, subject=user, Arn=user)
    assert answer.gap is not None and answer.value is None
    gap = answer.gap
    assert (gap.scope, gap.operation, gap.subject, gap.reason) == (
        ACCOUNT, "iam:GenerateServiceLastAccessedDetails", user, GapReason.FAILED
    )  # fmt: skip
    assert gap.detail.startswith("ResponseParserError: ")

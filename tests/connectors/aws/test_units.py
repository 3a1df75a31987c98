"""Pure pieces: wire values, error classification, credential and extras transforms."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber

from nhiscan.connectors.aws.calls import call, error_detail, gap_reason, pages
from nhiscan.connectors.aws.iam import UserFacts, to_access_key, to_role_extras, to_user_extras
from nhiscan.connectors.aws.wire import (
    DocumentError,
    absent_if_na,
    arn_parts,
    decode_document,
    region_partition,
    to_tags,
    to_utc,
)
from nhiscan.scanner.model import CredentialStatus, GapReason

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}


@pytest.mark.parametrize(
    "value",
    [POLICY, json.dumps(POLICY), quote(json.dumps(POLICY)), "  " + json.dumps(POLICY, indent=2)],
)
def test_decode_document(value: object) -> None:
    assert decode_document(value) == POLICY


@pytest.mark.parametrize("value", ["not json", "%5B1%5D", "[1, 2]", 42, None])
def test_decode_document_rejects(value: object) -> None:
    with pytest.raises(DocumentError):
        decode_document(value)


def test_to_utc() -> None:
    expected = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert to_utc("2024-01-02T03:04:05Z") == expected
    assert to_utc("2024-01-02 03:04:05+00:00") == expected
    assert to_utc("2024-01-02T05:04:05+02:00") == expected
    assert to_utc(datetime(2024, 1, 2, 3, 4, 5)) == expected
    local = datetime(2024, 1, 2, 4, 4, 5, tzinfo=timezone(timedelta(hours=1)))
    assert to_utc(local) == expected and to_utc(local).tzinfo is UTC  # type: ignore[union-attr]
    assert to_utc(None) is None
    with pytest.raises(ValueError):
        to_utc("yesterday")


def test_small_values() -> None:
    assert arn_parts("arn:aws-cn:iam::123:role/a:b") == ("aws-cn", "iam", "", "123", "role/a:b")
    with pytest.raises(ValueError):
        arn_parts("role/a")
    assert [region_partition(r) for r in ("eu-west-1", "cn-north-1", "us-gov-west-1")] == [
        "aws",
        "aws-cn",
        "aws-us-gov",
    ]
    assert to_tags([{"Key": "a", "Value": "1"}, {"Key": "b"}]) == {"a": "1", "b": ""}
    assert to_tags(None) == {}
    assert [absent_if_na(v) for v in ("N/A", "", None, "s3")] == [None, None, None, "s3"]


def client_error(code: str, message: str = "m") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "Op")


@pytest.mark.parametrize(
    ("exc", "regional", "reason"),
    [
        (client_error("AccessDenied"), False, GapReason.ACCESS_DENIED),
        (client_error("AccessDeniedException"), True, GapReason.ACCESS_DENIED),
        (client_error("UnauthorizedOperation"), True, GapReason.ACCESS_DENIED),
        (client_error("Throttling"), False, GapReason.THROTTLED),
        (client_error("RequestLimitExceeded"), True, GapReason.THROTTLED),
        (client_error("InvalidClientTokenId"), True, GapReason.REGION_DISABLED),
        (client_error("OptInRequired"), True, GapReason.REGION_DISABLED),
        (client_error("InvalidClientTokenId"), False, GapReason.FAILED),
        (EndpointConnectionError(endpoint_url="https://kms.xx-1"), True, GapReason.REGION_DISABLED),
        (ReadTimeoutError(endpoint_url="https://iam"), False, GapReason.FAILED),
        (client_error("ServiceUnavailable"), False, GapReason.FAILED),
    ],
)
def test_gap_reason(exc: Exception, regional: bool, reason: GapReason) -> None:
    assert gap_reason(exc, regional=regional) is reason


def test_error_detail_reads_an_unparsed_xml_error() -> None:
    xml = "<ErrorResponse><Error><Code>AccessDenied</Code><Message>a &amp; b</Message></Error>"
    assert error_detail(client_error("403", xml)) == "AccessDenied: a & b"
    assert error_detail(client_error("NoSuchEntity", "gone")) == "NoSuchEntity: gone"


def test_call_and_pages_with_a_stubbed_client() -> None:
    iam = boto3.client(
        "iam", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with Stubber(iam) as stub:
        stub.add_client_error("get_login_profile", "NoSuchEntity", "no profile")
        stub.add_client_error("get_login_profile", "AccessDenied", "denied", http_status_code=403)
        page = {"Users": [{"UserName": "a", "UserId": "AIDAAAAAAAAAAAAAAAAAA", "Path": "/",
                           "Arn": "arn:aws:iam::1:user/a", "CreateDate": datetime(2020, 1, 1)}],
                "IsTruncated": True, "Marker": "next"}  # fmt: skip
        stub.add_response("list_users", page)
        stub.add_client_error("list_users", "Throttling", "slow down", http_status_code=400)
        absent = call(iam, "GetLoginProfile", scope="1", absent={"NoSuchEntity"}, UserName="a")
        assert absent.absent and absent.gap is None and not absent.ok
        denied = call(iam, "GetLoginProfile", scope="1", subject="arn:u", UserName="a")
        assert denied.gap is not None
        assert (denied.gap.operation, denied.gap.subject, denied.gap.detail) == (
            "iam:GetLoginProfile",
            "arn:u",
            "AccessDenied: denied",
        )
        partial = pages(iam, "ListUsers", scope="1")
        assert [u["UserName"] for u in partial.items("Users")] == ["a"]  # kept what was read
        assert partial.gap is not None and partial.gap.reason is GapReason.THROTTLED


def test_to_access_key_with_last_use() -> None:
    key = {"AccessKeyId": "AKIAEXAMPLE", "Status": "Inactive", "CreateDate": "2020-01-01T00:00:00Z"}
    used = {
        "LastUsedDate": datetime(2024, 2, 3, tzinfo=UTC),
        "ServiceName": "s3",
        "Region": "eu-west-1",
    }
    credential = to_access_key(key, used, user_arn="arn:u", account="1")
    assert credential.status is CredentialStatus.INACTIVE
    assert (credential.last_used_service, credential.last_used_region) == ("s3", "eu-west-1")
    assert credential.last_used == datetime(2024, 2, 3, tzinfo=UTC)
    never = to_access_key(
        key, {"ServiceName": "N/A", "Region": "N/A"}, user_arn="arn:u", account="1"
    )
    assert (never.last_used, never.last_used_service, never.last_used_region) == (None, None, None)


def test_user_extras_take_the_latest_use() -> None:
    old, new = datetime(2023, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC)
    facts = UserFacts(
        arn="arn:u",
        key_last_used={"K1": {"LastUsedDate": new}, "K2": {}},
        console_access=True,
        mfa_devices=0,
    )
    extras = to_user_extras(facts, old)
    assert (extras.last_used, extras.password_last_used, extras.console_access) == (new, old, True)
    unknown = to_user_extras(UserFacts(arn="arn:u", key_last_used={}), None)
    assert (unknown.last_used, unknown.console_access, unknown.mfa_devices) == (None, None, None)
    assert to_role_extras({"MaxSessionDuration": 3600, "Description": ""}).description is None

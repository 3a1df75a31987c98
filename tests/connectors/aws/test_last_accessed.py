"""IAM's service last-accessed data read by the real boto3 client, answered at the HTTP layer in
IAM's documented query/XML wire format: jobs started, polled with a backoff until COMPLETED
(every page), a FAILED job or a refusal one gap per account, service-linked roles not asked.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateServiceLastAccessedDetails.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServiceLastAccessedDetails.html
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import boto3
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from nhiscan.connectors.aws.clients import RETRY_CONFIG
from nhiscan.connectors.aws.last_accessed import AccessAdvisorConfig, collect_last_accessed
from nhiscan.scanner.activity import ServiceAccess
from nhiscan.scanner.model import CollectionGap, GapReason, Identity, IdentityKind, Provider

NOW = datetime(2026, 11, 10, tzinfo=UTC)
ACCOUNT = "111122223333"
NS = "https://iam.amazonaws.com/doc/2010-05-08/"
BOT = f"arn:aws:iam::{ACCOUNT}:user/deploy-bot"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/intake"
LINKED = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ops.amazonaws.com/AWSServiceRoleForOps"


def _identity(arn: str, kind: IdentityKind, linked: bool = False) -> Identity:
    return Identity(provider=Provider.AWS, id=arn, name=arn.rsplit("/", 1)[1], kind=kind,
                    account=ACCOUNT, service_linked=linked)  # fmt: skip


IDENTITIES = [
    _identity(BOT, IdentityKind.IAM_USER),
    _identity(ROLE, IdentityKind.IAM_ROLE),
    _identity(LINKED, IdentityKind.IAM_ROLE, linked=True),
]


def _xml(action: str, result: str) -> Response:
    body = (
        f'<{action}Response xmlns="{NS}"><{action}Result>{result}</{action}Result>'
        f"<ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>"
        f"</ResponseMetadata></{action}Response>"
    )
    return Response(body, 200, content_type="text/xml")


def _error(code: str, status: int = 403) -> Response:
    body = (
        f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{code} (test)</Message></Error><RequestId>x</RequestId></ErrorResponse>"
    )
    return Response(body, status, content_type="text/xml")


def _service(namespace: str, last: str | None, entity: str | None = None) -> str:
    used = f"<LastAuthenticated>{last}</LastAuthenticated>" if last else ""
    who = f"<LastAuthenticatedEntity>{entity}</LastAuthenticatedEntity>" if entity else ""
    return (
        f"<member><ServiceName>{namespace} service</ServiceName>{used}"
        f"<ServiceNamespace>{namespace}</ServiceNamespace>{who}"
        f"<TotalAuthenticatedEntities>{1 if last else 0}</TotalAuthenticatedEntities></member>"
    )


def _job(arn: str) -> str:
    """A job id of AWS's shape (36 characters, as botocore checks)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, arn))


class Iam:
    """Jobs per principal: each answers the statuses given, then its pages."""

    def __init__(self, plans: dict[str, list[str]], refuse: str | None = None) -> None:
        self.plans = plans  # arn -> ["IN_PROGRESS", ..., "COMPLETED" | "FAILED"]
        self.refuse = refuse
        self.calls: list[dict[str, str]] = []

    def __call__(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
        self.calls.append(form)
        action = form["Action"]
        if action == "GenerateServiceLastAccessedDetails":
            assert form["Granularity"] == "SERVICE_LEVEL"
            if self.refuse:
                return _error(self.refuse)
            return _xml(action, f"<JobId>{_job(form['Arn'])}</JobId>")
        assert action == "GetServiceLastAccessedDetails"
        arn = next(a for a in self.plans if form["JobId"] == _job(a))
        statuses = self.plans[arn]
        status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
        return _xml(action, self._result(arn, status, form.get("Marker")))

    @staticmethod
    def _result(arn: str, status: str, marker: str | None) -> str:
        head = f"<JobStatus>{status}</JobStatus><JobType>SERVICE_LEVEL</JobType>"
        head += "<JobCreationDate>2026-11-10T00:00:00Z</JobCreationDate>"
        if status == "IN_PROGRESS":
            return head + "<ServicesLastAccessed/>"
        if status == "FAILED":
            return (head + "<ServicesLastAccessed/><Error><Message>internal</Message>"
                    "<Code>ServiceFailure</Code></Error>")  # fmt: skip
        if marker is None:
            services = _service("s3", "2026-11-09T10:00:00Z", arn) + _service("sqs", None)
            return (
                head
                + f"<ServicesLastAccessed>{services}</ServicesLastAccessed>"
                + ("<IsTruncated>true</IsTruncated><Marker>page-2</Marker>")
            )
        services = _service("dynamodb", "2026-03-02T08:00:00Z", arn)
        return (
            head
            + f"<ServicesLastAccessed>{services}</ServicesLastAccessed>"
            + ("<IsTruncated>false</IsTruncated>")
        )


def _collect(httpserver: HTTPServer, iam: Iam, waits: list[float]) -> list[Any]:
    httpserver.expect_request("/", method="POST").respond_with_handler(iam)
    client = boto3.client(
        "iam", region_name="us-east-1", endpoint_url=httpserver.url_for("/"),
        aws_access_key_id="testing", aws_secret_access_key="testing", config=RETRY_CONFIG,
    )  # fmt: skip
    config = AccessAdvisorConfig(max_wait=60, first_wait=1, max_interval=4)
    with ThreadPoolExecutor(2) as pool:
        return collect_last_accessed(client, ACCOUNT, IDENTITIES, pool=pool, now=NOW,
                                     config=config, sleep=waits.append)  # fmt: skip


def test_jobs_are_polled_until_completed_and_every_page_read(httpserver: HTTPServer) -> None:
    iam = Iam({BOT: ["IN_PROGRESS", "COMPLETED"], ROLE: ["IN_PROGRESS", "IN_PROGRESS",
                                                          "COMPLETED"]})  # fmt: skip
    waits: list[float] = []
    records = _collect(httpserver, iam, waits)
    assert waits == [1, 2, 4]
    assert all(isinstance(r, ServiceAccess) for r in records)
    got = {(r.identity, r.service): r.last_accessed for r in records}
    assert got == {
        (BOT, "s3"): datetime(2026, 11, 9, 10, tzinfo=UTC),
        (BOT, "sqs"): None,
        (BOT, "dynamodb"): datetime(2026, 3, 2, 8, tzinfo=UTC),
        (ROLE, "s3"): datetime(2026, 11, 9, 10, tzinfo=UTC),
        (ROLE, "sqs"): None,
        (ROLE, "dynamodb"): datetime(2026, 3, 2, 8, tzinfo=UTC),
    }
    assert all(r.tracked_since == NOW - timedelta(days=400) for r in records)
    assert {r.entity for r in records if r.identity == BOT and r.last_accessed} == {BOT}
    asked = {c["Arn"] for c in iam.calls if c["Action"] == "GenerateServiceLastAccessedDetails"}
    assert asked == {BOT, ROLE}  # the service-linked role is not asked


def test_a_failed_job_is_one_gap_for_the_account_not_unused(httpserver: HTTPServer) -> None:
    iam = Iam({BOT: ["COMPLETED"], ROLE: ["IN_PROGRESS", "FAILED"]})
    records = _collect(httpserver, iam, [])
    gaps = [r for r in records if isinstance(r, CollectionGap)]
    assert {r.identity for r in records if isinstance(r, ServiceAccess)} == {BOT}
    [gap] = gaps
    assert gap.scope == ACCOUNT and gap.operation == "iam:GetServiceLastAccessedDetails"
    assert gap.detail.startswith("1 of 2 users and roles have no service last-accessed data")
    assert ROLE in gap.detail and "ServiceFailure" in gap.detail


def test_a_job_that_never_finishes_stops_being_polled(httpserver: HTTPServer) -> None:
    iam = Iam({BOT: ["COMPLETED"], ROLE: ["IN_PROGRESS"]})
    waits: list[float] = []
    records = _collect(httpserver, iam, waits)
    assert sum(waits) == 60
    [gap] = [r for r in records if isinstance(r, CollectionGap)]
    assert "still IN_PROGRESS after 60 s" in gap.detail


def test_a_refusal_asks_no_further_and_names_how_many_were_not_asked(
    httpserver: HTTPServer,
) -> None:
    iam = Iam({}, refuse="AccessDenied")
    records = _collect(httpserver, iam, [])
    [gap] = records
    assert isinstance(gap, CollectionGap) and gap.reason is GapReason.ACCESS_DENIED
    assert gap.operation == "iam:GenerateServiceLastAccessedDetails"
    assert gap.detail.startswith("2 of 2 users and roles have no service last-accessed data "
                                 "(1 not asked)")  # fmt: skip
    assert len(iam.calls) == 1

"""``errors.gap_for``: the same recorded error body raised by either client family (a
googleapiclient ``HttpError``, a google-api-core REST exception) is the same gap."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httplib2
import pytest
import requests
from google.api_core.exceptions import from_http_response
from googleapiclient.errors import HttpError

from nhiscan.connectors.gcp.errors import gap_for, is_not_found, is_retryable
from nhiscan.scanner.model import GapReason, Provider

from .conftest import body, error

URL = "https://iam.googleapis.com/v1/projects/acme-prod/serviceAccounts"


def discovery_error(code: int, data: dict[str, Any]) -> BaseException:
    return HttpError(httplib2.Response({"status": code}), json.dumps(data).encode(), uri=URL)


def rest_error(code: int, data: dict[str, Any]) -> BaseException:
    response = requests.Response()
    response.status_code = code
    response._content = json.dumps(data).encode()
    response.request = requests.Request("GET", URL).prepare()
    exc: BaseException = from_http_response(response)
    return exc


FAMILIES: list[Callable[[int, dict[str, Any]], BaseException]] = [discovery_error, rest_error]

TABLE = [
    # body, HTTP code, reason, what the detail says besides the message
    (error("permission-denied"), 403, GapReason.ACCESS_DENIED,
     "permission iam.serviceAccounts.list denied"),
    (error("permission-denied-plain"), 403, GapReason.ACCESS_DENIED, ""),
    (error("service-disabled", "iam.googleapis.com"), 403, GapReason.API_DISABLED,
     "API iam.googleapis.com is disabled in projects/411224356"),
    (error("rate-limit"), 429, GapReason.THROTTLED,
     "quota ReadRequestsPerMinutePerProject, charged to projects/411224356"),
    (body("errors/internal"), 500, GapReason.FAILED, "HTTP 500"),
    (body("errors/not-found"), 404, GapReason.FAILED, "HTTP 404"),
    ({"error": {"code": 403, "message": "Permission 'resourcemanager.projects.get' denied on "
                "resource '//cloudresourcemanager.googleapis.com/projects/123456789' (or it may "
                "not exist).", "status": "PERMISSION_DENIED"}},
     403, GapReason.ACCESS_DENIED, "permission resourcemanager.projects.get denied"),
]  # fmt: skip


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(("data", "code", "reason", "says"), TABLE)
def test_classification(
    family: Callable[[int, dict[str, Any]], BaseException],
    data: dict[str, Any], code: int, reason: GapReason, says: str,
) -> None:  # fmt: skip
    gap = gap_for(family(code, data), scope="acme-prod", operation="iam.x.list", subject="a@b")
    assert (gap.provider, gap.scope, gap.operation, gap.subject) == (
        Provider.GCP, "acme-prod", "iam.x.list", "a@b",
    )  # fmt: skip
    assert gap.reason is reason
    assert says in gap.detail
    assert data["error"]["message"] in gap.detail  # kept verbatim


@pytest.mark.parametrize("family", FAMILIES)
def test_what_is_retried_and_what_is_missing(
    family: Callable[[int, dict[str, Any]], BaseException],
) -> None:
    assert is_retryable(family(429, error("rate-limit")))
    assert is_retryable(
        family(503, {"error": {"code": 503, "message": "x", "status": "UNAVAILABLE"}})
    )
    assert not is_retryable(family(403, error("permission-denied")))
    assert not is_retryable(family(403, error("service-disabled")))
    assert is_not_found(family(404, body("errors/not-found")))


def test_an_error_without_an_answer_is_failed() -> None:
    gap = gap_for(ConnectionRefusedError("connection refused"), scope="folders/82001",
                  operation="cloudresourcemanager.folders.list")  # fmt: skip
    assert gap.reason is GapReason.FAILED and "connection refused" in gap.detail

"""A refused call propagates unchanged, and a refusal part-way leaves no partial scan."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from google.api_core import exceptions
from google.api_core.retry import Retry, if_exception_type
from google.cloud import asset_v1
from pytest_httpserver import HTTPServer

from nhiscan.connectors.gcp.assets import RETRY, AssetScan, asset_scan
from nhiscan.errors import ConnectorError

from .conftest import SCOPE, answer, body, list_path, search_path

NOW = datetime(2026, 12, 1, tzinfo=UTC)
PAGE_1 = (200, body("list-assets-page-1.json"))
PAGE_2 = (200, body("list-assets-page-2.json"))
SEARCH_1 = (200, body("search-page-1.json"))
SEARCH_2 = (200, body("search-page-2.json"))
DENIED = (403, body("error-403-denied.json"))
DISABLED = (403, body("error-403-disabled.json"))
THROTTLED = (429, body("error-429.json"))


def run(client: asset_v1.AssetServiceClient, retry: Retry | None = None) -> AssetScan:
    return asset_scan(client, SCOPE, NOW, retry=retry)


def test_a_403_on_list_assets_propagates_with_its_code_and_reason(
    httpserver: HTTPServer, client: asset_v1.AssetServiceClient
) -> None:
    answer(httpserver, list_path(), DENIED)
    with pytest.raises(exceptions.Forbidden) as caught:
        run(client)
    assert caught.value.code == 403
    assert caught.value.reason == "IAM_PERMISSION_DENIED"
    assert "cloudasset.assets.listResource" in caught.value.message
    assert len(httpserver.log) == 1  # not retried, and no search after a refused list


def test_a_disabled_api_propagates_with_its_service(
    httpserver: HTTPServer, client: asset_v1.AssetServiceClient
) -> None:
    answer(httpserver, list_path(), DISABLED)
    with pytest.raises(exceptions.Forbidden) as caught:
        run(client, RETRY)
    assert (caught.value.code, caught.value.reason) == (403, "SERVICE_DISABLED")
    assert caught.value.metadata == {
        "consumer": "projects/998877665544", "service": "cloudasset.googleapis.com",
    }  # fmt: skip
    assert len(httpserver.log) == 1  # the default retry leaves a 403 alone


def test_a_429_propagates_with_its_code_and_reason(
    httpserver: HTTPServer, client: asset_v1.AssetServiceClient
) -> None:
    answer(httpserver, list_path(), PAGE_1, PAGE_2)
    answer(httpserver, search_path(), THROTTLED)
    with pytest.raises(exceptions.TooManyRequests) as caught:
        run(client)
    assert (caught.value.code, caught.value.reason) == (429, "RATE_LIMIT_EXCEEDED")


def test_a_429_that_clears_within_the_retries_is_no_error(
    httpserver: HTTPServer, client: asset_v1.AssetServiceClient
) -> None:
    answer(httpserver, list_path(), THROTTLED, PAGE_1, PAGE_2)
    answer(httpserver, search_path(), SEARCH_1, SEARCH_2)
    quick = Retry(predicate=if_exception_type(exceptions.TooManyRequests), initial=0.01,
                  maximum=0.01, timeout=30.0)  # fmt: skip
    result = run(client, quick)
    assert [response.status_code for _, response in httpserver.log] == [429, 200, 200, 200, 200]
    assert result.projects == ("acme-data", "acme-prod")


def test_the_default_retry_covers_throttling_and_not_refusals() -> None:
    assert RETRY._predicate(exceptions.TooManyRequests("quota"))
    assert RETRY._predicate(exceptions.ServiceUnavailable("busy"))
    assert not RETRY._predicate(exceptions.Forbidden("denied"))


@pytest.mark.parametrize("refused", ["list", "search"])
def test_a_refusal_on_the_second_page_discards_the_first(
    httpserver: HTTPServer, client: asset_v1.AssetServiceClient, refused: str
) -> None:
    if refused == "list":
        answer(httpserver, list_path(), PAGE_1, DENIED)
    else:
        answer(httpserver, list_path(), PAGE_1, PAGE_2)
        answer(httpserver, search_path(), SEARCH_1, DENIED)
    result: AssetScan | None = None
    with pytest.raises(exceptions.Forbidden):
        result = run(client)
    assert result is None  # no partial scan for the caller to mix with a walk
    second = httpserver.log[-1][0]
    assert second.args["pageToken"]  # it was the second page that was refused


@pytest.mark.parametrize("scope", ["projects/acme-prod", "organizations/acme", "93422", ""])
def test_a_scope_that_is_not_an_organization_or_folder_is_refused_before_any_call(
    httpserver: HTTPServer, client: asset_v1.AssetServiceClient, scope: str
) -> None:
    with pytest.raises(ConnectorError, match="expected organizations/NUMBER or folders/NUMBER"):
        asset_scan(client, scope, NOW)
    assert httpserver.log == []


def test_an_answer_outside_the_documented_shape_names_the_call_and_page(
    httpserver: HTTPServer, client: asset_v1.AssetServiceClient
) -> None:
    broken = body("list-assets-page-2.json")
    del broken["assets"][1]["assetType"]
    answer(httpserver, list_path(), PAGE_1, (200, broken))
    with pytest.raises(ConnectorError) as caught:
        run(client)
    assert str(caught.value).startswith(
        "cloudasset.assets.list organizations/93422 page 2 assets[1]: assetType: missing"
    )

"""Cloud Asset answered at the HTTP layer: the real ``AssetServiceClient`` over REST with
anonymous credentials, pointed at pytest-httpserver (docs/dev/gcp-plan.md 1f)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import asset_v1
from pytest_httpserver import HTTPServer

DATA = Path(__file__).resolve().parents[3] / "data" / "gcp" / "asset"
SCOPE = "organizations/93422"


def body(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / name).read_text())
    return loaded


def list_path(scope: str = SCOPE) -> str:
    return f"/v1/{scope}/assets"


def search_path(scope: str = SCOPE) -> str:
    return f"/v1/{scope}:searchAllIamPolicies"


def answer(server: HTTPServer, path: str, *replies: tuple[int, dict[str, Any]]) -> None:
    """Answer the next requests to ``path``, in order, with these (status, body) pairs."""
    for status, reply in replies:
        server.expect_ordered_request(path, method="GET").respond_with_json(reply, status=status)


def answer_estate(server: HTTPServer, scope: str = SCOPE) -> None:
    """The recorded estate: two ListAssets pages, then two search pages."""
    pages = [(200, body(f"list-assets-page-{n}.json")) for n in (1, 2)]
    answer(server, list_path(scope), *pages)
    answer(server, search_path(scope), *[(200, body(f"search-page-{n}.json")) for n in (1, 2)])


@pytest.fixture
def client(httpserver: HTTPServer) -> asset_v1.AssetServiceClient:
    options = ClientOptions(api_endpoint=f"http://{httpserver.host}:{httpserver.port}")
    return asset_v1.AssetServiceClient(
        credentials=AnonymousCredentials(), transport="rest", client_options=options
    )

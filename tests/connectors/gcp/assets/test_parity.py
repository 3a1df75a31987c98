"""The asset path and the offline reader give the same records for the same assets.

One set of asset dicts (the recorded ListAssets and SearchAllIamPolicies pages) is served to
the real client and written as export files; the records must be equal, and the only gaps the
offline reader adds are those the live connector fills by calling the APIs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from google.cloud import asset_v1
from pytest_httpserver import HTTPServer

from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.gcp.assets import asset_scan
from nhiscan.connectors.gcp.offline.gaps import DISABLE_REASON
from nhiscan.connectors.gcp.offline.reader import GcpAssetsConnector
from nhiscan.scanner.model import CollectionGap, Record

from .conftest import SCOPE, answer, body, list_path, search_path

NOW = datetime(2026, 12, 1, tzinfo=UTC)
PAGES = [body(f"list-assets-page-{n}.json") for n in (1, 2)]
SEARCHES = [body(f"search-page-{n}.json") for n in (1, 2)]
ASSETS = [a for page in PAGES for a in page["assets"]]
RESULTS = [r for page in SEARCHES for r in page["results"]]
# what only an export lacks: the live connector reads it (activity, deny policies, keys.list)
EXPORT_ONLY = {
    "gcp-assets:last-use", "gcp-assets:deny-policies", DISABLE_REASON,
    "gcp-assets:group-memberships",
}  # fmt: skip


def export_line(result: dict[str, Any]) -> dict[str, Any]:
    """A search result as the iam-policy export line of the same asset."""
    hints = ([result["project"]] if result.get("project") else []) + result.get("folders", [])
    ancestors = [*hints, result["organization"]]
    return {"name": result["resource"], "assetType": result["assetType"],
            "ancestors": list(dict.fromkeys(ancestors)), "iamPolicy": result["policy"]}  # fmt: skip


def offline(tmp_path: Path, policies: str) -> list[Record]:
    lines = [json.dumps(a) for a in ASSETS]
    paths = [tmp_path / "resources.ndjson"]
    if policies == "export lines":
        lines += [json.dumps(export_line(r)) for r in RESULTS]
    else:  # what `gcloud asset search-all-iam-policies --format=json` prints
        paths.append(tmp_path / "policies.json")
        paths[1].write_text(json.dumps(RESULTS, indent=2))
    paths[0].write_text("\n".join(lines) + "\n")
    return list(GcpAssetsConnector(paths).collect(CollectContext(now=NOW, progress=lambda _: None)))


def live(server: HTTPServer, client: asset_v1.AssetServiceClient) -> list[Record]:
    answer(server, list_path(), *[(200, page) for page in PAGES])
    answer(server, search_path(), *[(200, page) for page in SEARCHES])
    return list(asset_scan(client, SCOPE, NOW).records)


def gap_keys(records: list[Record]) -> set[tuple[str, str, str, str | None]]:
    return {
        (g.scope, g.operation, str(g.reason), g.subject)
        for g in records
        if isinstance(g, CollectionGap)
    }


@pytest.mark.parametrize("policies", ["search results", "export lines"])
def test_the_same_records_as_the_offline_reader(
    httpserver: HTTPServer, client: asset_v1.AssetServiceClient, tmp_path: Path, policies: str
) -> None:
    from_files = offline(tmp_path, policies)
    from_api = live(httpserver, client)
    facts = [r for r in from_api if not isinstance(r, CollectionGap)]
    assert len(facts) == 26  # 3 projects, 3 accounts, 4 keys, 2 roles, 6 policies, ...
    assert facts == [r for r in from_files if not isinstance(r, CollectionGap)]
    # the gaps: the live ones are the offline ones less what the live connector fills
    assert gap_keys(from_api) <= gap_keys(from_files)
    extra = gap_keys(from_files) - gap_keys(from_api)
    assert {operation for _, operation, _, _ in extra} == EXPORT_ONLY
    assert ("acme-prod", "gcp-assets:last-use", "not-in-export", None) in extra

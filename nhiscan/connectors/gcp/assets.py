"""The organization-wide path of live GCP collection: Cloud Asset Inventory over a scope.

Which path when (quotas from cloud.google.com/asset-inventory/docs/quota and
cloud.google.com/iam/quotas, read 2026-12-06; docs/dev/gcp-plan.md section 4.1):

- ``--gcp-organization N`` or ``--gcp-folder N``: this path. Two calls over the scope:
  ``ListAssets`` (content type RESOURCE; service accounts, their keys, custom roles,
  organizations, folders, projects, workload identity pools and providers; 1,000 assets a
  page) and ``SearchAllIamPolicies`` (every
  allow policy of the scope; 500 a page). Quotas: ``ListAssets`` 100 a minute per consumer
  project and 800 per organization, ``SearchAllIamPolicies`` 400 a minute per consumer project
  and 3,000 per organization. An organization of 500 projects with 100 service accounts each
  is about 100 ``ListAssets`` pages plus one search page per 500 policies: a minute or two.
- Walking the same organization project by project costs about P * (2 + 2S + 2) reads (list
  the accounts, the project's policy, per account its keys and its policy, two activity
  queries): 500 * 100 is about 102,000 reads, 100,500 of them IAM v1, whose read quota is
  6,000 a minute per project: at least 17 minutes.
- ``--gcp-project ID`` (a few projects): the walk; no Cloud Asset needed.
- Cloud Asset refused or disabled in the scope: the caller records the gap and walks instead.
  ``[gcp] use_assets = false`` forces the walk.
- Either way, per project found (``AssetScan.projects``): the two Policy Analyzer activity
  queries (last use), and ``keys.list`` for the accounts whose disabled keys came without
  ``disableReason`` (``AssetScan.keys_lacking_reason``); deny policies are read per project by
  the live connector too.

Each asset and search result is turned back into the JSON form an export holds (proto-plus
``to_dict`` with JSON names: camelCase keys, RFC 3339 times, enum names, no default-valued
fields) and read by the offline reader's own shape checks and mapping, so both paths give the
same records for the same assets; only the gaps an export alone has are left out
(``to_records(export_gaps=False)``).

A Google API error (a 403, a 429 past the retries, a disabled API) propagates unchanged, its
``code`` and ``reason`` intact, for the caller to record as a gap. A refusal part-way (on the
second page of either call) discards everything read so far: ``asset_scan`` returns only a
complete scan, so the caller never mixes half an asset scan with a walk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.api_core import exceptions
from google.api_core.retry import Retry, if_exception_type
from google.cloud import asset_v1

from nhiscan.connectors.gcp.offline.gaps import Exports
from nhiscan.connectors.gcp.offline.reader import add, to_records
from nhiscan.connectors.gcp.offline.shape import Asset, ShapeError, search_result_asset, to_asset
from nhiscan.connectors.gcp.offline.types import (
    FOLDER,
    ORGANIZATION,
    PROJECT,
    ROLE,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_KEY,
    WORKLOAD_POOL,
    WORKLOAD_PROVIDER,
)
from nhiscan.errors import ConnectorError
from nhiscan.scanner.model import Account, Credential, CredentialStatus, Record

ASSET_TYPES = (
    SERVICE_ACCOUNT, SERVICE_ACCOUNT_KEY, ROLE, ORGANIZATION, FOLDER, PROJECT, WORKLOAD_POOL,
    WORKLOAD_PROVIDER,
)  # fmt: skip
LIST_PAGE_SIZE = 1000  # the most ListAssets returns (cloudasset.v1 discovery)
SEARCH_PAGE_SIZE = 500  # SearchAllIamPolicies caps pages at 500
SCOPE_KINDS = ("organizations", "folders")

# The client's own retries cover 503 (and ListAssets' deadline) but not 429: the per-minute
# quotas above are what a large organization meets. Backs off for up to two minutes, then the
# TooManyRequests propagates.
RETRY = Retry(
    predicate=if_exception_type(
        exceptions.TooManyRequests, exceptions.ServiceUnavailable, exceptions.DeadlineExceeded
    ),
    initial=1.0,
    maximum=30.0,
    multiplier=2.0,
    timeout=120.0,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetScan:
    """What one scope's Cloud Asset answer holds, mapped."""

    # hierarchy, accounts, service accounts, keys, custom roles, allow policies, groups, policy
    # resources, and the gaps the live path cannot fill: what the offline reader yields
    records: tuple[Record, ...]
    # the ids of the ACTIVE projects found (per-project enrichment: activity, disable reasons)
    projects: tuple[str, ...]
    # service-account e-mails with a disabled key whose data came without disableReason
    keys_lacking_reason: tuple[str, ...]


def asset_scan(
    client: asset_v1.AssetServiceClient, scope: str, now: datetime, *, retry: Retry | None = RETRY
) -> AssetScan:
    """Service accounts, keys, custom roles, the hierarchy and every allow policy of ``scope``
    (``organizations/N`` or ``folders/N``). Raises the Google API error of any refused page."""
    _check_scope(scope)
    return build_scan(
        list(fetch_assets(client, scope, retry)), list(fetch_policies(client, scope, retry)), now
    )


def build_scan(
    listed: Iterable[tuple[str, Asset]], searched: Iterable[tuple[str, Asset]], now: datetime
) -> AssetScan:
    """The scan of what ``fetch_assets`` and ``fetch_policies`` returned (each read whole)."""
    read = Exports()
    for source, asset in (*listed, *searched):
        add(read, asset, source)
    records = tuple(to_records(read, now, export_gaps=False))
    return AssetScan(
        records=records,
        projects=active_projects(read, records),
        keys_lacking_reason=lacking_reason(records),
    )


def _check_scope(scope: str) -> None:
    kind, _, number = scope.partition("/")
    if kind not in SCOPE_KINDS or not number.isdigit():
        raise ConnectorError(
            f"GCP asset scope {scope!r}: expected organizations/NUMBER or folders/NUMBER "
            f"(the numeric id: `gcloud organizations list`, `gcloud resource-manager folders list`)"
        )


def fetch_assets(
    client: asset_v1.AssetServiceClient, scope: str, retry: Retry | None
) -> Iterator[tuple[str, Asset]]:
    """``ListAssets`` over the scope, every page, each asset in its export form."""
    request = asset_v1.ListAssetsRequest(
        parent=scope,
        asset_types=list(ASSET_TYPES),
        content_type=asset_v1.ContentType.RESOURCE,
        page_size=LIST_PAGE_SIZE,
    )
    source = f"cloudasset.assets.list {scope}"
    pages = client.list_assets(request=request, retry=retry).pages
    for page_number, page in enumerate(pages, start=1):
        for index, message in enumerate(page.assets):
            where = f"{source} page {page_number} assets[{index}]"
            yield source, _shaped(to_asset, to_json(message), where)


def fetch_policies(
    client: asset_v1.AssetServiceClient, scope: str, retry: Retry | None
) -> Iterator[tuple[str, Asset]]:
    """``SearchAllIamPolicies`` over the scope (no query: every binding), every page."""
    request = asset_v1.SearchAllIamPoliciesRequest(scope=scope, page_size=SEARCH_PAGE_SIZE)
    source = f"cloudasset.searchAllIamPolicies {scope}"
    pages = client.search_all_iam_policies(request=request, retry=retry).pages
    for page_number, page in enumerate(pages, start=1):
        for index, message in enumerate(page.results):
            where = f"{source} page {page_number} results[{index}]"
            yield source, _shaped(search_result_asset, to_json(message), where)


def _shaped(reader: Callable[[Any, str], Asset], value: Mapping[str, Any], where: str) -> Asset:
    """The offline reader's shape checks; a failure names the call, page and item."""
    try:
        return reader(value, where)
    except ShapeError as exc:
        raise ConnectorError(
            f"{where}: {exc}: Cloud Asset answered outside its documented format"
        ) from exc


def to_json(message: Any) -> dict[str, Any]:
    """A proto-plus message as the JSON an export holds: camelCase keys, RFC 3339 times, enum
    names, default values left out; whole numbers of ``resource.data`` (a ``Struct``, whose
    numbers are doubles) as integers, as an export writes them."""
    value: dict[str, Any] = _whole(
        type(message).to_dict(
            message,
            use_integers_for_enums=False,
            preserving_proto_field_name=False,
            always_print_fields_with_no_presence=False,
        )
    )
    return value


def _whole(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole(item) for item in value]
    return value


def active_projects(read: Exports, records: tuple[Record, ...]) -> tuple[str, ...]:
    """The ids of the projects found, less those the data says are not ACTIVE (pending
    deletion: their APIs refuse, and the walk leaves them out too)."""
    inactive = set()
    for asset in read.assets.values():
        data = asset.data or {}
        state = data.get("lifecycleState") or data.get("state")
        if asset.asset_type == PROJECT and state not in (None, "ACTIVE"):
            inactive.add(str(data.get("projectId")))
    found = (r.id for r in records if isinstance(r, Account))
    return tuple(sorted({p for p in found if p not in inactive}))


def lacking_reason(records: tuple[Record, ...]) -> tuple[str, ...]:
    """Accounts with a disabled key whose data did not say why (the offline reader's
    ``disableReason`` gap): ``keys.list`` gives the reason."""
    return tuple(sorted({
        r.identity for r in records
        if isinstance(r, Credential) and r.status is CredentialStatus.INACTIVE
        and r.status_reason is None and r.identity
    }))  # fmt: skip

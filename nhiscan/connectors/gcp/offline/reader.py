"""``GcpAssetsConnector``: read Cloud Asset Inventory exports offline (``--gcp-assets FILE``).

A file is newline-delimited JSON, one asset per line (``gcloud asset export``, either content
type, camelCase or proto key spellings), or the JSON list ``gcloud asset search-all-iam-policies
--format=json`` prints. Lines are read one at a time. Several files merge; the same asset twice
keeps the part with the later ``updateTime``. What an export cannot hold is a ``not-in-export``
gap; a file that is empty or has a malformed line is a ``ConnectorError`` naming file:line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.gcp.offline import records as to
from nhiscan.connectors.gcp.offline.gaps import Exports, Gaps
from nhiscan.connectors.gcp.offline.hierarchy import CRM, build, placed, short_name
from nhiscan.connectors.gcp.offline.shape import (
    Asset,
    ShapeError,
    lines,
    parse_time,
    search_result_asset,
    to_asset,
)
from nhiscan.connectors.gcp.offline.types import (
    FOLDER,
    ORGANIZATION,
    POLICY_RESOURCE_KINDS,
    PROJECT,
    READ_TYPES,
    ROLE,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_KEY,
    WORKLOAD_POOL,
    WORKLOAD_PROVIDER,
)
from nhiscan.errors import ConnectorError
from nhiscan.scanner.model import Record

FIX = "write it again with `gcloud asset export` (see the README's GCP offline section)"


class GcpAssetsConnector:
    def __init__(self, paths: Sequence[Path]) -> None:
        self._paths = tuple(Path(p) for p in paths)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(f"gcp-assets:{p}" for p in self._paths)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        read = Exports()
        for path in self._paths:
            ctx.progress(f"gcp-assets {path}: reading")
            before = sum(read.skipped.values())
            count = read_file(path, read)
            skipped = sum(read.skipped.values()) - before
            ctx.progress(f"gcp-assets {path}: {count} assets")
            if skipped:
                ctx.progress(
                    f"gcp-assets {path}: skipped {skipped} assets of types nhiscan does not read"
                )
        yield from to_records(read, ctx.now)


def read_file(path: Path, read: Exports) -> int:
    """Add the assets of ``path`` to ``read``, a line at a time; how many it held."""
    count = 0
    try:
        with path.open(encoding="utf-8-sig") as handle:
            first = _first_char(handle)
            if first == "":
                raise ConnectorError(
                    f"{path}: empty file: no assets (an empty export is not an empty estate); {FIX}"
                )
            if first == "[":
                read.search_files.append(str(path))
                assets = _search_results(json_load(handle, path), path)
            else:
                assets = _ndjson(handle, path)
            for asset in assets:
                count += 1
                add(read, asset, path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConnectorError(f"{path}: cannot read the asset export: {exc}") from exc
    if not count:
        raise ConnectorError(f"{path}: no assets (an empty export is not an empty estate); {FIX}")
    return count


def add(read: Exports, asset: Asset, path: str | Path) -> None:
    """Add one asset read from ``path`` (a file, or the live path's API call) to ``read``."""
    if asset.asset_type not in READ_TYPES and asset.iam_policy is None:
        read.skipped[asset.asset_type] += 1
        return
    read.assets[asset.name] = _merge(read.assets.get(asset.name), asset)
    files = read.files_of.setdefault(asset.name, [])
    if str(path) not in files:
        files.append(str(path))


def _first_char(handle: TextIO) -> str:
    while True:
        char = handle.read(1)
        if char == "" or not char.isspace():
            handle.seek(0)
            return char


def json_load(handle: TextIO, path: Path) -> Any:
    try:
        return json.load(handle)
    except json.JSONDecodeError as exc:
        raise ConnectorError(
            f"{path}:{exc.lineno}: not valid JSON (column {exc.colno}: {exc.msg}); {FIX}"
        ) from exc


def _ndjson(handle: TextIO, path: Path) -> Iterator[Asset]:
    for number, text in lines(handle):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            if number == 1 and text.strip() == "{":  # a pretty-printed search response
                handle.seek(0)
                yield from _search_results(json_load(handle, path), path)
                return
            raise ConnectorError(
                f"{path}:{number}: not valid JSON (column {exc.colno}: {exc.msg}); expected one "
                f"asset per line (newline-delimited JSON); {FIX}"
            ) from exc
        if number == 1 and isinstance(value, dict) and "results" in value and "name" not in value:
            yield from _search_results(value, path)
            return
        try:
            yield to_asset(value, f"{path}:{number}")
        except ShapeError as exc:
            raise ConnectorError(f"{path}:{number}: {exc}; {FIX}") from exc


def _search_results(value: Any, path: Path) -> Iterator[Asset]:
    results = value.get("results") if isinstance(value, dict) else value
    if not isinstance(results, list):
        raise ConnectorError(
            f"{path}: not search results: expected a JSON list of IamPolicySearchResult (the "
            f"output of `gcloud asset search-all-iam-policies --format=json`) or an object "
            f"with results"
        )
    for index, result in enumerate(results):
        try:
            yield search_result_asset(result, f"{path}[{index}]")
        except ShapeError as exc:
            raise ConnectorError(f"{path}: result [{index}]: {exc}; {FIX}") from exc


def _newer(a: Asset, b: Asset) -> bool:
    """Whether ``b`` is at least as new as ``a`` (a line without updateTime is the oldest)."""
    if not b.update_time:
        return not a.update_time
    if not a.update_time:
        return True
    try:
        return parse_time(b.update_time) >= parse_time(a.update_time)
    except ValueError:
        return b.update_time >= a.update_time


def _merge(old: Asset | None, new: Asset) -> Asset:
    """Both parts of an asset (resource and policy), each from its latest line."""
    if old is None:
        return new
    first, last = (old, new) if _newer(old, new) else (new, old)
    return replace(
        last,
        data=last.data if last.data is not None else first.data,
        parent=last.parent if last.parent is not None else first.parent,
        iam_policy=last.iam_policy if last.iam_policy is not None else first.iam_policy,
        ancestors=last.ancestors or first.ancestors,
    )


def to_records(read: Exports, now: datetime, *, export_gaps: bool = True) -> Iterator[Record]:
    """The records of what was read; ``export_gaps=False`` leaves out the gaps only an export
    has (last use, deny policies, disable reasons, a missing part), which the live connector
    fills by calling the APIs (``connectors/gcp/assets.py``)."""
    hierarchy = build(read.assets.values())
    names = to.Names(hierarchy, read.assets)
    gaps = Gaps(read, hierarchy, export_gaps=export_gaps)
    policies = {
        names.full(a.name): a
        for a in read.assets.values()
        if a.iam_policy is not None and placed(a, hierarchy)
    }
    yield from to.hierarchy_records(hierarchy, {n: f"{n}#iam" for n in policies})
    for asset in read.assets.values():
        project = hierarchy.project_of(asset)
        if asset.asset_type in (ORGANIZATION, FOLDER, PROJECT):
            continue
        if not placed(asset, hierarchy):
            gaps.unplaced(asset)
            continue
        if asset.data is not None and asset.asset_type == SERVICE_ACCOUNT:
            yield to.service_account(asset, str(project))
        elif asset.data is not None and asset.asset_type == SERVICE_ACCOUNT_KEY:
            credential = to.key(asset, str(project), names, now)
            if credential.status_reason is None and asset.data.get("disabled"):
                gaps.no_disable_reason(asset)
            yield credential
        elif asset.data is not None and asset.asset_type == ROLE:
            yield to.custom_role(asset, project)
        elif asset.data is not None and asset.asset_type == WORKLOAD_POOL and project:
            yield to.workload_pool(asset, project)
        elif asset.data is not None and asset.asset_type == WORKLOAD_PROVIDER and project:
            yield to.workload_provider(asset, project)
        elif asset.asset_type in POLICY_RESOURCE_KINDS and project is not None:
            resource = to.policy_resource(asset, names.full(asset.name), project)
            if resource is not None:
                yield resource
    seen_groups: set[str] = set()
    for full_name, asset in policies.items():
        assert asset.iam_policy is not None
        project = None if _is_folder_or_org(full_name) else hierarchy.project_of(asset)
        yield to.allow_policy(full_name, asset.iam_policy, project)
        scope = gaps.scope_of(asset)
        for group in to.groups(asset.iam_policy, scope):
            if group.id not in seen_groups:
                seen_groups.add(group.id)
                gaps.group(asset)
                yield group
    yield from gaps.records()


def _is_folder_or_org(full_name: str) -> bool:
    return full_name.startswith(CRM) and not short_name(full_name).startswith("projects/")

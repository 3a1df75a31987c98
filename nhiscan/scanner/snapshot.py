"""The inventory snapshot: everything connectors collected, as versioned JSON.

After a snapshot is written, nothing needs the network: ``nhiscan analyze`` reads it alone.
Older schema versions are upgraded step by step through ``UPGRADES``; an unknown (newer)
version is a clear error rather than a guess.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from nhiscan.errors import SnapshotError
from nhiscan.scanner.activity import ActivityScope, ActivitySummary, ServiceAccess
from nhiscan.scanner.codec import DecodeError, decode, encode
from nhiscan.scanner.model import (
    OMIT_DEFAULT,
    Account,
    CollectionGap,
    Credential,
    Exposure,
    Group,
    Identity,
    Policy,
    Record,
    Repository,
    Resource,
    SkippedFile,
    ToolInfo,
    WorkflowCredential,
)
from nhiscan.scanner.snapshot_check import ProviderChecks, check_snapshot

SCHEMA_VERSION = 2


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 added repository scans: exposures, repositories, skipped files."""
    return {**data, "exposures": [], "repositories": [], "skipped": []}


# version N -> function turning a version-N document into a version-N+1 document.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    tool: ToolInfo
    collected_at: datetime
    sources: tuple[str, ...] = ()  # what was asked for: "aws:profile/default", "aws-gaad:x.json"
    accounts: tuple[Account, ...] = ()
    identities: tuple[Identity, ...] = ()
    groups: tuple[Group, ...] = ()
    credentials: tuple[Credential, ...] = ()
    policies: tuple[Policy, ...] = ()
    resources: tuple[Resource, ...] = ()
    gaps: tuple[CollectionGap, ...] = ()
    exposures: tuple[Exposure, ...] = ()
    repositories: tuple[Repository, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()
    # CI workflow steps that request cloud credentials (issue #20). Written only when there are
    # some, and read as none when absent: a snapshot without workflows is byte for byte what
    # nhiscan wrote before they were collected, so no schema version was spent on them.
    workflows: tuple[WorkflowCredential, ...] = field(default=(), metadata=OMIT_DEFAULT)
    # What identities were seen doing (issue #19, ``activity.py``) and what each activity source
    # covered: written only when an activity source was read, as ``workflows``.
    activity: tuple[ActivitySummary, ...] = field(default=(), metadata=OMIT_DEFAULT)
    activity_sources: tuple[ActivityScope, ...] = field(default=(), metadata=OMIT_DEFAULT)
    # When each identity last used each service its policies allow, as the provider tracks it
    # without a trail (AWS IAM's service last-accessed data): written only when read.
    service_access: tuple[ServiceAccess, ...] = field(default=(), metadata=OMIT_DEFAULT)
    schema_version: int = SCHEMA_VERSION


_FIELD_FOR: dict[type[Any], str] = {
    Account: "accounts",
    Identity: "identities",
    Group: "groups",
    Credential: "credentials",
    Policy: "policies",
    Resource: "resources",
    CollectionGap: "gaps",
    Exposure: "exposures",
    Repository: "repositories",
    SkippedFile: "skipped",
    WorkflowCredential: "workflows",
    ActivitySummary: "activity",
    ActivityScope: "activity_sources",
    ServiceAccess: "service_access",
}
# Top-level lists a snapshot may leave out (read as empty): see ``Snapshot.workflows``.
_OPTIONAL_LISTS = frozenset({"workflows", "activity", "activity_sources", "service_access"})


def build_snapshot(
    records: Iterable[Record], *, tool: ToolInfo, collected_at: datetime, sources: Iterable[str]
) -> Snapshot:
    """Gather connector records into a snapshot, dropping exact duplicates, keeping order."""
    kept: dict[str, list[Record]] = {name: [] for name in _FIELD_FOR.values()}
    # Records hold dicts (tags, documents) so they are not hashable: bucket them by their
    # hashable fields, then compare whole records (dataclass ==) within a bucket.
    seen: dict[tuple[Any, ...], list[Record]] = {}
    for record in records:
        name = _FIELD_FOR.get(type(record))
        if name is None:
            raise TypeError(f"not a snapshot record: {record!r:.80}")
        bucket = seen.setdefault(_natural_key(record), [])
        if record not in bucket:
            bucket.append(record)
            kept[name].append(record)
    values = {name: tuple(items) for name, items in kept.items()}
    return Snapshot(tool=tool, collected_at=collected_at, sources=tuple(sources), **values)  # type: ignore[arg-type]


def _natural_key(record: Record) -> tuple[Any, ...]:
    """The record's type and its hashable field values (ids, kinds, names, times)."""
    values = (getattr(record, f.name) for f in fields(record))
    return (type(record), *(v for v in values if isinstance(v, _SCALARS)))


_SCALARS = (str, int, float, datetime, date, type(None))


def to_json(snapshot: Snapshot, *, compact: bool = False) -> str:
    """The snapshot as JSON: indented for a file people may read, compact (C encoder, several
    times faster) for the history store."""
    return dumps(encode(snapshot), compact=compact)


def dumps(encoded: Any, *, compact: bool = False) -> str:
    """An encoded snapshot (or one read back from its JSON) as text (see ``to_json``)."""
    if compact:
        return json.dumps(encoded, separators=(",", ":")) + "\n"
    return json.dumps(encoded, indent=1, sort_keys=False) + "\n"


def from_json(
    text: str, *, source: str = "<snapshot>", providers: ProviderChecks | None = None
) -> Snapshot:
    """The snapshot in ``text``, checked (``snapshot_check``; with the installed providers'
    checks when given: ``nhiscan.app.snapshots`` passes them for files a person hands in)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    if not isinstance(data, dict) or "schema_version" not in data:
        raise SnapshotError(f"{source}: not an nhiscan snapshot (no schema_version at the top)")
    data = upgrade(data, source=source)
    snapshot = _decode(data, source)
    check_snapshot(snapshot, source=source, providers=providers)
    return snapshot


# Every top-level key a snapshot has (after upgrading), with its JSON type.
_TOP: dict[str, tuple[type[Any], str]] = {
    "tool": (dict, "an object"),
    "collected_at": (str, "an ISO 8601 date-time"),
    "sources": (list, "a list of strings"),
    **{name: (list, "a list of records") for name in _FIELD_FOR.values()},
    "schema_version": (int, "an integer"),
}
# Which key of a record names it in an error, per list.
_NAMED_BY = {"gaps": "operation", "skipped": "path", "activity": "identity",
             "activity_sources": "source", "service_access": "identity"}  # fmt: skip


def _decode(data: dict[str, Any], source: str) -> Snapshot:
    """The snapshot in ``data``; SnapshotError naming the key, record and field otherwise."""
    for key, (kind, what) in _TOP.items():
        if key in _OPTIONAL_LISTS and key not in data:
            continue
        if key not in data:
            raise SnapshotError(
                f"{source}: the snapshot has no {key!r} (expected {what}); nhiscan writes every "
                "top-level key, so the file was cut or edited: restore it or collect again"
            )
        if not isinstance(data[key], kind):
            raise SnapshotError(f"{source}: {key}: expected {what}, got {_kind(data[key])}")
    unknown = sorted(set(data) - set(_TOP))
    if unknown:
        raise SnapshotError(
            f"{source}: unknown top-level keys {', '.join(unknown)} (a snapshot has only "
            f"{', '.join(_TOP)})"
        )
    lists = {
        name: tuple(
            _record(cls, item, source, name, i) for i, item in enumerate(data.get(name, ()))
        )
        for cls, name in _FIELD_FOR.items()
    }
    return Snapshot(
        tool=_record(ToolInfo, data["tool"], source, "tool"),
        collected_at=_value(datetime, data["collected_at"], source, "collected_at"),
        sources=_value(tuple[str, ...], data["sources"], source, "sources"),
        schema_version=data["schema_version"],
        **lists,
    )


def list_of(record: Record) -> str:
    """The snapshot list a record belongs in ("identities", "gaps"): a shard line names it."""
    name = _FIELD_FOR.get(type(record))
    if name is None:
        raise TypeError(f"not a snapshot record: {record!r:.80}")
    return name


_CLASS_OF = {name: cls for cls, name in _FIELD_FOR.items()}


def record_of(name: str, item: Any, *, source: str) -> Record:
    """The record ``item`` (encoded) of the snapshot list ``name``; SnapshotError naming
    ``source`` when the list is unknown or the record does not fit."""
    cls = _CLASS_OF.get(name)
    if cls is None:
        raise SnapshotError(f"{source}: {name!r} is not a snapshot list")
    return cast(Record, _record(cls, item, source, name))


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _record(cls: type[Any], item: Any, source: str, name: str, index: int = -1) -> Any:
    try:
        return decode(cls, item)
    except DecodeError as exc:
        where = name if index < 0 else f"{name}[{index}]"
        label = item.get(_NAMED_BY.get(name, "id")) if isinstance(item, dict) else None
        if isinstance(label, str):
            where = f"{where} ({label:.200})"
        field = f"{exc.field}: " if exc.field else ""
        raise SnapshotError(
            f"{source}: {where}: {field}{exc.problem}; correct the record or collect again"
        ) from exc


def _value(tp: Any, value: Any, source: str, name: str) -> Any:
    try:
        return decode(tp, value)
    except DecodeError as exc:
        raise SnapshotError(f"{source}: {exc.within(name)}") from exc


def upgrade(data: dict[str, Any], *, source: str) -> dict[str, Any]:
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SnapshotError(f"{source}: schema_version must be an integer, got {version!r}")
    if version > SCHEMA_VERSION or (version < SCHEMA_VERSION and version not in UPGRADES):
        raise SnapshotError(
            f"{source}: schema_version: snapshot schema version {version} is not supported by "
            "this nhiscan "
            f"(it reads versions 1 to {SCHEMA_VERSION}); upgrade nhiscan or collect again"
        )
    while version < SCHEMA_VERSION:
        data = UPGRADES[version](data)
        version += 1
        data["schema_version"] = version
    return data


def save(snapshot: Snapshot, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(to_json(snapshot), encoding="utf-8")
    tmp.replace(path)


def load(path: Path, *, providers: ProviderChecks | None = None) -> Snapshot:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read snapshot: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise SnapshotError(f"{path}: not a UTF-8 text file") from exc
    return from_json(text, source=str(path), providers=providers)

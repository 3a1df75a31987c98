"""Reading Graph and ARM JSON with a path in every complaint. A value that is not in the
documented shape is a ``ShapeError`` naming its JSON path (``[3].passwordCredentials[0].keyId:
expected a GUID``); the reader adds the file.

Ids are normalised here: GUIDs (Entra object ids, application ids, tenant and subscription ids,
credential key ids) and ARM ids are lower-cased, because Azure compares both without regard to
case (ARM ids: "resource names are case-insensitive", Azure Resource Manager naming rules; the
az CLI prints ``resourceGroups`` where ARM answers ``resourcegroups``) and tools disagree on
the case they print (AzureHound upper-cases every id), so one spelling joins them all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any


class ShapeError(ValueError):
    """A value that is not in the shape the Graph or ARM documentation gives."""


GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def shown(value: Any) -> str:
    return f"{type(value).__name__} {value!r:.60}"


def obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ShapeError(f"{where}: expected an object, got {shown(value)}")
    return value


def items(value: Any, where: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise ShapeError(f"{where}: expected a list, got {shown(value)}")
    return value


def text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ShapeError(f"{where}: expected a non-empty string, got {shown(value)}")
    return value


def opt_text(parent: Mapping[str, Any], key: str, where: str) -> str | None:
    value = parent.get(key)
    if value is None or value == "":
        return None
    return text(value, f"{where}.{key}")


def strings(parent: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = parent.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ShapeError(f"{where}.{key}: expected a list of strings, got {shown(value)}")
    return tuple(value)


def flag(parent: Mapping[str, Any], key: str, where: str) -> bool | None:
    value = parent.get(key)
    if value is not None and not isinstance(value, bool):
        raise ShapeError(f"{where}.{key}: expected true or false, got {shown(value)}")
    return value


def guid(value: Any, where: str) -> str:
    """A GUID, lower-cased."""
    if not isinstance(value, str) or not GUID.fullmatch(value.strip().lower()):
        raise ShapeError(f"{where}: expected a GUID such as 00000000-0000-0000-0000-000000000000, "
                         f"got {shown(value)}")  # fmt: skip
    return value.strip().lower()


def need_guid(parent: Mapping[str, Any], key: str, where: str) -> str:
    if key not in parent:
        raise ShapeError(f"{where}.{key}: missing")
    return guid(parent[key], f"{where}.{key}")


def arm_id(value: Any, where: str) -> str:
    """An ARM id (``/subscriptions/...``, ``/providers/Microsoft.Management/...``, ``/``),
    lower-cased, without a trailing slash."""
    if not isinstance(value, str) or not value.startswith("/"):
        raise ShapeError(f"{where}: expected an ARM id starting with /, got {shown(value)}")
    lowered = value.strip().lower()
    return lowered.rstrip("/") or "/"


def time(parent: Mapping[str, Any], key: str, where: str) -> datetime | None:
    """An ISO 8601 time (Graph's DateTimeOffset, ARM's date-time), in UTC; None when absent."""
    value = parent.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(_seven_digits(value.strip()))
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    raise ShapeError(
        f"{where}.{key}: expected an ISO 8601 time such as 2026-01-02T03:04:05Z, got {shown(value)}"
    )


_FRACTION = re.compile(r"\.(\d{7,})")


def _seven_digits(value: str) -> str:
    """Graph writes up to seven fraction digits (2021-01-04T18:04:29.6190574Z); Python reads six."""
    return _FRACTION.sub(lambda m: "." + m.group(1)[:6], value)

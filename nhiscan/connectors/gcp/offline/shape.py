"""One asset read from a line of an export (or an element of search results), checked first.

A problem is a ``ShapeError`` naming the JSON path inside the asset and what was expected
(``iamPolicy.bindings[2].members: expected a list of strings``); the reader adds file:line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nhiscan.connectors.gcp.offline.types import camel_keys, canonical_type
from nhiscan.connectors.gcp.times import parse_time as parse_time  # kept importable here


class ShapeError(ValueError):
    """An asset that is not in the documented shape."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Asset:
    name: str  # the full resource name: //service.googleapis.com/...
    asset_type: str  # the current name of its type
    update_time: str = ""  # RFC 3339; "" when the line has none
    ancestors: tuple[str, ...] = ()  # closest first, root last (as exported)
    data: Mapping[str, Any] | None = None  # resource.data
    parent: str | None = None  # resource.parent
    iam_policy: Mapping[str, Any] | None = None
    where: str = ""  # file:line, for messages


def _shown(value: Any) -> str:
    return f"{type(value).__name__} {value!r:.60}"


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ShapeError(f"{where}: expected a list of strings, got {_shown(value)}")
    return tuple(value)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ShapeError(f"{where}: expected a string, got {_shown(value)}")
    return value


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ShapeError(f"{where}: expected an object, got {_shown(value)}")
    return value


def check_policy(policy: Any, where: str) -> Mapping[str, Any]:
    """An IAM ``Policy`` (bindings of roles to members, optional conditions)."""
    checked = _object(policy, where)
    bindings = checked.get("bindings", [])
    if not isinstance(bindings, list):
        raise ShapeError(f"{where}.bindings: expected a list, got {_shown(bindings)}")
    for index, binding in enumerate(bindings):
        at = f"{where}.bindings[{index}]"
        binding = _object(binding, at)
        _text(binding.get("role"), f"{at}.role")
        _strings(binding.get("members"), f"{at}.members")
        if binding.get("condition") is not None:
            condition = _object(binding["condition"], f"{at}.condition")
            _text(condition.get("expression"), f"{at}.condition.expression")
    return checked


_DATA_STRINGS = ("name", "email", "projectId", "uniqueId", "displayName", "description")
_DATA_DATES = ("validAfterTime", "validBeforeTime")


def check_data(value: Any, where: str) -> Mapping[str, Any]:
    data = _object(value, where)
    for key in _DATA_STRINGS:
        if data.get(key) is not None:
            _text(data[key], f"{where}.{key}")
    for key in _DATA_DATES:
        if data.get(key) is not None:
            try:
                parse_time(data[key])
            except (TypeError, ValueError):
                raise ShapeError(
                    f"{where}.{key}: expected an RFC 3339 time such as 2026-01-02T03:04:05Z, "
                    f"got {_shown(data[key])}"
                ) from None
    if data.get("disabled") is not None and not isinstance(data["disabled"], bool):
        shown = _shown(data["disabled"])
        raise ShapeError(f"{where}.disabled: expected true or false, got {shown}")
    return data


def to_asset(line: Any, where: str) -> Asset:
    """The asset of an export line (either key spelling); ShapeError when it is not one."""
    value = camel_keys(_object(line, "the line"))
    for key in ("name", "assetType"):
        if key not in value:
            raise ShapeError(f"{key}: missing (every exported asset has name and assetType)")
    name = _text(value["name"], "name")
    asset_type = _text(value["assetType"], "assetType")
    ancestors = _strings(value["ancestors"], "ancestors") if "ancestors" in value else ()
    update_time = value.get("updateTime") or ""
    _text(update_time, "updateTime")
    data = parent = policy = None
    if value.get("resource") is not None:
        resource = camel_keys(_object(value["resource"], "resource"))
        if resource.get("data") is not None:
            data = check_data(resource["data"], "resource.data")
        if resource.get("parent") is not None:
            parent = _text(resource["parent"], "resource.parent")
    if value.get("iamPolicy") is not None:
        policy = check_policy(value["iamPolicy"], "iamPolicy")
    return Asset(
        name=name, asset_type=canonical_type(asset_type), update_time=update_time,
        ancestors=ancestors, data=data, parent=parent, iam_policy=policy, where=where,
    )  # fmt: skip


def search_result_asset(value: Any, where: str) -> Asset:
    """An ``IamPolicySearchResult`` as an asset with only its policy and hierarchy hints."""
    value = _object(value, "the result")
    for key in ("resource", "policy"):
        if key not in value:
            raise ShapeError(f"{key}: missing (every IamPolicySearchResult has it)")
    name = _text(value["resource"], "resource")
    asset_type = _text(value.get("assetType", ""), "assetType")
    hints: list[str] = []
    if value.get("project"):
        hints.append(_text(value["project"], "project"))
    hints.extend(_strings(value.get("folders", []), "folders"))
    if value.get("organization"):
        hints.append(_text(value["organization"], "organization"))
    return Asset(
        name=name, asset_type=canonical_type(asset_type), ancestors=tuple(hints),
        iam_policy=check_policy(value["policy"], "policy"), where=where,
    )  # fmt: skip


def lines(handle: Iterator[str]) -> Iterator[tuple[int, str]]:
    """(line number, text) for each line that is not blank."""
    for number, text in enumerate(handle, start=1):
        if text.strip():
            yield number, text

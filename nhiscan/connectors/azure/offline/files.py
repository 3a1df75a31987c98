"""Reading one export file: JSON in the shape its part says (``layout.Shape``), else a
``ConnectorError`` naming the file, and the line (not JSON) or JSON path (wrong shape)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nhiscan.connectors.azure.offline.layout import Part, Shape
from nhiscan.errors import ConnectorError

FIX = 'write it again with tools/azure-export.sh (README, "Azure offline")'


def load(path: Path, part: Part) -> Any:
    """The JSON of ``path``: an object, a list, or a Graph page's ``value`` list."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConnectorError(f"{path}: cannot read it: {exc}") from exc
    if not raw.strip():
        raise ConnectorError(
            f"{path}: empty file, expected the output of `{part.command}` (an empty answer is "
            f"not an empty tenant); {FIX}"
        )
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConnectorError(
            f"{path}:{exc.lineno}: not valid JSON (column {exc.colno}: {exc.msg}); {FIX}"
        ) from exc
    return shaped(value, path, part)


def shaped(value: Any, path: Path, part: Part) -> Any:
    if part.shape is Shape.OBJECT and not isinstance(value, Mapping):
        raise ConnectorError(
            f"{path}: $: expected an object (the output of `{part.command}`), got "
            f"{type(value).__name__}; {FIX}"
        )
    if part.shape is Shape.LIST and not isinstance(value, list):
        raise ConnectorError(
            f"{path}: $: expected a list (the output of `{part.command}`), got "
            f"{type(value).__name__}; {FIX}"
        )
    if part.shape is Shape.PAGE:
        return page(value, path, part)
    return value


def page(value: Any, path: Path, part: Part) -> Sequence[Any]:
    """The ``value`` of a Graph collection. A file that still holds ``@odata.nextLink`` was not
    fully paged: an error, not a gap, because the entries it lacks are unknown in number and
    the fix (page it: the export script does) is in the auditor's hands; read as it is, the
    missing assignments would go unnoticed (a directory role left out reads as "no role")."""
    if not isinstance(value, Mapping) or not isinstance(value.get("value"), list):
        raise ConnectorError(
            f"{path}: $.value: expected a Graph collection, an object with a value list (the "
            f"output of `{part.command}`); {FIX}"
        )
    if value.get("@odata.nextLink"):
        raise ConnectorError(
            f"{path}: $.@odata.nextLink: the file holds one page of several (Graph said where "
            f"the next page is): follow @odata.nextLink and keep every page's value in one "
            f"list; {FIX}"
        )
    found: list[Any] = value["value"]
    return found


def where(path: Path, json_path: str) -> str:
    return f"{path}: ${json_path}"

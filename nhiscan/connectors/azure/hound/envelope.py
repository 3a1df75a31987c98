"""Reading an AzureHound output file: the envelope BloodHound documents, entry by entry.

Published format (BloodHound JSON Formats, bloodhound.specterops.io/integrations/bloodhound-api/
json-formats and support.bloodhoundenterprise.io article 17303881735963): one JSON object with
``data``, a list of collected objects, and ``meta``, an object (``methods``, ``type``, ``count``,
``version``). AzureHound's entries are ``{"kind": "AZApp", "data": {...}}`` (issue #15; the kinds
BloodHound CE ingests are listed in its Apache-2.0 ``cmd/api/src/daemons/datapipe/
azure_convertors.go``). AzureHound's own code is GPL and was not read.

A file that is not JSON is an error naming its line; a wrong top-level shape, or an entry
without a string ``kind`` or an object ``data``, an error naming the JSON path
(``FILE: $.data[12].data``). The file is parsed once (``json.load``, one copy); entries are
handed on as they are, never copied.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nhiscan.errors import ConnectorError

FIX = (
    "write it again with `azurehound list ... -o FILE` "
    '(docs/dev/azure-records.md, "AzureHound input")'
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    index: int  # in $.data
    kind: str
    data: Mapping[str, Any]


def where(path: Path, index: int, suffix: str = "") -> str:
    """The JSON path of an entry's data (and below it), after the file's name."""
    return f"{path}: $.data[{index}].data{suffix}"


def load(path: Path) -> tuple[list[Any], Mapping[str, Any]]:
    """The ``data`` list and the ``meta`` object of the file."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            value = json.load(handle)
    except FileNotFoundError as exc:
        raise ConnectorError(f"{path}: no such file: --azure-hound takes AzureHound's output "
                             "file (JSON)") from exc  # fmt: skip
    except (OSError, UnicodeDecodeError) as exc:
        raise ConnectorError(f"{path}: cannot read it: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ConnectorError(
            f"{path}:{exc.lineno}: not valid JSON (column {exc.colno}: {exc.msg}); {FIX}"
        ) from exc
    if not isinstance(value, Mapping):
        raise ConnectorError(
            f"{path}: $: expected an object with `data` and `meta` (AzureHound's output), got "
            f"{type(value).__name__}; {FIX}"
        )
    data, meta = value.get("data"), value.get("meta")
    if not isinstance(data, list):
        raise ConnectorError(
            f"{path}: $.data: expected the list of collected objects, got "
            f"{type(data).__name__}; {FIX}"
        )
    if meta is not None and not isinstance(meta, Mapping):
        raise ConnectorError(f"{path}: $.meta: expected an object, got {type(meta).__name__}")
    return data, meta or {}


def entries(path: Path, data: list[Any]) -> Iterator[Entry]:
    """Each entry, checked: an object with a string ``kind`` and an object ``data``."""
    for index, raw in enumerate(data):
        at = f"{path}: $.data[{index}]"
        if not isinstance(raw, Mapping):
            raise ConnectorError(f"{at}: expected an object {{kind, data}}, got "
                                 f"{type(raw).__name__}; {FIX}")  # fmt: skip
        kind = raw.get("kind")
        if not isinstance(kind, str) or not kind:
            raise ConnectorError(f"{at}.kind: missing or not a string (got {kind!r:.40}); {FIX}")
        body = raw.get("data")
        if not isinstance(body, Mapping):
            raise ConnectorError(
                f"{at}.data: expected the {kind} object, got {type(body).__name__}; {FIX}"
            )
        yield Entry(index=index, kind=kind, data=body)

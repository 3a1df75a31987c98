"""The fixture AzureHound file (``tests/data/azure/azurehound/contoso.json``): the tenant of
``tests/data/azure/export/`` as AzureHound's published format carries it (some ids and names
upper-cased, as AzureHound writes them), and helpers to read a copy with entries changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nhiscan.connectors.azure.hound.reader import AzureHoundConnector
from nhiscan.connectors.base import CollectContext
from nhiscan.scanner.model import Record
from tests.connectors.azure.export import NOW

HOUND = Path(__file__).resolve().parents[3] / "data" / "azure" / "azurehound" / "contoso.json"


def read(path: Path = HOUND, progress: list[str] | None = None) -> list[Record]:
    lines = progress if progress is not None else []
    ctx = CollectContext(now=NOW, progress=lines.append)
    return list(AzureHoundConnector([path]).collect(ctx))


def changed(tmp_path: Path, change: Callable[[dict[str, Any]], Any]) -> Path:
    """A copy of the fixture with ``change`` applied to its parsed JSON."""
    document: dict[str, Any] = json.loads(HOUND.read_text())
    change(document)
    path = tmp_path / "hound.json"
    path.write_text(json.dumps(document, indent=1))
    return path


def index_of(document: dict[str, Any], kind: str, test: Callable[[Any], bool] = bool) -> int:
    """The index in ``$.data`` of the first entry of ``kind`` whose data passes ``test``."""
    return next(i for i, e in enumerate(document["data"]) if e["kind"] == kind and test(e["data"]))


def without(kind: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document["data"] = [e for e in document["data"] if e["kind"] != kind]

    return change

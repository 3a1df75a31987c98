"""The fixture export (``tests/data/azure/export/``: az CLI output shapes, invented values) and
helpers to read a copy of it with parts removed or changed."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nhiscan.connectors.azure.offline.reader import AzureExportConnector
from nhiscan.connectors.base import CollectContext
from nhiscan.scanner.model import Record

EXPORT = Path(__file__).resolve().parents[2] / "data" / "azure" / "export"
NOW = datetime(2026, 12, 1, tzinfo=UTC)

TENANT = "6f1c2e0a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
PROD = "0b1e7c2a-8d4f-4a6b-9c3e-5f7a9b1d3e5f"
DEV = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
PAY_APP, PAY_CLIENT = "a1000000-0000-4000-8000-000000000001", "c1000000-0000-4000-8000-000000000001"
PARTNER_APP, PARTNER_CLIENT = (
    "a2000000-0000-4000-8000-000000000002", "c2000000-0000-4000-8000-000000000002"
)  # fmt: skip
ORPHAN_APP, ORPHAN_CLIENT = (
    "a3000000-0000-4000-8000-000000000003", "c3000000-0000-4000-8000-000000000003"
)  # fmt: skip
SP_PAY = "b1000000-0000-4000-8000-000000000001"
SP_PARTNER = "b2000000-0000-4000-8000-000000000002"
SP_VENDOR = "b4000000-0000-4000-8000-000000000004"
SP_UAMI = "b5000000-0000-4000-8000-000000000005"
SP_VM = "b6000000-0000-4000-8000-000000000006"
SP_GRAPH = "b9000000-0000-4000-8000-000000000009"
ROOT_MG = f"/providers/microsoft.management/managementgroups/{TENANT}"
PLATFORM_MG = "/providers/microsoft.management/managementgroups/platform"


def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    return folder


def read(folder: Path = EXPORT, progress: list[str] | None = None) -> list[Record]:
    lines = progress if progress is not None else []
    ctx = CollectContext(now=NOW, progress=lines.append)
    return list(AzureExportConnector([folder]).collect(ctx))


def load(path: Path) -> Any:
    return json.loads(path.read_text())


def dump(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=2))


def by_id(records: list[Record], kind: type[Any]) -> dict[str, Any]:
    return {r.id: r for r in records if isinstance(r, kind)}  # type: ignore[attr-defined]

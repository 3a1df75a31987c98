"""``AzureExportConnector``: read an az CLI export folder offline (``--azure-export DIR``).

The folder is ``layout.PARTS`` (issue #15 item 2), each file the command's unmodified output,
written by ``tools/azure-export.sh``. A required file missing, a file that is not JSON or not
in its command's shape is a ``ConnectorError`` naming the file and line or JSON path (exit 2);
an optional part missing is a ``not-in-export`` gap naming it (``assemble.py``); a file the
reader does not know is named in a progress line, not an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from nhiscan.connectors.azure.offline.assemble import to_records
from nhiscan.connectors.azure.offline.files import FIX, load
from nhiscan.connectors.azure.offline.folder import Export
from nhiscan.connectors.azure.offline.layout import BY_PATH, PARTS, Part
from nhiscan.connectors.azure.shape import GUID, ShapeError
from nhiscan.connectors.base import CollectContext
from nhiscan.errors import ConnectorError
from nhiscan.scanner.model import Record


class AzureExportConnector:
    def __init__(self, folders: Sequence[Path | str]) -> None:
        self._folders = tuple(Path(f) for f in folders)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(f"azure-export:{f}" for f in self._folders)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        seen: set[tuple[str, str]] = set()  # two folders of one tenant share its records
        for folder in self._folders:
            ctx.progress(f"azure-export {folder}: reading")
            export = read_folder(folder, ctx.progress)
            try:
                records = list(to_records(export, ctx.now, ctx.progress))
            except ShapeError as exc:  # assemble names the file in the message
                raise ConnectorError(f"{exc}; {FIX}") from exc
            for record in records:
                key = (type(record).__name__, getattr(record, "id", None) or repr(record))
                if key not in seen:
                    seen.add(key)
                    yield record


def read_folder(folder: Path, progress: Any = None) -> Export:
    """Every part of the folder, loaded and shape-checked (``files.load``)."""
    if not folder.is_dir():
        raise ConnectorError(
            f"{folder}: not a folder: --azure-export takes the folder tools/azure-export.sh "
            'wrote (README, "Azure offline")'
        )
    export = Export(folder=folder)
    for part in PARTS:
        path = folder / part.path
        if part.folder:
            if path.is_dir():
                export.folders[part.path] = _per_object(path, part, export)
            elif part.required:
                _missing(path, part)
        elif path.is_file():
            export.files[part.path] = load(path, part)
        elif part.required:
            _missing(path, part)
    unknown = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir()
                     if (p.name + ("/" if p.is_dir() else "")) not in BY_PATH)  # fmt: skip
    export.unknown.extend(unknown)
    if progress is not None and export.unknown:
        progress(
            f"azure-export {folder}: not read (not part of an export): {', '.join(export.unknown)}"
        )
    return export


def _per_object(path: Path, part: Part, export: Export) -> dict[str, tuple[Path, Any]]:
    """The files of a per-object folder by the lower-cased id in their name."""
    found: dict[str, tuple[Path, Any]] = {}
    for file in sorted(path.iterdir()):
        stem = file.name.removesuffix(".json").lower()
        if not file.is_file() or not file.name.endswith(".json") or not GUID.fullmatch(stem):
            export.unknown.append(f"{part.path}{file.name}")
            continue
        found[stem] = (file, load(file, part))
    return found


def _missing(path: Path, part: Part) -> None:
    kind = "folder" if part.folder else "file"
    raise ConnectorError(
        f"{path}: missing: an Azure export holds this {kind} (`{part.command}`); {FIX}"
    )

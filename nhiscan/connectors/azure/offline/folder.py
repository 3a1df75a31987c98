"""What an export folder held, parsed: each file's JSON by its part's path (``layout.PARTS``),
each per-object folder's files by the lower-cased id in their names, and the names of the
files the reader does not know."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(slots=True)
class Export:
    folder: Path
    files: dict[str, Any] = field(default_factory=dict)  # part path -> JSON
    folders: dict[str, dict[str, tuple[Path, Any]]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)

    def at(self, part: str, index: int | None = None) -> str:
        suffix = "" if index is None else f"[{index}]"
        return f"{self.folder / part}: ${suffix}"

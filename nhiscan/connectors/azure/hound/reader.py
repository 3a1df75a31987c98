"""``AzureHoundConnector``: read an AzureHound JSON output file offline (``--azure-hound FILE``).

The file is read once (``envelope.py``), its entries laid out as an export folder
(``layout.py``) and mapped by the offline reader's own ``assemble.to_records``: the same records
an az CLI export of the tenant gives, apart from what AzureHound does not hold (``gaps.py``;
docs/dev/azure-records.md, "AzureHound input"). A malformed file is a ``ConnectorError`` naming
the file and the line or JSON path (exit 2); a kind nhiscan does not know is counted in a
``not-in-export`` gap naming it, and a known kind it does not map in a progress line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from nhiscan.connectors.azure.hound import compute
from nhiscan.connectors.azure.hound.envelope import FIX, entries, load
from nhiscan.connectors.azure.hound.gaps import hound_gaps, reworded
from nhiscan.connectors.azure.hound.layout import Layout, lay_out
from nhiscan.connectors.azure.offline.assemble import to_records
from nhiscan.connectors.azure.shape import ShapeError
from nhiscan.connectors.base import CollectContext
from nhiscan.errors import ConnectorError
from nhiscan.scanner.model import CollectionGap, GapReason, Provider, Record, Resource


class AzureHoundConnector:
    def __init__(self, files: Sequence[Path | str]) -> None:
        self._files = tuple(Path(f) for f in files)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(f"azure-hound:{f}" for f in self._files)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        seen: set[tuple[str, str]] = set()  # two files of one tenant share its records
        for path in self._files:
            ctx.progress(f"azure-hound {path}: reading")
            for record in read_file(path, ctx):
                key = (type(record).__name__, getattr(record, "id", None) or repr(record))
                if key not in seen:
                    seen.add(key)
                    yield record


def read_file(path: Path, ctx: CollectContext) -> list[Record]:
    """The records of one AzureHound file (a ``ConnectorError`` when it is malformed)."""

    def progress(message: str) -> None:
        ctx.progress(message.replace("azure-export ", "azure-hound ", 1))

    data, meta = load(path)
    total = len(data)
    try:
        layout = lay_out(path, entries(path, data))
        del data  # the entries live on in the layout only
        records = list(reworded(list(to_records(layout.export, ctx.now, progress)), path))
        records = _with_compute(records, list(compute.resources(path, layout.compute)))
    except ShapeError as exc:  # the message names the file and JSON path
        raise ConnectorError(f"{exc}; {FIX}") from exc
    records.extend(hound_gaps(layout, path))
    records.extend(_unknown(layout, path))
    _notes(layout, path, meta, total, progress)
    return records


def _with_compute(records: list[Record], found: list[Resource]) -> list[Record]:
    """The mapping's records, a compute resource replaced by AzureHound's (which knows all its
    identities), and the compute and groups the mapping did not make added."""
    fuller = {r.id: r for r in found}
    out = [fuller.pop(r.id, r) if isinstance(r, Resource) else r for r in records]
    return out + list(fuller.values())


def _unknown(layout: Layout, path: Path) -> Iterator[CollectionGap]:
    for kind, count in sorted(layout.unknown.items()):
        yield CollectionGap(
            provider=Provider.AZURE, scope=layout.tenant, operation="azurehound:unknown-kind",
            reason=GapReason.NOT_IN_EXPORT, subject=kind,
            detail=f"{path}: {count} entries of kind {kind!r}, which nhiscan does not know: "
            "not read (what they hold is not in the inventory)",
        )  # fmt: skip


def _notes(
    layout: Layout, path: Path, meta: Mapping[str, Any], total: int,
    progress: Callable[[str], None],
) -> None:  # fmt: skip
    for note in layout.notes:
        progress(f"azure-hound {note}")
    if layout.not_read:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(layout.not_read.items()))
        progress(f"azure-hound {path}: kinds nhiscan does not map (nothing it models): {kinds}")
    count = meta.get("count")
    if isinstance(count, int) and count != total:
        progress(
            f"azure-hound {path}: $.meta.count says {count} entries, $.data holds {total}: "
            "every entry of $.data was read"
        )

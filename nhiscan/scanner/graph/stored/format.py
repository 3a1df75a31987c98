"""The stored graph's file: its name and version, the fields it knows, its errors, and the
bytes (gzip of three JSON lines: header, graph, escalations) read and written."""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

from nhiscan.errors import SnapshotError
from nhiscan.scanner.graph.model import Hop

FORMAT_NAME = "nhiscan-reach-graph"
# Bump on any change to what is written: a new Hop or Escalation field included (the meta-test
# in tests/scanner/graph/test_stored.py fails until encode.py and decode.py know every field).
FORMAT_VERSION = 2  # 2: escalations to target sets (each set listed once)
HOP_FIELDS = ("source", "target", "edge", "method", "statements", "conditional", "actions",
              "conditional_actions")  # fmt: skip
ESCALATION_FIELDS = ("principal", "method", "family", "target", "potential", "conditional",
                     "missing", "steps", "scope", "within")  # fmt: skip
MEMBER_FIELDS = ("target", "resource", "missing", "conditional", "unless")
NODE_FIELDS = ("kind", "label", "account", "type")
NODE_SHAPES = (frozenset(NODE_FIELDS), frozenset(NODE_FIELDS[:3]))


class StaleGraph(SnapshotError):
    """A stored graph that is sound but not this snapshot's, or not this nhiscan's."""


class CorruptGraph(SnapshotError):
    """A stored graph that cannot be read (truncated, not gzip, not the expected shape)."""


class Table(dict[Any, int]):
    """Values listed once, in first-seen order, each named by its position: ``table[value]``
    (a plain dict lookup once the value is listed: the encoder's hot path)."""

    def __missing__(self, value: Any) -> int:
        position = self[value] = len(self)
        return position


def edge_key(hop: Hop) -> str:
    """The key ``build_graph`` gives a hop's edge (one edge per kind and method per pair)."""
    return hop.edge.value if hop.method is None else f"{hop.edge.value}:{hop.method}"


_PARTS = ("header", "graph", "escalations")


def dumps(document: dict[str, Any]) -> bytes:
    """The file's bytes: one compact JSON line per part, gzip level 1 (the tables have taken
    out most repetition: level 6 makes it 15% smaller at four times the time, in the scan)."""
    lines = (json.dumps(document[part], separators=(",", ":"), ensure_ascii=False)
             for part in _PARTS)  # fmt: skip
    return gzip.compress("\n".join(lines).encode("utf-8"), compresslevel=1, mtime=0)


def loads(data: bytes) -> dict[str, Any]:
    """The parts in ``data``: the header read, the graph and the escalations still JSON bytes
    (``decode_graph`` reads them). CorruptGraph when it is not gzip (or its checksum fails:
    damage anywhere in the file is found here) or not three lines with a header."""
    try:
        lines = gzip.decompress(data).split(b"\n")
        header = json.loads(lines[0])
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise CorruptGraph(f"not a gzip-compressed JSON document ({exc})") from None
    if not isinstance(header, dict):
        raise CorruptGraph("its first line is not a JSON object")
    ours = header.get("format") == FORMAT_NAME and header.get("version") == FORMAT_VERSION
    if ours and len(lines) != len(_PARTS):
        raise CorruptGraph(f"{len(lines)} lines, not {len(_PARTS)}")
    return dict(zip(_PARTS, [header, *lines[1:]], strict=False))


def check(document: dict[str, Any], *, snapshot_sha256: str, nhiscan: str) -> None:
    """StaleGraph (or CorruptGraph for another kind of file) unless ``document`` is a graph of
    this format, of the snapshot with ``snapshot_sha256``, built by nhiscan ``nhiscan``."""
    header = document["header"]
    if header.get("format") != FORMAT_NAME:
        raise CorruptGraph(f"not a stored reach graph (format {header.get('format')!r:.40})")
    if header.get("version") != FORMAT_VERSION:
        raise StaleGraph(
            f"graph format version {header.get('version')!r:.20}, this nhiscan reads "
            f"version {FORMAT_VERSION}"
        )
    if header.get("snapshot_sha256") != snapshot_sha256:
        raise StaleGraph("built from another snapshot (its SHA-256 differs)")
    if header.get("nhiscan") != nhiscan:
        raise StaleGraph(
            f"built by nhiscan {header.get('nhiscan')!r:.40}, this is nhiscan {nhiscan}"
        )

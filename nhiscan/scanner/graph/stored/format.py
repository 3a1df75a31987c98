"""The stored graph's file: its name and version, the fields it knows, its errors, and the
bytes (gzip of three JSON lines: header, graph, escalations) read and written."""

from __future__ import annotations

import gzip
import json
import sys
import zlib
from array import array
from typing import Any

from nhiscan.errors import SnapshotError
from nhiscan.scanner.graph.model import Hop

FORMAT_NAME = "nhiscan-reach-graph"
# Bump on any change to what is written: a new Hop or Escalation field included (the meta-test
# in tests/scanner/graph/test_stored.py fails until encode.py and decode.py know every field).
# 2: escalations to target sets (each set listed once); 3: edges as binary columns with an
# adjacency index (out-edges in walk order, in-edges in who-can's order), decoded per node.
FORMAT_VERSION = 3
HOP_FIELDS = ("source", "target", "edge", "method", "statements", "conditional", "actions",
              "conditional_actions")  # fmt: skip
ESCALATION_FIELDS = ("principal", "method", "family", "target", "potential", "conditional",
                     "missing", "steps", "scope", "within")  # fmt: skip
MEMBER_FIELDS = ("target", "resource", "missing", "conditional", "unless")
NODE_FIELDS = ("kind", "label", "account", "type")
NODE_SHAPES = (frozenset(NODE_FIELDS), frozenset(NODE_FIELDS[:3]))
# The binary columns, in the order they follow the three JSON lines; each is listed by name and
# length in the graph part's ``columns`` (the file describes itself). Edges are numbered in the
# order networkx lists them (grouped by source); nodes by their position in ``nodes``.
COLUMN_TYPE = "uint32-le"
COLUMNS = (
    "source",  # per edge: its source node
    "target",  # per edge: its target node
    "type",  # per edge: its row in ``types`` ([kind, method, conditional])
    "statements",  # per edge: its row in ``ref_lists``
    "actions",  # per edge: its row in ``action_lists``
    "conditional_actions",  # per edge: its row in ``action_lists``
    "out_start",  # per node (and one past the last): where its edges begin
    "walk",  # the traversed edges, each node's in ``hop_order`` (the order walks follow)
    "walk_start",  # per node (and one past the last): where its part of ``walk`` begins
    "into",  # every edge, by target; each node's by (conditional, kind, source, edge)
    "into_start",  # per node (and one past the last): where its part of ``into`` begins
)


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


def _line(part: Any) -> bytes:
    return json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode()


def dumps(document: dict[str, Any]) -> bytes:
    """The file's bytes: two gzip members (one gzip stream to any reader), the first the header
    and the graph as compact JSON lines and then the columns' bytes, the second the escalations'
    JSON line (a query never reads them: ``loads`` leaves them compressed). gzip level 1 (the
    tables have taken out most repetition: level 6 makes it 15% smaller at four times the time,
    in the scan)."""
    graph = b"\n".join([_line(document["header"]), _line(document["graph"]), document["columns"]])
    return gzip.compress(graph, compresslevel=1, mtime=0) + gzip.compress(
        _line(document["escalations"]), compresslevel=1, mtime=0
    )


class Pending:
    """A part still compressed (a gzip member of its own): decompressed when first read, and
    CorruptGraph then if it does not decompress (its checksum fails, it is cut short)."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self) -> bytes:
        try:
            return _member(self._data, alone=True)[0]
        except (EOFError, zlib.error) as exc:
            raise CorruptGraph(f"its escalations do not decompress ({exc})") from None


def _member(data: bytes, *, alone: bool) -> tuple[bytes, bytes]:
    """The first gzip member of ``data`` decompressed (its checksum checked), and what follows
    it (nothing, when ``alone``)."""
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    found = inflate.decompress(data)
    if not inflate.eof:
        raise EOFError("the data ends inside a compressed part")
    if alone and inflate.unused_data:
        raise EOFError(f"{len(inflate.unused_data)} bytes after the compressed part")
    return found, inflate.unused_data


def loads(data: bytes) -> dict[str, Any]:
    """The parts in ``data``: the header read, the graph still JSON bytes, the columns raw
    bytes (``decode_graph`` reads them) and the escalations still compressed (``Pending``).
    CorruptGraph when the first member is not gzip (or its checksum fails: damage anywhere in
    the graph is found here; in the escalations, when they are read) or not two lines and the
    columns after a header."""
    try:
        first, rest = _member(data, alone=False)
        lines = first.split(b"\n", 2)
        header = json.loads(lines[0])
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise CorruptGraph(f"not a gzip-compressed JSON document ({exc})") from None
    if not isinstance(header, dict):
        raise CorruptGraph("its first line is not a JSON object")
    ours = header.get("format") == FORMAT_NAME and header.get("version") == FORMAT_VERSION
    if ours and len(lines) != 3:
        raise CorruptGraph(f"{len(lines)} lines, not the header, the graph and its columns")
    graph, columns = [*lines, b"", b""][1:3]
    return {"header": header, "graph": graph, "columns": columns, "escalations": Pending(rest)}


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


def _array(values: Any = ()) -> array[int]:
    return array("I", values)  # an unsigned C int: 32 bits wherever CPython runs


def pack(columns: dict[str, list[int]]) -> tuple[list[list[Any]], bytes]:
    """The columns (every name of ``COLUMNS``) as their directory ([name, length] each, in
    order) and their bytes (``COLUMN_TYPE``, one after the other)."""
    directory, data = [], bytearray()
    for name in COLUMNS:
        values = _array(columns[name])
        if sys.byteorder != "little":  # pragma: no cover
            values.byteswap()
        directory.append([name, len(values)])
        data += values.tobytes()
    return directory, bytes(data)


def unpack(directory: Any, data: bytes) -> dict[str, array[int]]:
    """The columns ``pack`` wrote, by name. ValueError when the directory does not describe
    ``data`` (another length, a column missing or unknown)."""
    if [row[0] for row in directory] != list(COLUMNS):
        raise ValueError(f"columns {[row[0] for row in directory]!r:.200}, not {COLUMNS}")
    found, at = {}, 0
    for name, length in directory:
        values = _array()
        end = at + length * values.itemsize
        if type(length) is not int or length < 0 or end > len(data):
            raise ValueError(f"column {name}: {length!r:.20} values past the end of the data")
        values.frombytes(data[at:end])
        if sys.byteorder != "little":  # pragma: no cover
            values.byteswap()
        found[name], at = values, end
    if at != len(data):
        raise ValueError(f"{len(data) - at} bytes after the last column")
    return found

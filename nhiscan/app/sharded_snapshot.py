"""The snapshot copy of a sharded run, streamed from the shards (issue #21): the same text
``snapshot.to_json`` writes for the local run's snapshot, never the whole estate in memory.

One pass reads every collection shard in the local scan's record order; each item's text
(indented as it sits in the snapshot) goes to a spool file of its list, an exact duplicate
dropped as ``build_snapshot`` drops it (by a digest of the item: the client keeps 16 bytes a
record, not the record); then the lists are written out in the snapshot's field order.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from nhiscan.app.sharded_order import Segment, ordered_items
from nhiscan.cluster.shards import ShardStore
from nhiscan.scanner import snapshot
from nhiscan.scanner.codec import encode
from nhiscan.scanner.model import ToolInfo

PLACEHOLDER = "\x00list:{}\x00"


def write_snapshot_copy(
    path: Path,
    store: ShardStore,
    segments: Sequence[Segment],
    *,
    tool: ToolInfo,
    collected_at: datetime,
    sources: Sequence[str],
) -> None:
    """Write the snapshot of the shards to ``path`` (whole, or not at all)."""
    lists = [f for f in dataclasses.fields(snapshot.Snapshot) if f.type.startswith("tuple[")]
    lists = [f for f in lists if f.name != "sources"]
    with tempfile.TemporaryDirectory(prefix="nhiscan-snapshot-") as spool_dir, ExitStack() as stack:
        spools: dict[str, IO[str]] = {
            f.name: stack.enter_context(open(Path(spool_dir, f.name), "w+", encoding="utf-8"))
            for f in lists
        }
        counts = _spool(ordered_items(store, segments), spools)
        skeleton = encode(snapshot.Snapshot(tool=tool, collected_at=collected_at,
                                            sources=tuple(sources)))  # fmt: skip
        document: dict[str, Any] = {}
        for f in dataclasses.fields(snapshot.Snapshot):
            if f.name in spools and (counts[f.name] or f.metadata.get("omit") != "default"):
                document[f.name] = PLACEHOLDER.format(f.name)
            elif f.name in skeleton:
                document[f.name] = skeleton[f.name]
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as out:
            _write(out, snapshot.dumps(document), spools, counts)
        tmp.replace(path)


def _spool(items: Iterator[dict[str, Any]], spools: dict[str, IO[str]]) -> dict[str, int]:
    seen: set[bytes] = set()
    counts = dict.fromkeys(spools, 0)
    for item in items:
        name, record = str(item["l"]), item["r"]
        text = json.dumps(record, sort_keys=True, separators=(",", ":"))
        digest = hashlib.blake2b(f"{name}\x00{text}".encode(), digest_size=16).digest()
        if digest in seen:
            continue
        seen.add(digest)
        body = json.dumps(record, indent=1).replace("\n", "\n  ")
        spools[name].write(("  " if not counts[name] else ",\n  ") + body)
        counts[name] += 1
    return counts


def _write(out: IO[str], text: str, spools: dict[str, IO[str]], counts: dict[str, int]) -> None:
    """``text`` with each list's placeholder replaced by its spooled items."""
    for name, spool in spools.items():
        marker = json.dumps(PLACEHOLDER.format(name))
        head, found, text = text.partition(marker)
        if not found:
            text = head
            continue
        out.write(head)
        if not counts[name]:
            out.write("[]")
            continue
        out.write("[\n")
        spool.seek(0)
        while chunk := spool.read(1 << 20):
            out.write(chunk)
        out.write("\n ]")
    out.write(text)

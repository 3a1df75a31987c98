"""The end of a sharded scan (issue #21, step 5), streamed: the client never holds every
finding at once (an organisation of 300,000 principals has about as many findings).

Each group's findings shard is sorted as ``pipeline._findings`` sorts; ``merged_items`` merges
them in that order (``heapq.merge``), keeping one copy of a finding several groups made (an
org-wide record's: equal findings have equal sort keys, so they meet in one run of the merge).
Each finding is then judged as a local scan judges it: the first active suppression that
matches it (an unused one is unused in every group), then the baseline; a kept finding goes to
the report's spool file and counts for the exit code.

The report is its own JSON document (``FORMAT``): the findings, the gaps, the accounts, the
identities per account and where the shards are; it never reads as "0 identities".
"""

from __future__ import annotations

import heapq
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from nhiscan.cluster.shards import ShardRef, ShardStore
from nhiscan.scanner import baseline as baselines
from nhiscan.scanner import suppress as suppressions
from nhiscan.scanner.codec import decode
from nhiscan.scanner.model import Finding, Severity

FORMAT = "nhiscan-sharded-report/1"
PLACEHOLDER = "\x00findings\x00"


def _key(item: Mapping[str, Any]) -> tuple[int, str, str, str]:
    rank = Severity(item["severity"]).rank
    return (-rank, str(item["rule_id"]), str(item["subject"]), str(item["fingerprint"]))


def merged_items(store: ShardStore, refs: Sequence[ShardRef]) -> Iterator[dict[str, Any]]:
    """Every group's findings (encoded), merged in the local order, each once."""
    streams = [store.read(ref) for ref in refs]
    last: tuple[int, str, str, str] | None = None
    seen: set[str] = set()
    for item in heapq.merge(*streams, key=_key):
        key = _key(item)
        if key != last:
            last, seen = key, set()
        text = json.dumps(item, sort_keys=True)
        if text not in seen:
            seen.add(text)
            yield item


@dataclass(slots=True, kw_only=True)
class Verdict:
    """What the merge found: kept findings by severity, the suppressed and baselined ones,
    the suppressions that matched nothing, the baseline's stale entries."""

    kept: dict[Severity, int] = field(default_factory=lambda: dict.fromkeys(Severity, 0))
    suppressed: int = 0
    baselined: int = 0
    unused: tuple[suppressions.Suppression, ...] = ()
    expired: tuple[suppressions.Suppression, ...] = ()
    stale: int = 0

    @property
    def findings(self) -> int:
        return sum(self.kept.values())

    def at_least(self, severity: Severity) -> bool:
        return any(n for s, n in self.kept.items() if s.rank >= severity.rank)


def judge(
    items: Iterator[dict[str, Any]],
    out: IO[str],
    *,
    active: Sequence[suppressions.Suppression],
    accepted: baselines.Baseline | None,
) -> Verdict:
    """Write the kept findings to ``out`` (indented as in the report) and count them all."""
    verdict = Verdict()
    used: set[int] = set()
    fingerprints = accepted.fingerprints() if accepted is not None else frozenset()
    baselined: set[str] = set()
    for item in items:
        found = _suppression(item, active)
        if found is not None:
            used.add(found)
            verdict.suppressed += 1
            continue
        if item["fingerprint"] in fingerprints:
            baselined.add(str(item["fingerprint"]))
            verdict.baselined += 1
            continue
        body = json.dumps(item, indent=1).replace("\n", "\n  ")
        out.write(("  " if not verdict.findings else ",\n  ") + body)
        verdict.kept[Severity(item["severity"])] += 1
    verdict.unused = tuple(s for i, s in enumerate(active) if i not in used)
    if accepted is not None:
        verdict.stale = sum(1 for e in accepted.entries if e.fingerprint not in baselined)
    return verdict


def _suppression(item: dict[str, Any], active: Sequence[suppressions.Suppression]) -> int | None:
    """The index of the first active suppression that matches the finding (None: none)."""
    if not active:
        return None
    finding = decode(Finding, item)
    return next((i for i, s in enumerate(active) if s.matches(finding)), None)


def write_report(
    path: Path | None,
    document: dict[str, Any],
    items: Iterator[dict[str, Any]],
    *,
    suppress: Sequence[suppressions.Suppression],
    accepted: baselines.Baseline | None,
    now: datetime,
) -> Verdict:
    """Write ``document`` with its ``findings`` (the judged ``items``) to ``path`` (None:
    standard output), whole or not at all."""
    active = [s for s in suppress if not s.expired(now)]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        verdict = judge(items, spool, active=active, accepted=accepted)
        verdict.expired = tuple(s for s in suppress if s.expired(now))
        document = {**document, "findings": PLACEHOLDER, **_counts(verdict)}
        head, _, tail = (json.dumps(document, indent=1) + "\n").partition(json.dumps(PLACEHOLDER))
        if path is None:
            _emit(sys.stdout, head, spool, verdict, tail)
            sys.stdout.flush()
            return verdict
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as out:
            _emit(out, head, spool, verdict, tail)
        tmp.replace(path)
    return verdict


def _emit(out: IO[str], head: str, spool: IO[str], verdict: Verdict, tail: str) -> None:
    out.write(head)
    if not verdict.findings:
        out.write("[]")
    else:
        out.write("[\n")
        spool.seek(0)
        while chunk := spool.read(1 << 20):
            out.write(chunk)
        out.write("\n ]")
    out.write(tail)


def _counts(verdict: Verdict) -> dict[str, Any]:
    return {
        "counts": {s.value: n for s, n in verdict.kept.items()},
        "suppressed": verdict.suppressed,
        "baselined": verdict.baselined,
        "stale_baseline_entries": verdict.stale,
    }

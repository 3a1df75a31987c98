"""The engine's line cache (engine.Scanner._scan_cached) never changes a result: a scanner that
has seen other files, and earlier versions of the same file, reports exactly what a fresh one
reports, secrets, lines, detectors and silenced counts alike."""

from __future__ import annotations

import random
from pathlib import Path

from nhiscan.connectors.git.secrets.engine import BlobScan, DecodedLines, EngineOptions, Scanner
from tests.connectors.git.secrets.test_prefilter import (
    ENGINE_EDGE_CASES,
    MAIN_FAMILIES,
    write_corpus,
)


def _key(result: BlobScan) -> tuple[object, ...]:
    matches = sorted(
        (
            m.line,
            m.detector,
            m.detectors,
            m.secret,
            m.credential_id,
            m.hint,
            m.paired_secret,
            m.absorbed,
        )
        for m in result.matches
    )
    return (result.skipped, result.ignored, tuple(matches))


def _versions(data: bytes, rng: random.Random) -> list[bytes]:
    """Edits as history makes them: lines inserted, deleted, duplicated and moved, a pragma
    added above a line, a line silenced."""
    lines = data.split(b"\n")
    out = []
    for _ in range(4):
        edited = list(lines)
        for _ in range(3):
            at = rng.randrange(len(edited) + 1)
            choice = rng.random()
            if choice < 0.25 and edited:
                del edited[min(at, len(edited) - 1)]
            elif choice < 0.5 and edited:
                edited.insert(at, edited[rng.randrange(len(edited))])
            elif choice < 0.75:
                edited.insert(at, b"# pragma: allowlist nextline secret")
            elif edited:
                i = min(at, len(edited) - 1)
                edited[i] = edited[i] + b"  # nhiscan:ignore"
        out.append(b"\n".join(edited))
        lines = edited
    return out


def test_a_warm_scanner_reports_what_a_fresh_one_does(tmp_path: Path) -> None:
    files = write_corpus(
        tmp_path, {**MAIN_FAMILIES, **{k: f for k, (_, f) in ENGINE_EDGE_CASES.items()}}
    )
    rng = random.Random(7)
    items = [(path, v) for path, data in files.items() for v in [data, *_versions(data, rng)]]
    rng.shuffle(items)
    warm = Scanner()
    fresh_results = {}
    for path, data in items:
        fresh_results[(path, data)] = _key(Scanner().scan(data, path))
    for path, data in items:
        assert _key(warm.scan(data, path)) == fresh_results[(path, data)], path
    assert warm._cached_lines > 0  # the cache was really used


def test_the_cache_is_bounded() -> None:
    """Only marked lines are remembered (an unmarked line yields nothing, and the native
    pre-filter finds that faster than a lookup), within the bound."""
    scanner = Scanner(EngineOptions(line_cache_size=50))
    for n in range(20):
        marked = [b"password = 'line %d of file %d'" % (i, n) for i in range(30)]
        plain = [b"plain %d of file %d" % (i, n) for i in range(30)]
        scanner.scan(b"\n".join(marked + plain), f"f{n}.py")
    assert scanner._cached_lines <= 50 + 30
    # The newest lines survive an eviction: the last file's lines are still known.
    last = scanner._caches[(".py", True)]
    assert b"password = 'line 29 of file 19'" in last
    assert not any(line.startswith(b"plain") for line in last)


def test_lines_decoded_one_by_one_are_the_blob_decoded_whole() -> None:
    """``DecodedLines`` reads each line alone; the detectors must see the text a whole-blob
    decode gives, invalid UTF-8 around newlines included, by index, slice and iteration."""
    rng = random.Random(29)
    pieces = [b"\n", b"\xe2\x82", b"\xe2\x82\xac", b"\xff", b"\xc3", b"key = 'x'", b"\xf0\x9f\x98"]
    for _ in range(300):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randrange(0, 30)))
        whole = data.decode("utf-8", "replace").split("\n")
        lines = DecodedLines(data, data.split(b"\n"))
        assert len(lines) == len(whole)
        assert [lines[i] for i in range(len(lines))] == whole
        assert lines[-1] == whole[-1]
        assert lines[1:4] == whole[1:4]
        assert list(lines) == whole

"""Benchmark: one huge single-line file (minified code, a data dump), scanned as a user does.

Generates (cached under --work) a directory with one file of --size-mb MB on a single line:
minified-code-like text (short words, punctuation and, unless --plain, secret-sounding names
such as ``apiKey`` and ``token`` that make detect-secrets' plugins read every window), with AWS
access key ids and Slack tokens planted at the start, the end, across window boundaries
(offsets from nhiscan/connectors/git/secrets/windows.py) and spread in between. Then runs

  nhiscan scan --repo DIR --max-file-size N -o OUT --format json --fail-on never

(worktree mode, as in issue #12) and prints the MB scanned, seconds, MB/s, the main process's
peak memory, and whether every planted secret was found exactly once, on line 1.

Run: python bench/bench_long_line.py [--size-mb 100] [--plain] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import string
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import secrets_corpus as corpus

from nhiscan.connectors.git.secrets.redact import secret_hash
from nhiscan.connectors.git.secrets.windows import EDGE, STRIDE, WINDOW

_WORDS = ("function", "return", "this", "var", "null", "0x1f", "e", "t", "n")
_NAMES = ("apiKey", "token")


def _key(rng: random.Random) -> str:
    return "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))


def _slack(rng: random.Random) -> str:
    digits = "".join(rng.choice(string.digits) for _ in range(23))
    tail = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))
    return f"xoxb-{digits[:10]}-{digits[10:]}-{tail}"


def _filler(size: int, rng: random.Random, names: bool) -> bytearray:
    words = [w.encode() for w in (_WORDS + _NAMES if names else _WORDS)]
    pieces = [w + p.encode() for w in words for p in "(){};,.=+:[]"]
    block = b"".join(rng.choice(pieces) for _ in range(200_000))
    out = bytearray()
    while len(out) < size:
        out += block
    del out[size:]
    return out


def build(work: Path, size: int, names: bool, seed: int = 1) -> list[str]:
    """The file under work/tree (one line of ``size`` bytes); the planted secrets."""
    rng = random.Random(seed)
    data = _filler(size, rng, names)
    offsets = [0, STRIDE - 10, WINDOW - EDGE - 10, 7 * STRIDE + WINDOW - 10, size]
    offsets += [size * i // 11 for i in range(1, 11)]
    planted = [(_slack(rng) if i % 3 == 0 else _key(rng)) for i in range(len(offsets))]
    for offset, secret in zip(offsets, planted, strict=True):
        token = f" {secret} ".encode()
        at = min(offset, size - len(token))
        data[at : at + len(token)] = token
    tree = work / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    (tree / "bundle.min.js").write_bytes(bytes(data))
    return planted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/nhiscan-bench/long-line"))
    parser.add_argument("--size-mb", type=float, default=100.0)
    parser.add_argument("--plain", action="store_true", help="no secret-sounding names")
    options = parser.parse_args()
    work: Path = options.work
    size = int(options.size_mb * 1e6)
    planted = build(work, size, names=not options.plain)
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    args = ["scan", "--repo", str(work / "tree"), "--max-file-size", str(size + 1)]
    args += ["-o", str(out), "--format", "json", "--fail-on", "never"]
    figures = corpus.run_measured(args, work / "nhiscan.log")
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    found = [(e["secret_hash"], e["line"]) for e in report["exposures"]]
    missing = [s for s in planted if found.count((secret_hash(s), 1)) != 1]
    seconds = figures["seconds"]
    kind = "plain" if options.plain else "with secret-sounding names"
    speed, peak = size / 1e6 / seconds, figures["peak_mb"]
    print(f"one line of {size / 1e6:.0f} MB ({kind}): {seconds:.1f} s, {speed:.2f} MB/s")
    print(f"peak memory {peak:.0f} MB (main process)")
    print(f"planted secrets found once on line 1: {len(planted) - len(missing)}/{len(planted)}")
    if missing:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

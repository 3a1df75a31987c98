"""Benchmark: the floor under a secrets scan of a working tree, what no scan can go below on
this machine while it uses detect-secrets as its generic tier (issue #17 keeps it: "the
equivalence test: on a corpus, nothing detect-secrets reports is lost").

Measured, CPU seconds, best of --runs (CPU, not wall: the machine is shared):
  (1) the interpreter: ``python -c pass``;
  (2) importing detect-secrets (its plugins and filters; it imports ``requests``);
  (3) the secrets engine ready: nhiscan's detector table and detect-secrets' plugins
      configured, the pre-filter database loaded (``Scanner()``);
  (4) reading the tree's files;
  (5) one pre-filter pass (Hyperscan) over the text files, marks to lines: before any
      detector or detect-secrets plugin runs on a marked line.
(1) to (3) are serial, (4) and (5) split over the cores at best. Their sum is a lower bound
for the whole command (which also lists the files, runs the detectors and detect-secrets'
plugins on the marked lines, judges, and writes the report); the bench prints it beside the
wall time a given speed-up over detect-secrets needs.

Run: python bench/bench_secrets_floor.py [TREE] [--detect-secrets-seconds S] [--target 150]
(TREE defaults to bench_secrets_real_tree.py's tree; S to that bench's last detect-secrets
time on this machine, 28.0 s.)
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
from pathlib import Path

TREE = Path("/tmp/nhiscan-bench/real-tree/tree")
_PASS = r"""
import os, sys, time
from pathlib import Path
from nhiscan.connectors.git.secrets.engine import BINARY_SNIFF, Scanner
scanner = Scanner()
started = time.process_time()
texts = []
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        data = (Path(folder) / name).read_bytes()
        if b"\0" not in data[:BINARY_SNIFF] and len(data) <= 5 << 20:
            texts.append(data)
read = time.process_time()
for data in texts:
    scanner._hits(data)
done = time.process_time()
print(read - started, done - read, len(texts), sum(map(len, texts)))
"""


def _child_cpu(command: list[str], runs: int) -> tuple[float, str]:
    best, out = float("inf"), ""
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        best = min(best, spent)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", nargs="?", type=Path, default=TREE)
    parser.add_argument("--detect-secrets-seconds", type=float, default=28.0)
    parser.add_argument("--target", type=float, default=150.0)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    if not options.tree.is_dir():
        raise SystemExit(f"no tree at {options.tree}: run bench/bench_secrets_real_tree.py first")
    python = sys.executable
    interpreter, _ = _child_cpu([python, "-c", "pass"], options.runs)
    ds, _ = _child_cpu([python, "-c", "import detect_secrets"], options.runs)
    ready, _ = _child_cpu(
        [python, "-c", "from nhiscan.connectors.git.secrets.engine import Scanner; Scanner()"],
        options.runs,
    )
    reads, passes = [], []
    for _ in range(options.runs):
        _, out = _child_cpu([python, "-c", _PASS, str(options.tree)], 1)
        read, marked, files, size = out.split()
        reads.append(float(read))
        passes.append(float(marked))
    cores = len(os.sched_getaffinity(0))
    serial = ready  # (1) to (3): the interpreter and detect-secrets' import are inside it
    parallel = min(reads) + min(passes)
    floor = serial + parallel / cores
    budget = options.detect_secrets_seconds / options.target
    print(f"tree: {options.tree} ({int(files)} text files, {int(size) / 1e6:.1f} MB of text)")
    print(f"(1) interpreter                         {interpreter:.3f} s CPU")
    print(f"(2) + import detect_secrets             {ds:.3f} s CPU")
    print(f"(3) + secrets engine ready (Scanner())  {ready:.3f} s CPU")
    print(f"(4) reading the files                   {min(reads):.3f} s CPU")
    print(f"(5) pre-filter pass, marks to lines     {min(passes):.3f} s CPU")
    print(
        f"floor on {cores} cores: {serial:.3f} + {parallel:.3f} / {cores} = {floor:.3f} s wall; "
        f"{options.target:.0f}x detect-secrets' {options.detect_secrets_seconds:.1f} s is "
        f"{budget:.3f} s: the floor is {floor / budget:.2f} times the budget"
    )


if __name__ == "__main__":
    main()

"""Benchmark: the pre-commit gate. A repository of 2,000 committed source files (generated,
bench/secrets_corpus.py) with 3 files changed and staged, one with a GitHub token; times
`nhiscan scan --repo REPO --staged --fail-on never -o OUT --format json` end to end (the wall
clock of the subprocess, interpreter start included), best of 5, and checks the token is found.

Run: python bench/bench_secrets_staged.py [--work DIR] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import secrets_corpus as corpus


def nhiscan_command() -> list[str]:
    """The installed console script beside this interpreter, as a user's hook runs it."""
    script = Path(sys.executable).with_name("nhiscan")
    found = str(script) if script.exists() else shutil.which("nhiscan")
    return [found] if found else [sys.executable, "-m", "nhiscan"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/nhiscan-bench/staged"))
    parser.add_argument("--files", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    work: Path = options.work
    repo, marker = work / "repo", work / f"repo-{options.files}.done"
    if not marker.exists():
        shutil.rmtree(repo, ignore_errors=True)
        work.mkdir(parents=True, exist_ok=True)
        size = corpus.write_staged_repo(repo, files=options.files)
        marker.write_text(str(size))
    committed = int(marker.read_text())
    out = work / "nhiscan-out"
    command = [*nhiscan_command(), "scan", "--repo", str(repo), "--staged", "--fail-on", "never"]
    command += ["--no-agents", "--no-store", "-o", str(out), "--format", "json"]  # as the hook
    times = []
    for _ in range(options.runs):
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    report = json.loads((out / "report.json").read_text())
    scanned = report["repositories"][0]
    tokens = [e for e in report["exposures"] if e["detector"] == "GitHub Token"]
    print(f"repository: {options.files} files ({committed / 1e6:.1f} MB) committed, 3 staged")
    print(f"nhiscan scan --staged: best {min(times):.2f} s, median {statistics.median(times):.2f} s"
          f" of {options.runs} (wall clock, interpreter start included)")  # fmt: skip
    print(f"  scanned {scanned.get('blobs')} blobs ({scanned.get('bytes')} bytes), mode "
          f"{scanned.get('mode')}; staged GitHub token found: {bool(tokens)}")  # fmt: skip


if __name__ == "__main__":
    main()

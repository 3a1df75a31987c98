"""Benchmark: what a clean public project's history raises, by severity (issue #17).

Clones each git bundle given (default: ../shared/corpora/{flask,requests}.bundle beside the
repository) into a temporary folder and runs ``nhiscan scan --repo CLONE --history``; each
directory given with --tree (an unpacked source distribution, such as sqlalchemy's sdist) is
scanned as a working tree. For each it prints the counts of secret findings by severity and
every finding at high or critical, with its detector, redacted value, first place and the
judgements applied (scanner/secrets_judge.py). On clean projects a high or critical finding is a
false alarm until shown to be a real credential. Nothing is printed in clear: findings carry
redacted values only.

Run: python bench/bench_secrets_severity.py [--bundle FILE ...] [--tree DIR ...] [--no-bundles]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
SERIOUS = ("critical", "high")
SECRET_RULES = ("NHI200", "NHI201", "NHI202")


def scan(target: Path, history: bool, work: Path) -> tuple[list[dict[str, Any]], float]:
    out = work / f"{target.name}.json"
    command = [sys.executable, "-m", "nhiscan", "scan", "--repo", str(target), "-o", str(out)]
    command += ["--format", "json", "--fail-on", "never", "--no-agents"]
    command += ["--store", f"sqlite:///{work / 'store.db'}"]
    if history:
        command.append("--history")
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    findings = json.loads(out.read_text())["findings"]
    return [f for f in findings if f["rule_id"] in SECRET_RULES], seconds


def report(name: str, findings: list[dict[str, Any]], seconds: float) -> int:
    counts = Counter(f["severity"] for f in findings)
    order = ("critical", "high", "medium", "low", "info")
    shown = ", ".join(f"{s} {counts.get(s, 0)}" for s in order)
    print(f"{name}: {len(findings)} secret findings ({shown}) in {seconds:.1f} s")
    serious = [f for f in findings if f["severity"] in SERIOUS]
    for f in serious:
        e = f["evidence"]
        first = e["exposures"][0] if e.get("exposures") else {}
        place = f"{first.get('path')}:{first.get('line')}"
        judged = ", ".join(e.get("judged", [])) or "-"
        print(f"  {f['severity']:8} {e['detector']}  {e['redacted']}  {place}  judged: {judged}")
    return len(serious)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = sorted(CORPORA.glob("*.bundle"))
    parser.add_argument("--bundle", type=Path, action="append", help="a git bundle (repeat)")
    parser.add_argument("--tree", type=Path, action="append", default=[], help="a directory")
    parser.add_argument("--no-bundles", action="store_true", help="only the --tree directories")
    args = parser.parse_args()
    bundles = [] if args.no_bundles else args.bundle if args.bundle is not None else default
    serious = 0
    with tempfile.TemporaryDirectory(prefix="nhiscan-severity-") as tmp:
        work = Path(tmp)
        for bundle in bundles:
            clone = work / bundle.stem
            subprocess.run(["git", "clone", "-q", str(bundle), str(clone)], check=True)
            serious += report(f"{bundle.stem} history", *scan(clone, True, work))
        for tree in args.tree:
            serious += report(f"{tree.name} tree", *scan(tree.resolve(), False, work))
    print(f"high or critical in all: {serious}")


if __name__ == "__main__":
    main()

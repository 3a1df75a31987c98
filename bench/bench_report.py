"""Benchmark: the size of report.json, report.html and report.md and the time to render each,
in ``summary`` and ``full`` detail, on a snapshot of a large estate (issue #18: the HTML report
under 5 MB on the 10,000-role estate).

The snapshot is analysed once (the analysis is not what is measured here; ``bench_dense.py`` and
``bench_analyze.py`` time it); then each reporter renders the same report. Without a snapshot,
the dense estate of ``gaad_dense.py`` is generated at the size given and collected first.

Run: python bench/bench_report.py [SNAPSHOT.json] [--roles N --users N --groups N
     --policies N --managed N] [--full]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _snapshot(args: argparse.Namespace, folder: Path) -> Path:
    if args.snapshot is not None:
        return Path(args.snapshot)
    gaad, snap = folder / "gaad.json", folder / "snapshot.json"
    sizes = [f"--{name}={getattr(args, name)}" for name in ("roles", "users", "groups",
             "policies", "managed")]  # fmt: skip
    subprocess.run([sys.executable, str(HERE / "gaad_dense.py"), str(gaad), *sizes], check=True)
    subprocess.run([sys.executable, "-m", "nhiscan", "collect", "--aws-gaad", str(gaad), "-o",
                    str(snap)], check=True)  # fmt: skip
    return snap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("snapshot", nargs="?")
    parser.add_argument("--roles", type=int, default=2000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=40)
    parser.add_argument("--policies", type=int, default=400)
    parser.add_argument("--managed", type=int, default=150)
    parser.add_argument("--full", action="store_true", help="also render in full detail")
    args = parser.parse_args()

    from nhiscan.app import snapshots
    from nhiscan.app.config import Settings
    from nhiscan.app.pipeline import analyze
    from nhiscan.reports.base import Format, reporter
    from nhiscan.reports.model import Detail

    with tempfile.TemporaryDirectory(prefix="nhiscan-bench-report-") as tmp:
        snap = snapshots.load(_snapshot(args, Path(tmp)))
        start = time.perf_counter()
        report = analyze(snap, settings=Settings(), now=datetime.now(UTC))
        print(f"analysis: {time.perf_counter() - start:.1f} s; {len(report.estate.identities)} "
              f"identities, {len(report.findings)} findings")  # fmt: skip
        details = (Detail.SUMMARY, Detail.FULL) if args.full else (Detail.SUMMARY,)
        for detail in details:
            shaped = replace(report, detail=detail)
            for fmt in (Format.JSON, Format.HTML, Format.MD):
                start = time.perf_counter()
                data = reporter(fmt).render(shaped)
                seconds = time.perf_counter() - start
                print(f"{detail.value:7} {fmt.filename:12} {len(data) / 1e6:8.2f} MB "
                      f"{seconds:6.1f} s", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()

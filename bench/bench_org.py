"""Benchmark the sharded analysis of an organisation (issue #21): 1,000 accounts of about 300
principals each (``org_estate.py``: 300,000 in all, cross-account trusts in business units),
``nhiscan scan --aws-gaad ... --executor`` on a Dask ``LocalCluster`` of 1 and of 2 worker
processes that this script starts, so that it can read each worker's peak memory.

Prints, per worker count: the wall time of the scan, the client's peak RSS (the ``nhiscan``
process, ``measure.py``), each worker's peak RSS (``resource.getrusage`` on the workers, by
``Client.run``), the findings; then the ratio of the times (target: 2 workers <= 0.6x of 1),
and whether both runs found the same. Targets: client < 1 GB, each worker < 2 GB.

``--compare-local`` also scans with ``--executor local`` and compares every finding (for
small estates: the local scan holds the whole estate in one process).

Usage: python bench/bench_org.py [--accounts 1000] [--workers 1,2] [--keep DIR]
       [--compare-local]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import org_estate

HERE = Path(__file__).resolve().parent


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_once(paths: list[Path], workers: int, scratch: Path) -> dict[str, Any]:
    """One scan on a fresh LocalCluster of ``workers`` processes (no memory limit: measured)."""
    import distributed

    cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       memory_limit=0, dashboard_address=":0")  # fmt: skip
    client = distributed.Client(cluster, set_as_default=False)
    out = scratch / f"report-{workers}"
    try:
        args = [arg for path in paths for arg in ("--aws-gaad", str(path))]
        command = [sys.executable, str(HERE / "measure.py"), "nhiscan", "scan", *args,
                   "--no-agents", "--no-store", "--as-of", "2026-12-01", "-o", f"{out}/",
                   "--executor", cluster.scheduler_address, "--analysis", "sharded",
                   "--shards", str(scratch / f"shards-{workers}")]  # fmt: skip
        env = {**os.environ, "NHISCAN_STORE": f"sqlite:///{scratch}/history.db"}
        began = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        seconds = time.perf_counter() - began
        if done.returncode != 0 or not done.stdout.strip():
            raise SystemExit(f"the scan failed ({done.returncode}):\n{done.stderr[-3000:]}")
        client_figures = json.loads(done.stdout.strip().splitlines()[-1])
        peaks = client.run(_peak_mb)
    finally:
        client.close()
        cluster.close()
    stages = [line.strip() for line in done.stderr.splitlines() if " shards done " in line]
    return {
        "workers": workers,
        "seconds": round(seconds, 1),
        "client_peak_mb": client_figures["peak_mb"],
        "worker_peak_mb": sorted(round(v, 1) for v in peaks.values()),
        **report_figures(out / "report.json"),
        "exit": client_figures["exit"],
        "stages": stages,
    }


def report_figures(path: Path) -> dict[str, Any]:
    """A report's counts and a digest of its findings, read in a child process: a report of
    300,000 findings read here would make this process large, and Linux's peak RSS
    (``ru_maxrss``) of every process it starts afterwards (the client, the workers) starts
    at this process's size (it is kept across fork and exec)."""
    done = subprocess.run([sys.executable, __file__, "--figures", str(path)],
                          capture_output=True, text=True, check=True)  # fmt: skip
    figures: dict[str, Any] = json.loads(done.stdout)
    return figures


def _figures(path: Path) -> None:
    import hashlib

    report = json.loads(path.read_text(encoding="utf-8"))
    text = json.dumps(report["findings"], sort_keys=True).encode()
    print(json.dumps({
        "findings": len(report["findings"]),
        "groups": report["inventory"]["analysis_groups"],
        "identities": report["inventory"]["records"]["identities"],
        "digest": hashlib.sha256(text).hexdigest()[:16],
    }))  # fmt: skip


def run_local(paths: list[Path], scratch: Path) -> dict[str, Any]:
    """The same scan with ``--executor local`` (its findings, to compare; small estates)."""
    out = scratch / "report-local"
    args = [arg for path in paths for arg in ("--aws-gaad", str(path))]
    command = [sys.executable, str(HERE / "measure.py"), "nhiscan", "scan", *args,
               "--no-agents", "--no-store", "--as-of", "2026-12-01", "-o", f"{out}/",
               "--format", "json"]  # fmt: skip
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {"workers": "local", "seconds": round(seconds, 1), "client_peak_mb": figures["peak_mb"],
            "findings": len(report["findings"]), "all": report["findings"]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--unit", type=int, default=10)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--keep", type=Path, help="the exports' folder (kept between runs)")
    parser.add_argument(
        "--compare-local",
        action="store_true",
        help="also scan with --executor local and compare every finding",
    )
    parser.add_argument("--figures", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.figures is not None:
        _figures(args.figures)
        return
    exports = args.keep or Path(tempfile.gettempdir()) / f"nhiscan-org-{args.accounts}"
    began = time.perf_counter()
    paths = org_estate.write_estate(exports, args.accounts, unit=args.unit)
    size = sum(p.stat().st_size for p in paths) / 1e6
    print(f"estate: {len(paths)} accounts in {exports} ({size:.0f} MB), "
          f"{time.perf_counter() - began:.0f} s to generate", flush=True)  # fmt: skip
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}", flush=True)  # fmt: skip
    runs = []
    with tempfile.TemporaryDirectory(prefix="nhiscan-bench-org-") as scratch:
        for workers in (int(w) for w in args.workers.split(",")):
            run = run_once(paths, workers, Path(scratch))
            runs.append(run)
            print(json.dumps(run, indent=1), flush=True)
        if args.compare_local:
            local = run_local(paths, Path(scratch))
            print(json.dumps({k: v for k, v in local.items() if k != "all"}), flush=True)
            last = Path(scratch) / f"report-{runs[-1]['workers']}" / "report.json"
            sharded = json.loads(last.read_text(encoding="utf-8"))["findings"]
            print(f"every finding the same as --executor local: {sharded == local['all']}")
    if len(runs) >= 2:
        ratio = runs[-1]["seconds"] / runs[0]["seconds"]
        same = all(run["digest"] == runs[0]["digest"] for run in runs)
        print(f"time {runs[-1]['workers']} workers / {runs[0]['workers']}: {ratio:.2f}x "
              f"(target <= 0.6); same findings: {same}")  # fmt: skip


if __name__ == "__main__":
    main()

"""Benchmark: secrets in a long git history.

Generates (cached under --work) a repository of at least 20,000 commits and 4 GB of distinct
blob content with git fast-import (bench/secrets_corpus.py, deterministic by seed): a few hundred
source files in 11 languages (25 to 320 KB) that each commit edits (1 to 3 files, a few hunks),
new files, renames and deletions now and then, feature branches (some merged back, some not),
and 12 planted secrets, most removed again some commits later. The pack is written without
deltas and with light compression (fast to write; a `git gc` would make it smaller).

Then times `nhiscan scan --repo REPO --history -o OUT --format json --fail-on never` and prints
seconds, peak memory (main process as bench/measure.py measures it; and summed over its scanning
processes), commits, distinct blobs, GB scanned, and the planted secrets found (all must be).

Run: python bench/bench_secrets_history.py [--work DIR]   (generation: ~4 min, ~2 GB of disk)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import secrets_corpus as corpus

FREE_NEEDED = 6 * 1024**3  # the pack is ~40% of the content, plus the checkout and the report


def generate(work: Path, plan: corpus.HistoryPlan) -> dict[str, Any]:
    """The repository under work/repo, reused when work/history.json says it has this plan."""
    repo, meta_path = work / "repo", work / "history.json"
    wanted = {**asdict(plan), "generator": corpus.GENERATOR_VERSION}
    wanted["sizes"] = list(plan.sizes)
    if meta_path.exists() and repo.exists():
        meta: dict[str, Any] = json.loads(meta_path.read_text())
        if meta["plan"] == wanted:
            meta["cached"] = True
            return meta
    shutil.rmtree(repo, ignore_errors=True)
    meta_path.unlink(missing_ok=True)
    free = shutil.disk_usage(work).free
    if free < FREE_NEEDED:
        raise SystemExit(f"{work}: {free / 2**30:.1f} GB free, the repository needs ~6 GB")
    started = time.perf_counter()

    def progress(stats: corpus.HistoryStats) -> None:
        elapsed = time.perf_counter() - started
        print(f"  {stats.commits} commits, {stats.blob_bytes / 1e9:.2f} GB, {elapsed:.0f} s",
              file=sys.stderr, flush=True)  # fmt: skip

    stats = corpus.write_history(repo, plan, progress)
    seconds = time.perf_counter() - started
    blobs, blob_bytes = corpus.git_blob_stats(repo)
    meta = {
        "plan": wanted,
        "seconds": round(seconds, 1),
        "commits": int(_git(repo, "rev-list", "--all", "--count")),
        "branches": len(_git(repo, "for-each-ref", "refs/heads").splitlines()),
        "merges": stats.merges,
        "renames": stats.renames,
        "blobs": blobs,
        "blob_bytes": blob_bytes,
        "pack_bytes": sum(p.stat().st_size for p in (repo / ".git").rglob("*") if p.is_file()),
        "planted": corpus.planted_json(stats.planted),
    }
    meta_path.write_text(json.dumps(meta, indent=1))
    return {**meta, "cached": False}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/nhiscan-bench/history"))
    parser.add_argument("--commits", type=int, default=20_000, help="at least this many")
    parser.add_argument("--gb", type=float, default=4.0, help="distinct blob content, at least")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    work: Path = options.work
    work.mkdir(parents=True, exist_ok=True)
    plan = corpus.HistoryPlan(
        seed=options.seed, commits=options.commits, min_bytes=int(options.gb * 2**30)
    )
    meta = generate(work, plan)
    load = os.getloadavg()[0]
    out = work / "nhiscan-out"
    shutil.rmtree(out, ignore_errors=True)
    args = ["scan", "--repo", str(work / "repo"), "--history", "-o", str(out)]
    figures = corpus.run_measured(
        [*args, "--format", "json", "--fail-on", "never"], work / "nhiscan.log"
    )
    report = json.loads((out / "report.json").read_text())
    show(meta, figures, report)
    print(f"load average (1 min) before the timed runs: {load:.2f} (on 2 cores, above ~0.5")
    print("  something else was running, and the times are not clean)")


def show(meta: dict[str, Any], figures: dict[str, Any], report: dict[str, Any]) -> None:
    repo = report["repositories"][0]
    found = corpus.planted_found(report, meta["planted"])
    cached = " (cached; time of the run that generated it)" if meta["cached"] else ""
    print(f"generation: {meta['seconds']:.0f} s{cached}")
    print(f"repository: {meta['commits']} commits on {meta['branches']} branches "
          f"({meta['merges']} merges, {meta['renames']} renames), {meta['blobs']} distinct blobs, "
          f"{meta['blob_bytes'] / 2**30:.2f} GiB of blob content, "
          f"{meta['pack_bytes'] / 2**30:.2f} GiB on disk")  # fmt: skip
    gb = (repo.get("bytes") or 0) / 2**30
    rate = gb * 1024 / figures["seconds"]
    print(f"nhiscan --history: {figures['seconds']:.1f} s, exit {figures['exit']}")
    print(f"  scanned {repo.get('commits')} commits, {repo.get('blobs')} blobs, {gb:.2f} GiB "
          f"({rate:.1f} MiB/s), {repo.get('skipped')} skipped")  # fmt: skip
    tree, anon = figures["peak_tree_mb"], figures["peak_tree_anon_mb"]
    print(f"  peak RSS {figures['peak_mb']:.0f} MB main process; with its child processes "
          f"(scanning workers, git cat-file) {tree:.0f} MB, of which {anon:.0f} MB anonymous "
          "(the rest: git's mapped pack files)")  # fmt: skip
    print(f"  {len(report['exposures'])} exposures; planted secrets found: "
          f"{found.count(corpus.FOUND)}/{len(found)}")  # fmt: skip
    for item, state in zip(meta["planted"], found, strict=True):
        if state != corpus.FOUND:
            print(f"  {state}: planted {item['kind']} in {item['path']}")


if __name__ == "__main__":
    main()

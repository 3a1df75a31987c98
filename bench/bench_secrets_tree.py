"""Benchmark: secrets in a working tree, nhiscan against detect-secrets on the same files.

The tree (cached under --work): a copy of the installed botocore package (sources, JSON data,
gzipped models) and 25 MB of generated source in 11 languages and formats with a planted secret
every ~200 KB (bench/secrets_corpus.py, deterministic by seed). Then, in one run:

  (a) detect-secrets scan --all-files --no-verify .   (its CLI, every plugin, default filters;
      --no-verify: by default it sends candidate secrets to third-party APIs to verify them,
      and drops those they reject; without network each attempt waits for a timeout)
  (b) nhiscan scan --repo TREE -o OUT --format json --fail-on never

and prints MB scanned, seconds and MB/s of both, the speed ratio, finding counts (detect-secrets:
distinct file, line, hashed secret; nhiscan: distinct file, line of the report's exposures),
whether nhiscan's lines include every line detect-secrets reports, the planted secrets found,
and nhiscan's peak memory (its main process, as bench/measure.py measures it, and the sum over
its scanning processes).

Run: python bench/bench_secrets_tree.py [--work DIR] [--skip-detect-secrets]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import secrets_corpus as corpus

BINARY_SNIFF = 8000  # as git and nhiscan decide a file is binary


def build(work: Path, size: int, seed: int) -> dict[str, Any]:
    """The tree under work/tree, reused when work/tree.json says it was built the same way."""
    import botocore

    tree, meta_path = work / "tree", work / "tree.json"
    wanted = {"size": size, "seed": seed, "botocore": botocore.__version__}
    wanted["generator"] = corpus.GENERATOR_VERSION
    if meta_path.exists() and tree.exists():
        meta: dict[str, Any] = json.loads(meta_path.read_text())
        if meta["params"] == wanted:
            return meta
    shutil.rmtree(tree, ignore_errors=True)
    meta_path.unlink(missing_ok=True)
    started = time.perf_counter()
    source = Path(botocore.__file__).parent
    shutil.copytree(source, tree / "botocore", ignore=shutil.ignore_patterns("__pycache__"))
    planted = corpus.build_tree(tree / "generated", size, seed)
    meta = {
        "params": wanted,
        "seconds": round(time.perf_counter() - started, 1),
        "planted": corpus.planted_json(planted),
        **_sizes(tree),
    }
    meta_path.write_text(json.dumps(meta, indent=1))
    return meta


def _sizes(tree: Path) -> dict[str, int]:
    files = total = text = 0
    for path in tree.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        files += 1
        total += len(data)
        text += 0 if b"\0" in data[:BINARY_SNIFF] else len(data)
    return {"files": files, "bytes": total, "text_bytes": text}


def detect_secrets(work: Path, meta: dict[str, Any], reuse: bool) -> dict[str, Any]:
    """detect-secrets' results and wall time, cached in work/detect-secrets.json."""
    cache = work / "detect-secrets.json"
    key = {**meta["params"], "detect_secrets": version("detect-secrets")}
    if reuse:
        if not cache.exists():
            raise SystemExit(
                f"--skip-detect-secrets: no cached result in {cache}; run once without"
            )
        cached: dict[str, Any] = json.loads(cache.read_text())
        if cached["key"] != key:
            raise SystemExit(
                f"--skip-detect-secrets: {cache} is for another tree ({cached['key']})"
            )
        return cached
    command = [sys.executable, "-m", "detect_secrets", "scan", "--all-files", "--no-verify", "."]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=work / "tree", check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    result = {
        "key": key,
        "seconds": round(seconds, 2),
        "results": json.loads(done.stdout)["results"],
    }
    cache.write_text(json.dumps(result))
    return result


def nhiscan(work: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    out = work / "nhiscan-out"
    shutil.rmtree(out, ignore_errors=True)
    args = ["scan", "--repo", str(work / "tree"), "-o", str(out), "--format", "json"]
    figures = corpus.run_measured([*args, "--fail-on", "never"], work / "nhiscan.log")
    return figures, json.loads((out / "report.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/nhiscan-bench/tree"))
    parser.add_argument("--size-mb", type=float, default=25.0, help="generated source, MB")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--skip-detect-secrets",
        action="store_true",
        help="reuse the detect-secrets result (and its time) cached in the work directory",
    )
    options = parser.parse_args()
    work: Path = options.work
    work.mkdir(parents=True, exist_ok=True)
    meta = build(work, int(options.size_mb * 1e6), options.seed)
    load = os.getloadavg()[0]
    reference = detect_secrets(work, meta, options.skip_detect_secrets)
    figures, report = nhiscan(work)
    show(meta, reference, figures, report)
    print(f"load average (1 min) before the timed runs: {load:.2f} (on 2 cores, above ~0.5")
    print("  something else was running, and the times are not clean)")


def show(
    meta: dict[str, Any], ref: dict[str, Any], figures: dict[str, Any], report: dict[str, Any]
) -> None:
    mb, text_mb = meta["bytes"] / 1e6, meta["text_bytes"] / 1e6
    ds_items = {
        (name, item["line_number"], item["hashed_secret"])
        for name, items in ref["results"].items()
        for item in items
    }
    ds_lines = {(name, line) for name, line, _ in ds_items}
    nh_lines = corpus.report_locations(report)
    missing = sorted(ds_lines - nh_lines)
    found = corpus.planted_found(report, meta["planted"])
    ds_s, nh_s = ref["seconds"], figures["seconds"]
    print(f"tree: {meta['files']} files, {mb:.1f} MB ({text_mb:.1f} MB text; the rest binary)")
    print(f"detect-secrets {ds_s:>8.1f} s  {text_mb / ds_s:6.2f} MB/s (text)")
    print(
        f"nhiscan        {nh_s:>8.1f} s  {text_mb / nh_s:6.2f} MB/s (text)  exit {figures['exit']}"
    )
    print(f"speed ratio    {ds_s / nh_s:>8.1f} x")
    print(
        f"findings: detect-secrets {len(ds_items)} (file, line, secret) on {len(ds_lines)} lines;"
    )
    print(f"          nhiscan {len(nh_lines)} (file, line) in {len(report['exposures'])} exposures")
    print(f"nhiscan lines include all of detect-secrets': {not missing} ({len(missing)} missing)")
    for name, line in missing[:15]:
        print(f"  missing {name}:{line}")
    print(f"planted secrets found: {found.count(corpus.FOUND)}/{len(found)}")
    for item, state in zip(meta["planted"], found, strict=True):
        if state != corpus.FOUND:
            print(f"  {state}: {item['kind']} in {item['path']}")
    print(f"nhiscan peak RSS: {figures['peak_mb']:.0f} MB main process; with its child processes")
    print(f"  {figures['peak_tree_mb']:.0f} MB ({figures['peak_tree_anon_mb']:.0f} MB anonymous,"
          " the rest mapped files)")  # fmt: skip


if __name__ == "__main__":
    main()

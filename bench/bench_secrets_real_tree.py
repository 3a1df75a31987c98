"""Benchmark: secrets in a real working tree (issue #17's acceptance tree), nhiscan against
detect-secrets on the same files, in the same run.

The tree (cached under --work, about 36 MB): the flask and requests working trees (cloned from
the bundles in --corpora, .git removed), the installed botocore package (sources and data) and
the sqlalchemy package's sources (``lib/sqlalchemy`` of its sdist, what an install holds;
the sdist's tests and generated HTML documentation are left out), the sdist fetched once with
``pip download --no-binary sqlalchemy`` (not ``:all:``, which builds Cython from source just
to read the sdist's metadata).
Nothing is generated: this is code as it is found, with its test passwords and example keys.
If the sdist cannot be fetched (no registry), the bench says so and stops: a tree without it
is not the acceptance tree.

Then, in one run:
  (a) detect-secrets scan --all-files --no-verify .
  (b) nhiscan scan --repo TREE -o OUT --format json --fail-on never --no-agents --no-store
and prints MB, wall seconds, CPU seconds (the process and its children: the machine is shared,
and CPU time is what another engineer's load does not inflate), MB/s and the ratio of both, and
whether every line detect-secrets reports is among nhiscan's.

Run: python bench/bench_secrets_real_tree.py [--work DIR] [--corpora DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import secrets_corpus as corpus

BUNDLES = ("flask", "requests")
SQLALCHEMY = "sqlalchemy==2.0.*"
BINARY_SNIFF = 8000


def build(work: Path, corpora: Path) -> Path:
    tree = work / "tree"
    if (work / "tree.done").exists():
        return tree
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    for name in BUNDLES:
        bundle = corpora / f"{name}.bundle"
        if not bundle.exists():
            raise SystemExit(f"missing {bundle}: pass --corpora (see its README)")
        subprocess.run(["git", "clone", "-q", str(bundle), str(tree / name)], check=True)
        shutil.rmtree(tree / name / ".git")
    import botocore

    source = Path(botocore.__file__).parent
    shutil.copytree(source, tree / "botocore", ignore=shutil.ignore_patterns("__pycache__"))
    _sqlalchemy(work, tree / "sqlalchemy")
    (work / "tree.done").write_text("")
    return tree


def _sqlalchemy(work: Path, dest: Path) -> None:
    cache = work / "sdist"
    cache.mkdir(exist_ok=True)
    if not list(cache.glob("*.tar.gz")):
        command = [sys.executable, "-m", "pip", "download", "-q", SQLALCHEMY, "--no-deps"]
        done = subprocess.run(
            [*command, "--no-binary", "sqlalchemy", "-d", str(cache)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(
                f"cannot fetch the {SQLALCHEMY} sdist (pip download failed), so the acceptance"
                f" tree is incomplete; put an sdist in {cache} and rerun.\n{done.stderr[-1500:]}"
            )
    sdist = sorted(cache.glob("*.tar.gz"))[-1]
    with tarfile.open(sdist) as archive:
        archive.extractall(work / "unpacked", filter="data")
    (top,) = (work / "unpacked").iterdir()
    shutil.move(str(top / "lib" / "sqlalchemy"), dest)
    shutil.rmtree(work / "unpacked")


def sizes(tree: Path) -> tuple[int, int, int]:
    files = total = text = 0
    for path in tree.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            files += 1
            total += len(data)
            text += 0 if b"\0" in data[:BINARY_SNIFF] else len(data)
    return files, total, text


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def detect_secrets(tree: Path) -> tuple[float, float, dict[str, Any]]:
    command = [sys.executable, "-m", "detect_secrets", "scan", "--all-files", "--no-verify", "."]
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=tree, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    return wall, _children_cpu() - cpu, json.loads(done.stdout)["results"]


def nhiscan(work: Path, tree: Path) -> tuple[float, float, dict[str, Any]]:
    out = work / "nhiscan-out"
    shutil.rmtree(out, ignore_errors=True)
    args = ["scan", "--repo", str(tree), "-o", str(out), "--format", "json"]
    args += ["--fail-on", "never", "--no-agents", "--no-store"]
    cpu = _children_cpu()
    figures = corpus.run_measured(args, work / "nhiscan.log")
    if figures["exit"] != 0:
        raise SystemExit(f"nhiscan exited {figures['exit']}: see {work / 'nhiscan.log'}")
    report = json.loads((out / "report.json").read_text())
    return float(figures["seconds"]), _children_cpu() - cpu, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/nhiscan-bench/real-tree"))
    parser.add_argument(
        "--corpora", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpora"
    )
    parser.add_argument("--runs", type=int, default=3, help="nhiscan runs (best is shown)")
    options = parser.parse_args()
    work: Path = options.work
    work.mkdir(parents=True, exist_ok=True)
    tree = build(work, options.corpora)
    files, total, text = sizes(tree)
    load = os.getloadavg()[0]
    ds_wall, ds_cpu, ds_results = detect_secrets(tree)
    runs = [nhiscan(work, tree) for _ in range(options.runs)]
    nh_wall = min(r[0] for r in runs)
    nh_cpu = min(r[1] for r in runs)
    report = runs[-1][2]
    mb = total / 1e6
    print(f"tree: {files} files, {mb:.1f} MB ({text / 1e6:.1f} MB text) in {tree}")
    print(f"detect-secrets {ds_wall:8.2f} s wall {ds_cpu:8.2f} s CPU  {mb / ds_wall:7.2f} MB/s")
    print(f"nhiscan        {nh_wall:8.2f} s wall {nh_cpu:8.2f} s CPU  {mb / nh_wall:7.2f} MB/s"
          f"  (best of {len(runs)})")  # fmt: skip
    print(f"speed ratio    {ds_wall / nh_wall:8.1f} x wall, {ds_cpu / nh_cpu:.1f} x CPU")
    ds_lines = {(name, item["line_number"]) for name, items in ds_results.items() for item in items}
    missing = sorted(ds_lines - corpus.report_locations(report))
    print(f"detect-secrets lines {len(ds_lines)}; nhiscan exposures {len(report['exposures'])};"
          f" every detect-secrets line found: {not missing} ({len(missing)} missing)")  # fmt: skip
    for name, line in missing[:15]:
        print(f"  missing {name}:{line}")
    print(f"load average (1 min) before the timed runs: {load:.2f} (2 cores; above ~0.5 the")
    print("  wall times are not clean: compare the CPU figures)")


if __name__ == "__main__":
    main()

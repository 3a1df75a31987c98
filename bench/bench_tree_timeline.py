"""Benchmark: where the wall clock of one working-tree scan goes, as a timeline.

Runs ``nhiscan scan --repo TREE -o OUT --format json --fail-on never --no-agents --no-store``
in this process (a new interpreter: the start-up is part of what is measured) and prints the
seconds since the process started at each step: imports done, files listed, the Scanner
built, each worker ready, the first and last outcome, analysis, reports written, exit; then
the CPU seconds of this process and of each worker (user + sys, as each worker exits). The
steps are marked by wrapping the functions that do them, so the scan itself runs unchanged.

The tree defaults to bench_secrets_real_tree.py's (issue #17's acceptance tree); build it
with that benchmark first. Run: python bench/bench_tree_timeline.py [TREE]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from multiprocessing.util import Finalize
from typing import Any

_TICKS = os.sysconf("SC_CLK_TCK")


def _process_start() -> float:
    """This process's start, as a time.time() value (from /proc: before the interpreter)."""
    with open("/proc/self/stat") as stat:
        started = int(stat.read().rsplit(")", 1)[1].split()[19]) / _TICKS
    with open("/proc/uptime") as uptime:
        up = float(uptime.read().split()[0])
    return time.time() - up + started


START = _process_start()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def mark(what: str) -> None:
    sys.stderr.write(f"{time.time() - START:7.3f} s  pid {os.getpid():>7}  {what}\n")
    sys.stderr.flush()


def wrap(owner: Any, name: str, label: str) -> None:
    inner = getattr(owner, name)

    @functools.wraps(inner)
    def marked(*args: Any, **kwargs: Any) -> Any:
        mark(f"{label}: start")
        try:
            return inner(*args, **kwargs)
        finally:
            mark(f"{label}: done")

    setattr(owner, name, marked)


def wrap_stream(owner: Any, name: str, label: str) -> None:
    inner: Callable[..., Iterator[Any]] = getattr(owner, name)

    @functools.wraps(inner)
    def marked(*args: Any, **kwargs: Any) -> Iterator[Any]:
        mark(f"{label}: start")
        first = True
        for item in inner(*args, **kwargs):
            if first:
                mark(f"{label}: first outcome")
                first = False
            yield item
        mark(f"{label}: last outcome")

    setattr(owner, name, marked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", nargs="?", default="/tmp/nhiscan-bench/real-tree/tree")
    options = parser.parse_args()
    mark("interpreter up")
    from nhiscan.cli import cli

    mark("nhiscan.cli imported")
    import nhiscan.app.scan as app_scan

    mark("nhiscan.app.scan imported (the scan command's imports)")
    from nhiscan.app import pipeline
    from nhiscan.connectors.git import connector, work
    from nhiscan.connectors.git.secrets import engine

    mark("git connector imported")
    wrap(connector, "make_plan", "listing files")
    wrap_stream(connector.work, "scan", "scanning")
    wrap(engine.Scanner, "__init__", "Scanner (detect-secrets set up, pre-filter loaded)")
    init_worker = work._init_worker

    def worker_ready(*args: Any) -> None:
        init_worker(*args)
        mark("worker ready")
        Finalize(None, lambda: mark(f"worker exits: cpu {_cpu():.3f} s"), exitpriority=0)

    work._init_worker = worker_ready
    wrap(pipeline, "analyze", "analysis")
    wrap(app_scan, "write_reports", "reports")
    with tempfile.TemporaryDirectory() as out:
        args = ["scan", "--repo", options.tree, "-o", out, "--format", "json"]
        args += ["--fail-on", "never", "--no-agents", "--no-store"]
        with contextlib.suppress(SystemExit):
            cli.main(args=args, prog_name="nhiscan")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    mark(
        f"exit: cpu this process {_cpu():.3f} s, children (workers, git)"
        f" {children.ru_utime + children.ru_stime:.3f} s; load {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()

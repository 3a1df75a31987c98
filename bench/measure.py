"""Run one nhiscan command in this process and print its wall time and peak memory.

Usage: python bench/measure.py nhiscan ARGS...   (prints a JSON line on stdout at the end)
"""

from __future__ import annotations

import json
import resource
import sys
import time


def main() -> None:
    argv = sys.argv[1:]
    if not argv or argv[0] != "nhiscan":
        raise SystemExit("usage: python bench/measure.py nhiscan ARGS...")
    from nhiscan.cli import cli

    start = time.perf_counter()
    code = 0
    try:
        cli.main(args=argv[1:], prog_name="nhiscan")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"command": " ".join(argv), "exit": code, "seconds": round(elapsed, 2),
               "peak_mb": round(peak_mb, 1)}  # fmt: skip
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()

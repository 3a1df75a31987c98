"""Issue #21's repository figure: 200 generated git repositories (three commits each, secrets in
some histories, one secret in two repositories, a missing and a corrupt one) scanned with
``--history`` on a ``LocalCluster`` of 2 worker processes give the same snapshot and findings
as scanning them one by one (``--executor local``).

The comparison is the test ``tests/connectors/git/test_cluster.py`` with 200 repositories
instead of the suite's 40; this runs it so and prints its wall time.

Usage: python bench/bench_repos_cluster.py [--repositories 200]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repositories", type=int, default=200)
    args = parser.parse_args()
    env = {**os.environ, "NHISCAN_CLUSTER_REPOSITORIES": str(args.repositories)}
    test = "tests/connectors/git/test_cluster.py"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test,
               "-k", "local_snapshot or the_findings"]  # fmt: skip
    began = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, check=False)
    seconds = time.perf_counter() - began
    verdict = "the same" if done.returncode == 0 else "NOT the same (see the test's output)"
    print(
        f"{args.repositories} repositories, local and on a LocalCluster of 2: {verdict}; "
        f"{seconds:.1f} s for both scans and the comparison"
    )
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())

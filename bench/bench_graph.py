"""Benchmark: build the reach graph and compute reach for every principal on the synthetic
estate (10,000 roles, 5,000 users, 2,000 policies, assume-role chains).
Target: under 30 s and 2 GB peak on the 2-core machine.

Run: python bench/bench_graph.py   (makes bench/data/gaad.json and the snapshot when missing)
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def main() -> None:
    gaad, snap = DATA / "gaad.json", DATA / "graph-snapshot.json"
    if not gaad.exists():
        subprocess.run([sys.executable, str(HERE / "gaad_estate.py"), str(gaad)], check=True)
    if not snap.exists():
        subprocess.run(
            [sys.executable, "-m", "nhiscan", "collect", "--aws-gaad", str(gaad), "-o", str(snap)],
            check=True,
        )
    from nhiscan.app.estates import estate_of
    from nhiscan.app.pipeline import reach_graph
    from nhiscan.scanner import snapshot

    start = time.perf_counter()
    estate = estate_of(snapshot.load(snap))
    loaded = time.perf_counter()
    graph = reach_graph(estate)
    built = time.perf_counter()
    principals = [i for i in estate.identities if graph.graph.has_node(i)]
    reached = sum(len(graph.parents(p)) for p in principals)
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"principals {len(principals)}, nodes {graph.graph.number_of_nodes()}, "
          f"edges {graph.graph.number_of_edges()}, escalations {len(graph.escalations)} "
          f"(+{len(graph.potential)} potential), reach pairs {reached}")  # fmt: skip
    print(f"load {loaded - start:.2f} s, build graph {built - loaded:.2f} s, "
          f"reach for every principal {done - built:.2f} s")  # fmt: skip
    print(f"total {done - start:.2f} s, peak {peak:.0f} MB (target: under 30 s, under 2048 MB)")


if __name__ == "__main__":
    main()

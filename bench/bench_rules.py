"""Benchmark: the rules over the reach graph, and the blast radius, on a GAAD export (issue #16:
every walk of the graph per principal makes the rules quadratic on a dense estate).

Collects the export (``bench/gaad_dense.py`` writes dense ones), gives every user two access
keys (a GAAD export holds none: without keys the blast radius and the key rules have nothing
to do), builds the graph once, then times each rule that reads the graph and the blast radius,
and writes every finding (rule, subject, fingerprint, severity, title, evidence, path) and
every blast radius to ``--out`` as JSON, so that two versions of the code can be compared
finding by finding (``--compare OTHER.json``).

Run: python bench/bench_rules.py GAAD.json [--out FINDINGS.json] [--compare BEFORE.json]
[--no-keys]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_analyze import add_access_keys

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def analyse(gaad: Path, *, keys: bool) -> dict[str, Any]:
    """Every finding and blast radius of the export, with the time of each phase printed."""
    from nhiscan.app.config import Settings
    from nhiscan.app.estates import estate_of
    from nhiscan.app.pipeline import provider_set, reach_graph
    from nhiscan.app.rules import all_rules
    from nhiscan.rules.base import RuleContext
    from nhiscan.scanner import snapshot
    from nhiscan.scanner.blast import blast_radius

    with tempfile.TemporaryDirectory(prefix="nhiscan-rules-") as work:
        snap = Path(work) / "snapshot.json"
        subprocess.run(
            [sys.executable, "-m", "nhiscan", "collect", "--aws-gaad", str(gaad), "-o", str(snap)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        held = add_access_keys(snap) if keys else 0
        estate = estate_of(snapshot.load(snap))
    found = provider_set(estate)
    started = time.perf_counter()
    graph = reach_graph(estate, found)
    print(f"graph build      {time.perf_counter() - started:8.2f} s  "
          f"({graph.graph.number_of_nodes()} nodes, {graph.graph.number_of_edges()} edges, "
          f"{held} access keys)", flush=True)  # fmt: skip
    ctx = RuleContext(now=NOW, thresholds=Settings().lifecycle, graph=graph, providers=found)
    findings = []
    total = 0.0
    for rule in all_rules():
        if not rule.meta.needs_graph:
            continue
        started = time.perf_counter()
        found_here = list(rule.evaluate(estate, ctx))
        seconds = time.perf_counter() - started
        total += seconds
        print(f"  {rule.meta.id} {rule.meta.name:<36} {seconds:8.2f} s  {len(found_here):>6}",
              flush=True)  # fmt: skip
        findings += found_here
    print(f"rules (graph)    {total:8.2f} s  {len(findings)} findings", flush=True)
    started = time.perf_counter()
    blast = blast_radius(graph, estate.snapshot.credentials, found.facts)
    print(f"blast radius     {time.perf_counter() - started:8.2f} s  {len(blast)} credentials",
          flush=True)  # fmt: skip
    return {
        "findings": sorted(
            (
                {
                    "rule": f.rule_id,
                    "subject": f.subject,
                    "fingerprint": f.fingerprint,
                    "severity": f.severity.value,
                    "title": f.title,
                    "evidence": f.evidence,
                    "path": f.path,
                }
                for f in findings
            ),
            key=lambda f: (f["rule"], f["subject"], f["fingerprint"]),
        ),
        "blast": [b.to_json() for b in blast],
    }


def compare(now: dict[str, Any], before: dict[str, Any]) -> int:
    """Print how two runs' findings and blast radii differ; the number of differences."""
    differences = 0
    for part in ("findings", "blast"):
        old, new = before[part], now[part]
        same = sum(a == b for a, b in zip(old, new, strict=False))
        differences += max(len(old), len(new)) - same
        print(f"{part}: {len(old)} before, {len(new)} now, {same} identical in order")
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("gaad", type=Path)
    parser.add_argument("--out", type=Path, help="write findings and blast radii here")
    parser.add_argument("--compare", type=Path, help="a previous --out to compare with")
    parser.add_argument("--no-keys", action="store_true", help="leave the users without keys")
    args = parser.parse_args()
    result = json.loads(json.dumps(analyse(args.gaad, keys=not args.no_keys), default=str))
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=1, sort_keys=True))
    if args.compare is not None:
        differences = compare(result, json.loads(args.compare.read_text()))
        print("identical" if differences == 0 else f"{differences} differences")
        sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()

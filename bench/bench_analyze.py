"""Benchmark: `nhiscan analyze`, with and without the reach graph, on a synthetic estate of
access keys each, and 2,000 managed policies. Target: under 10 s and 1.5 GB peak (2 cores).

Run: python bench/bench_analyze.py   (prints the figures; data goes to bench/data/)
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def run(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(HERE / "measure.py"), "nhiscan", *args],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def add_access_keys(snapshot_path: Path, seed: int = 11) -> int:
    """GAAD exports hold no access keys: give every user two, with assorted ages and use."""
    rng = random.Random(seed)
    data = json.loads(snapshot_path.read_text())
    now = datetime(2026, 11, 1, tzinfo=UTC)
    credentials = data["credentials"]
    for identity in data["identities"]:
        if identity["kind"] != "iam-user":
            continue
        for n in range(2):
            created = now - timedelta(days=rng.randrange(1, 800))
            used = None if rng.random() < 0.2 else created + timedelta(days=rng.randrange(0, 30))
            credentials.append({
                "provider": "aws", "id": f"AKIA{len(credentials):016d}",
                "identity": identity["id"], "kind": "access-key", "account": identity["account"],
                "status": "active" if n == 0 or rng.random() < 0.5 else "inactive",
                "created": created.isoformat(), "last_used": used and used.isoformat(),
                "last_used_service": used and "s3", "last_used_region": used and "us-east-1",
                "expires": None, "fingerprint": None,
            })  # fmt: skip
    snapshot_path.write_text(json.dumps(data))
    return len(credentials)


def main() -> None:
    gaad = DATA / "gaad.json"
    snap = DATA / "snapshot.json"
    subprocess.run([sys.executable, str(HERE / "gaad_estate.py"), str(gaad)], check=True)
    collect = run("collect", "--aws-gaad", str(gaad), "-o", str(snap))
    keys = add_access_keys(snap)
    lifecycle = run(
        "analyze", str(snap), "--no-reach", "-o", str(DATA / "out-lc"), "--as-of", "2026-11-01"
    )
    analyze = run("analyze", str(snap), "-o", str(DATA / "out"), "--as-of", "2026-11-01")
    scan = run(
        "scan", "--aws-gaad", str(gaad), "-o", str(DATA / "scan-out"), "--as-of", "2026-11-01"
    )
    print(f"estate: 10,000 roles, 5,000 users, 2,010 policies, {keys} access keys")
    for name, fig in (
        ("collect --aws-gaad", collect),
        ("analyze --no-reach", lifecycle),
        ("analyze", analyze),
        ("scan --aws-gaad", scan),
    ):
        print(
            f"{name:<20} {fig['seconds']:>7.2f} s  peak {fig['peak_mb']:>7.1f} MB"
            f"  exit {fig['exit']}"
        )
    print("target: analyze under 10 s and under 1536 MB peak (set before the reach graph;")
    print("the reach graph's own target is 30 s and 2 GB: bench/bench_graph.py)")


if __name__ == "__main__":
    main()

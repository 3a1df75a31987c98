"""Benchmark: the agent analysis on the synthetic 10,000-role estate of bench_analyze.py.

500 agents, each running as one role (claimed by ARN) with three structured steps and one
plain-English step, some roles holding wide or admin policies. Measures `nhiscan compile` and
`nhiscan analyze` with the agents against the same analyze without them (the difference is what
the gap analysis, the agent rules and the unclaimed-NHI reach cost). No target is set by the
issue; the figures are reported.

Run: python bench/bench_agents.py [AGENTS]   (prints the figures; data goes to bench/data/)
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE))

from bench_analyze import add_access_keys, run  # noqa: E402

STEPS = [
    "read: s3://bucket-{n}/*",
    "write: dynamodb://table-{n}",
    "publish: sns://topic-{n}",
    "get-secret: secretsmanager://secret-{n}",
    "invoke: lambda://fn-{n}",
]
SENTENCE = "Compare the figures in s3://bucket-{n}/reports/* with dynamodb://limits-{n}"


def agents_file(snapshot: Path, count: int, seed: int = 5) -> str:
    rng = random.Random(seed)
    data = json.loads(snapshot.read_text())
    roles = sorted(i["id"] for i in data["identities"] if i["kind"] == "iam-role")
    account = data["identities"][0]["account"]
    chosen = rng.sample(roles, count)
    lines = ["version: 1", "defaults:", f'  aws: {{account: "{account}", region: us-east-1}}',
             "agents:"]  # fmt: skip
    for n, role in enumerate(chosen):
        lines += [f"  - name: agent-{n}", f"    owner: team-{n % 40}", f"    identities: [{role}]",
                  "    steps:"]  # fmt: skip
        lines += [f"      - {step.format(n=n)}" for step in rng.sample(STEPS, 3)]
        lines.append(f"      - {SENTENCE.format(n=n)}")
    return "\n".join(lines) + "\n"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    gaad, snap = DATA / "gaad.json", DATA / "snapshot.json"
    if not snap.exists():
        subprocess.run([sys.executable, str(HERE / "gaad_estate.py"), str(gaad)], check=True)
        run("collect", "--aws-gaad", str(gaad), "-o", str(snap))
        add_access_keys(snap)
    agents = DATA / "agents.yaml"
    agents.write_text(agents_file(snap, count))
    compiled = run("compile", str(agents), "-o", str(DATA / "plan.json"))
    common = ("--format", "json", "--as-of", "2026-11-01")
    without = run("analyze", str(snap), "--no-agents", "-o", str(DATA / "out-noagents"), *common)
    with_agents = run(
        "analyze", str(snap), "--agents", str(agents), "-o", str(DATA / "out-agents"), *common
    )
    report = json.loads((DATA / "out-agents" / "report.json").read_text())
    excess = sum(len(a["excess"] or []) for a in report["agents"])
    print(f"estate: 10,000 roles, 5,000 users; {count} agents; {excess:,} excess items in all")
    for name, fig in (
        ("compile", compiled),
        ("analyze --no-agents", without),
        ("analyze --agents", with_agents),
    ):
        print(
            f"{name:<20} {fig['seconds']:>7.2f} s  peak {fig['peak_mb']:>7.1f} MB"
            f"  exit {fig['exit']}"
        )
    extra = with_agents["seconds"] - without["seconds"]
    print(f"the agent analysis adds {extra:.1f} s ({extra / count * 1000:.0f} ms per agent)")


if __name__ == "__main__":
    main()

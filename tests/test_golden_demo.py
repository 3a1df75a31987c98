"""The demo's report.json is what tests/data/golden holds, but for times and commit ids: a
refactoring that changes what nhiscan reports shows up here (tests/golden.py says how to
regenerate it when the change is meant)."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from tests.golden import normalise, read_golden


def test_demo_report_matches_the_golden_file(demo_report: Path) -> None:
    actual = normalise(json.loads((demo_report / "report.json").read_text(encoding="utf-8")))
    expected = read_golden()
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "golden", "now", n=2, lineterm=""
        )
        shown = "\n".join(line for _, line in zip(range(80), diff, strict=False))
        raise AssertionError(f"the demo report changed (python -m tests.golden):\n{shown}")


def test_normalise_hides_only_what_differs_between_runs() -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    report = {
        "scanned_at": "2026-12-06T01:02:03.456Z",
        "history": {"previous": 1},
        "exposures": [{"commit": sha, "title": f"in x (commit {sha[:10]})", "line": 3}],
    }
    text = normalise(report)
    assert sha[:10] not in text and "<commit-0>" in text and "history" not in text
    assert '"scanned_at": "<datetime>"' in text and '"line": 3' in text


def test_normalise_hides_abbreviated_commit_ids_and_keeps_other_hex_ids() -> None:
    """An exposure's node id abbreviates its commit to 12 characters (it changes with the day
    the demo runs); a GCP key id is 40 hex characters too, but the same on every run."""
    key_id = "6a9b156bfc7caf17dfa283461468fe4c138bdd4e"

    def report(sha: str) -> dict[str, object]:
        return {
            "exposures": [{"commit": sha, "id": f"repo/a.json:4@{sha[:12]}"}],
            "credentials": [{"id": key_id}],
        }

    one = "0123456789abcdef0123456789abcdef01234567"
    two = "fedcba9876543210fedcba9876543210fedcba98"
    assert normalise(report(one)) == normalise(report(two))
    text = normalise(report(one))
    assert '"repo/a.json:4@<commit-0>"' in text and key_id in text and one[:7] not in text

"""Escalations to target sets (issue #16) on the dense benchmark estate: at a small size, with
every method's candidates a set (``SET_MIN_TARGETS = 2``), the findings (every field a reader
sees: title, severity, evidence, path) equal those of the same graph with an escalation per
(principal, target); with hubs too, the escalations expanded per target, reach, counts, blast
radius and findings equal the reference that expands every pair. (Hubs alone may list the
statements of a hop through them in another order than the pair's evaluation: the findings
are compared field by field where only sets differ.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nhiscan.connectors.aws.gaad_file import GaadFileConnector
from nhiscan.reports.model import Report
from nhiscan.scanner.graph.model import EdgeKind, is_hub
from tests import factories as f
from tests.connectors.aws.helpers import context
from tests.scanner.graph.hub_reference import report, summary

GENERATOR = Path(__file__).resolve().parents[3] / "bench" / "gaad_dense.py"
SMALL = ["--roles", "150", "--users", "75", "--groups", "6", "--policies", "40", "--managed", "12"]


def _findings(rep: Report) -> list[tuple[object, ...]]:
    return sorted(
        (x.rule_id, x.subject, x.severity.value, x.fingerprint, x.title, repr(x.evidence),
         repr(x.path))
        for x in rep.findings
    )  # fmt: skip


@pytest.mark.parametrize("seed", ["16", "3"])
def test_target_sets_on_the_dense_estate_answer_as_the_reference(tmp_path: Path, seed: str) -> None:
    export = tmp_path / "dense.json"
    subprocess.run([sys.executable, str(GENERATOR), str(export), *SMALL, "--seed", seed],
                   check=True, capture_output=True)  # fmt: skip
    snap = f.snapshot(*GaadFileConnector([export]).collect(context()))
    reference = report(snap, min_pairs=None, min_targets=None)
    grouped = report(snap, min_pairs=1, min_targets=2)
    hubbed = report(snap, min_pairs=1, min_targets=None)
    assert reference.graph is not None and grouped.graph is not None
    sets = [e for e in grouped.graph.escalations if e.within is not None]
    assert sets, "the estate must exercise target sets"
    if seed == "16":  # its principals allowed iam:UpdateLoginProfile make potential sets
        assert any(e.within is not None for e in grouped.graph.potential)
    assert all(is_hub(e.target) and e.target == e.within.id for e in sets if e.within)
    escalating = sum(1 for _ in grouped.graph.edges(EdgeKind.ESCALATES_TO))
    assert escalating < sum(1 for _ in reference.graph.edges(EdgeKind.ESCALATES_TO))
    assert summary(grouped) == summary(reference)
    assert _findings(grouped) == _findings(hubbed)
    assert _findings(report(snap, min_pairs=None, min_targets=2)) == _findings(reference)

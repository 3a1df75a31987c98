"""Hubs on the dense benchmark estate (``bench/gaad_dense.py``, issue #16 item 4, written on a
parallel branch): at a small size, the findings, reach, counts and escalations with hubs equal
the reference that gives every (caller, role) pair its own hop. Skipped only while the
generator is not in the tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nhiscan.connectors.aws.gaad_file import GaadFileConnector
from tests import factories as f
from tests.connectors.aws.helpers import context
from tests.scanner.graph.hub_reference import hub_nodes, report, summary

GENERATOR = Path(__file__).resolve().parents[3] / "bench" / "gaad_dense.py"
SMALL = ["--roles", "150", "--users", "75", "--groups", "6", "--policies", "40", "--managed", "12"]


@pytest.mark.skipif(not GENERATOR.exists(), reason="bench/gaad_dense.py not in this tree yet")
def test_hubs_on_the_dense_estate_answer_as_the_reference(tmp_path: Path) -> None:
    export = tmp_path / "dense.json"
    subprocess.run([sys.executable, str(GENERATOR), str(export), *SMALL], check=True,
                   capture_output=True)  # fmt: skip
    snap = f.snapshot(*GaadFileConnector([export]).collect(context()))
    reference = report(snap, min_pairs=None)
    hubbed = report(snap, min_pairs=1)
    assert reference.graph is not None and hubbed.graph is not None
    assert hub_nodes(hubbed.graph)
    assert hubbed.graph.graph.number_of_edges() < reference.graph.graph.number_of_edges()
    assert summary(hubbed) == summary(reference)

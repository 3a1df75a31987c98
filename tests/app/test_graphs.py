"""The queries answer from the reach graph ``nhiscan scan`` stored beside its snapshot exactly as
from a graph built again, on the demo and on a small dense estate with hubs; a stored graph that
is missing, stale or corrupt is said so on standard error and not used."""

from __future__ import annotations

import contextlib
import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nhiscan.app.outputs import graph_path
from nhiscan.cli import cli
from tests.scanner.graph.hub_reference import hubs

GENERATOR = Path(__file__).resolve().parents[2] / "bench" / "gaad_dense.py"
SMALL = ["--roles", "120", "--users", "60", "--groups", "6", "--policies", "40", "--managed", "12"]
REBUILDING = "rebuilding it, this can take a while on a large estate"


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def queries(snap: Path, out: Path) -> list[list[str]]:
    """Every query, in text and JSON; the start, the action and resource fit both estates."""
    demo = "svc-reporting-agent" in snap.read_text()
    user, role = ("ci-deploy-bot", "loan-review-agent") if demo else ("svc-dense-1", "dense-role-3")
    asked = [
        ["reach", str(snap), user],
        ["reach", str(snap), role],
        ["who-can", str(snap), "iam:PassRole", "*"],
        ["who-can", str(snap), "s3:GetObject", "*"],
        ["path", str(snap), user, "admin"],
        ["path", str(snap), role, "admin"],
    ]
    asked += [[*q, "--format", "json"] for q in asked]
    asked += [
        ["graph", "export", str(snap), "--format", "json", "-o", str(out / "graph.json")],
        ["graph", "export", str(snap), "--format", "graphml", "-o", str(out / "graph.graphml")],
    ]
    return asked


def answers(snap: Path, out: Path) -> tuple[list[str], list[str]]:
    """Each query's answer (an export: the file written) and its standard error."""
    out.mkdir(exist_ok=True)
    said, errors = [], []
    for asked in queries(snap, out):
        result = invoke(*asked)
        said.append(result.stdout if asked[0] != "graph" else Path(asked[-1]).read_text())
        errors.append(result.stderr)
    return said, errors


def rebuilt(folder: Path, tmp: Path) -> Path:
    """The snapshot of ``folder`` copied alone: the queries build its graph."""
    alone = tmp / "alone"
    alone.mkdir()
    shutil.copy(folder / "snapshot.json", alone / "snapshot.json")
    return alone / "snapshot.json"


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`nhiscan scan` of a small dense estate, hubs from the first pair (their nodes and hops
    are in the stored graph): the output folder."""
    work = tmp_path_factory.mktemp("dense")
    subprocess.run([sys.executable, str(GENERATOR), str(work / "gaad.json"), *SMALL],
                   check=True, capture_output=True)  # fmt: skip
    with hubs(1):
        invoke("scan", "--aws-gaad", str(work / "gaad.json"), "-o", str(work / "out"),
               "--no-store")  # fmt: skip
    return work / "out"


def test_the_scan_stores_its_graph_beside_the_snapshot(demo_report: Path) -> None:
    path = demo_report / "snapshot.graph.json.gz"
    assert path == graph_path(demo_report / "snapshot.json")
    assert gzip.decompress(path.read_bytes()).startswith(b'{"format":"nhiscan-reach-graph"')


@pytest.mark.parametrize("estate", ["demo", "dense"])
def test_queries_answer_the_same_from_the_stored_graph(
    estate: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    folder: Path = request.getfixturevalue("demo_report" if estate == "demo" else "dense")
    with hubs(1) if estate == "dense" else contextlib.nullcontext():  # as the scan built it
        stored, quiet = answers(folder / "snapshot.json", tmp_path / "stored")
        built, told = answers(rebuilt(folder, tmp_path), tmp_path / "built")
    assert stored == built
    assert not any(REBUILDING in e for e in quiet)  # the stored graph answered every time
    assert all(f"no stored graph for {tmp_path / 'alone' / 'snapshot.json'}" in e for e in told)
    chains = [json.loads(s)["chained"] for s in stored if s.startswith('{\n  "query": "who-can"')]
    assert len(chains) == 2 and any(chains)  # who-can found chains: not a vacuous comparison


def test_a_stale_graph_is_said_and_not_used(demo_report: Path, tmp_path: Path) -> None:
    """The snapshot changed after the scan (one byte: the same records): the graph is another
    snapshot's."""
    snap = tmp_path / "snapshot.json"
    snap.write_bytes((demo_report / "snapshot.json").read_bytes() + b"\n")
    shutil.copy(demo_report / "snapshot.graph.json.gz", tmp_path / "snapshot.graph.json.gz")
    result = invoke("reach", str(snap), "loan-review-agent")
    assert f"stored graph {tmp_path / 'snapshot.graph.json.gz'} is stale: built from another " \
           f"snapshot (its SHA-256 differs); {REBUILDING}" in result.stderr  # fmt: skip
    expected = invoke("reach", str(demo_report / "snapshot.json"), "loan-review-agent").stdout
    assert result.stdout == expected


@pytest.mark.parametrize("damage", ["truncated", "not gzip", "another file"])
def test_a_corrupt_graph_is_said_and_not_used(
    demo_report: Path, tmp_path: Path, damage: str
) -> None:
    shutil.copy(demo_report / "snapshot.json", tmp_path / "snapshot.json")
    data = (demo_report / "snapshot.graph.json.gz").read_bytes()
    damaged = {
        "truncated": data[: len(data) // 2],
        "not gzip": b'{"format": "nhiscan-reach-graph"}',
        "another file": gzip.compress(b'{"format": "something-else"}'),
    }[damage]
    (tmp_path / "snapshot.graph.json.gz").write_bytes(damaged)
    result = invoke("path", str(tmp_path / "snapshot.json"), "ci-deploy-bot", "admin")
    assert f"stored graph {tmp_path / 'snapshot.graph.json.gz'} is corrupt, not used: " in (
        result.stderr
    )
    assert result.stderr.count(REBUILDING) == 1
    expected = invoke("path", str(demo_report / "snapshot.json"), "ci-deploy-bot", "admin")
    assert result.stdout == expected.stdout


def test_a_scan_without_reach_removes_the_graph_of_the_snapshot_it_replaces(
    demo_report: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(demo_report / "snapshot.graph.json.gz", out / "snapshot.graph.json.gz")
    invoke("scan", "--aws-gaad", str(_tiny_gaad(tmp_path)), "-o", str(out), "--no-reach",
           "--no-store")  # fmt: skip
    assert (out / "snapshot.json").exists()
    assert not (out / "snapshot.graph.json.gz").exists()


def _tiny_gaad(tmp: Path) -> Path:
    path = tmp / "tiny.json"
    subprocess.run([sys.executable, str(GENERATOR), str(path), "--roles", "4", "--users", "2",
                    "--groups", "1", "--policies", "3", "--managed", "2"],
                   check=True, capture_output=True)  # fmt: skip
    return path

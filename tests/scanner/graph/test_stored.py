"""The stored reach graph (``scanner/graph/stored/``) gives back exactly the graph that was
built: every node and attribute, every edge with its key and hop, every escalation; and what is
not this snapshot's graph, or not a graph at all, is refused, never decoded into a wrong one."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from nhiscan.app import snapshots
from nhiscan.app.estates import estate_of
from nhiscan.app.pipeline import reach_graph
from nhiscan.connectors.aws.gaad_file import GaadFileConnector
from nhiscan.scanner.escalation import Escalation, Member, Step, TargetSet
from nhiscan.scanner.graph import Hop, ReachGraph, stored
from nhiscan.scanner.graph.model import EdgeKind, NodeKind, is_hub
from tests import factories as f
from tests.connectors.aws.helpers import context
from tests.scanner.graph.hub_reference import hubs

GENERATOR = Path(__file__).resolve().parents[3] / "bench" / "gaad_dense.py"
SMALL = ["--roles", "150", "--users", "75", "--groups", "6", "--policies", "40", "--managed", "12"]
SHA = "0" * 64
LOAN_ROLE = "arn:aws:iam::123456789012:role/loan-review-agent"


def round_trip(graph: ReachGraph) -> ReachGraph:
    data = stored.dumps(stored.encode_graph(graph, snapshot_sha256=SHA, nhiscan="test"))
    document = stored.loads(data)
    stored.check(document, snapshot_sha256=SHA, nhiscan="test")
    return stored.decode_graph(document, graph.estate)


def assert_same(built: ReachGraph, loaded: ReachGraph) -> None:
    """Equal in everything a question may read, in the same order (ties the queries leave to
    the graph's order are broken the same way)."""
    assert list(loaded.graph.nodes(data=True)) == list(built.graph.nodes(data=True))
    assert list(loaded.graph.edges(keys=True, data=True)) == list(
        built.graph.edges(keys=True, data=True)
    )
    assert loaded.escalations == built.escalations
    assert loaded.potential == built.potential
    # A target set is equal by its id alone: its label and members are compared here.
    for ours, theirs in zip((*loaded.escalations, *loaded.potential),
                            (*built.escalations, *built.potential), strict=True):  # fmt: skip
        if theirs.within is not None:
            assert ours.within is not None
            assert (ours.within.label, ours.within.members) == (
                theirs.within.label, theirs.within.members,
            )  # fmt: skip
    assert loaded.estate is built.estate


@pytest.fixture(scope="module")
def demo_graph(demo_report: Path) -> ReachGraph:
    return reach_graph(estate_of(snapshots.load(demo_report / "snapshot.json")))


@pytest.fixture(scope="module")
def dense_graph(tmp_path_factory: pytest.TempPathFactory) -> ReachGraph:
    """A small dense estate (bench/gaad_dense.py) with hubs from the first pair and target sets
    from two targets, so that hub nodes, the hops into and out of them and the escalations to
    target sets are stored too."""
    export = tmp_path_factory.mktemp("dense") / "dense.json"
    subprocess.run([sys.executable, str(GENERATOR), str(export), *SMALL], check=True,
                   capture_output=True)  # fmt: skip
    snap = f.snapshot(*GaadFileConnector([export]).collect(context()))
    with hubs(1, 2):
        return reach_graph(estate_of(snap))


def test_every_field_of_a_hop_and_an_escalation_is_stored() -> None:
    """A field added to Hop, Escalation or Step must be added to the stored format (and
    FORMAT_VERSION bumped), never dropped on the way through a file."""
    assert tuple(f.name for f in dataclasses.fields(Hop)) == stored.HOP_FIELDS
    assert tuple(f.name for f in dataclasses.fields(Escalation)) == stored.ESCALATION_FIELDS
    assert tuple(f.name for f in dataclasses.fields(Member)) == stored.MEMBER_FIELDS
    # A target set's members are stored; its _index and _counts are made from them when asked.
    fields = [f.name for f in dataclasses.fields(TargetSet)]
    assert fields == ["id", "label", "members", "_index", "_counts"]
    assert Step._fields == ("action", "resource", "evaluation")


def test_the_demo_graph_round_trips(demo_graph: ReachGraph) -> None:
    assert demo_graph.escalations and demo_graph.potential  # both are exercised
    assert any(hop.actions for _, _, hop in demo_graph.graph.edges(data="hop"))
    assert_same(demo_graph, round_trip(demo_graph))


def test_a_dense_graph_with_hubs_round_trips(dense_graph: ReachGraph) -> None:
    kinds = {data["kind"] for _, data in dense_graph.graph.nodes(data=True)}
    assert NodeKind.HUB.value in kinds
    assert any(e.within is not None for e in dense_graph.escalations)
    assert any(e.within is not None for e in dense_graph.potential)
    assert any(hop.conditional for _, _, hop in dense_graph.graph.edges(data="hop"))
    loaded = round_trip(dense_graph)
    assert_same(dense_graph, loaded)
    start = next(n for n, d in dense_graph.graph.nodes(data=True) if d["kind"] == "identity")
    assert loaded.reach(start) == dense_graph.reach(start)


def _document(graph: ReachGraph) -> dict[str, Any]:
    """The parts of ``graph``'s file, each JSON part parsed (as ``loads`` leaves the header),
    the columns as bytes."""
    parts = stored.loads(
        stored.dumps(stored.encode_graph(graph, snapshot_sha256=SHA, nhiscan="test"))
    )
    parts["graph"] = json.loads(parts["graph"])
    parts["escalations"] = json.loads(parts["escalations"].read())
    return parts


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"snapshot_sha256": "1" * 64}, "built from another snapshot"),
        ({"version": stored.FORMAT_VERSION + 1}, "graph format version"),
        ({"nhiscan": "0.0.1"}, "built by nhiscan '0.0.1'"),
    ],
)
def test_another_snapshot_format_or_version_is_stale(
    demo_graph: ReachGraph, change: dict[str, Any], message: str
) -> None:
    document = _document(demo_graph)
    document["header"].update(change)
    with pytest.raises(stored.StaleGraph, match=message):
        stored.check(document, snapshot_sha256=SHA, nhiscan="test")


def test_damaged_bytes_are_corrupt(demo_graph: ReachGraph) -> None:
    data = stored.dumps(stored.encode_graph(demo_graph, snapshot_sha256=SHA, nhiscan="test"))
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF  # gzip's checksums find it: the graph's when it is
    # loaded, the escalations' when they are read
    for damaged in (data[: len(data) // 2], bytes(flipped), b"{}", b"\x1f\x8b" + data[2:40], b"",
                    data + b"\x1f"):  # fmt: skip
        with pytest.raises(stored.CorruptGraph):
            document = stored.loads(damaged)
            stored.check(document, snapshot_sha256=SHA, nhiscan="test")
            stored.decode_graph(document, demo_graph.estate).escalations  # noqa: B018


def test_damage_is_found_in_the_part_that_is_read(demo_graph: ReachGraph) -> None:
    """The graph and the escalations are gzip members of their own: damage to the graph is
    found on loading, damage to the escalations when they are read (a query never reads them,
    so never decompresses them), and the graph answers meanwhile."""
    data = stored.dumps(stored.encode_graph(demo_graph, snapshot_sha256=SHA, nhiscan="test"))
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    inflate.decompress(data)
    boundary = len(data) - len(inflate.unused_data)
    assert 0 < boundary < len(data)

    def flipped(at: int) -> bytes:
        damaged = bytearray(data)
        damaged[at] ^= 0xFF
        return bytes(damaged)

    with pytest.raises(stored.CorruptGraph):
        stored.loads(flipped(boundary // 2))
    document = stored.loads(flipped((boundary + len(data)) // 2))
    stored.check(document, snapshot_sha256=SHA, nhiscan="test")
    loaded = stored.decode_graph(document, demo_graph.estate)
    assert loaded.reach(LOAN_ROLE) == demo_graph.reach(LOAN_ROLE)
    with pytest.raises(stored.CorruptGraph, match="escalations do not decompress"):
        loaded.escalations  # noqa: B018


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d["graph"]["columns"][0].__setitem__(1, "0"),  # not a length
        lambda d: d["graph"]["columns"].pop(),  # a column missing
        lambda d: d["graph"]["columns"][1].__setitem__(1, 3),  # the bytes say other lengths
        lambda d: d.__setitem__("columns", d["columns"][:-4]),  # short of its last value
        lambda d: d.__setitem__("columns", _past_the_end(d, "target")),
        lambda d: d.__setitem__("columns", _past_the_end(d, "statements")),
        lambda d: d.__setitem__("columns", _past_the_end(d, "walk_start")),
        lambda d: d["graph"]["types"][0].__setitem__(0, d["graph"]["nodes"][0][0]),  # no kind
        lambda d: d["graph"]["types"][0].__setitem__(2, 2),  # not a flag
        lambda d: d["graph"].__setitem__("column_type", "int64-be"),
        lambda d: d["graph"].pop("refs"),
        lambda d: d["graph"]["nodes"][0].extend([0, 0]),
        lambda d: d["escalations"]["escalations"][0].__setitem__(2, 0),  # not a family
        lambda d: d["escalations"]["escalations"][0].pop(),
        lambda d: d["escalations"]["evaluations"][0].__setitem__("decision", 3),
    ],
)
def test_a_document_that_does_not_fit_is_corrupt(demo_graph: ReachGraph, damage: Any) -> None:
    """Found when the graph is decoded, or for the escalations when they are first read."""
    document = _document(demo_graph)
    damage(document)
    with pytest.raises(stored.CorruptGraph):
        stored.decode_graph(document, demo_graph.estate).escalations  # noqa: B018


def _past_the_end(document: dict[str, Any], name: str) -> bytes:
    """The columns with the first value of column ``name`` past the end of what it names."""
    at = 0
    for column, length in document["graph"]["columns"]:
        if column == name:
            break
        at += 4 * length
    data = bytearray(document["columns"])
    data[at : at + 4] = (10**6).to_bytes(4, "little")
    return bytes(data)


def test_escalations_are_decoded_when_first_read(demo_graph: ReachGraph) -> None:
    document = _document(demo_graph)
    document["escalations"]["escalations"][0].pop()
    loaded = stored.decode_graph(document, demo_graph.estate)
    assert loaded.reach(LOAN_ROLE) == demo_graph.reach(LOAN_ROLE)  # the graph alone answers
    with pytest.raises(stored.CorruptGraph):
        loaded.potential  # noqa: B018


def test_an_edge_under_a_key_of_its_own_keeps_it(demo_graph: ReachGraph) -> None:
    graph = demo_graph.graph.copy()
    nodes = list(graph)
    graph.add_edge(nodes[0], nodes[1], key="by-hand",
                   hop=Hop(source=nodes[0], target=nodes[1], edge=EdgeKind.CAN_ASSUME))  # fmt: skip
    built = ReachGraph(estate=demo_graph.estate, graph=graph, escalations=(), potential=())
    loaded = round_trip(built)
    assert_same(built, loaded)
    assert "by-hand" in loaded.graph[nodes[0]][nodes[1]]


def _built_graph(graph: ReachGraph) -> nx.MultiDiGraph[str]:
    """The networkx graph of a loaded graph, if reading ``graph`` has built it (else None)."""
    found: nx.MultiDiGraph[str] | None = ReachGraph.__dict__["graph"].__get__(graph)
    return found


@pytest.mark.parametrize("estate", ["demo", "dense"])
def test_a_loaded_graph_answers_from_its_index_as_the_built_graph(
    estate: str, request: pytest.FixtureRequest
) -> None:
    """Every question the queries ask of a loaded graph (the walks forwards and backwards, a
    node's hops and attributes) is answered from the stored index, without networkx, exactly
    as the built graph answers it over networkx: the same hops, in the same order. From every
    node, so that walks through hubs (a hub followed once per walk, its hops merged into the
    caller's in ``hop_order``) are compared where they tie; on the demo, with resources, keys
    and several accounts' admin sinks."""
    built: ReachGraph = request.getfixturevalue(f"{estate}_graph")
    loaded = round_trip(built)
    nodes = list(built.graph)
    if estate == "dense":
        fed = {u for u in nodes for h in built.hops_from(u) if is_hub(h.target)}
        assert len(fed) > 10  # walks through hubs are compared, not only plain ones
    else:
        assert {EdgeKind.CAN_ACCESS, EdgeKind.HAS_CREDENTIAL} <= {
            h.edge for u in nodes for h in built.out_hops(u)
        }
    admins = built.nodes_of(NodeKind.ADMIN)
    assert admins and loaded.nodes_of(NodeKind.ADMIN) == admins
    for node in nodes:
        assert node in loaded
        assert loaded.attrs(node) == built.attrs(node)
        assert (loaded.kind(node), loaded.label(node), loaded.is_stop(node)) == (
            built.kind(node), built.label(node), built.is_stop(node),
        )  # fmt: skip
        assert loaded.out_hops(node) == built.out_hops(node)
        assert loaded.hops_from(node) == built.hops_from(node)
        for kind in (EdgeKind.CAN_ACCESS, EdgeKind.CAN_ASSUME, EdgeKind.ESCALATES_TO):
            assert loaded.hops_from(node, kind) == built.hops_from(node, kind)
        assert list(loaded.parents(node).items()) == list(built.parents(node).items())
        assert loaded.admin_path(node) == built.admin_path(node)
    within = set(nodes[::2])
    for node in nodes[:40]:
        assert loaded.parents(node, within=within) == built.parents(node, within=within)
    identities = built.nodes_of(NodeKind.IDENTITY)
    for sinks in (admins, identities[:5], identities[::7], *([n] for n in admins + identities)):
        assert list(loaded.toward(sinks).items()) == list(built.toward(sinks).items())
    assert "not a node" not in loaded
    with pytest.raises(KeyError):
        loaded.parents("not a node")
    assert _built_graph(loaded) is None  # nothing above built the networkx graph
    assert list(loaded.graph.edges(keys=True, data=True)) == list(
        built.graph.edges(keys=True, data=True)
    )

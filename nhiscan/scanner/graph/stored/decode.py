"""The stored graph's parts back to a reach graph, its escalations when first read."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import networkx as nx

from nhiscan.scanner.authz import Evaluation, StatementRef
from nhiscan.scanner.codec import DecodeError, decode
from nhiscan.scanner.escalation import Escalation, Family, Member, Step, TargetSet
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph.model import EdgeKind, Hop
from nhiscan.scanner.graph.reach import ReachGraph
from nhiscan.scanner.graph.stored.format import NODE_FIELDS, CorruptGraph


def decode_graph(document: dict[str, Any], estate: Estate) -> ReachGraph:
    """The graph in ``document`` (``check`` it first), over ``estate`` (the snapshot's); no
    authorizer: the caller gives one when a question needs it. Its escalations are decoded
    when first read. CorruptGraph on any part that does not fit (gzip's checksum has already
    caught damage to the bytes; this catches a file of another shape)."""
    with _corrupt():
        graph, strings = _decode_graph(_parsed(document["graph"]))
    pending = document["escalations"]

    def escalations() -> tuple[tuple[Escalation, ...], tuple[Escalation, ...]]:
        with _corrupt():
            return _decode_escalations(_parsed(pending), strings)

    return StoredReachGraph(estate=estate, graph=graph, decoder=escalations)


@contextmanager
def _corrupt() -> Iterator[None]:
    try:
        yield
    except DecodeError as exc:
        raise CorruptGraph(f"an evaluation does not decode: {exc}") from None
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise CorruptGraph(f"not the expected shape ({type(exc).__name__}: {exc})") from None


def _parsed(part: Any) -> dict[str, Any]:
    found = json.loads(part) if isinstance(part, bytes) else part
    if not isinstance(found, dict):
        raise TypeError("a part is not a JSON object")
    return found


_SLOTS = {name: ReachGraph.__dict__[name] for name in ("escalations", "potential")}


class StoredReachGraph(ReachGraph):
    """A reach graph read from a file: its escalations and potential escalations are decoded
    the first time either is read (a rule or report that needs them reads them as from a built
    graph; a query never pays for them)."""

    __slots__ = ("_decoder",)

    def __init__(
        self,
        *,
        estate: Estate,
        graph: nx.MultiDiGraph[str],
        decoder: Callable[[], tuple[tuple[Escalation, ...], tuple[Escalation, ...]]],
    ) -> None:
        self._decoder: Callable[[], tuple[tuple[Escalation, ...], tuple[Escalation, ...]]] | None
        self._decoder = decoder
        super().__init__(estate=estate, graph=graph, escalations=(), potential=())

    def _settle(self) -> None:
        if self._decoder is not None:
            escalations, potential = self._decoder()
            self._decoder = None
            _SLOTS["escalations"].__set__(self, escalations)
            _SLOTS["potential"].__set__(self, potential)

    @property
    def escalations(self) -> tuple[Escalation, ...]:
        self._settle()
        found: tuple[Escalation, ...] = _SLOTS["escalations"].__get__(self)
        return found

    @escalations.setter
    def escalations(self, value: tuple[Escalation, ...]) -> None:
        _SLOTS["escalations"].__set__(self, value)

    @property
    def potential(self) -> tuple[Escalation, ...]:
        self._settle()
        found: tuple[Escalation, ...] = _SLOTS["potential"].__get__(self)
        return found

    @potential.setter
    def potential(self, value: tuple[Escalation, ...]) -> None:
        _SLOTS["potential"].__set__(self, value)


def _decode_graph(doc: dict[str, Any]) -> tuple[nx.MultiDiGraph[str], list[str]]:
    strings = doc["strings"]
    if not isinstance(strings, list) or not all(type(s) is str for s in strings):
        raise TypeError("strings: expected a list of strings")
    refs = [
        StatementRef(policy_id=strings[p], index=_int(i), sid=None if s is None else strings[s],
                     effect=strings[e])
        for p, i, s, e in doc["refs"]
    ]  # fmt: skip
    ref_lists = [tuple(refs[i] for i in row) for row in doc["ref_lists"]]
    action_lists = [tuple(strings[i] for i in row) for row in doc["action_lists"]]
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    extra = doc["node_extra"]
    for position, row in enumerate(doc["nodes"]):
        attrs = extra[str(position)] if len(row) == 1 else _node_attrs(row, strings)
        graph.add_node(strings[row[0]], **attrs)
    _add_edges(graph, doc["edges"], doc["edge_keys"], strings, ref_lists, action_lists)
    return graph, strings


def _decode_escalations(
    doc: dict[str, Any], strings: list[str]
) -> tuple[tuple[Escalation, ...], tuple[Escalation, ...]]:
    evaluations = [decode(Evaluation, item) for item in doc["evaluations"]]
    steps = [Step(strings[a], strings[r], evaluations[e]) for a, r, e in doc["steps"]]
    step_lists = [tuple(steps[i] for i in row) for row in doc["step_lists"]]
    families = {family.value: family for family in Family}
    sets = [_target_set(row, strings) for row in doc["sets"]]
    return (
        _escalations(doc["escalations"], strings, families, step_lists, sets),
        _escalations(doc["potential"], strings, families, step_lists, sets),
    )


def _target_set(row: list[Any], strings: list[str]) -> TargetSet:
    set_id, label, members = row
    return TargetSet(
        id=strings[set_id],
        label=strings[label],
        members=tuple(_member(member, strings) for member in members),
    )


def _member(row: list[Any], strings: list[str]) -> Member:
    target, resource, missing, conditional, unless = row
    return Member(
        target=strings[target],
        resource=strings[resource],
        missing=None if missing is None else strings[missing],
        conditional=conditional == 1,
        unless=None if unless is None else strings[unless],
    )


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {value!r:.40}")
    return value


def _node_attrs(row: list[Any], strings: list[str]) -> dict[str, Any]:
    if len(row) not in (4, 5):
        raise ValueError(f"a node row of {len(row)} values")
    return {
        k: None if v is None else strings[v] for k, v in zip(NODE_FIELDS, row[1:], strict=False)
    }


def _add_edges(
    graph: nx.MultiDiGraph[str],
    rows: Iterable[list[Any]],
    odd_keys: dict[str, int],
    strings: list[str],
    ref_lists: list[tuple[StatementRef, ...]],
    action_lists: list[tuple[str, ...]],
) -> None:
    """Each row's hop, as ``build_graph`` adds it. The hot loop of a query's start: plain
    indexing, the key from the strings rather than from the hop, and the edge written into
    networkx's adjacency as ``MultiDiGraph.add_edge`` writes it (one key dict per pair, shared
    by the successor and the predecessor side), without its per-call checks, which cost more
    than the rest of the load. Both ends must be nodes already (a KeyError otherwise)."""
    kinds = {kind.value: kind for kind in EdgeKind}
    odd = {int(position): key for position, key in odd_keys.items()}
    adjacency = cast(Any, graph)
    succ, pred = adjacency._succ, adjacency._pred
    new_keys, new_data = adjacency.edge_key_dict_factory, adjacency.edge_attr_dict_factory
    for position, (source, target, kind, method, conditional, statements, actions,
                   conditional_actions) in enumerate(rows):  # fmt: skip
        edge, u, v = strings[kind], strings[source], strings[target]
        name = None if method is None else strings[method]
        hop = Hop(
            source=u, target=v, edge=kinds[edge], method=name, statements=ref_lists[statements],
            conditional=conditional == 1, actions=action_lists[actions],
            conditional_actions=action_lists[conditional_actions],
        )  # fmt: skip
        data = new_data()
        data["hop"] = hop
        out = succ[u]
        keys = out.get(v)
        if keys is None:
            keys = out[v] = new_keys()
            pred[v][u] = keys
        key = strings[odd[position]] if position in odd else _key(edge, name)
        keys[key] = data


def _key(edge: str, method: str | None) -> str:
    return edge if method is None else f"{edge}:{method}"


def _escalations(
    rows: Iterable[list[Any]],
    strings: list[str],
    families: dict[str, Family],
    step_lists: list[tuple[Step, ...]],
    sets: list[TargetSet],
) -> tuple[Escalation, ...]:
    found = []
    for row in rows:
        principal, method, family, target, potential, conditional, missing, steps, scope, within = (
            row
        )
        found.append(
            Escalation(
                principal=strings[principal],
                method=strings[method],
                family=families[strings[family]],
                target=strings[target],
                potential=potential == 1,
                conditional=conditional == 1,
                missing=None if missing is None else strings[missing],
                steps=step_lists[steps],
                scope=None if scope is None else strings[scope],
                within=None if within is None else sets[within],
            )
        )
    return tuple(found)

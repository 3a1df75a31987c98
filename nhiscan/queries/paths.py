"""``nhiscan path``: the shortest path between two nodes, or to any account's admin sink."""

from __future__ import annotations

from dataclasses import dataclass

from nhiscan.queries.reach import Path, conditional, reach_paths
from nhiscan.queries.resolve import ANY_ADMIN, resolve
from nhiscan.scanner.graph import NodeKind, ReachGraph


@dataclass(frozen=True, slots=True, kw_only=True)
class PathResult:
    source: str
    target: str | None  # None: any admin sink, and none is reached
    path: Path | None  # None: no path; () when source and target are one node


def find_path(graph: ReachGraph, source_text: str, target_text: str) -> PathResult:
    source = resolve(graph, source_text, what="FROM")
    if target_text.strip().lower() == ANY_ADMIN and ANY_ADMIN not in graph:
        return _to_admin(graph, source)
    target = resolve(graph, target_text, what="TO")
    if target == source:
        return PathResult(source=source, target=target, path=())
    return PathResult(source=source, target=target, path=reach_paths(graph, source).get(target))


def _to_admin(graph: ReachGraph, source: str) -> PathResult:
    sinks = [
        (path, node)
        for node, path in reach_paths(graph, source).items()
        if graph.kind(node) is NodeKind.ADMIN
    ]
    if not sinks:
        return PathResult(source=source, target=None, path=None)
    path, node = min(sinks, key=lambda s: (conditional(s[0]), len(s[0]), s[1]))
    return PathResult(source=source, target=node, path=path)

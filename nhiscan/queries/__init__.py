"""Questions asked of one snapshot's reach graph from the command line: ``reach``, ``who-can``,
``path`` and ``graph export``. Pure: a snapshot in, a text or JSON answer out (app/queries.py
loads the snapshot and writes the answer)."""

from __future__ import annotations

from dataclasses import dataclass

from nhiscan.queries import render
from nhiscan.queries.paths import find_path
from nhiscan.queries.reach import reach
from nhiscan.queries.resolve import QueryError, resolve
from nhiscan.queries.whocan import parse_action, parse_resource, who_can
from nhiscan.scanner.authz import Authorizer
from nhiscan.scanner.facts import IdScheme, PermissionCatalog
from nhiscan.scanner.graph import NodeKind, ReachGraph
from nhiscan.scanner.graph import export as graph_export

__all__ = ["QueryError", "Subject", "answer_path", "answer_reach", "answer_who_can"]

# An external start: a keyless trust's outside principal, a repository or its workflow (#20).
STARTS = (NodeKind.IDENTITY, NodeKind.CREDENTIAL, NodeKind.RESOURCE, NodeKind.EXTERNAL)


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """What the queries ask: the graph, and the evaluator and catalogue it was built with."""

    graph: ReachGraph
    authorizer: Authorizer
    catalog: PermissionCatalog
    ids: IdScheme  # reading the ids a query names


def answer_reach(subject: Subject, identity: str, fmt: str) -> str:
    graph = subject.graph
    start = resolve(graph, identity, what="identity")
    if graph.kind(start) not in STARTS:
        raise QueryError(
            f"{identity!r} names a {graph.kind(start).value}: give an identity, an access key "
            "id, compute (a Lambda function, an EC2 instance), or an outside principal (a "
            "repository, a workflow, an external: node)"
        )
    result = reach(graph, start, subject.catalog)
    if fmt == "json":
        return render.dumps(render.reach_json(graph, result))
    return render.reach_text(graph, result)


def answer_who_can(subject: Subject, action: str, resource: str, fmt: str) -> str:
    graph = subject.graph
    name, known = parse_action(subject.catalog, action)
    target = parse_resource(graph, subject.ids, resource)
    result = who_can(graph, subject.authorizer, subject.ids, name, target, known=known)
    if fmt == "json":
        return render.dumps(render.who_can_json(graph, result))
    return render.who_can_text(graph, result)


def answer_path(subject: Subject, source: str, target: str, fmt: str) -> str:
    result = find_path(subject.graph, source, target)
    if fmt == "json":
        return render.dumps(render.path_result_json(subject.graph, result))
    return render.path_result_text(subject.graph, result)


def export(subject: Subject, fmt: str) -> str:
    if fmt == "graphml":
        return graph_export.to_graphml(subject.graph)
    return render.dumps(graph_export.to_json(subject.graph))

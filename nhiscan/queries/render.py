"""The queries' answers as JSON documents and as text for a terminal.

Paths are lists of hops in the reports' shape (``Hop.to_json``: from, to, edge, method,
statements, conditional, actions). In text a path is one line of labels joined by the edges
(``svc --can_assume--> deploy --is_admin--> admin of 123456789012``); ``nhiscan path`` lists it
hop by hop with the statements behind each hop.
"""

from __future__ import annotations

import json
import textwrap
from itertools import groupby
from typing import Any

from nhiscan.queries.paths import PathResult
from nhiscan.queries.reach import Path, ReachResult, ResourceAccess, conditional
from nhiscan.queries.resolve import describe
from nhiscan.queries.whocan import WhoCanResult
from nhiscan.scanner.graph import Hop, ReachGraph, path_json
from nhiscan.scanner.graph.export import node_json, ref_json, ref_text

WIDTH = 100
CONDITIONAL_NOTE = (
    "(conditional): allowed only if conditions nhiscan could not decide hold "
    "(source IP, MFA, tags, ...)"
)


def dumps(document: Any) -> str:
    return json.dumps(document, indent=2) + "\n"


# --- pieces ----------------------------------------------------------------------------------


def edge_text(hop: Hop) -> str:
    text = hop.edge.value if hop.method is None else f"{hop.edge.value}[{hop.method}]"
    return f"{text} (conditional)" if hop.conditional else text


def chain(graph: ReachGraph, path: Path) -> str:
    """A path on one line: labels joined by ``--edge-->``."""
    if not path:
        return "(itself)"
    parts = [graph.label(path[0].source)]
    for hop in path:
        parts += [f"--{edge_text(hop)}-->", graph.label(hop.target)]
    return " ".join(parts)


def _mark(is_conditional: bool) -> str:
    return " (conditional)" if is_conditional else ""


def _wrapped(text: str, indent: int) -> list[str]:
    pad = " " * indent
    return textwrap.wrap(
        text, WIDTH, initial_indent=pad, subsequent_indent=pad, break_on_hyphens=False
    )


# --- reach -----------------------------------------------------------------------------------


def reach_json(graph: ReachGraph, result: ReachResult) -> dict[str, Any]:
    return {
        "query": "reach",
        "start": node_json(graph, result.start),
        "acts_as": node_json(graph, result.origin),
        "admin": [
            {
                "account": graph.attrs(r.node).get("account"),
                "node": r.node,
                "conditional": r.conditional,
                "path": path_json(r.path),
            }
            for r in result.admin
        ],
        "identities": [
            {**node_json(graph, r.node), "conditional": r.conditional, "path": path_json(r.path)}
            for r in result.identities
        ],
        "resources": [
            {
                "service": service,
                "access_levels": [
                    {"level": level, "resources": [_access_json(graph, a) for a in entries]}
                    for level, entries in groupby(group, key=lambda a: a.level)
                ],
            }
            for service, group in groupby(result.resources, key=lambda a: a.service)
        ],
        "notes": list(result.notes),
    }


def _access_json(graph: ReachGraph, access: ResourceAccess) -> dict[str, Any]:
    return {
        **node_json(graph, access.resource),
        "conditional": access.conditional,
        "actions": [
            {"action": g.action, "conditional": g.conditional, "via": g.via} for g in access.grants
        ],
        "path": path_json(access.path),
    }


def reach_text(graph: ReachGraph, result: ReachResult) -> str:
    lines = [f"reach of {describe(graph, result.start)}"]
    if result.origin != result.start:
        lines.append(f"  acts as {describe(graph, result.origin)}")
    lines += [f"  note: {note}" for note in result.notes]
    lines.append("")
    if result.admin:
        lines.append(f"Administrator of {len(result.admin)} account(s):")
        for r in result.admin:
            account = graph.attrs(r.node).get("account")
            lines.append(f"  {account}{_mark(r.conditional)}")
            lines.append(f"    {chain(graph, r.path)}")
    else:
        lines.append("Administrator of: no account")
    lines.append("")
    lines.append(f"Identities it can act as ({len(result.identities)}):")
    for r in result.identities:
        lines.append(f"  {describe(graph, r.node)}{_mark(r.conditional)}")
        lines.append(f"    {chain(graph, r.path)}")
    if not result.identities:
        lines.append("  none")
    lines.append("")
    lines += _resources_text(graph, result)
    if _any_conditional(result):
        lines += ["", CONDITIONAL_NOTE]
    return "\n".join(lines) + "\n"


def _resources_text(graph: ReachGraph, result: ReachResult) -> list[str]:
    count = len({a.resource for a in result.resources})
    services = len({a.service for a in result.resources})
    lines = [f"Resources ({count}, in {services} service(s)):"]
    if not result.resources:
        lines.append("  none")
    for service, group in groupby(result.resources, key=lambda a: a.service):
        lines.append(f"  {service}")
        for level, entries in groupby(group, key=lambda a: a.level):
            lines.append(f"    {level}")
            for access in entries:
                lines += _access_text(graph, access)
    return lines


def _access_text(graph: ReachGraph, access: ResourceAccess) -> list[str]:
    path = access.path
    via = path[-1].source if path else None
    actions = []
    for grant in access.grants:
        text = grant.action + _mark(grant.conditional)
        if grant.via != via:
            text += f" (via {graph.label(grant.via)})"
        actions.append(text)
    lines = [f"      {describe(graph, access.resource)}"]
    lines += _wrapped(", ".join(actions), 8)
    lines.append(f"        path: {chain(graph, path)}")
    return lines


def _any_conditional(result: ReachResult) -> bool:
    return any(r.conditional for r in (*result.admin, *result.identities)) or any(
        g.conditional for a in result.resources for g in a.grants
    )


# --- who-can ---------------------------------------------------------------------------------


def who_can_json(graph: ReachGraph, result: WhoCanResult) -> dict[str, Any]:
    return {
        "query": "who-can",
        "action": result.action,
        "resource": result.resource,
        "known_action": result.known_action,
        "direct": [
            {
                **_principal_json(graph, d.principal),
                "decision": d.evaluation.decision.value,
                "conditional": d.conditional,
                "statements": [ref_json(r) for r in d.evaluation.allowed_by],
                "undecided": [ref_json(r) for r in d.evaluation.undecided],
            }
            for d in result.direct
        ],
        "chained": [
            {
                **_principal_json(graph, c.principal),
                "conditional": c.conditional,
                "via": c.via,
                "path": path_json(c.path),
            }
            for c in result.chained
        ],
    }


def _principal_json(graph: ReachGraph, principal: str) -> dict[str, Any]:
    if principal in graph:
        return node_json(graph, principal)
    return {"id": principal, "kind": "identity", "label": principal, "account": None, "type": None}


def who_can_text(graph: ReachGraph, result: WhoCanResult) -> str:
    lines = [f"who can {result.action} on {result.resource}"]
    if not result.known_action:
        lines.append(f"  note: the action catalogue does not know {result.action}")
    lines += ["", f"Directly ({len(result.direct)}):"]
    if not result.direct:
        lines.append("  nobody")
    for d in result.direct:
        lines.append(f"  {_describe(graph, d.principal)}{_mark(d.conditional)}")
        lines += [f"    {ref_text(r)}" for r in d.evaluation.allowed_by]
        lines += [f"    undecided: {ref_text(r)}" for r in d.evaluation.undecided]
    lines += ["", f"Through chains ({len(result.chained)}):"]
    if not result.chained:
        lines.append("  nobody")
    for c in result.chained:
        lines.append(f"  {_describe(graph, c.principal)}{_mark(c.conditional)}")
        lines.append(f"    {chain(graph, c.path)}")
    if any(d.conditional for d in result.direct) or any(c.conditional for c in result.chained):
        lines += ["", CONDITIONAL_NOTE]
    return "\n".join(lines) + "\n"


def _describe(graph: ReachGraph, node: str) -> str:
    return describe(graph, node) if node in graph else node


# --- path ------------------------------------------------------------------------------------

ANY_ADMIN_JSON = {
    "id": "admin",
    "kind": "admin",
    "label": "admin of any account",
    "account": None,
    "type": None,
}


def path_result_json(graph: ReachGraph, result: PathResult) -> dict[str, Any]:
    path = result.path
    return {
        "query": "path",
        "from": node_json(graph, result.source),
        "to": ANY_ADMIN_JSON if result.target is None else node_json(graph, result.target),
        "path": None if path is None else path_json(path),
        "hops": None if path is None else len(path),
        "conditional": None if path is None else conditional(path),
    }


def path_result_text(graph: ReachGraph, result: PathResult) -> str:
    source = describe(graph, result.source)
    target = "admin of any account" if result.target is None else describe(graph, result.target)
    path = result.path
    if path is None:
        return f"no path from {source} to {target}\n"
    lines = [f"path from {source} to {target}: {len(path)} hop(s){_mark(conditional(path))}"]
    for number, hop in enumerate(path, start=1):
        lines.append(
            f"  {number}. {graph.label(hop.source)} --{edge_text(hop)}--> {graph.label(hop.target)}"
        )
        lines.append(f"     {hop.source} -> {hop.target}")
        lines += [f"     statement: {ref_text(r)}" for r in hop.statements]
        if hop.actions:
            lines += _wrapped("actions: " + ", ".join(hop.actions), 5)
    return "\n".join(lines) + "\n"

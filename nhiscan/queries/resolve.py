"""Turning what a person types into a node of the reach graph.

A node is named by its id (an ARN, an access key id, ``admin:<account>``), by an identity's
name or unique id (``AIDA…``/``AROA…``), by a group's or resource's name, or, for a resource,
by the last part of its ARN (an EC2 instance id, a KMS key id). Identities are looked up first:
``loan-review-agent`` names the role even when an instance profile has the same name. Names
compare exactly, then without regard to case (IAM names are unique regardless of case). A name
that fits several nodes is an error listing them: the person gives the ARN.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nhiscan.errors import NhiError
from nhiscan.scanner.graph import ReachGraph

ANY_ADMIN = "admin"  # `nhiscan path X admin`: any account's admin sink


class QueryError(NhiError):
    """A query names something the snapshot lacks, names it ambiguously, or asks nonsense."""


def resolve(graph: ReachGraph, text: str, *, what: str = "node") -> str:
    """The graph node ``text`` names; QueryError when none or several."""
    wanted = text.strip()
    if wanted in graph:
        return wanted
    candidates = _identities(graph, wanted) or _others(graph, wanted)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise QueryError(
            f"{what} {wanted!r} is not in the snapshot: give an ARN, a user or role name, or an "
            "access key id (`nhiscan inventory` lists them)"
        )
    listed = ", ".join(candidates)
    raise QueryError(
        f"{what} {wanted!r} is ambiguous: it names {len(candidates)} nodes ({listed}); give the ARN"
    )


def _identities(graph: ReachGraph, name: str) -> list[str]:
    identities = graph.estate.identities.values()
    exact = [i.id for i in identities if name in (i.name, i.native_id)]
    if exact:
        return _present(graph, exact)
    folded = name.casefold()
    return _present(graph, (i.id for i in identities if i.name.casefold() == folded))


def _others(graph: ReachGraph, name: str) -> list[str]:
    """Groups and resources by name, then resources by the last part of their ARN (an EC2
    instance id, a KMS key id)."""
    named = [
        *((g.id, g.name) for g in graph.estate.groups.values()),
        *((r.id, r.name) for r in graph.estate.resources.values()),
    ]
    exact = [node for node, label in named if label == name]
    if exact:
        return _present(graph, exact)
    folded = name.casefold()
    found = [node for node, label in named if label.casefold() == folded]
    if found:
        return _present(graph, found)
    return _present(graph, (r.id for r in graph.estate.resources.values() if _tail(r.id) == name))


def _tail(arn: str) -> str:
    return re.split(r"[:/]", arn)[-1]


def _present(graph: ReachGraph, nodes: Iterable[str]) -> list[str]:
    return sorted({n for n in nodes if n in graph})


def describe(graph: ReachGraph, node: str) -> str:
    """``name (id)`` for a person, or the id alone when the label is the id."""
    label = graph.label(node)
    return node if label == node else f"{label} ({node})"

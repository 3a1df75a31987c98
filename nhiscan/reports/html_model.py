"""The steps of an attack path as the HTML report shows them: built by ``html_paths``, drawn
by ``html_svg`` (a module of its own so that neither imports the other)."""

from __future__ import annotations

from dataclasses import dataclass

from nhiscan.reports.evidence import Node, Subject


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeTag:
    """What kind of node a path passes through: ``shape`` is a closed set (the reach graph's
    node kinds, "file" for a file in a repository, "other"); ``tag`` is the text shown."""

    shape: str
    tag: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Cited:
    """A statement behind a hop as people name it: its policy's name and the statement's Sid
    (or position); ``anchor`` links to the policy's document in the report's appendix."""

    policy: str
    policy_id: str | None
    where: str  # "Sid ReadBuckets", "statement 2", or ""
    anchor: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PathStep:
    """One step of an attack path: a hop of the reach graph ("from → to" by an edge, with the
    statements that enable it), or, for a step of another shape, its evidence tree."""

    tree: Node | None = None
    source: Subject | None = None
    target: Subject | None = None
    source_kind: NodeTag | None = None
    target_kind: NodeTag | None = None
    edge: str = ""
    method: str | None = None
    conditional: bool = False
    statements: tuple[Cited, ...] = ()

"""Attack paths and blast radius as the HTML report lays them out.

A finding's path step shaped like a reach-graph hop (``Hop.to_json``: from, to, edge, ...) reads
as "from → to" with the edge, the method and the statements behind it; a step of any other shape
is shown as its evidence tree. Each node carries its kind (``NodeTag``) so a diagram
(html_svg.py) can show it. The blast radius shows the worst ``BLAST_ROWS`` credentials; the JSON
report lists every one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from nhiscan.reports.evidence import Subject, evidence_tree, listed, subject_of
from nhiscan.reports.html_model import Cited, NodeTag, PathStep
from nhiscan.reports.html_policies import plain_cite
from nhiscan.reports.html_svg import WIDE, Diagram, path_diagram
from nhiscan.reports.model import Report
from nhiscan.scanner.blast import BlastRadius
from nhiscan.scanner.graph.model import NodeKind

BLAST_ROWS = 50  # the worst credentials shown; report.json lists every one
BLAST_SECRETS = 5  # secrets named per row; the rest are counted
HOP_KEYS = frozenset({"from", "to", "edge"})


CONTAINS = "contains"  # a secret's first hop: from the file (at a commit) that holds it
FILE = NodeTag(shape="file", tag="file in repository")
TAGS = {NodeKind.EXPOSURE: "secret in code", NodeKind.ADMIN: "administrator"}


@dataclass(frozen=True, slots=True, kw_only=True)
class BlastRow:
    blast: BlastRadius
    subject: Subject
    admin_path: tuple[PathStep, ...]
    diagram: Diagram | None  # the admin path, drawn
    secrets: tuple[str, ...]  # the first BLAST_SECRETS
    more_secrets: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BlastView:
    rows: tuple[BlastRow, ...]  # the worst BLAST_ROWS
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)

    @property
    def drawn(self) -> tuple[BlastRow, ...]:
        """The rows with an admin path to draw."""
        return tuple(row for row in self.rows if row.diagram is not None)


class Labels:
    """Names for the nodes a path mentions: the reach graph's labels, else identity names."""

    def __init__(self, report: Report) -> None:
        self._report = report
        # Without reach analysis there is no graph to label from (and none is built for it).
        self._graph = report.reach_graph() if report.reach else None

    def subject(self, node: str) -> Subject:
        graph = self._graph
        if graph is not None and node in graph.graph:
            label = graph.label(node)
            return Subject(id=node, name=None if label == node else label)
        return subject_of(self._report, node)

    def kind(self, node: str) -> NodeTag | None:
        """The node's kind in the graph, with its type when it has one (an identity's
        "iam-role", a credential's "access-key", a resource's "s3-bucket"); else, without a
        graph, an inventory identity's kind; None when nothing is known."""
        graph = self._graph
        if graph is not None and node in graph.graph:
            kind = graph.kind(node)
            data = graph.graph.nodes[node]
            return NodeTag(shape=kind.value, tag=TAGS.get(kind) or str(data.get("type") or kind))
        identity = self._report.estate.identities.get(node)
        if identity is not None:
            return NodeTag(shape=NodeKind.IDENTITY.value, tag=identity.kind.value)
        return None


def path_step(step: Any, labels: Labels, cite: Callable[[Any], Cited] = plain_cite) -> PathStep:
    """A hop (``Hop.to_json``'s shape) as "from → to"; any other step as an evidence tree.
    ``cite`` names each statement behind the hop (``html_policies.Appendix.cite`` links it to
    the appendix)."""
    if not (isinstance(step, Mapping) and step.keys() >= HOP_KEYS):
        return PathStep(tree=evidence_tree(step))
    statements = step.get("statements") or ()
    source, target, edge = str(step["from"]), str(step["to"]), str(step["edge"])
    source_kind, source_subject = labels.kind(source), labels.subject(source)
    if source_kind is None and edge == CONTAINS:  # "repo/path:line@commit": named without commit
        source_kind = FILE
        source_subject = Subject(id=source, name=source.rpartition("@")[0] or source)
    return PathStep(
        source=source_subject,
        target=labels.subject(target),
        source_kind=source_kind,
        target_kind=labels.kind(target),
        edge=edge,
        method=None if step.get("method") is None else str(step["method"]),
        conditional=bool(step.get("conditional", False)),
        statements=tuple(cite(s) for s in listed(statements)),
    )


def blast_view(report: Report) -> BlastView:
    every = report.blast_radius()
    labels = Labels(report)
    rows = []
    for blast in every[:BLAST_ROWS]:
        path = tuple(path_step(hop.to_json(), labels) for hop in blast.admin_path or ())
        secrets = blast.radius.secrets
        rows.append(
            BlastRow(
                blast=blast,
                subject=subject_of(report, blast.credential.identity),
                admin_path=path,
                diagram=path_diagram(path, WIDE),
                secrets=secrets[:BLAST_SECRETS],
                more_secrets=max(0, len(secrets) - BLAST_SECRETS),
            )
        )
    return BlastView(rows=tuple(rows), total=len(every))

"""The findings table of the HTML report: one row per finding, worst first, with its subject,
evidence, attack path (as text steps and as a diagram) and what report.js filters and sorts on.

Rule ids, providers and agent names become ``data-*`` attributes and ``<option>`` values; agent
names come from agent files, so they are escaped like every other text (autoescape), and an
agent list travels as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from nhiscan.reports.evidence import Node, Subject, evidence_tree, subject_of
from nhiscan.reports.html_model import PathStep
from nhiscan.reports.html_paths import Labels, path_step
from nhiscan.reports.html_svg import Diagram, path_diagram
from nhiscan.reports.model import Report
from nhiscan.scanner.model import Finding


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingRow:
    finding: Finding
    subject: Subject
    evidence: Node
    path: tuple[PathStep, ...]
    diagram: Diagram | None
    agents: tuple[str, ...]  # the agents an agent rule (NHI300-NHI307) names

    @property
    def agents_json(self) -> str:
        return json.dumps(list(self.agents))

    @property
    def sort_subject(self) -> str:
        """What "sort by subject" orders by: the name a person reads, else the id."""
        return (self.subject.name or self.subject.id).casefold()


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingFilters:
    """The choices of the findings table's filters: only values some finding has."""

    rules: tuple[tuple[str, str], ...]  # (rule id, rule name), by id
    providers: tuple[str, ...]
    agents: tuple[str, ...]


def finding_rows(report: Report) -> list[FindingRow]:
    findings = sorted(
        report.findings, key=lambda f: (-f.severity.rank, f.rule_id, f.subject, f.fingerprint)
    )
    labels = Labels(report)
    rows = []
    for f in findings:
        path = tuple(path_step(step, labels) for step in f.path)
        rows.append(
            FindingRow(
                finding=f,
                subject=subject_of(report, f.subject),
                evidence=evidence_tree(f.evidence),
                path=path,
                diagram=path_diagram(path),
                agents=agents_of(f),
            )
        )
    return rows


def agents_of(finding: Finding) -> tuple[str, ...]:
    """``evidence["agent"]``: one name, a list of names, or nothing."""
    value = finding.evidence.get("agent")
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if v is not None)
    return (str(value),)


def finding_filters(rows: Iterable[FindingRow]) -> FindingFilters:
    rules: dict[str, str] = {}
    providers: set[str] = set()
    agents: set[str] = set()
    for row in rows:
        rules.setdefault(row.finding.rule_id, row.finding.rule_name)
        providers.add(row.finding.provider.value)
        agents.update(row.agents)
    return FindingFilters(
        rules=tuple(sorted(rules.items())),
        providers=tuple(sorted(providers)),
        agents=tuple(sorted(agents)),
    )

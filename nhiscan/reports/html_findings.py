"""The findings of the HTML report: one line per finding, worst first (severity, title, subject
shortened with its full id on hover, the rule's one-line why), expanding into its path drawn and
hop by hop, the statements that grant each hop (by policy name and Sid, linked to the policy's
document in the appendix), its evidence in plain lines and its remediation. report.json keeps
the raw evidence.

In ``summary`` detail the page lists the worst ``FINDING_ROWS`` findings and counts the others
by rule: an estate of 10,000 roles has tens of thousands of findings, and a page of them all is
one nobody can open. ``--detail full`` lists every one.

Rule ids, providers and agent names become ``data-*`` attributes and ``<option>`` values; agent
names come from agent files, so they are escaped like every other text (autoescape), and an
agent list travels as JSON.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from nhiscan.reports.evidence import Facts, Subject, facts, short_id, subject_of
from nhiscan.reports.html_events import EVENTS_KEY, Events, evidence_events
from nhiscan.reports.html_model import PathStep
from nhiscan.reports.html_paths import Labels, path_step
from nhiscan.reports.html_policies import Appendix, CitedPolicy
from nhiscan.reports.html_svg import Diagram, path_diagram
from nhiscan.reports.model import Report
from nhiscan.scanner.model import Finding, Severity

FINDING_ROWS = 500  # listed in summary detail; report.json and report.sarif hold every one


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingRow:
    finding: Finding
    subject: Subject
    short: str  # the subject in a few characters: its name, else its id's last segment
    why: str  # the rule's summary: why this matters, in one line
    facts: Facts
    path: tuple[PathStep, ...]
    diagram: Diagram | None
    agents: tuple[str, ...]  # the agents an agent rule (NHI300-NHI307) names
    # ``evidence["events"]``: the audit-trail events behind it, shown as a table of their own
    events: Events | None = None

    @property
    def anchor(self) -> str:
        return finding_anchor(self.finding)

    @property
    def agents_json(self) -> str:
        return json.dumps(list(self.agents))

    @property
    def sort_subject(self) -> str:
        """What "sort by subject" orders by: the name a person reads, else the id."""
        return (self.subject.name or self.subject.id).casefold()


@dataclass(frozen=True, slots=True, kw_only=True)
class Unlisted:
    """Findings of one rule and severity the page does not list (summary detail)."""

    rule_id: str
    rule_name: str
    severity: Severity
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingsView:
    rows: tuple[FindingRow, ...]
    total: int
    unlisted: tuple[Unlisted, ...]
    policies: tuple[CitedPolicy, ...]  # the appendix: each policy the listed paths cite

    @property
    def more(self) -> int:
        return self.total - len(self.rows)

    @property
    def first_critical(self) -> FindingRow | None:
        return next((r for r in self.rows if r.finding.severity is Severity.CRITICAL), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingFilters:
    """The choices of the findings table's filters: only values some finding has."""

    rules: tuple[tuple[str, str], ...]  # (rule id, rule name), by id
    providers: tuple[str, ...]
    agents: tuple[str, ...]


def finding_anchor(finding: Finding) -> str:
    """The id of a finding's row in the page (the fix-first list links to it)."""
    return f"finding-{finding.fingerprint[:16]}"


def sorted_findings(report: Report) -> list[Finding]:
    return sorted(
        report.findings, key=lambda f: (-f.severity.rank, f.rule_id, f.subject, f.fingerprint)
    )


def findings_view(report: Report) -> FindingsView:
    every = sorted_findings(report)
    cap = None if report.list_cap is None else FINDING_ROWS
    listed = every if cap is None else every[:cap]
    labels = Labels(report)
    appendix = Appendix(report.estate)
    why = {meta.id: meta.summary for meta in report.rules}
    rows = []
    for f in listed:
        path = tuple(path_step(step, labels, appendix.cite) for step in f.path)
        subject = subject_of(report, f.subject)
        events = evidence_events(f.evidence)
        evidence = f.evidence
        if events is not None:
            evidence = {k: v for k, v in evidence.items() if k != EVENTS_KEY}
        rows.append(
            FindingRow(
                finding=f,
                subject=subject,
                short=subject.name or short_id(subject.id),
                why=why.get(f.rule_id) or f.rule_name.replace("-", " "),
                facts=facts(evidence),
                path=path,
                diagram=path_diagram(path),
                agents=agents_of(f),
                events=events,
            )
        )
    return FindingsView(
        rows=tuple(rows),
        total=len(every),
        unlisted=unlisted(every[len(listed) :]),
        policies=appendix.policies,
    )


def unlisted(findings: Iterable[Finding]) -> tuple[Unlisted, ...]:
    counts = Counter((f.severity, f.rule_id, f.rule_name) for f in findings)
    return tuple(
        Unlisted(rule_id=rule, rule_name=name, severity=severity, count=count)
        for (severity, rule, name), count in sorted(
            counts.items(), key=lambda item: (-item[0][0].rank, item[0][1])
        )
    )


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

"""The HTML exposure report: one self-contained file, readable with JavaScript off.

Every string that came from a cloud or a repository (names, tags, descriptions, ARNs, evidence,
gap details) is attacker-controlled. The templates are rendered with autoescape on and nothing
from a report is ever marked safe. A Content-Security-Policy allows only the report's own
stylesheet and script, by hash, so the page makes no request of any kind and an injected script
would not run even if escaping were ever got wrong.

Python shapes the report into plain rows (ages, owners, evidence trees, sorting); the templates
only lay them out. Output depends on the report alone: times are measured from
``report.scanned_at``, never from the clock.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from nhiscan.reports.json import summary
from nhiscan.rules.base import days_between
from nhiscan.scanner.codec import encode, iso
from nhiscan.scanner.model import (
    CollectionGap,
    Credential,
    CredentialStatus,
    Finding,
    Identity,
    Severity,
)
from nhiscan.scanner.owners import owner_of
from nhiscan.scanner.pipeline import Report

SEVERITIES = tuple(sorted(Severity, key=lambda s: s.rank, reverse=True))
HUMAN_LABELS = ("human", "machine", "unknown")
MAX_EVIDENCE_DEPTH = 6


@dataclass(frozen=True, slots=True)
class Node:
    """An evidence value as a tree the template walks: text, key/value entries, or items."""

    kind: Literal["text", "map", "list"]
    text: str = ""
    entries: tuple[tuple[str, Node], ...] = ()
    items: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """An identity as a person reads it: its name when we know it, always its stable id."""

    id: str
    name: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingRow:
    finding: Finding
    subject: Subject
    evidence: Node
    path: tuple[Node, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityRow:
    identity: Identity
    account_name: str | None
    tags: tuple[tuple[str, str], ...]
    human: str  # one of HUMAN_LABELS
    owner: str | None
    owner_tag: str | None  # the tag key the owner was read from, when it came from a tag
    age_days: int | None
    credentials: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CredentialRow:
    credential: Credential
    subject: Subject
    age_days: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryView:
    findings: int
    by_severity: tuple[tuple[str, int], ...]  # every severity, worst first, zeros included
    identities: int
    by_kind: tuple[tuple[str, str, int], ...]  # provider, kind, count
    humans: tuple[tuple[str, int], ...]  # human, machine, unknown
    credentials: int
    active_credentials: int
    gaps: int
    gaps_by_reason: tuple[tuple[str, int], ...]


class HtmlReporter:
    def render(self, report: Report) -> bytes:
        env = environment()
        html = env.get_template("report.html").render(
            report=report,
            csp=content_security_policy(),
            summary=summary_view(report),
            findings=finding_rows(report),
            identities=identity_rows(report),
            credentials=credential_rows(report),
            gaps=sorted_gaps(report.gaps),
            severities=[(s.value, s.rank) for s in SEVERITIES],
        )
        return html.encode("utf-8")


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("nhiscan", "reports/templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["iso"] = iso
    env.filters["tree"] = tree_html
    env.filters["day"] = lambda value: value.astimezone(UTC).strftime("%Y-%m-%d")
    env.filters["minute"] = lambda value: value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return env


@cache
def content_security_policy() -> str:
    """Nothing may load; only our own inline stylesheet and script may apply, by hash."""
    env = environment()
    style = _sha256(env.get_template("report.css").render())
    script = _sha256(env.get_template("report.js").render())
    return (
        "default-src 'none'; img-src data:; base-uri 'none'; form-action 'none'; "
        f"style-src '{style}'; script-src '{script}'"
    )


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def summary_view(report: Report) -> SummaryView:
    counts = summary(report)  # the JSON report's numbers, so both reports agree
    by_kind = []
    for key, count in counts["identities_by_kind"].items():
        provider, _, kind = key.partition(":")
        by_kind.append((provider, kind, count))
    gap_reasons = Counter(g.reason.value for g in report.gaps)
    by_severity = counts["findings_by_severity"]
    return SummaryView(
        findings=counts["findings"],
        by_severity=tuple((s.value, by_severity.get(s.value, 0)) for s in SEVERITIES),
        identities=counts["identities"],
        by_kind=tuple(sorted(by_kind)),
        humans=tuple((label, counts["humans"].get(label, 0)) for label in HUMAN_LABELS),
        credentials=counts["credentials"],
        active_credentials=sum(
            c.status is CredentialStatus.ACTIVE for c in report.snapshot.credentials
        ),
        gaps=counts["gaps"],
        gaps_by_reason=tuple(sorted(gap_reasons.items())),
    )


def finding_rows(report: Report) -> list[FindingRow]:
    findings = sorted(
        report.findings, key=lambda f: (-f.severity.rank, f.rule_id, f.subject, f.fingerprint)
    )
    return [
        FindingRow(
            finding=f,
            subject=_subject(report, f.subject),
            evidence=evidence_tree(f.evidence),
            path=tuple(evidence_tree(step) for step in f.path),
        )
        for f in findings
    ]


def identity_rows(report: Report) -> list[IdentityRow]:
    tag_keys = report.settings.lifecycle.owner_tag_keys
    names = {a.id: a.name for a in report.snapshot.accounts}
    identities = sorted(
        report.estate.identities.values(),
        key=lambda i: (i.provider.value, i.account, i.kind.value, i.name, i.id),
    )
    rows = []
    for identity in identities:
        owner = owner_of(identity, tag_keys)
        rows.append(
            IdentityRow(
                identity=identity,
                account_name=names.get(identity.account),
                tags=tuple(sorted(identity.tags.items())),
                human=_human_label(identity.is_human),
                owner=owner.name if owner else None,
                owner_tag=owner.tag_key if owner else None,
                age_days=age_days(identity.created, report.scanned_at),
                credentials=len(report.estate.credentials(identity.id)),
            )
        )
    return rows


def credential_rows(report: Report) -> list[CredentialRow]:
    credentials = sorted(
        report.snapshot.credentials,
        key=lambda c: (c.provider.value, c.account, c.identity, c.kind.value, c.id),
    )
    return [
        CredentialRow(
            credential=c,
            subject=_subject(report, c.identity),
            age_days=age_days(c.created, report.scanned_at),
        )
        for c in credentials
    ]


def sorted_gaps(gaps: Iterable[CollectionGap]) -> list[CollectionGap]:
    return sorted(
        gaps,
        key=lambda g: (g.provider.value, g.scope, g.operation, g.subject or "", g.reason.value),
    )


def age_days(since: datetime | None, now: datetime) -> int | None:
    """Whole days from ``since`` to ``now``; a time slightly after ``now`` (skew) is 0."""
    return None if since is None else max(0, days_between(since, now))


def evidence_tree(value: Any, depth: int = 0) -> Node:
    """Turn evidence (JSON-like, possibly nested) into a ``Node`` tree, in a stable order."""
    if depth >= MAX_EVIDENCE_DEPTH and isinstance(value, Mapping | list | tuple | set | frozenset):
        return Node("text", text=json.dumps(encode(_listed(value)), sort_keys=True, default=str))
    if isinstance(value, Mapping):
        if not value:
            return Node("text", text="(empty)")
        return Node(
            "map", entries=tuple((str(k), evidence_tree(v, depth + 1)) for k, v in value.items())
        )
    if isinstance(value, list | tuple | set | frozenset):
        items = _listed(value)
        if not items:
            return Node("text", text="(none)")
        return Node("list", items=tuple(evidence_tree(v, depth + 1) for v in items))
    return Node("text", text=_scalar_text(value))


def tree_html(node: Node) -> Markup:
    """An evidence tree as nested key/value lists. Built here rather than in a recursive
    template macro, which is many times slower on tens of thousands of findings; every text
    goes through ``escape`` exactly as autoescape would."""
    if node.kind == "map":
        inner = "".join(f"<dt>{escape(k)}</dt><dd>{tree_html(c)}</dd>" for k, c in node.entries)
        return Markup(f'<dl class="kv">{inner}</dl>')
    if node.kind == "list":
        inner = "".join(f"<li>{tree_html(c)}</li>" for c in node.items)
        return Markup(f'<ul class="items">{inner}</ul>')
    return Markup(f'<span class="v">{escape(node.text)}</span>')


def _listed(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return value


def _scalar_text(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return iso(value)
    return str(value)


def _subject(report: Report, identity_id: str) -> Subject:
    identity = report.estate.identities.get(identity_id)
    return Subject(id=identity_id, name=None if identity is None else identity.name)


def _human_label(is_human: bool | None) -> str:
    return "unknown" if is_human is None else ("human" if is_human else "machine")


REPORTER = HtmlReporter()

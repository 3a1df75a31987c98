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
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from nhiscan.reports.evidence import Subject, subject_of, tree_html
from nhiscan.reports.html_activity import trail_view
from nhiscan.reports.html_agents import agents_view
from nhiscan.reports.html_findings import finding_anchor, finding_filters, findings_view
from nhiscan.reports.html_history import history_page
from nhiscan.reports.html_paths import blast_view
from nhiscan.reports.html_secrets import secrets_view
from nhiscan.reports.html_svg import Histogram, age_histogram
from nhiscan.reports.json import summary
from nhiscan.reports.model import Report
from nhiscan.reports.remediations import FIX_FIRST, remediations
from nhiscan.rules.base import days_between
from nhiscan.scanner.codec import iso
from nhiscan.scanner.history.view import HistoryView
from nhiscan.scanner.model import (
    CollectionGap,
    Credential,
    CredentialStatus,
    Identity,
    Severity,
)
from nhiscan.scanner.owners import owner_of

SEVERITIES = tuple(sorted(Severity, key=lambda s: s.rank, reverse=True))
# Identities and credentials listed in summary detail: a 10,000-role estate's inventory is
# megabytes of rows; report.json, ``nhiscan inventory`` and --detail full hold every one.
INVENTORY_ROWS = 500
HUMAN_LABELS = ("human", "machine", "unknown")


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
    ages: Histogram  # credentials by age
    gaps: int
    gaps_by_reason: tuple[tuple[str, int], ...]


class HtmlReporter:
    def render(self, report: Report, *, history: HistoryView | None = None) -> bytes:
        env = environment()
        findings = findings_view(report)
        html = env.get_template("report.html").render(
            report=report,
            csp=content_security_policy(),
            summary=summary_view(report),
            findings=findings,
            fixes=remediations(report, FIX_FIRST),
            anchor=finding_anchor,
            finding_filters=finding_filters(findings.rows),
            identities=identity_rows(report),
            credentials=credential_rows(report),
            row_cap=None if report.list_cap is None else INVENTORY_ROWS,
            blast=blast_view(report) if report.reach else None,
            gaps=sorted_gaps(report.gaps),
            secrets=secrets_view(report),
            agents=agents_view(report),
            trail=trail_view(report),
            history=history_page(history, _behaviour_note(report)),
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
        ages=age_histogram(
            report.snapshot.credentials,
            report.scanned_at,
            report.thresholds.key_max_age_days,
        ),
        gaps=counts["gaps"],
        gaps_by_reason=tuple(sorted(gap_reasons.items())),
    )


def identity_rows(report: Report) -> list[IdentityRow]:
    tag_keys = report.thresholds.owner_tag_keys
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
            subject=subject_of(report, c.identity),
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


def _human_label(is_human: bool | None) -> str:
    return "unknown" if is_human is None else ("human" if is_human else "machine")


REPORTER = HtmlReporter()


def _behaviour_note(report: Report) -> str | None:
    """Why the agents' behaviour was not compared, when agents were analysed with a trail."""
    previous = report.previous_behaviour
    if previous is None or report.agents is None or not report.snapshot.activity_sources:
        return None
    return previous.note

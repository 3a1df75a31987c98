"""SARIF 2.1.0, for code scanning (GitHub, GitLab, Azure DevOps) and any SARIF viewer.

One run. ``tool.driver.rules`` lists every registered rule (``Report.rules``, put there by the
pipeline) and any other rule a finding names (a finding's ``ruleIndex`` points into it), with
``defaultConfiguration.level`` and the ``security-severity`` GitHub sorts by. One result per
finding in ``report.findings`` (suppressed and baselined findings are left out, as in the JSON
report's ``findings``):

- ``level`` from the finding's own severity (``LEVELS``): critical and high are errors.
- ``partialFingerprints["nhiscan/v1"]`` is the finding's fingerprint: stable across runs, with
  no line numbers, so moving or reformatting a line keeps the alert (and a baseline) matched.
- Secrets found in repositories (evidence listing ``exposures``) get a ``physicalLocation``
  per exposure: the path in its repository and the line where the secret was committed; the
  first is the result's location, the rest are ``relatedLocations``. The repository and commit
  are in the location's ``properties``.
- Every other finding is about a cloud identity or resource: it gets ``logicalLocations``
  with the subject's ARN (or id) as ``fullyQualifiedName``. That is valid SARIF; GitHub code
  scanning shows such alerts without a file, and no pseudo-file is invented for them.

Secrets never appear in clear: results carry the finding's title, which names a secret by its
redacted prefix only, and no evidence is copied. Collection gaps are
``invocations[0].toolExecutionNotifications`` (level warning), one per gap, so "we could not
look" reaches SARIF consumers too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from nhiscan.reports.model import Report
from nhiscan.rules.base import RuleMeta
from nhiscan.scanner.codec import encode, iso
from nhiscan.scanner.history.view import HistoryView
from nhiscan.scanner.model import CollectionGap, Finding, Severity

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://nhiscan.dev/"
FINGERPRINT_KEY = "nhiscan/v1"
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub code scanning reads rules' properties["security-severity"] (a string, 0.0-10.0):
# over 9.0 is critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
GAP_NOTIFICATION = "collection-gap"
SKIPPED_NOTIFICATION = "files-not-scanned"
REACH_NOTIFICATION = "reach-not-analysed"
_NOTIFICATIONS = (
    (GAP_NOTIFICATION, "warning", "A part of the estate could not be examined: findings "
     "there are unknown, not absent."),
    (SKIPPED_NOTIFICATION, "note", "Files in a scanned repository were not scanned (binary or "
     "too large); report.json lists them."),
    (REACH_NOTIFICATION, "note", "Reach analysis was turned off (--no-reach): escalation, "
     "admin, cross-account and data-reach findings were not computed."),
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class _Context:
    rule_index: Mapping[str, int]
    identities: frozenset[str]  # subjects that are identities: logical kind "member"
    exposures: frozenset[str]  # subjects that are exposures (NHI200): no logical location
    baseline: bool  # with --baseline every result is new


def sarif_document(report: Report) -> dict[str, Any]:
    metas = rule_metas(
        report.rules,
        (*report.findings, *report.baselined, *(s.finding for s in report.suppressed)),
    )
    ctx = _Context(
        rule_index={meta.id: i for i, meta in enumerate(metas)},
        identities=frozenset(report.estate.identities),
        exposures=frozenset(e.id for e in report.snapshot.exposures),
        baseline=report.baseline_file is not None,
    )
    driver = {
        "name": report.tool.name,
        "version": report.tool.version,
        "semanticVersion": report.tool.version,
        "informationUri": INFORMATION_URI,
        "rules": [rule_descriptor(meta) for meta in metas],
        "notifications": [_notification_descriptor(*n) for n in _NOTIFICATIONS],
    }
    run = {
        "tool": {"driver": driver},
        "invocations": [invocation(report)],
        "results": [
            *(result(finding, ctx) for finding in report.findings),
            *accepted_results(report, ctx),
        ],
        "columnKind": "unicodeCodePoints",
        "properties": {
            "scanned_at": iso(report.scanned_at),
            "collected_at": iso(report.snapshot.collected_at),
            "catalog_date": report.tool.catalog_date,
            **({"catalogs": encode(report.tool.catalogs)} if report.tool.catalogs else {}),
            "collection_gaps": len(report.gaps),
            "reach_analysed": report.reach,
            "suppressed": len(report.suppressed),
            "baselined": len(report.baselined),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def rule_metas(registered: Iterable[RuleMeta], findings: Iterable[Finding]) -> list[RuleMeta]:
    """Every registered rule, then any rule a finding names that is not registered (a report
    made with custom rules), described from the finding."""
    metas = list(registered)
    known = {meta.id for meta in metas}
    for finding in findings:
        if finding.rule_id not in known:
            known.add(finding.rule_id)
            metas.append(
                RuleMeta(
                    id=finding.rule_id,
                    name=finding.rule_name,
                    severity=finding.severity,
                    summary=finding.rule_name,
                    remediation=finding.remediation or finding.rule_name,
                )
            )
    return metas


def rule_descriptor(meta: RuleMeta) -> dict[str, Any]:
    return {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": meta.summary},
        "help": {"text": meta.remediation},
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[meta.severity],
            "severity": meta.severity.value,
            "tags": ["security"],
        },
    }


def result(finding: Finding, ctx: _Context) -> dict[str, Any]:
    places = physical_locations(finding.evidence)
    location = dict(places[0]) if places else {}
    if finding.subject not in ctx.exposures:  # a cloud identity or resource (NHI201: the
        location["logicalLocations"] = _logical(finding.subject, ctx)  # key's identity)
    data: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": ctx.rule_index[finding.rule_id],
        "level": LEVELS[finding.severity],
        "message": {"text": finding.title},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "severity": finding.severity.value,
            "subject": finding.subject,
            "provider": finding.provider.value,
            "rule_name": finding.rule_name,
        },
    }
    if len(places) > 1:
        data["relatedLocations"] = [{"id": i, **p} for i, p in enumerate(places[1:], 1)]
    if ctx.baseline:
        data["baselineState"] = "new"  # with --baseline, findings are the new ones only
    return data


def accepted_results(report: Report, ctx: _Context) -> list[dict[str, Any]]:
    """The findings the team accepted are listed too, as suppressed results (SARIF
    ``suppressions``): code scanning shows them as dismissed, with the reason, instead of
    losing them. Baselined ones are ``unchanged`` against the baseline."""
    found = []
    for finding in report.baselined:
        data = result(finding, ctx)
        data["baselineState"] = "unchanged"
        justification = f"accepted in the baseline {report.baseline_file}"
        data["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": justification}
        ]
        found.append(data)
    for suppressed in report.suppressed:
        data = result(suppressed.finding, ctx)
        until = f" (until {suppressed.by.expires})" if suppressed.by.expires else ""
        data["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{suppressed.by.reason}{until}: {suppressed.by.where}",
            }
        ]
        found.append(data)
    return found


def physical_locations(evidence: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A location per exposure in the evidence (``rules/secrets.py``: already redacted)."""
    exposures = evidence.get("exposures")
    if not isinstance(exposures, Sequence) or isinstance(exposures, str):
        return []
    places = []
    for exposure in exposures:
        if not isinstance(exposure, Mapping) or not isinstance(exposure.get("path"), str):
            continue
        line = exposure.get("line")
        region = {"region": {"startLine": max(line, 1)}} if isinstance(line, int) else {}
        commit = exposure.get("commit")
        places.append(
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(exposure["path"])},
                    **region,
                },
                "message": {"text": _where(exposure)},
                "properties": {
                    "repository": exposure.get("repository"),
                    "commit": commit,
                    "at_head": exposure.get("at_head"),
                },
            }
        )
    return places


def artifact_uri(path: str) -> str:
    """A repository-relative path as a relative URI: forward slashes, percent-encoded."""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return quote(path.lstrip("/"), safe="/")


def _where(exposure: Mapping[str, Any]) -> str:
    text = f"{exposure.get('redacted') or 'secret'} in {exposure.get('repository')}"
    commit = exposure.get("commit")
    if isinstance(commit, str):
        text += f", committed in {commit[:12]}"
    if exposure.get("at_head") is False:
        text += " (removed since, still in history)"
    return text


def _logical(subject: str, ctx: _Context) -> list[dict[str, Any]]:
    """The subject as a logical location: an identity is a "member" (of its account), an agent
    ("agent:<name>") a "module", anything else (a bucket, a key) a "resource"."""
    name = subject.rsplit("/", 1)[-1].rsplit(":", 1)[-1] or subject
    if subject in ctx.identities:
        kind = "member"
    elif subject.startswith("agent:"):
        kind = "module"
    else:
        kind = "resource"
    return [{"name": name, "fullyQualifiedName": subject, "kind": kind}]


def invocation(report: Report) -> dict[str, Any]:
    notifications = [gap_notification(gap) for gap in report.gaps]
    skipped = len(report.snapshot.skipped)
    if skipped:
        notifications.append(
            _note(
                SKIPPED_NOTIFICATION,
                f"{skipped} file{'s' if skipped > 1 else ''} not scanned "
                "(binary or too large): listed in report.json under skipped.",
            )
        )
    if not report.reach:
        notifications.append(
            _note(
                REACH_NOTIFICATION,
                "Reach analysis was turned off (--no-reach): no "
                "escalation, admin, cross-account or data-reach findings were computed.",
            )
        )
    return {"executionSuccessful": True, "toolExecutionNotifications": notifications}


def gap_notification(gap: CollectionGap) -> dict[str, Any]:
    text = (
        f"Could not examine {gap.provider.value} {gap.scope}: {gap.operation} "
        f"({gap.reason.value}): {gap.detail}. Findings there are unknown, not absent."
    )
    return {
        "level": "warning",
        "message": {"text": text},
        "descriptor": {"id": GAP_NOTIFICATION, "index": 0},
        "properties": {
            "provider": gap.provider.value,
            "scope": gap.scope,
            "operation": gap.operation,
            "reason": gap.reason.value,
            "detail": gap.detail,
            "subject": gap.subject,
        },
    }


def _note(descriptor: str, text: str) -> dict[str, Any]:
    index = [n[0] for n in _NOTIFICATIONS].index(descriptor)
    return {
        "level": "note",
        "message": {"text": text},
        "descriptor": {"id": descriptor, "index": index},
    }


def _notification_descriptor(id_: str, level: str, text: str) -> dict[str, Any]:
    return {
        "id": id_,
        "name": id_,
        "shortDescription": {"text": text},
        "defaultConfiguration": {"level": level},
    }


class SarifReporter:
    def render(self, report: Report, *, history: HistoryView | None = None) -> bytes:
        """SARIF has no place for the history: ``history`` is ignored."""
        text = json.dumps(sarif_document(report), indent=2, ensure_ascii=False)
        return (text + "\n").encode("utf-8")


REPORTER = SarifReporter()

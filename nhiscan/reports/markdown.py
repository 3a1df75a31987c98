"""The Markdown summary (``--format md``), sized for a pull-request comment: a title, a one-line
verdict, the fix-first list (``remediations.py``), the findings worst first (capped), secrets in
code (redacted), collection gaps, agents and what the baseline and suppressions held back.
``report.json`` has everything else.

Every string that comes from the scanned estate (names, descriptions, paths, ARNs, titles built
from them) is attacker-controlled: ``md()`` escapes Markdown and HTML in it and flattens it to one
line, so it cannot break a table row, open a link or image, or inject HTML. (A bare URL in a name
may still be autolinked by GitHub: it shows its own address and hides nothing.)
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from nhiscan.reports.model import Report
from nhiscan.reports.remediations import FIX_FIRST, remediations
from nhiscan.scanner.history.view import HistoryView
from nhiscan.scanner.model import Severity

FINDINGS_LIMIT = 50
SECRETS_LIMIT = 20
GAPS_LIMIT = 20
AGENTS_LIMIT = 30
CELL_LIMIT = 300  # characters of a data string shown in a cell
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "\\": "\\\\",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "~": "\\~",
        "[": "\\[",
        "]": "\\]",
        "|": "\\|",
        "#": "\\#",
    }
)


def md(value: Any, limit: int = CELL_LIMIT) -> str:
    """A data string as inert Markdown text on one line (truncated to ``limit`` characters)."""
    text = _CONTROL.sub(" ", "" if value is None else str(value)).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.translate(_ESCAPES)


def render_markdown(report: Report, history: HistoryView | None = None) -> str:
    sections = [
        f"### {md(report.tool.name)} {md(report.tool.version)}: non-human identity report",
        verdict(report),
        _since_last(history),
        *_held_back(report),
        _fix_first(report),
        _findings(report),
        _secrets(report),
        _gaps(report),
        _agents(report),
        "<sub>Evidence, paths and remediation for every finding are in report.json and "
        "report.html.</sub>",
        _catalogs(report),
    ]
    return "\n\n".join(s for s in sections if s) + "\n"


def _fix_first(report: Report) -> str:
    """The changes that close the most risk (``remediations.py``), as the HTML report's top."""
    fixes = remediations(report, FIX_FIRST)
    if not fixes:
        return ""
    rows = [
        _row(
            str(n),
            md(fix.action),
            md(fix.change),
            ", ".join(f"{count} {severity.value}" for severity, count in fix.by_severity)
            + (f"; {fix.paths_to_admin} to admin" if fix.paths_to_admin else ""),
        )
        for n, fix in enumerate(fixes, 1)
    ]
    return "#### Fix first\n\n" + _table(("#", "Change", "How", "Closes"), rows)


def _catalogs(report: Report) -> str:
    """The catalogues the analysis read, when the report names several (``ToolInfo.catalogs``:
    empty for an analysis by the default provider alone, whose report stays as it was)."""
    named = [f"{md(c.name)} of {md(c.date or 'unknown date')}" for c in report.tool.catalogs]
    return f"<sub>Catalogues: {'; '.join(named)}.</sub>" if named else ""


def verdict(report: Report) -> str:
    counts = Counter(f.severity for f in report.findings)
    if report.findings:
        by_sev = ", ".join(f"{counts[s]} {s.value}" for s in Severity if counts[s])
        noun = "finding" if len(report.findings) == 1 else "findings"
        text = f"**{len(report.findings)} {noun}** ({by_sev})"
    else:
        text = "**No findings**"
    text += (
        f" in {len(report.estate.identities)} identities and "
        f"{len(report.snapshot.credentials)} credentials"
    )
    if report.gaps:
        text += f"; **incomplete: {len(report.gaps)} collection gaps** (see below)"
    if not report.reach:
        text += "; reach analysis was off (--no-reach)"
    return text + "."


def _held_back(report: Report) -> list[str]:
    lines = []
    if report.baseline_file is not None:
        stale = len(report.stale_baseline)
        lines.append(
            f"Baseline {md(report.baseline_file)}: {len(report.baselined)} accepted findings "
            "not shown" + (f", {stale} entries match nothing any more" if stale else "") + "."
        )
    if report.suppressed or report.expired_suppressions or report.unused_suppressions:
        lines.append(
            f"Suppressed in nhiscan.toml: {len(report.suppressed)}"
            f"; expired: {len(report.expired_suppressions)}"
            f"; matching nothing: {len(report.unused_suppressions)}."
        )
    return lines


def _findings(report: Report) -> str:
    if not report.findings:
        return ""
    rows = [
        _row(f"{md(f.rule_id)} {md(f.rule_name)}", f.severity.value, md(f.subject), md(f.title))
        for f in report.findings[:FINDINGS_LIMIT]
    ]
    table = _table(("Rule", "Severity", "Subject", "Finding"), rows)
    more = len(report.findings) - FINDINGS_LIMIT
    return "#### Findings\n\n" + table + (f"\n\n{more} more in report.json." if more > 0 else "")


def _secrets(report: Report) -> str:
    exposures = report.snapshot.exposures
    if not exposures:
        return ""
    rows = []
    for e in exposures[:SECRETS_LIMIT]:
        commit = md(e.commit[:12]) if e.commit else ""
        head = {True: "yes", False: "history only", None: "?"}[e.at_head]
        rows.append(_row(md(e.detector), md(e.redacted), md(e.repository),
                         f"{md(e.path)}:{e.line}", commit, head))  # fmt: skip
    more = len(exposures) - SECRETS_LIMIT
    table = _table(("Detector", "Secret (redacted)", "Repository", "File", "Commit", "At HEAD"),
                   rows)  # fmt: skip
    return "#### Secrets in code\n\n" + table + (f"\n\n{more} more in report.json." if more > 0
                                                   else "")  # fmt: skip


def _gaps(report: Report) -> str:
    if not report.gaps:
        return ""
    rows = [
        _row(md(g.provider.value), md(g.scope), md(g.operation), md(g.reason.value), md(g.detail))
        for g in report.gaps[:GAPS_LIMIT]
    ]
    more = len(report.gaps) - GAPS_LIMIT
    return (
        "#### Collection gaps: not examined, so not known to be clean\n\n"
        + _table(("Provider", "Scope", "Operation", "Reason", "Detail"), rows)
        + (f"\n\n{more} more in report.json." if more > 0 else "")
    )


SINCE = (
    ("new_findings", "new findings"),
    ("resolved_findings", "resolved"),
    ("identities_created", "identities created"),
    ("identities_removed", "identities removed"),
    ("keys_created", "keys created"),
    ("keys_rotated", "keys rotated"),
    ("keys_deleted", "keys deleted"),
    ("grants", "identities with changed grants"),
    ("agents", "agents with changed grants"),
)


def _since_last(view: HistoryView | None) -> str:
    """One line on what changed since the previous recorded run of the same scope."""
    if view is None or view.previous is None or view.drift is None:
        return ""
    drift = view.drift
    parts = [f"{len(getattr(drift, name))} {words}" for name, words in SINCE
             if getattr(drift, name)]  # fmt: skip
    what = ", ".join(parts) if parts else "no change"
    return (
        f"Since run #{view.previous.id} ({view.previous.finished_at:%Y-%m-%d %H:%M} UTC): {what}."
    )


def _agents(report: Report) -> str:
    analysis = report.agents
    if analysis is None:
        return ""
    rows = []
    for result in analysis.results[:AGENTS_LIMIT]:
        score = result.score
        band = score.band.value if score is not None and score.band is not None else "none"
        value = str(score.value) if score is not None else "n/a"
        gap = result.gap
        excess = str(len(gap.excess)) if gap is not None else "n/a"
        missing = str(len(gap.missing)) if gap is not None else "n/a"
        rows.append(_row(md(result.agent.name), band, value, excess, missing))
    more = len(analysis.results) - AGENTS_LIMIT
    note = "" if analysis.gaps_analysed else "\n\nReach analysis was off: no excess or missing."
    return (
        "#### Agents\n\n"
        + _table(("Agent", "Exposure band", "Score", "Excess", "Missing"), rows)
        + (f"\n\n{more} more in report.json." if more > 0 else "")
        + note
        + f"\n\n{len(analysis.unclaimed)} non-human identities are claimed by no agent."
    )


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: tuple[str, ...], rows: list[str]) -> str:
    return "\n".join([_row(*header), _row(*("---" for _ in header)), *rows])


class MarkdownReporter:
    def render(self, report: Report, *, history: HistoryView | None = None) -> bytes:
        return render_markdown(report, history).encode("utf-8")


REPORTER = MarkdownReporter()

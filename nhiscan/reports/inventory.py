"""The inventory table: identities and credentials as text, CSV or JSON (``nhiscan inventory``),
and the CSV report format (``--format csv``: the same rows, aged at the report's scan time).

CSV cells are guarded against formula injection: a spreadsheet runs a cell starting with ``=``,
``+``, ``-`` or ``@`` (and tab or CR hide one), and names and descriptions come from the scanned
estate, so such a cell gets a leading ``'`` (OWASP's advice). Lines end in CRLF (RFC 4180), so a
CR or LF inside a value is quoted and cannot split a row. Text and JSON are left as they are.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from nhiscan.scanner.codec import iso
from nhiscan.scanner.estate import Estate

if TYPE_CHECKING:
    from nhiscan.reports.model import Report
    from nhiscan.scanner.history.view import HistoryView

COLUMNS = (
    "record", "provider", "kind", "id", "name", "account", "identity", "status", "is_human",
    "human_reason", "created", "age_days", "last_used", "days_since_use", "credentials",
)  # fmt: skip


def inventory_rows(estate: Estate, now: datetime) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for ident in sorted(estate.identities.values(), key=lambda i: (i.provider, i.kind, i.id)):
        rows.append(
            {
                "record": "identity", "provider": ident.provider.value, "kind": ident.kind.value,
                "id": ident.id, "name": ident.name, "account": ident.account, "identity": None,
                "status": None, "is_human": ident.is_human, "human_reason": ident.human_reason,
                **_times(ident.created, ident.last_used, now),
                "credentials": len(estate.credentials(ident.id)),
            }
        )  # fmt: skip
        for cred in sorted(estate.credentials(ident.id), key=lambda c: (c.kind, c.id)):
            rows.append(
                {
                    "record": "credential", "provider": cred.provider.value,
                    "kind": cred.kind.value, "id": cred.id, "name": None,
                    "account": cred.account, "identity": cred.identity,
                    "status": cred.status.value if cred.status else None, "is_human": None,
                    "human_reason": None, **_times(cred.created, cred.last_used, now),
                    "credentials": None,
                }
            )  # fmt: skip
    return rows


def _times(created: datetime | None, last_used: datetime | None, now: datetime) -> dict[str, Any]:
    return {
        "created": iso(created) if created else None,
        "age_days": (now - created).days if created else None,
        "last_used": iso(last_used) if last_used else None,
        "days_since_use": (now - last_used).days if last_used else None,
    }


def render_inventory(estate: Estate, *, fmt: str, now: datetime) -> str:
    rows = inventory_rows(estate, now)
    if fmt == "json":
        return json.dumps(rows, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        # CRLF as RFC 4180 has it: the writer quotes a field holding any character of the line
        # terminator, so a CR inside a name cannot split its row (with "\n" alone it did)
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
        return buffer.getvalue()
    return _text(rows)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value safe to open in a spreadsheet: text that would start a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvReporter:
    """``--format csv``: the inventory, ages and days since last use counted to the scan time."""

    def render(self, report: Report, *, history: HistoryView | None = None) -> bytes:
        """The inventory has no history: ``history`` is ignored."""
        text = render_inventory(report.estate, fmt="csv", now=report.scanned_at)
        return text.encode("utf-8")


REPORTER = CsvReporter()


def _text(rows: Iterable[dict[str, Any]]) -> str:
    lines = []
    header = f"{'KIND':<16} {'HUMAN':<7} {'AGE':>5} {'UNUSED':>6}  ID"
    lines.append(header)
    for row in rows:
        indent = "  " if row["record"] == "credential" else ""
        human = {True: "person", False: "machine", None: "?"}[row["is_human"]]
        if row["record"] == "credential":
            human = row["status"] or "?"
        age = "" if row["age_days"] is None else str(row["age_days"])
        unused = "never" if row["last_used"] is None else str(row["days_since_use"])
        lines.append(f"{indent + row['kind']:<16} {human:<7} {age:>5} {unused:>6}  {row['id']}")
    return "\n".join(lines) + "\n"

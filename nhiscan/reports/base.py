"""The reporter seam: ``render(report, *, history=None) -> bytes``, chosen by ``Format``. The
history view (a scan recorded in the store) is handed over beside the report.

- ``json``: the report contract (``json.py``; its JSON Schema is ``schema.py``, printed by
  ``nhiscan schema report``).
- ``html``: the report people read (``html.py``).
- ``sarif``: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): one result per
  finding, collection gaps as tool notifications (``sarif.py``).
- ``md``: a Markdown summary sized for a pull-request comment (``markdown.py``).
- ``csv``: the inventory, one row per identity and per credential, with ages and last use,
  guarded against formula injection (``inventory.py``).

``-o DIR`` writes ``report.<value>`` for each chosen format; ``-o FILE`` picks the format from
the suffix (``.json``, ``.html``, ``.sarif``, ``.md``, ``.csv``).
"""

from __future__ import annotations

import importlib
from enum import StrEnum
from typing import Protocol

from nhiscan.reports.model import Report
from nhiscan.scanner.history.view import HistoryView


class Format(StrEnum):
    JSON = "json"
    HTML = "html"
    SARIF = "sarif"
    MD = "md"
    CSV = "csv"

    @property
    def filename(self) -> str:
        return f"report.{self.value}"


class Reporter(Protocol):
    def render(self, report: Report, *, history: HistoryView | None = None) -> bytes: ...


_REPORTERS: dict[Format, str] = {
    Format.JSON: "nhiscan.reports.json",
    Format.HTML: "nhiscan.reports.html",
    Format.SARIF: "nhiscan.reports.sarif",
    Format.MD: "nhiscan.reports.markdown",
    Format.CSV: "nhiscan.reports.inventory",
}


def reporter(fmt: Format) -> Reporter:
    module = importlib.import_module(_REPORTERS[fmt])
    result: Reporter = module.REPORTER
    return result

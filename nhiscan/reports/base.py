"""The reporter seam: ``render(report) -> bytes``, chosen by ``Format``."""

from __future__ import annotations

import importlib
from enum import StrEnum
from typing import Protocol

from nhiscan.scanner.pipeline import Report


class Format(StrEnum):
    JSON = "json"
    HTML = "html"

    @property
    def filename(self) -> str:
        return f"report.{self.value}"


class Reporter(Protocol):
    def render(self, report: Report) -> bytes: ...


_REPORTERS: dict[Format, str] = {
    Format.JSON: "nhiscan.reports.json",
    Format.HTML: "nhiscan.reports.html",
}


def reporter(fmt: Format) -> Reporter:
    module = importlib.import_module(_REPORTERS[fmt])
    result: Reporter = module.REPORTER
    return result

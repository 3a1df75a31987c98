"""The "Secrets in code" section of the HTML report: each distinct secret found, where and when
it was introduced, and the inventory credential it unlocks. Redacted, never in clear."""

from __future__ import annotations

from dataclasses import dataclass

from nhiscan.reports.model import Report
from nhiscan.scanner.leaks import credentials_by_fingerprint
from nhiscan.scanner.model import Exposure, SkippedFile

SKIPPED_ROWS = 200  # listed in the page; report.json lists every one


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretRow:
    exposure: Exposure
    credential: str | None  # the inventory credential it unlocks
    identity: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretsView:
    rows: tuple[SecretRow, ...]
    skipped: tuple[SkippedFile, ...]
    more_skipped: int


def secrets_view(report: Report) -> SecretsView:
    index = credentials_by_fingerprint(report.estate.snapshot.credentials)  # as completed
    rows = []
    for exposure in report.snapshot.exposures:
        credential = index.get(exposure.fingerprint or "")
        rows.append(
            SecretRow(
                exposure=exposure,
                credential=credential.id if credential else None,
                identity=credential.identity if credential else None,
            )
        )
    # Joined first (live credentials), then still at HEAD, then by place.
    rows.sort(
        key=lambda r: (
            r.identity is None,
            r.exposure.at_head is not True,
            r.exposure.repository,
            r.exposure.path,
            r.exposure.line,
        )
    )
    skipped = report.snapshot.skipped
    return SecretsView(
        rows=tuple(rows),
        skipped=tuple(skipped[:SKIPPED_ROWS]),
        more_skipped=max(0, len(skipped) - SKIPPED_ROWS),
    )

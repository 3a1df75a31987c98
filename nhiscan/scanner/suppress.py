"""Suppressions: findings a team has decided not to act on, written in nhiscan.toml with the
reason, and optionally until a date.

    [[suppress]]
    rule = "NHI007"                               # a rule id or name
    subject = "*/vendor-*"                        # a glob over the finding's subject (default *)
    reason = "Vendor roles are owned by the vendor team (SEC-412)"
    expires = 2027-01-31                          # optional: from the day after, it stops

    [[suppress]]
    fingerprint = "3f1c…"                         # one finding exactly
    reason = "Test fixture key, revoked"

A reason is required. An expired suppression stops suppressing and the reports say so, as they
list suppressions that match nothing any more. Pure: findings and the clock in, a split out;
parsing the TOML table is ``parse_suppressions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fnmatch import fnmatchcase
from typing import Any

from nhiscan.errors import ConfigError
from nhiscan.scanner.model import Finding

KEYS = ("fingerprint", "rule", "subject", "reason", "expires")


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppression:
    reason: str
    where: str  # "nhiscan.toml [[suppress]] #2", for messages
    fingerprint: str | None = None
    rule: str | None = None  # rule id ("NHI007") or name ("nhi-without-owner")
    subject: str = "*"  # glob over Finding.subject
    expires: date | None = None  # the last day it applies

    def matches(self, finding: Finding) -> bool:
        if self.fingerprint is not None:
            return finding.fingerprint == self.fingerprint
        if self.rule not in (finding.rule_id, finding.rule_name):
            return False
        return fnmatchcase(finding.subject, self.subject)

    def expired(self, now: datetime) -> bool:
        return self.expires is not None and now.date() > self.expires

    def describe(self) -> str:
        what = (
            f"fingerprint {self.fingerprint}" if self.fingerprint else f"{self.rule} {self.subject}"
        )
        return f"{self.where}: {what}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppressed:
    finding: Finding
    by: Suppression


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionSplit:
    kept: tuple[Finding, ...]  # not suppressed: these are reported and gate
    suppressed: tuple[Suppressed, ...]
    expired: tuple[Suppression, ...]  # past their date: no longer suppressing
    unused: tuple[Suppression, ...]  # in force but matching no finding


def split(
    findings: Iterable[Finding], suppressions: Sequence[Suppression], now: datetime
) -> SuppressionSplit:
    active = [s for s in suppressions if not s.expired(now)]
    used: set[int] = set()
    kept, suppressed = [], []
    for finding in findings:
        found = next((i for i, s in enumerate(active) if s.matches(finding)), None)
        if found is None:
            kept.append(finding)
        else:
            used.add(found)
            suppressed.append(Suppressed(finding=finding, by=active[found]))
    return SuppressionSplit(
        kept=tuple(kept),
        suppressed=tuple(suppressed),
        expired=tuple(s for s in suppressions if s.expired(now)),
        unused=tuple(s for i, s in enumerate(active) if i not in used),
    )


def parse_suppressions(data: Any, *, source: str) -> tuple[Suppression, ...]:
    """The ``[[suppress]]`` array of tables of nhiscan.toml; errors name the entry and key."""
    if not isinstance(data, list):
        raise ConfigError(f"{source}: suppress must be an array of tables ([[suppress]])")
    return tuple(_one(entry, f"{source} [[suppress]] #{n}") for n, entry in enumerate(data, 1))


def _one(entry: Any, where: str) -> Suppression:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a table")
    for key in entry:
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}; valid keys: {', '.join(KEYS)}")
    text = {k: _text(entry, k, where) for k in ("fingerprint", "rule", "subject", "reason")}
    if not text["reason"]:
        raise ConfigError(f'{where}: a suppression needs a reason (reason = "why")')
    if (text["fingerprint"] is None) == (text["rule"] is None):
        raise ConfigError(f"{where}: give either fingerprint or rule (with an optional subject)")
    if text["fingerprint"] is not None and text["subject"] is not None:
        raise ConfigError(f"{where}: subject goes with rule, not with fingerprint")
    return Suppression(
        reason=text["reason"],
        where=where,
        fingerprint=text["fingerprint"],
        rule=text["rule"],
        subject=text["subject"] or "*",
        expires=_date(entry.get("expires"), where),
    )


def _text(entry: dict[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} must be non-empty text")
    return value.strip()


def _date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"{where}: expires must be a date (expires = 2027-01-31), not {value!r}")

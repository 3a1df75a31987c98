"""A baseline: the findings a team has accepted, so that only new ones fail the build.

Entries are keyed on the finding's fingerprint, which never holds a line number, a commit or a
timestamp; for secrets in code it is a hash of the detector and the secret (rules/secrets.py),
so moving, reformatting or squash-merging the line keeps it baselined. The file is JSON with
sorted entries and no timestamps: two branches that accept different findings merge without a
conflict on anything but their own lines. Pure: findings in, a split out. Reading and writing
the file are the two small functions at the end.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nhiscan.errors import ConfigError
from nhiscan.scanner.model import Finding

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    fingerprint: str
    rule_id: str
    subject: str  # for a person reading the file; matching uses the fingerprint only
    note: str | None = None  # why it was accepted (kept across updates)

    def to_json(self) -> dict[str, Any]:
        data = {"fingerprint": self.fingerprint, "rule_id": self.rule_id, "subject": self.subject}
        return data | ({"note": self.note} if self.note else {})


@dataclass(frozen=True, slots=True, kw_only=True)
class Baseline:
    entries: tuple[Entry, ...] = ()

    def fingerprints(self) -> frozenset[str]:
        return frozenset(e.fingerprint for e in self.entries)


@dataclass(frozen=True, slots=True, kw_only=True)
class Split:
    new: tuple[Finding, ...]  # not in the baseline: these gate
    baselined: tuple[Finding, ...]
    stale: tuple[Entry, ...]  # entries that matched nothing: fixed, or the secret is gone


def create(findings: Iterable[Finding], *, notes: Mapping[str, str] | None = None) -> Baseline:
    entries = {
        f.fingerprint: Entry(
            fingerprint=f.fingerprint,
            rule_id=f.rule_id,
            subject=_subject(f),
            note=(notes or {}).get(f.fingerprint),
        )
        for f in findings
    }
    return Baseline(entries=tuple(sorted(entries.values(), key=_order)))


def update(old: Baseline, findings: Iterable[Finding]) -> tuple[Baseline, tuple[Entry, ...]]:
    """The current findings, keeping the notes of entries that still match; and the entries
    dropped because nothing matches them any more."""
    findings = list(findings)
    notes = {e.fingerprint: e.note for e in old.entries if e.note}
    current = create(findings, notes=notes)
    now = current.fingerprints()
    return current, tuple(e for e in old.entries if e.fingerprint not in now)


def split(findings: Iterable[Finding], baseline: Baseline) -> Split:
    accepted = baseline.fingerprints()
    new: list[Finding] = []
    old: list[Finding] = []
    for finding in findings:
        (old if finding.fingerprint in accepted else new).append(finding)
    seen = {f.fingerprint for f in old}
    stale = tuple(e for e in baseline.entries if e.fingerprint not in seen)
    return Split(new=tuple(new), baselined=tuple(old), stale=stale)


def _subject(finding: Finding) -> str:
    detector = finding.evidence.get("detector")
    redacted = finding.evidence.get("redacted")
    if isinstance(detector, str) and isinstance(redacted, str):
        return f"{detector} {redacted}"  # secrets: never a location, which changes
    return finding.subject


def _order(entry: Entry) -> tuple[str, str]:
    return (entry.rule_id, entry.fingerprint)


def to_json(baseline: Baseline) -> str:
    document = {
        "nhiscan_baseline": FORMAT_VERSION,
        "entries": [e.to_json() for e in baseline.entries],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def from_json(text: str, *, source: str) -> Baseline:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{source}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, dict) or data.get("nhiscan_baseline") != FORMAT_VERSION:
        raise ConfigError(
            f'{source}: not an nhiscan baseline (expected "nhiscan_baseline": {FORMAT_VERSION})'
        )
    entries = data.get("entries")
    if not isinstance(entries, list):
        raise ConfigError(f'{source}: "entries" must be a list')
    parsed = []
    for index, item in enumerate(entries):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("fingerprint", "rule_id", "subject")
        ):
            raise ConfigError(
                f"{source}: entry {index} needs string fingerprint, rule_id and subject"
            )
        note = item.get("note")
        parsed.append(
            Entry(
                fingerprint=item["fingerprint"],
                rule_id=item["rule_id"],
                subject=item["subject"],
                note=note if isinstance(note, str) else None,
            )
        )
    return Baseline(entries=tuple(sorted(parsed, key=_order)))


def load(path: Path) -> Baseline:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc.strerror}") from exc
    return from_json(text, source=str(path))


def save(baseline: Baseline, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(to_json(baseline), encoding="utf-8")
    tmp.replace(path)

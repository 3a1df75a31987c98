"""What a match looks like, read while the secret is still in memory; only the trait names go
on to the exposure (rules/secrets_judge.py judges by them):

- a password's user, host and value, off its line (``value_traits``);
- a detect-secrets finding of a format nhiscan's own detector also reads (it has the format's
  prefix) that this detector does not accept: a body the format cannot have, a placeholder, a
  documented example, a failed checksum.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from nhiscan.connectors.git.secrets.detectors import AWS_KEY_ID, DETECTORS, Detector
from nhiscan.connectors.git.secrets.match import Match
from nhiscan.rules.secrets_judge import FORMAT_CHECKED, PASSWORDS, value_traits

# detect-secrets' type -> the nhiscan detector that reads the same format, and the prefix that
# says a secret claims that format (detect-secrets' AWS plugin also reports 40-character
# secret keys and A3T/ABIA/ACCA ids, which nhiscan's key id detector does not read).
FORMAT_OWNERS: dict[str, tuple[str, re.Pattern[str]]] = {
    "AWS Access Key": (AWS_KEY_ID, re.compile(r"AKIA|ASIA")),
    "GitHub Token": ("GitHub Classic Token", re.compile(r"gh[pousr]_")),
    "Stripe Access Key": ("Stripe Live Secret Key", re.compile(r"[sr]k_live_")),
    "OpenAI Token": ("OpenAI API Key", re.compile(r"sk-")),
}
_BY_NAME = {d.name: d for d in DETECTORS}


def with_traits(matches: Sequence[Match], lines: Sequence[str]) -> tuple[Match, ...]:
    return tuple(_traced(m, lines) for m in matches)


def _traced(match: Match, lines: Sequence[str]) -> Match:
    if match.detector in PASSWORDS:
        line = lines[match.line - 1] if 0 < match.line <= len(lines) else ""
        return replace(match, traits=value_traits(match.detector, match.secret, line))
    if match.detector in FORMAT_CHECKED and _fails_its_format(match):
        return replace(match, traits=("failed-format-check",))
    return match


def _fails_its_format(match: Match) -> bool:
    name, prefix = FORMAT_OWNERS[match.detector]
    owner = _BY_NAME.get(name)
    if owner is None or prefix.match(match.secret) is None:
        return False
    return not _accepted(owner, match.secret)


def _accepted(owner: Detector, secret: str) -> bool:
    found = owner.pattern.search(secret)
    if found is None or (found.groupdict().get("secret") or found.group(0)) != secret:
        return False
    return owner.validate is None or owner.validate(secret)

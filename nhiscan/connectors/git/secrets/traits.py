"""What the password, user and host of each match look like, read off its line while the
secret is still in memory (rules/secrets_judge.py ``value_traits``); only the trait names go on
to the exposure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from nhiscan.connectors.git.secrets.match import Match
from nhiscan.rules.secrets_judge import PASSWORDS, value_traits


def with_traits(matches: Sequence[Match], lines: Sequence[str]) -> tuple[Match, ...]:
    return tuple(
        replace(m, traits=value_traits(m.detector, m.secret, _line(lines, m.line)))
        if m.detector in PASSWORDS
        else m
        for m in matches
    )


def _line(lines: Sequence[str], number: int) -> str:
    return lines[number - 1] if 0 < number <= len(lines) else ""

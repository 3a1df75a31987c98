"""IAM action patterns: ``*`` and ``?`` wildcards, compared without regard to case."""

from __future__ import annotations

import re
from collections.abc import Iterable


def compile_patterns(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One regular expression matching any of ``patterns`` (None when there are none)."""
    parts = sorted({_translate(p) for p in patterns})
    if not parts:
        return None
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def matches(pattern: re.Pattern[str] | None, action: str) -> bool:
    return pattern is not None and pattern.fullmatch(action) is not None


def _translate(pattern: str) -> str:
    return re.escape(pattern.strip()).replace(r"\*", ".*").replace(r"\?", ".")

"""Globs, as every provider's policy language writes them: ``*`` is any run of characters and
``?`` any one character, over the whole string. Action patterns compare without regard to case
(:func:`compile_patterns`); :func:`glob_matcher` and :func:`glob_match` are case-sensitive unless
asked."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache


def compile_patterns(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One regular expression matching any of ``patterns`` (None when there are none)."""
    parts = sorted({_translate(p) for p in patterns})
    if not parts:
        return None
    return _alternation("|".join(f"(?:{p})" for p in parts))


@lru_cache(maxsize=65_536)
def _alternation(body: str) -> re.Pattern[str]:
    """Compiled once per distinct pattern set: thousands of principals share the same managed
    policies, and re's own cache (512 entries) does not hold a dense estate's statements."""
    return re.compile(body, re.IGNORECASE)


def matches(pattern: re.Pattern[str] | None, action: str) -> bool:
    return pattern is not None and pattern.fullmatch(action) is not None


def _translate(pattern: str) -> str:
    return re.escape(pattern.strip()).replace(r"\*", ".*").replace(r"\?", ".")


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def glob_body(pattern: str) -> str:
    """The regex for one glob (unanchored): ``*`` -> ``.*``, ``?`` -> ``.``, the rest literal."""
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)


@lru_cache(maxsize=65_536)
def glob_regex(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(glob_body(pattern), flags)


Matcher = Callable[[str], bool]


def _always(_: str) -> bool:
    return True


@lru_cache(maxsize=65_536)
def glob_matcher(pattern: str) -> Matcher:
    """A case-sensitive whole-string test for one glob, as cheap as the pattern allows: ``*``
    matches everything, a pattern without wildcards is an equality test, ``prefix*`` a
    ``startswith``; others compile to a regex. (Compiling a regex costs far more than matching:
    thousands of distinct ``bucket-N/*`` resource patterns must not each compile one.)"""
    if pattern == "*":
        return _always
    if not has_wildcard(pattern):
        return pattern.__eq__
    head = pattern[:-1]
    if pattern.endswith("*") and not has_wildcard(head):
        return lambda value: value.startswith(head)
    regex = glob_regex(pattern)
    return lambda value: regex.fullmatch(value) is not None


def any_matcher(patterns: Iterable[str]) -> Matcher:
    """A test passing when any of ``patterns`` matches."""
    matchers = tuple(dict.fromkeys(glob_matcher(p) for p in patterns))
    if len(matchers) == 1:
        return matchers[0]
    return lambda value: any(m(value) for m in matchers)


def glob_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    if not has_wildcard(pattern):
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return glob_regex(pattern, ignore_case).fullmatch(value) is not None

"""Python regexes over latin-1 text, as Hyperscan expressions over the same bytes.

The pre-filter's literals and patterns are written for Python (``re`` on the blob decoded as
latin-1, one character per byte). Hyperscan reads bytes with its own dialect, so each is
rewritten from Python's own parse of it (``re._parser``): every character set becomes the
explicit set of bytes whose latin-1 character Python's set contains (``\\w`` is Unicode in
Python, ASCII in Hyperscan: the byte class keeps Python's meaning), and the rewrite may only
widen what matches, never narrow it, because a mark Hyperscan misses is a secret lost:

- possessive and lazy repeats become greedy (a superset of matches);
- a repeat that ends the pattern is cut to its minimum (a match of the whole pattern always
  begins with a match of the cut one; Hyperscan reports every end, so ``{17,}`` over a 1 MB
  run would call back a million times);
- lookarounds are dropped (they only ever remove matches).

Anything else (anchors, back-references, conditionals) raises ``ValueError``: a new pattern
the rewrite cannot widen safely fails loudly at import, in the tests, not silently at scan time.
"""

from __future__ import annotations

import re
from re import _constants as sre_c  # type: ignore[attr-defined]  # Python's own parser (3.11+)
from re import _parser as sre_p  # type: ignore[attr-defined]
from typing import Any

_BYTES = tuple(chr(b) for b in range(256))


def _lowered() -> dict[str, bytes]:
    """Lowercase character -> the byte class of every byte whose latin-1 character lowercases
    to it (built once: ``literal`` runs on hundreds of keywords in every worker process)."""
    members: dict[str, list[int]] = {}
    for b, c in enumerate(_BYTES):
        members.setdefault(c.lower(), []).append(b)
    return {char: _byte_class(bytes_) for char, bytes_ in members.items()}


def literal(text: str) -> bytes | None:
    """``text`` (lowercase) wherever the lowercased latin-1 text holds it; None when no byte
    string can (a character above U+00FF: latin-1 text never holds one)."""
    parts = [_LOWERED.get(char) for char in text]
    return None if None in parts else b"".join(parts)  # type: ignore[arg-type]


def translate(pattern: str) -> bytes:
    """The Hyperscan expression for the Python regex ``pattern`` (see the module docstring)."""
    parsed = sre_p.parse(pattern)
    if parsed.state.flags & ~(re.UNICODE | re.DEBUG):
        raise ValueError(f"pre-filter pattern with flags the rewrite does not know: {pattern!r}")
    items = list(parsed)
    if items and items[-1][0] in _REPEATS:
        low, _, body = items.pop()[1]
        if low:
            items.append((sre_c.MAX_REPEAT, (low, low, body)))
    out = _sequence(items, pattern)
    if not out:
        raise ValueError(
            f"pre-filter pattern that can match nothing but the empty string: {pattern!r}"
        )
    return out


_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None))
_DROPPED = (sre_c.ASSERT, sre_c.ASSERT_NOT)


def _sequence(items: Any, pattern: str) -> bytes:
    return b"".join(_node(op, av, pattern) for op, av in items)


def _node(op: Any, av: Any, pattern: str) -> bytes:
    if op in (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.IN, sre_c.ANY):
        return _byte_class([b for b in range(256) if _accepts(op, av, _BYTES[b])])
    if op in _REPEATS:
        low, high, body = av
        top = "" if high == sre_c.MAXREPEAT else str(high)
        bound = f"{{{low}}}" if top == str(low) else f"{{{low},{top}}}"
        return b"(?:" + _sequence(body, pattern) + b")" + bound.encode()
    if op == sre_c.SUBPATTERN:
        if av[1] or av[2]:
            raise ValueError(f"pre-filter pattern with inline flags: {pattern!r}")
        return b"(?:" + _sequence(av[-1], pattern) + b")"
    if op == getattr(sre_c, "ATOMIC_GROUP", None):
        return b"(?:" + _sequence(av, pattern) + b")"
    if op == sre_c.BRANCH:
        return b"(?:" + b"|".join(_sequence(b, pattern) for b in av[1]) + b")"
    if op in _DROPPED:
        return b""
    raise ValueError(f"pre-filter pattern the byte rewrite does not support ({op}): {pattern!r}")


def _accepts(op: Any, av: Any, char: str) -> bool:
    """Whether one character is matched by a single-character node of Python's parse."""
    if op == sre_c.ANY:
        return char != "\n"
    if op == sre_c.LITERAL:
        return ord(char) == int(av)
    if op == sre_c.NOT_LITERAL:
        return ord(char) != int(av)
    negate = bool(av) and av[0][0] == sre_c.NEGATE
    hit = any(_in_item(kind, value, char) for kind, value in av if kind != sre_c.NEGATE)
    return hit != negate


def _in_item(kind: Any, value: Any, char: str) -> bool:
    if kind == sre_c.LITERAL:
        return ord(char) == int(value)
    if kind == sre_c.RANGE:
        return int(value[0]) <= ord(char) <= int(value[1])
    if kind == sre_c.CATEGORY:
        return re.fullmatch(_CATEGORIES[value], char) is not None
    raise ValueError(f"character-set item the byte rewrite does not support: {kind}")


_CATEGORIES = {
    sre_c.CATEGORY_DIGIT: r"\d",
    sre_c.CATEGORY_NOT_DIGIT: r"\D",
    sre_c.CATEGORY_SPACE: r"\s",
    sre_c.CATEGORY_NOT_SPACE: r"\S",
    sre_c.CATEGORY_WORD: r"\w",
    sre_c.CATEGORY_NOT_WORD: r"\W",
}


def _byte_class(members: list[int]) -> bytes:
    if len(members) == 1:
        return b"\\x%02x" % members[0]
    ranges: list[tuple[int, int]] = []
    for b in sorted(members):
        if ranges and ranges[-1][1] == b - 1:
            ranges[-1] = (ranges[-1][0], b)
        else:
            ranges.append((b, b))
    body = b"".join(
        b"\\x%02x" % lo if lo == hi else b"\\x%02x-\\x%02x" % (lo, hi) for lo, hi in ranges
    )
    return b"[" + body + b"]"


_LOWERED = _lowered()

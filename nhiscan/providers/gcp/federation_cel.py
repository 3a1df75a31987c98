"""A workload identity pool provider's attribute condition, read into claim tests (issue #20).

The condition is a CEL expression over ``assertion`` (the external token's claims),
``google.*`` and ``attribute.*`` (the attributes the provider's ``attributeMapping`` makes of
them): "IAM attribute conditions", cloud.google.com/iam/docs/workload-identity-federation
#conditions, and the ``attributeCondition`` field of the WorkloadIdentityPoolProvider REST
resource. The subset read here is what these conditions are written with in practice:

- ``REF == 'v'``, ``REF != 'v'``, ``REF in ['a', 'b']``, ``REF.startsWith('p')`` and
  ``REF.endsWith('s')`` (as LIKE ``p*`` and ``*s``), each possibly negated with ``!``;
- ``&&`` and ``||`` with parentheses: the condition becomes alternatives (one admission each)
  of required tests.

A ``REF`` is ``assertion.NAME`` (the claim itself) or an attribute whose mapping is the plain
``assertion.NAME`` (``attribute.repository`` mapped from ``assertion.repository``). Anything
else (another function, a mapping that computes, a list claim, an escaped quote, a literal with
``*`` or ``?`` that LIKE would read as a wildcard) is kept as text: that part is undecided, and
the rest still read. Nothing here guesses what an unread part means.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from nhiscan.scanner.federation import ClaimTest, Match

MAX_ALTERNATIVES = 64  # beyond this, the whole condition is kept as text

_REF = r"(assertion|attribute|google)(?:\.([A-Za-z_][\w]*)|\[\s*'([^'\\]+)'\s*\])"
_LIT = r"'([^'\\]*)'|\"([^\"\\]*)\""
_EQ = re.compile(rf"^{_REF}\s*(==|!=)\s*(?:{_LIT})$")
_EQ_LEFT = re.compile(rf"^(?:{_LIT})\s*(==|!=)\s*{_REF}$")
_IN = re.compile(rf"^{_REF}\s+in\s+\[(.*)\]$", re.DOTALL)
_CALL = re.compile(rf"^{_REF}\.(startsWith|endsWith)\(\s*(?:{_LIT})\s*\)$")
_ITEM = re.compile(rf"^\s*(?:{_LIT})\s*$")
_PLAIN = re.compile(r"^\s*assertion(?:\.([A-Za-z_][\w]*)|\[\s*'([^'\\]+)'\s*\])\s*$")


@dataclass(frozen=True, slots=True)
class Alternative:
    """One way the condition holds: every test, and every undecided part (as written)."""

    tests: tuple[ClaimTest, ...] = ()
    undecided: tuple[str, ...] = ()


def mapped_claim(mapping: Mapping[str, str], attribute: str) -> str | None:
    """The claim an attribute is a plain copy of (``google.subject`` <- ``assertion.sub``)."""
    expression = mapping.get(attribute)
    found = _PLAIN.match(expression) if isinstance(expression, str) else None
    return (found.group(1) or found.group(2)) if found is not None else None


def read_condition(condition: str | None, mapping: Mapping[str, str]) -> tuple[Alternative, ...]:
    """The alternatives of ``condition`` (no condition: one that admits every token)."""
    if condition is None or not condition.strip():
        return (Alternative(),)
    found = _or(condition.strip(), mapping)
    if found is None:
        return (Alternative(undecided=(condition.strip(),)),)
    return found


def _or(text: str, mapping: Mapping[str, str]) -> tuple[Alternative, ...] | None:
    text = _unwrap(text)
    parts = _split(text, "||")
    if parts is None:
        return None
    found: list[Alternative] = []
    for part in parts:
        alternatives = _and(part, mapping)
        if alternatives is None:
            return None
        found.extend(alternatives)
    return tuple(found) if len(found) <= MAX_ALTERNATIVES else None


def _and(text: str, mapping: Mapping[str, str]) -> tuple[Alternative, ...] | None:
    parts = _split(_unwrap(text), "&&")
    if parts is None:
        return None
    found = [Alternative()]
    for part in parts:
        part = _unwrap(part)
        inner = _or(part, mapping) if _split(part, "||") not in (None, [part]) else None
        options = inner if inner is not None else (_leaf(part, mapping),)
        found = [
            Alternative(tests=a.tests + b.tests, undecided=a.undecided + b.undecided)
            for a in found
            for b in options
        ]
        if len(found) > MAX_ALTERNATIVES:
            return None
    return tuple(found)


def _leaf(text: str, mapping: Mapping[str, str]) -> Alternative:
    test = _test(text, mapping)
    return Alternative(tests=(test,)) if test is not None else Alternative(undecided=(text,))


def _test(text: str, mapping: Mapping[str, str]) -> ClaimTest | None:
    negated = False
    while text.startswith("!") and not text.startswith("!="):
        negated, text = not negated, _unwrap(text[1:].strip())
    found = _EQ.match(text)
    if found is not None:
        claim, value = (
            _claim(found.group(1), found.group(2) or found.group(3), mapping),
            (found.group(5) if found.group(5) is not None else found.group(6)),
        )
        match = Match.EQUALS if found.group(4) == "==" else Match.NOT_EQUALS
        return _made(claim, match, (value,), negated)
    found = _EQ_LEFT.match(text)
    if found is not None:
        value = found.group(1) if found.group(1) is not None else found.group(2)
        claim = _claim(found.group(4), found.group(5) or found.group(6), mapping)
        match = Match.EQUALS if found.group(3) == "==" else Match.NOT_EQUALS
        return _made(claim, match, (value,), negated)
    found = _IN.match(text)
    if found is not None:
        claim = _claim(found.group(1), found.group(2) or found.group(3), mapping)
        items = [_ITEM.match(item) for item in found.group(4).split(",")]
        if not items or any(item is None for item in items):
            return None
        values = tuple(i.group(1) if i.group(1) is not None else i.group(2) for i in items if i)
        return _made(claim, Match.EQUALS, values, negated)
    found = _CALL.match(text)
    if found is not None:
        claim = _claim(found.group(1), found.group(2) or found.group(3), mapping)
        value = found.group(5) if found.group(5) is not None else found.group(6)
        if "*" in value or "?" in value:
            return None  # LIKE would read them as wildcards
        pattern = f"{value}*" if found.group(4) == "startsWith" else f"*{value}"
        return _made(claim, Match.LIKE, (pattern,), negated)
    return None


def _claim(root: str, name: str, mapping: Mapping[str, str]) -> str | None:
    if root == "assertion":
        return name
    return mapped_claim(mapping, f"{root}.{name}")


def _made(
    claim: str | None, match: Match, values: tuple[str, ...], negated: bool
) -> ClaimTest | None:
    if claim is None:
        return None
    if negated:
        match = {Match.EQUALS: Match.NOT_EQUALS, Match.NOT_EQUALS: Match.EQUALS,
                 Match.LIKE: Match.NOT_LIKE, Match.NOT_LIKE: Match.LIKE}[match]  # fmt: skip
    return ClaimTest(claim=claim, match=match, values=values)


def _split(text: str, operator: str) -> list[str] | None:
    """``text`` split at ``operator`` outside quotes and brackets (None: unbalanced)."""
    parts, depth, quote, start, index = [], 0, "", 0, 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0 and text.startswith(operator, index):
            parts.append(text[start:index].strip())
            start = index + len(operator)
            index = start
            continue
        index += 1
    if depth or quote:
        return None
    parts.append(text[start:].strip())
    return parts if all(parts) else None


def _unwrap(text: str) -> str:
    """``text`` without parentheses that enclose all of it."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _closes_at_end(text):
        text = text[1:-1].strip()
    return text


def _closes_at_end(text: str) -> bool:
    depth, quote = 0, ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0 and index != len(text) - 1:
                return False
    return True

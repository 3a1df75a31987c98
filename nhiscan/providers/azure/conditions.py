"""Azure ABAC conditions, on role assignments and on a role's own permission blocks.

ABAC conditions ("Azure role assignment condition format and syntax", learn.microsoft.com/azure/
role-based-access-control/conditions-format; MicrosoftDocs/azure-docs ``articles/role-based-
access-control/conditions-format.md``) are decided in three values, True, False or None (cannot
say: the grant is then CONDITIONAL). Decided: ``ActionMatches{'…'}`` (the documented targeting
form ``(!(ActionMatches{'A'})) OR (expression)`` lets every other action through); ``AND``/``&&``,
``OR``/``||``, ``NOT``/``!`` and brackets (mixing AND and OR unbracketed is ambiguous by the
documentation: undecided); and an attribute comparison (``@Request[…]``, ``@Resource[…]``,
``@Principal[…]``, ``@Environment[…]``) whose attribute the caller's ``context`` gives, for the
String(Not)Equals, String(Not)StartsWith, String(Not)Like (each also IgnoreCase) and
Guid(Not)Equals operators, plain or with a ``For{Any|All}Of{Any|All}Values:`` prefix. Anything
else (``SubOperationMatches``, ``Exists``, numbers, dates, booleans) is undecided.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from nhiscan.providers.azure.actions import GUID, action_matches, guid

Tri = bool | None
Context = Mapping[str, str | Sequence[str] | None]
TOKEN = re.compile(r"\s*(\(|\)|!|&&|\|\||(?:AND|OR|NOT)\b)")
WORDS = {"(": "(", ")": ")", "!": "not", "NOT": "not", "&&": "and", "AND": "and",
         "||": "or", "OR": "or"}  # fmt: skip
MATCHES = re.compile(r"\s*(ActionMatches|SubOperationMatches)\s*\{\s*'([^']*)'\s*\}")
COMPARE = re.compile(
    r"\s*(@(?:Request|Resource|Principal|Environment)\[[^\]]+\])\s+"
    r"(?:(For(?:Any|All)Of(?:Any|All)Values):)?([A-Za-z]+)\s*(\{[^}]*\}|'[^']*'|[^\s()]+)"
)
Folding = Callable[[Iterable[bool]], bool]
QUANTIFIERS: dict[str | None, tuple[Folding, Folding]] = {
    None: (all, all),  # one value each side (more is undecided, checked first)
    "ForAnyOfAnyValues": (any, any),
    "ForAllOfAnyValues": (all, any),
    "ForAnyOfAllValues": (any, all),
    "ForAllOfAllValues": (all, all),
}


def _like(value: str, pattern: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), value,
                        re.DOTALL) is not None  # fmt: skip


def _guid_equals(left: str, right: str) -> bool:
    return guid(left.rsplit("/", 1)[-1]) == guid(right.rsplit("/", 1)[-1])


TESTS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": str.__eq__,
    "StringStartsWith": str.startswith,
    "StringLike": _like,
    "GuidEquals": _guid_equals,
}


def _values(raw: str) -> list[str]:
    inner = raw[1:-1] if raw.startswith("{") else raw
    return [item.strip().strip("'") for item in inner.split(",") if item.strip()]


def _compare(found: re.Match[str], context: Context) -> Tri:
    attribute, quantifier, operator, raw = found.groups()
    given = next((v for k, v in context.items() if k.lower() == attribute.lower()), None)
    if given is None:
        return None
    left = [given] if isinstance(given, str) else list(given)
    right = _values(raw)
    folded = operator.endswith("IgnoreCase")
    base = operator.removesuffix("IgnoreCase")
    negated = "Not" in base
    test = TESTS.get(base.replace("Not", "", 1))
    if test is None or not left or not right or (quantifier is None and len(left) + len(right) > 2):
        return None
    if folded:
        left, right = [v.lower() for v in left], [v.lower() for v in right]
    if base.startswith("Guid") and not all(GUID.match(v.rsplit("/", 1)[-1]) for v in left + right):
        return None
    outer, inner = QUANTIFIERS[quantifier]
    positive = outer(inner(test(lv, rv) for rv in right) for lv in left)
    if not negated:
        return positive
    literal = outer(inner(not test(lv, rv) for rv in right) for lv in left)
    return literal if literal is not positive else None  # the two readings of a negation agree


class _Reader:
    def __init__(self, text: str, action: str, context: Context) -> None:
        self.text, self.at, self.action, self.context = text, 0, action, context

    def peek(self) -> str | None:
        found = TOKEN.match(self.text, self.at)
        return WORDS[found.group(1)] if found else None

    def take(self, word: str) -> bool:
        found = TOKEN.match(self.text, self.at)
        if found is None or WORDS[found.group(1)] != word:
            return False
        self.at = found.end()
        return True

    def expression(self) -> Tri:
        values, operators = [self.unary()], set()
        while (word := self.peek()) in ("and", "or"):
            self.take(str(word))
            operators.add(word)
            values.append(self.unary())
        if len(operators) > 1:
            raise ValueError("AND and OR mixed without brackets")
        if "or" in operators:
            return True if True in values else (None if None in values else False)
        return False if False in values else (None if None in values else True)

    def unary(self) -> Tri:
        if self.take("not"):
            value = self.unary()
            return None if value is None else not value
        if self.take("("):
            value = self.expression()
            if not self.take(")"):
                raise ValueError("unbalanced brackets")
            return value
        found = MATCHES.match(self.text, self.at)
        if found is not None:
            self.at = found.end()
            if found.group(1) == "ActionMatches":
                return action_matches(found.group(2), self.action)
            return None  # the request's suboperation is not known
        found = COMPARE.match(self.text, self.at)
        if found is not None:
            self.at = found.end()
            return _compare(found, self.context)
        return self.unknown()

    def unknown(self) -> Tri:
        """Skip an expression nhiscan does not read, to the next top-level AND, OR or ``)``."""
        start, depth, quote = self.at, 0, False
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == "'":
                quote = not quote
            elif not quote and char in "([{":
                depth += 1
            elif not quote and char in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif (
                not quote
                and depth == 0
                and self.peek() in ("and", "or")
                and (self.text[self.at].isspace() or self.text[self.at] in "&|")
            ):
                break
            self.at += 1
        if not self.text[start : self.at].strip():
            raise ValueError("an operand is missing")
        return None


def decide(
    condition: str | None,
    action: str,
    *,
    version: str | None = None,
    context: Context | None = None,
) -> Tri:
    """The value of an ABAC condition for a request of ``action``: True, False, or None when
    nhiscan cannot say (a form it does not read, a value the context does not give, a syntax
    error, a condition version other than 2.0)."""
    if condition is None:
        return True
    if version not in (None, "2.0"):
        return None
    reader = _Reader(condition, action, context or {})
    try:
        value = reader.expression()
    except ValueError:
        return None
    return value if not reader.text[reader.at :].strip() else None

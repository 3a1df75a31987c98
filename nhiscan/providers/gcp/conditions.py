"""IAM Conditions (a CEL subset) decided from what the snapshot knows, in three values: True,
False, or None (undecided: the binding then counts as CONDITIONAL, never silently an allow or a
deny). Decided: ``request.time`` against ``timestamp('…')``, ``resource.name`` ``==``/``!=``/
``startsWith``/``endsWith``, ``resource.service ==``/``!=``, and ``&&``, ``||``, ``!``, brackets.
Anything else (``resource.matchTag``, ``request.auth.*``, ``api.getAttribute``, ``resource.type``,
``destination.*``) is undecided."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Tri = bool | None
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}  # fmt: skip
STR = r"(?:'([^']*)'|\"([^\"]*)\")"
TIME = re.compile(rf"request\.time\s*(<=|>=|<|>|==|!=)\s*timestamp\(\s*{STR}\s*\)")
NAME_CALL = re.compile(rf"resource\.name\.(startsWith|endsWith)\(\s*{STR}\s*\)")
FIELD_CMP = re.compile(rf"resource\.(name|service)\s*(==|!=)\s*{STR}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """What a condition may ask about one request: the time, the resource's relative name
    (``projects/_/buckets/B``) and its service (``storage.googleapis.com``)."""

    time: datetime
    name: str
    service: str | None


def _str(found: re.Match[str], first: int) -> str:
    value = found.group(first)
    return value if value is not None else found.group(first + 1)


def _atom(text: str, at: int, request: Request) -> tuple[Tri, int] | None:
    found = TIME.match(text, at)
    if found is not None:
        try:
            when = datetime.fromisoformat(_str(found, 2).replace("Z", "+00:00"))
        except ValueError:
            return None, found.end()
        return COMPARE[found.group(1)](request.time, when), found.end()
    found = NAME_CALL.match(text, at)
    if found is not None:
        method = str.startswith if found.group(1) == "startsWith" else str.endswith
        return method(request.name, _str(found, 2)), found.end()
    found = FIELD_CMP.match(text, at)
    if found is not None:
        actual = request.name if found.group(1) == "name" else request.service
        if actual is None:
            return None, found.end()
        return COMPARE[found.group(2)](actual, _str(found, 3)), found.end()
    return None


class _Reader:
    def __init__(self, text: str, request: Request) -> None:
        self.text, self.at, self.request = text, 0, request

    def skip(self) -> None:
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1

    def take(self, token: str) -> bool:
        self.skip()
        if self.text.startswith(token, self.at):
            self.at += len(token)
            return True
        return False

    def either(self) -> Tri:
        value = self.both()
        while self.take("||"):
            other = self.both()
            value = True if True in (value, other) else (None if None in (value, other) else False)
        return value

    def both(self) -> Tri:
        value = self.unary()
        while self.take("&&"):
            other = self.unary()
            value = False if False in (value, other) else (None if None in (value, other) else True)
        return value

    def unary(self) -> Tri:
        if self.take("!"):
            value = self.unary()
            return None if value is None else not value
        if self.take("("):
            value = self.either()
            if not self.take(")"):
                raise ValueError("unbalanced")
            return value
        self.skip()
        found = _atom(self.text, self.at, self.request)
        if found is not None:
            self.at = found[1]
            return found[0]
        return self.unknown()

    def unknown(self) -> Tri:
        """Skip an atom nhiscan does not read (to the next top-level ``&&``, ``||`` or ``)``)."""
        depth, quote = 0, ""
        while self.at < len(self.text):
            char = self.text[self.at]
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and self.text.startswith(("&&", "||"), self.at):
                break
            self.at += 1
        return None


def decide(expression: str, request: Request) -> Tri:
    """The condition's value for ``request``: True, False, or None when nhiscan cannot say."""
    reader = _Reader(expression, request)
    try:
        value = reader.either()
    except ValueError:
        return None
    reader.skip()
    return value if reader.at == len(expression) else None

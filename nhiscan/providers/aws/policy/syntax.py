"""Whether a policy document is one AWS would accept and nhiscan can evaluate.

:mod:`nhiscan.providers.aws.statements` reads leniently (a statement that is not an object is left
out, ``Action: 5`` reads as ``"5"``, an Effect other than ``"Allow"`` counts as a Deny): that is
only safe for documents that passed :func:`problems`. Every input path checks them first:

- offline inputs (a GAAD export, a snapshot file) turn a problem into an error (exit 2) naming
  the file, the policy, what carries it and the statement;
- the live connector records a ``CollectionGap`` (reason ``unreadable-policy``) for the policy,
  so the result is marked incomplete rather than silently narrower; a snapshot holding such a
  gap for a policy may hold its flawed document.

The grammar is AWS's ("IAM JSON policy element reference", "Grammar of the IAM JSON policy
language"): element names and the Effect values are case-sensitive. An unknown condition
operator is a problem too; should such a statement be evaluated anyway (a live scan, with its
gap), its condition is undecided (MAYBE), never absent: an Allow under it is a conditional
grant, a Deny under it may apply.
"""

from __future__ import annotations

import ipaddress
import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nhiscan.providers.aws.statements import IF_EXISTS, SET_QUALIFIERS

VERSIONS = ("2012-10-17", "2008-10-17")
EFFECTS = ("Allow", "Deny")
ELEMENTS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource"}
    | {"NotResource", "Condition"}
)
PRINCIPAL_TYPES = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
# AWS's condition operators (base names; compared without regard to case, as the evaluator).
OPERATORS = frozenset(
    name.lower()
    for name in (
        *("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase"),
        *("StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"),
        *("NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals"),
        *("NumericGreaterThan", "NumericGreaterThanEquals"),
        *("DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals"),
        *("DateGreaterThan", "DateGreaterThanEquals"),
        *("Bool", "BinaryEquals", "IpAddress", "NotIpAddress"),
        *("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"),
    )
)
NULL = "null"


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """What is wrong, and where: ``statement`` is the index in ``Statement`` (None: the
    document itself), ``sid`` the statement's Sid when it has one."""

    message: str
    statement: int | None = None
    sid: str | None = None

    @property
    def where(self) -> str:
        if self.statement is None:
            return "the document"
        named = f" (Sid {self.sid!r})" if self.sid else ""
        return f"Statement[{self.statement}]{named}"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def problems(document: Any) -> tuple[Problem, ...]:
    """Every problem of ``document``, in document order; () for a well-formed one."""
    return tuple(_document(document))


def known_operator(operator: str) -> bool:
    """Whether ``operator`` ("ForAnyValue:StringLikeIfExists") is one AWS defines."""
    head, sep, rest = operator.partition(":")
    if sep:
        if head not in SET_QUALIFIERS:
            return False
        operator = rest
    base = operator.removesuffix(IF_EXISTS).lower()
    if base == NULL:
        return not operator.endswith(IF_EXISTS)
    return base in OPERATORS


def _document(document: Any) -> Iterator[Problem]:
    if not isinstance(document, Mapping):
        yield Problem(message=f"expected a JSON object, got {_kind(document)}")
        return
    version = document.get("Version")
    if version is not None and version not in VERSIONS:
        yield Problem(message=f"Version must be one of {', '.join(VERSIONS)}, got {version!r:.60}")
    if "Statement" not in document:
        yield Problem(message="no Statement element (expected an object or a list of them)")
        return
    raw = document["Statement"]
    if isinstance(raw, Mapping):
        yield from _statement(0, raw)
    elif isinstance(raw, list):
        for index, item in enumerate(raw):
            yield from _statement(index, item)
    else:
        yield Problem(message=f"Statement must be an object or a list, got {_kind(raw)}")


def _statement(index: int, raw: Any) -> Iterator[Problem]:
    if not isinstance(raw, Mapping):
        yield Problem(statement=index, message=f"expected an object, got {_kind(raw)}")
        return
    sid = raw.get("Sid")
    found = [*_elements(raw), *_effect(raw), *_actions(raw), *_resources(raw)]
    found += [*_principals(raw), *_conditions(raw.get("Condition"))]
    named = sid if isinstance(sid, str) else None
    for message in found:
        yield Problem(statement=index, sid=named, message=message)


def _elements(raw: Mapping[str, Any]) -> Iterator[str]:
    for name in raw:
        if name not in ELEMENTS:
            yield f"unknown element {name!r:.60} (elements are case-sensitive: {_list(ELEMENTS)})"
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        yield f"Sid must be a string, got {_kind(sid)}"


def _effect(raw: Mapping[str, Any]) -> Iterator[str]:
    if "Effect" not in raw:
        yield 'no Effect (expected "Allow" or "Deny")'
    elif raw["Effect"] not in EFFECTS:
        yield f'Effect must be "Allow" or "Deny" (case-sensitive), got {raw["Effect"]!r:.60}'


def _actions(raw: Mapping[str, Any]) -> Iterator[str]:
    present = [name for name in ("Action", "NotAction") if name in raw]
    if not present:
        yield "neither Action nor NotAction (expected one of them)"
    elif len(present) == 2:
        yield "both Action and NotAction (expected one of them)"
    for name in present:
        yield from _strings(name, raw[name])


def _resources(raw: Mapping[str, Any]) -> Iterator[str]:
    present = [name for name in ("Resource", "NotResource") if name in raw]
    if len(present) == 2:
        yield "both Resource and NotResource (expected at most one of them)"
    for name in present:
        yield from _strings(name, raw[name])


def _principals(raw: Mapping[str, Any]) -> Iterator[str]:
    present = [name for name in ("Principal", "NotPrincipal") if name in raw]
    if len(present) == 2:
        yield "both Principal and NotPrincipal (expected at most one of them)"
    for name in present:
        value = raw[name]
        if isinstance(value, str):  # "*", documented; another string reads as {"AWS": it}
            continue
        if not isinstance(value, Mapping):
            yield f'{name} must be "*" or an object such as {{"AWS": [...]}}, got {_kind(value)}'
            continue
        for kind, values in value.items():
            if kind not in PRINCIPAL_TYPES:
                known = _list(PRINCIPAL_TYPES)
                yield f"{name} has an unknown principal type {kind!r:.60} (expected {known})"
            yield from _strings(f"{name}.{kind}", values)


def _conditions(value: Any) -> Iterator[str]:
    if value is None:
        return
    if not isinstance(value, Mapping):
        yield f"Condition must be an object {{operator: {{key: values}}}}, got {_kind(value)}"
        return
    for operator, tests in value.items():
        if not known_operator(str(operator)):
            yield (
                f"unknown condition operator {operator!r:.60} (AWS defines the String*, "
                "Numeric*, Date*, Bool, BinaryEquals, IpAddress, NotIpAddress, Arn* and Null "
                "operators, with an optional ...IfExists suffix and ForAllValues:/ForAnyValue: "
                "prefix)"
            )
        if not isinstance(tests, Mapping):
            yield f"Condition.{operator} must be an object {{key: values}}, got {_kind(tests)}"
            continue
        for key, values in tests.items():
            yield from _condition_values(str(operator), f"Condition.{operator}.{key}", values)


def _condition_values(operator: str, where: str, values: Any) -> Iterator[str]:
    items = values if isinstance(values, list) else [values]
    family = _family(operator)
    for item in items:
        if item is None or not isinstance(item, str | int | float | bool):
            yield f"{where} values must be strings, numbers or booleans, got {_kind(item)}"
            return
        text = item if isinstance(item, str) else json.dumps(item)
        if family is not None and "${" not in text and family[0](text) is None:
            yield f"{where}: {text!r:.60} is not {family[1]}"
            return


def _family(operator: str) -> tuple[Callable[[str], object], str] | None:
    """How a value of the operator's family parses (None: it does not), and what it should be."""
    base = operator.rpartition(":")[2].removesuffix(IF_EXISTS).lower()
    if base.startswith("numeric"):
        return as_number, "a number"
    if base.startswith("date"):
        return as_date, "a date (ISO 8601, or seconds since 1970)"
    if base in ("ipaddress", "notipaddress"):
        return as_network, "an IP address or CIDR range"
    if base in ("bool", NULL):
        return as_boolean, '"true" or "false"'
    return None


def as_boolean(text: str) -> bool | None:
    """A Bool or Null operator's value; None when it is neither true nor false."""
    return {"true": True, "false": False}.get(text.lower())


def as_number(text: str) -> float | None:
    """A Numeric operator's value; None when it is not a (finite) number."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def as_date(text: str) -> datetime | None:
    """A Date operator's value: ISO 8601 (UTC when no zone) or epoch seconds; None otherwise."""
    number = as_number(text)
    if number is not None:
        try:
            return datetime.fromtimestamp(number, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """An IpAddress operator's value (an address or a CIDR range); None otherwise."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _strings(where: str, value: Any) -> Iterator[str]:
    """A string or a non-empty list of strings."""
    if isinstance(value, str):
        return
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return
    if isinstance(value, list) and not value:
        yield f"{where} is an empty list (expected a string or a list of strings)"
        return
    yield f"{where} must be a string or a list of strings, got {_kind(value)}"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r:.40})"
    if isinstance(value, list):
        bad = next((v for v in value if not isinstance(v, str)), None)
        return f"a list holding {_kind(bad)}" if value and bad is not None else "a list"
    return "an object" if isinstance(value, Mapping) else type(value).__name__


def _list(names: frozenset[str]) -> str:
    return ", ".join(sorted(names))

"""Read AWS policy documents into provider-neutral statements.

A policy document is kept in the snapshot exactly as AWS returned it, and AWS accepts several
shapes for the same meaning: ``Statement`` may be one object or a list; ``Action``,
``Resource`` and principal values may be one string or a list; ``Principal`` may be ``"*"`` or
a mapping such as ``{"AWS": ..., "Service": ..., "Federated": ...}``; ``Condition`` is
``{operator: {key: value-or-list}}``. :func:`statements` turns all of them into one shape,
:class:`Statement`, so readers never branch on shapes again.

Values stay strings, exactly as written (no wildcard expansion, no case folding): this module
reads, it does not evaluate. Helpers answer the questions trust and exposure rules ask: which
accounts a statement admits, whether it admits anyone, and what a condition key is tested
against (condition keys are case-insensitive in AWS, so lookups are too).

This module reads leniently (a statement that is not an object is left out, a scalar that is not
a string becomes its JSON spelling): it is only handed documents that passed
:mod:`nhiscan.providers.aws.policy.syntax`, or, from a live scan, documents whose problems are
recorded as ``unreadable-policy`` gaps, whose flawed statements the evaluator never takes as
certain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Set operators prefix a condition operator; "IfExists" suffixes it.
SET_QUALIFIERS = ("ForAnyValue", "ForAllValues")
IF_EXISTS = "IfExists"

# "123456789012", or an ARN in any partition whose account field is 12 digits:
# arn:aws:iam::123456789012:root, arn:aws-cn:iam::123456789012:role/x,
# arn:aws:sts::123456789012:assumed-role/x/session.
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ARN_ACCOUNT = re.compile(r"^arn:[a-z0-9-]+:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):")


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """One condition test: ``operator`` applied to ``key`` with ``values``.

    ``operator`` is as written ("ForAnyValue:StringLikeIfExists"); ``base`` strips the set
    qualifier and the IfExists suffix ("StringLike").
    """

    operator: str
    key: str
    values: tuple[str, ...]

    @property
    def qualifier(self) -> str | None:
        """ "ForAnyValue", "ForAllValues" or None."""
        head, sep, _ = self.operator.partition(":")
        return head if sep and head in SET_QUALIFIERS else None

    @property
    def if_exists(self) -> bool:
        return self.operator.endswith(IF_EXISTS)

    @property
    def base(self) -> str:
        name = self.operator.partition(":")[2] if self.qualifier else self.operator
        return name.removesuffix(IF_EXISTS)

    def is_key(self, key: str) -> bool:
        """Whether this tests ``key``; condition keys compare without regard to case."""
        return self.key.lower() == key.lower()


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    """One statement of a policy, in one shape whatever shape AWS returned.

    ``principals``/``not_principals`` are None when the statement has no such element (as in
    identity policies), and map principal type ("AWS", "Service", "Federated",
    "CanonicalUser") to its values otherwise; ``"*"`` reads as ``{"AWS": ("*",)}``.
    Absent Action/Resource elements are empty tuples.
    """

    sid: str | None
    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    principals: Mapping[str, tuple[str, ...]] | None = None
    not_principals: Mapping[str, tuple[str, ...]] | None = None
    conditions: tuple[Condition, ...] = ()

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    def principal_values(self, kind: str) -> tuple[str, ...]:
        """The values of one principal type ("AWS", "Service", ...), () when absent."""
        return () if self.principals is None else self.principals.get(kind, ())

    def condition(self, key: str) -> tuple[Condition, ...]:
        """Every test of condition ``key`` (case-insensitive), under whichever operator."""
        return tuple(c for c in self.conditions if c.is_key(key))

    def condition_values(self, key: str) -> tuple[str, ...]:
        """Every value ``key`` is tested against, across operators, in document order."""
        return tuple(v for c in self.condition(key) for v in c.values)

    def has_condition(self, key: str) -> bool:
        return any(c.is_key(key) for c in self.conditions)


def statements(document: Mapping[str, Any] | None) -> tuple[Statement, ...]:
    """The statements of a policy document; () for None or a document without any."""
    return tuple(statement for _, statement in indexed_statements(document))


def indexed_statements(document: Mapping[str, Any] | None) -> tuple[tuple[int, Statement], ...]:
    """The statements with their positions in the document's ``Statement`` list (0 for a lone
    statement object); positions count skipped malformed items, so they point at the source."""
    if not document:
        return ()
    raw = document.get("Statement")
    items = raw if isinstance(raw, list) else [raw] if raw is not None else []
    return tuple(
        (index, _statement(item)) for index, item in enumerate(items) if isinstance(item, Mapping)
    )


def _statement(raw: Mapping[str, Any]) -> Statement:
    sid = raw.get("Sid")
    return Statement(
        sid=None if sid is None else _text(sid),
        effect=_text(raw.get("Effect", "")),
        actions=_strings(raw.get("Action")),
        not_actions=_strings(raw.get("NotAction")),
        resources=_strings(raw.get("Resource")),
        not_resources=_strings(raw.get("NotResource")),
        principals=_principals(raw.get("Principal")),
        not_principals=_principals(raw.get("NotPrincipal")),
        conditions=_conditions(raw.get("Condition")),
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _strings(value: Any) -> tuple[str, ...]:
    """A string or a list of them as a tuple; None as ()."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(_text(v) for v in value)
    return (_text(value),)


def _principals(value: Any) -> Mapping[str, tuple[str, ...]] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {str(kind): _strings(values) for kind, values in value.items()}
    # "*" is the documented scalar form; any other scalar is read the same way (as AWS).
    return {"AWS": _strings(value)}


def _conditions(value: Any) -> tuple[Condition, ...]:
    if not isinstance(value, Mapping):
        return ()
    return tuple(
        Condition(operator=str(operator), key=str(key), values=_strings(values))
        for operator, tests in value.items()
        if isinstance(tests, Mapping)
        for key, values in tests.items()
    )


def account_of(principal: str) -> str | None:
    """The account id a principal names: a bare 12-digit id or an ARN's account field.

    None for "*", service names, unique ids (AROA…, left when a trusted role is deleted) and
    anything else that does not name an account.
    """
    text = principal.strip()
    if _ACCOUNT_ID.match(text):
        return text
    match = _ARN_ACCOUNT.match(text)
    return match.group(1) if match else None


def trusted_accounts(statement: Statement) -> tuple[str, ...]:
    """The account ids the statement's AWS principals name, sorted, without repeats.

    Service and federated principals are not accounts and are not included.
    """
    found = {account_of(p) for p in statement.principal_values("AWS")}
    return tuple(sorted(a for a in found if a is not None))


def is_public(statement: Statement) -> bool:
    """Whether the statement's Principal admits anyone: ``"*"`` or ``{"AWS": "*"}``.

    Only the principal is read: conditions that narrow it are the caller's to judge. A
    NotPrincipal is not public by this test; see :func:`admits_anyone_but`.
    """
    return "*" in statement.principal_values("AWS")


def admits_anyone_but(statement: Statement) -> bool:
    """Whether the statement uses NotPrincipal, admitting every principal not listed."""
    return statement.not_principals is not None


# Operators that pass only when the key is present and equal to, or matching, a listed value.
_NARROWING_OPERATORS = frozenset(
    {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"}
)


def narrows(condition: Condition) -> bool:
    """Whether ``condition`` can only pass for specific values of its key.

    True for a positive string or ARN match (StringEquals, StringLike, ArnLike, ...) against
    values that are not bare wildcards. False for negations (StringNotEquals), for
    ``...IfExists`` and ``ForAllValues:`` (both pass when the key is absent), for a value list
    holding ``"*"`` (matches anything) and for operators outside that set.
    """
    if condition.if_exists or condition.qualifier == "ForAllValues":
        return False
    if condition.base not in _NARROWING_OPERATORS or not condition.values:
        return False
    return not any(_bare_wildcard(v) for v in condition.values)


def _bare_wildcard(value: str) -> bool:
    return value.strip() != "" and set(value.strip()) <= {"*", "?"}


def narrowed_by(statement: Statement, keys: Iterable[str]) -> tuple[str, ...]:
    """Which of ``keys`` the statement's conditions narrow (see :func:`narrows`), as written
    in the statement, in document order without repeats."""
    wanted = {k.lower() for k in keys}
    found: dict[str, None] = {}
    for condition in statement.conditions:
        if condition.key.lower() in wanted and narrows(condition):
            found.setdefault(condition.key, None)
    return tuple(found)

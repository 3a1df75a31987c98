"""Condition operators, evaluated three-valued against the request context.

As documented by AWS ("IAM JSON policy elements: Condition operators"):

- all operators of a Condition block, and all keys under one operator, must hold (AND); the
  values listed for one key are alternatives (OR), and for negated operators (StringNotEquals,
  ArnNotLike, NotIpAddress, ...) the key must match none of them;
- a key absent from the request fails a positive operator and passes a negated one;
  ``...IfExists`` passes when the key is absent; ``Null`` tests presence itself;
- ``ForAnyValue:`` passes when some value of a multi-valued key passes (absent: fails),
  ``ForAllValues:`` when every value does (absent: passes); a key holding several values tested
  without a qualifier is read as ``ForAnyValue:``;
- string and ARN comparisons are case-sensitive except the ``IgnoreCase`` operators; ``Like``
  operators and ARN operators take ``*`` and ``?`` wildcards;
- an operator nhiscan does not know, or a key whose value the snapshot cannot know, leaves the
  condition undecided (MAYBE).

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
("If the key that you specify in a policy condition is not present in the request context, the
values do not match and the condition is false. If the policy condition requires that the key
is not matched, such as StringNotLike or ArnNotLike, and the right key is not present, the
condition is true. This logic applies to all condition operators except ...IfExists and Null
check"); the single-valued and multivalued context keys page for ForAnyValue/ForAllValues.

Two kinds of value are decided here rather than left open (see ``context.py`` for which keys):

- a request time (``Since``: ``aws:CurrentTime``, ``aws:EpochTime``, a new session's
  ``aws:TokenIssueTime``) is any moment from the snapshot's collection time on. A condition
  that holds then holds (the caller acts then: YES); one that holds only later ("after a
  future date") is MAYBE; one that never holds from then on ("before a past date") is NO;
- a value the caller sets in its own request (``Chosen``: ``aws:SecureTransport``,
  ``aws:RequestedRegion``, ``aws:RequestTag/*``, ``aws:TagKeys``) is chosen in the caller's
  favour: an Allow's condition holds when some value it may send satisfies it, a Deny's applies
  only when every value does. Each statement is judged on its own here (an upper bound); when
  that may allow, ``evaluate`` tries the values together (choices.py).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from nhiscan.providers.aws.policy.matching import (
    Chosen,
    Lookup,
    Partial,
    Resolved,
    Since,
    Template,
    Tri,
    Unknown,
    all_of,
    any_of,
    arn_like,
    from_bool,
    negate,
    parse_template,
    plain,
    resolve,
    resolved_matcher,
    resolved_text,
)
from nhiscan.providers.aws.policy.syntax import as_boolean, as_date, as_network, as_number
from nhiscan.providers.aws.statements import Condition

# How one context value compares with one (resolved) policy value.
Compare = Callable[[str | Partial, Resolved], Tri]


@dataclass(frozen=True, slots=True)
class Operator:
    compare: Compare
    negated: bool = False


def _text_only(test: Callable[[str, Resolved], bool]) -> Compare:
    """A comparison that cannot use a partly known value: MAYBE for one."""

    def compare(value: str | Partial, wanted: Resolved) -> Tri:
        return Tri.MAYBE if isinstance(value, Partial) else from_bool(test(value, wanted))

    return compare


def _string_equals(value: str | Partial, wanted: Resolved) -> Tri:
    text = resolved_text(wanted)
    if isinstance(value, Partial):
        return Tri.MAYBE if text.startswith(value.prefix) else Tri.NO
    return from_bool(value == text)


def _string_like(value: str | Partial, wanted: Resolved) -> Tri:
    if isinstance(value, Partial):
        return _partial_like(value.prefix, wanted)
    return from_bool(resolved_matcher(wanted)(value))


def _partial_like(prefix: str, wanted: Resolved) -> Tri:
    """Whether ``prefix`` + (a request-time rest) matches the glob: YES for "<start>*" where the
    prefix begins with <start>, NO when the glob's fixed start disagrees with the prefix."""
    head, wild = _fixed_start(wanted)
    if not (prefix.startswith(head) or head.startswith(prefix)):
        return Tri.NO
    if wild and prefix.startswith(head) and resolved_text(wanted) == head + "*":
        return Tri.YES
    return Tri.MAYBE


def _fixed_start(wanted: Resolved) -> tuple[str, bool]:
    """The glob's text before its first wildcard, and whether it has one."""
    head = ""
    for text, literal in wanted:
        cut = (
            -1
            if literal
            else min((i for i in (text.find("*"), text.find("?")) if i >= 0), default=-1)
        )
        if cut >= 0:
            return head + text[:cut], True
        head += text
    return head, False


def _first_wildcard(text: str) -> int:
    found = [i for i in (text.find("*"), text.find("?")) if i >= 0]
    return min(found) if found else -1


def _ignore_case(value: str, wanted: Resolved) -> bool:
    return value.casefold() == resolved_text(wanted).casefold()


def _ordered(parse: Callable[[str], Any], test: Callable[[int], bool]) -> Compare:
    """Numeric/Date comparisons: ``test`` gets -1, 0 or 1 (context value vs policy value). A
    policy value that does not parse is undecided (AWS's grammar rejects it: policy_syntax);
    a context value that does not parse fails the test, as in AWS."""

    def compare(value: str | Partial, wanted: Resolved) -> Tri:
        right = parse(resolved_text(wanted))
        if right is None or isinstance(value, Partial):
            return Tri.MAYBE
        left = parse(value)
        if left is None:
            return Tri.NO
        return from_bool(test((left > right) - (left < right)))

    return compare


def _bool(value: str | Partial, wanted: Resolved) -> Tri:
    expected = as_boolean(resolved_text(wanted))
    if expected is None or isinstance(value, Partial):
        return Tri.MAYBE
    return from_bool(as_boolean(value) is expected)


def _ip(value: str | Partial, wanted: Resolved) -> Tri:
    network = as_network(resolved_text(wanted))
    if network is None or isinstance(value, Partial):
        return Tri.MAYBE
    try:
        return from_bool(ipaddress.ip_address(value) in network)
    except ValueError:
        return Tri.NO


def _arn(value: str, wanted: Resolved) -> bool:
    if any(literal for _, literal in wanted):
        return arn_like(value, resolved_text(wanted)) or value == resolved_text(wanted)
    return arn_like(value, resolved_text(wanted))


_EQ, _LT, _GT = (lambda c: c == 0), (lambda c: c < 0), (lambda c: c > 0)
_LE, _GE = (lambda c: c <= 0), (lambda c: c >= 0)

# Operator names in lower case (AWS spells them in CamelCase; case is not significant here).
OPERATORS: Mapping[str, Operator] = {
    "stringequals": Operator(_string_equals),
    "stringnotequals": Operator(_string_equals, negated=True),
    "stringequalsignorecase": Operator(_text_only(_ignore_case)),
    "stringnotequalsignorecase": Operator(_text_only(_ignore_case), negated=True),
    "stringlike": Operator(_string_like),
    "stringnotlike": Operator(_string_like, negated=True),
    "numericequals": Operator(_ordered(as_number, _EQ)),
    "numericnotequals": Operator(_ordered(as_number, _EQ), negated=True),
    "numericlessthan": Operator(_ordered(as_number, _LT)),
    "numericlessthanequals": Operator(_ordered(as_number, _LE)),
    "numericgreaterthan": Operator(_ordered(as_number, _GT)),
    "numericgreaterthanequals": Operator(_ordered(as_number, _GE)),
    "dateequals": Operator(_ordered(as_date, _EQ)),
    "datenotequals": Operator(_ordered(as_date, _EQ), negated=True),
    "datelessthan": Operator(_ordered(as_date, _LT)),
    "datelessthanequals": Operator(_ordered(as_date, _LE)),
    "dategreaterthan": Operator(_ordered(as_date, _GT)),
    "dategreaterthanequals": Operator(_ordered(as_date, _GE)),
    "bool": Operator(_bool),
    "binaryequals": Operator(_string_equals),
    "ipaddress": Operator(_ip),
    "notipaddress": Operator(_ip, negated=True),
    "arnequals": Operator(_text_only(_arn)),
    "arnlike": Operator(_text_only(_arn)),
    "arnnotequals": Operator(_text_only(_arn), negated=True),
    "arnnotlike": Operator(_text_only(_arn), negated=True),
}
NULL = "null"

# How far apart the request times tried around a policy's date are, and how far ahead the last.
_TICK = timedelta(milliseconds=1)
_FAR = timedelta(days=365 * 100)
# A value the caller may send that no policy lists.
UNLISTED = "nhiscan-unlisted-value"


def example(pattern: str) -> str:
    """A text a (Like) pattern matches, wildcards filled in; the text itself for an equality."""
    return pattern.replace("*", "").replace("?", "x")


@dataclass(frozen=True, slots=True)
class PolicyValue:
    """One value a condition lists: plain text, or a template holding policy variables."""

    text: Resolved
    template: Template | None = None

    def resolve(self, lookup: Lookup) -> Resolved | Tri:
        return self.text if self.template is None else resolve(self.template, lookup)


@dataclass(frozen=True, slots=True, kw_only=True)
class CompiledCondition:
    key: str  # lower case
    key_as_written: str
    base: str  # lower-case operator without qualifier and IfExists: "stringlike"
    qualifier: str | None  # "foranyvalue", "forallvalues" or None
    if_exists: bool
    values: tuple[PolicyValue, ...]

    def evaluate(self, lookup: Lookup, *, allow: bool = True) -> Tri:
        """Whether the condition holds; ``allow``: whether its statement allows (a value the
        caller chooses is chosen to make an Allow hold and a Deny not)."""
        value = lookup(self.key)
        if isinstance(value, Unknown):
            return Tri.MAYBE
        if isinstance(value, Since):
            return self._since(value, lookup)
        if isinstance(value, Chosen):
            return self._chosen(value, lookup, allow)
        return self._holds(value, lookup)

    def _since(self, when: Since, lookup: Lookup) -> Tri:
        """YES when it holds at the collection time (the caller acts then), MAYBE when only
        at some later time, NO when never from then on. The answer is constant between the
        policy's own dates, so it is tried at the start, around each later date, and far
        after the last one."""
        start = when.start
        later: set[datetime] = {start + _FAR}
        for value in self.values:
            moment = as_date(resolved_text(value.text))
            if moment is not None and moment > start:
                later.update((moment - _TICK, moment, moment + _TICK))
        now = self._holds((when.text(start),), lookup)
        if now is not Tri.NO:
            return now
        found = any_of(self._holds((when.text(m),), lookup) for m in sorted(later))
        return Tri.NO if found is Tri.NO else Tri.MAYBE

    def _chosen(self, chosen: Chosen, lookup: Lookup, allow: bool) -> Tri:
        """The caller's best choice: an Allow holds when some value it may send satisfies
        it, a Deny applies only when every value it may send does."""
        texts = chosen.choices
        if texts is None:
            texts = (*(example(resolved_text(v.text)) for v in self.values), UNLISTED)
        values: list[tuple[str, ...] | None] = [(t,) for t in dict.fromkeys(texts)]
        if chosen.may_omit:
            values.append(None)
        results = [self._holds(v, lookup) for v in values]
        return any_of(results) if allow else all_of(results)

    def _holds(self, value: tuple[str, ...] | Partial | None, lookup: Lookup) -> Tri:
        if self.base == NULL:
            return self._null(value is None)
        operator = OPERATORS.get(self.base)
        if operator is None:
            return Tri.MAYBE
        if value is None:
            return self._absent(operator)
        wanted = [v.resolve(lookup) for v in self.values]
        present = (value,) if isinstance(value, Partial) else value
        results = [self._one(operator, v, wanted) for v in present]
        return all_of(results) if self.qualifier == "forallvalues" else any_of(results)

    def _absent(self, operator: Operator) -> Tri:
        if self.if_exists or self.qualifier == "forallvalues":
            return Tri.YES
        if self.qualifier == "foranyvalue":
            return Tri.NO
        return from_bool(operator.negated)

    def _null(self, absent: bool) -> Tri:
        wanted = {resolved_text(v.text).lower() for v in self.values}
        return from_bool(("true" in wanted and absent) or ("false" in wanted and not absent))

    @staticmethod
    def _one(operator: Operator, value: str | Partial, wanted: list[Resolved | Tri]) -> Tri:
        matched = any_of(w if isinstance(w, Tri) else operator.compare(value, w) for w in wanted)
        return negate(matched) if operator.negated else matched


def compile_condition(condition: Condition, *, variables: bool) -> CompiledCondition:
    """``variables``: whether ``${...}`` are policy variables (policy Version 2012-10-17)."""
    qualifier = condition.qualifier
    values = tuple(
        PolicyValue(plain(text), parse_template(text) if variables else None)
        for text in condition.values
    )
    return CompiledCondition(
        key=condition.key.lower(),
        key_as_written=condition.key,
        base=condition.base.lower(),
        qualifier=None if qualifier is None else qualifier.lower(),
        if_exists=condition.if_exists,
        values=values,
    )

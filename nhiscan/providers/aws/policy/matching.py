"""Matching what a policy names against a request: three-valued answers, globs, ARNs and policy
variables.

Every test here answers YES, NO or MAYBE (``Tri``): MAYBE when the answer depends on something
the snapshot cannot know (a request-time value such as the caller's IP address, a role session
name). MAYBE is never rounded to YES or NO: callers carry it to a CONDITIONAL decision.

Globs follow IAM: ``*`` is any run of characters and ``?`` any one character, over the whole
string. For Resource elements AWS documents wildcards within the colon-separated segments of an
ARN, with a trailing ``*`` of a segment allowed to run past colons; matching the whole ARN as one
string gives the same answer for every documented form (``arn:aws:s3:::b/*``,
``arn:aws:iam::*``, ``arn:aws:lambda:*:123456789012:function:*``). ARN condition operators
(ArnLike, ArnEquals) instead compare the six colon-separated components one by one, as
documented for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from functools import lru_cache

from nhiscan.scanner.glob import Matcher as Matcher
from nhiscan.scanner.glob import any_matcher as any_matcher
from nhiscan.scanner.glob import glob_body as glob_body
from nhiscan.scanner.glob import glob_match as glob_match
from nhiscan.scanner.glob import glob_matcher as glob_matcher
from nhiscan.scanner.glob import glob_regex as glob_regex
from nhiscan.scanner.glob import has_wildcard as has_wildcard


class Tri(IntEnum):
    """A three-valued answer; ``min`` is AND, ``max`` is OR."""

    NO = 0
    MAYBE = 1
    YES = 2


def negate(value: Tri) -> Tri:
    return Tri(2 - value)


def any_of(values: Iterable[Tri]) -> Tri:
    best = Tri.NO
    for value in values:
        if value is Tri.YES:
            return Tri.YES
        best = max(best, value)
    return best


def all_of(values: Iterable[Tri]) -> Tri:
    worst = Tri.YES
    for value in values:
        if value is Tri.NO:
            return Tri.NO
        worst = min(worst, value)
    return worst


def from_bool(value: bool) -> Tri:
    return Tri.YES if value else Tri.NO


# --- globs -----------------------------------------------------------------------------------


def arn_like(value: str, pattern: str) -> bool:
    """ArnLike/ArnEquals: the six colon-separated components compared one by one, with
    wildcards, case-sensitively. A value that is not an ARN matches nothing."""
    values = value.split(":", 5)
    patterns = pattern.split(":", 5)
    if len(values) != 6 or len(patterns) != 6:
        return False
    return all(glob_match(p, v) for p, v in zip(patterns, values, strict=True))


# --- values of condition keys ----------------------------------------------------------------


class Unknown:
    """The value of a key the snapshot cannot know (request-time, or simply not collected)."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


@dataclass(frozen=True, slots=True)
class Partial:
    """A value whose start is known and whose rest is request-time: a role session's
    ``aws:userid`` is ``<role unique id>:<session name>``."""

    prefix: str


@dataclass(frozen=True, slots=True)
class Since:
    """A time the request is made at: any moment from ``start`` on (the snapshot's collection
    time), never before. ``aws:CurrentTime`` and a new session's ``aws:TokenIssueTime`` (ISO
    8601), ``aws:EpochTime`` (epoch seconds, ``epoch``)."""

    start: datetime
    epoch: bool = False

    def text(self, moment: datetime) -> str:
        """``moment`` as the request context spells this key's value."""
        if self.epoch:
            return f"{moment.timestamp():.3f}"
        return moment.isoformat()


@dataclass(frozen=True, slots=True)
class Chosen:
    """A value the caller sets in its own request, as it likes: ``aws:SecureTransport``
    (``choices``: HTTPS or not), ``aws:RequestedRegion``, ``aws:RequestTag/<key>``,
    ``aws:TagKeys`` (``choices`` None: any text). ``may_omit``: it may leave the key out."""

    choices: tuple[str, ...] | None = None
    may_omit: bool = False


# Present values (a tuple: most keys hold one), None when the key is absent from the request,
# UNKNOWN, one Partial value, a request time (Since) or a value the caller chooses (Chosen).
KeyValue = tuple[str, ...] | None | Unknown | Partial | Since | Chosen
Lookup = Callable[[str], KeyValue]  # lower-case key -> value


# --- policy variables ------------------------------------------------------------------------

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}
_DEFAULT = re.compile(r"^\s*([^,]*?)\s*,\s*'((?:[^']|'')*)'\s*$")


@dataclass(frozen=True, slots=True)
class Variable:
    key: str  # lower case: condition keys compare without regard to case
    default: str | None = None


# Text with variables: literal chunks (with glob meaning) and variables.
Template = tuple[str | Variable, ...]
# A resolved template: (text, literal) chunks; a literal chunk has no glob meaning.
Resolved = tuple[tuple[str, bool], ...]


def parse_template(text: str) -> Template | None:
    """The chunks of ``text`` when it holds a policy variable; None when it holds none."""
    if "${" not in text:
        return None
    chunks: list[str | Variable] = []
    last = 0
    for match in _VARIABLE.finditer(text):
        chunks.append(text[last : match.start()])
        inner = match.group(1)
        if inner in _ESCAPES:
            chunks.append(Variable(key="", default=_ESCAPES[inner]))
        else:
            default = _DEFAULT.match(inner)
            if default:
                chunks.append(
                    Variable(default.group(1).lower(), default.group(2).replace("''", "'"))
                )
            else:
                chunks.append(Variable(inner.strip().lower()))
        last = match.end()
    chunks.append(text[last:])
    return tuple(c for c in chunks if c != "")


def _variable(inner: str) -> Variable:
    """``aws:username`` or ``aws:username, 'fallback'`` (a quote doubled inside the default)."""
    default = _DEFAULT.match(inner)
    if default is None:
        return Variable(inner.strip().lower())
    return Variable(default.group(1).lower(), default.group(2).replace("''", "'"))


def resolve(template: Template, lookup: Lookup) -> Resolved | Tri:
    """Substitute the variables: the resolved chunks, or NO when a variable's key is absent
    (or holds several values) and it has no default -- AWS then matches nothing -- or MAYBE
    when a variable's value cannot be known from the snapshot."""
    out: list[tuple[str, bool]] = []
    for chunk in template:
        if isinstance(chunk, str):
            out.append((chunk, False))
            continue
        if not chunk.key:
            out.append((chunk.default or "", True))
            continue
        value = lookup(chunk.key)
        if isinstance(value, Unknown | Partial | Since | Chosen):
            return Tri.MAYBE
        if value is None or len(value) != 1:
            if chunk.default is None:
                return Tri.NO
            out.append((chunk.default, True))
        else:
            out.append((value[0], True))
    return tuple(out)


def plain(text: str) -> Resolved:
    return ((text, False),)


def resolved_text(value: Resolved) -> str:
    """The resolved value as a literal string (for equality operators)."""
    return "".join(text for text, _ in value)


def resolved_matcher(value: Resolved) -> Matcher:
    """The resolved value as a glob, literal chunks taken literally (for Like operators and
    resources)."""
    if not any(literal and has_wildcard(t) for t, literal in value):
        return glob_matcher(resolved_text(value))
    body = "".join(re.escape(t) if literal else glob_body(t) for t, literal in value)
    regex = _compiled(body, False)
    return lambda text: regex.fullmatch(text) is not None


@lru_cache(maxsize=65_536)
def _compiled(body: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def variable_keys(template: Template) -> tuple[str, ...]:
    return tuple(c.key for c in template if isinstance(c, Variable) and c.key)

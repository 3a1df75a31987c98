"""The connector seam: ``collect(ctx) -> Iterator[Record]``.

Connectors are the only code that talks to clouds, git or the filesystem being scanned. A call
that is refused, throttled past its retries or fails is yielded as a ``CollectionGap`` record and
collection goes on; ``ConnectorError`` is only for a connector that cannot start at all.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from nhiscan.scanner.model import Record


def _quiet(message: str) -> None:
    del message


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectContext:
    now: datetime
    # --as-of: the moment the analysis judges as of, when not now; windows that default to a
    # span before the scan (the audit trail's 90 days) end there instead.
    as_of: datetime | None = None
    # Called with one short line per collection step ("aws 123456789012: 40/200 users").
    progress: Callable[[str], None] = field(default=_quiet)


class Connector(Protocol):
    @property
    def sources(self) -> tuple[str, ...]:
        """What this connector was asked to look at, for the report's scope."""
        ...

    def collect(self, ctx: CollectContext) -> Iterator[Record]: ...


@runtime_checkable
class Keeping(Protocol):
    """A connector that can keep what it builds to collect (the demo's moto estate) between
    collections: while ``kept()`` is entered, collecting again (as of another moment, for the
    demo's "last week" run) reuses it instead of building it again."""

    def kept(self) -> AbstractContextManager[None]: ...


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class OptionKind(StrEnum):
    FLAG = "flag"  # on when given
    TEXT = "text"
    FILE = "file"  # the path of a file (not a folder), as a pathlib.Path
    POSITIVE = "positive"  # a whole number from 1


@dataclass(frozen=True, slots=True, kw_only=True)
class OptionSpec:
    """One command-line option of a connector (the CLI builds the click option from it)."""

    flag: str  # "--aws-profile"
    dest: str  # the name of its value: "aws_profiles"
    help: str
    kind: OptionKind = OptionKind.TEXT
    multiple: bool = False  # may be repeated: the value is a tuple
    metavar: str | None = None
    # The dest of an option of this connector it only goes with (several: any of them).
    requires: str | tuple[str, ...] | None = None
    # Declared by several connectors with the same flag and meaning (the activity window of
    # every audit-log reader): one command-line option, its value given to each; ``requires``
    # is met when any declaring connector's is.
    shared: bool = False

    @property
    def default(self) -> Any:
        """Its value when not given."""
        if self.multiple:
            return ()
        return False if self.kind is OptionKind.FLAG else None


def _any_given(spec: ConnectorSpec, values: Mapping[str, Any]) -> bool:
    return any(values.get(o.dest, o.default) != o.default for o in spec.options)


def _nothing(values: Mapping[str, Any]) -> None:
    del values


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectorSpec:
    """What a connector declares in one place: its command-line options, its ``[name]`` table
    of nhiscan.toml, when it is asked for, and how it is built. A spec module imports no SDK,
    so that ``nhiscan --help`` stays fast.

    ``section`` is a frozen dataclass whose fields (with defaults) are the keys of the table:
    ``str``, ``str | None``, ``bool``, ``tuple[str, ...]`` or ``int`` (0 to the field's
    ``metadata["max"]``). ``build`` gets this connector's option values (by dest) and every
    connector's parsed section (by connector name)."""

    name: str
    build: Callable[[Mapping[str, Any], Mapping[str, Any]], Connector]
    options: tuple[OptionSpec, ...] = ()
    section: type[Any] | None = None
    default: bool = False  # collected when no source at all is given
    identities: bool = True  # yields identities (False: exposures only, e.g. git)
    conflicts: tuple[str, ...] = ()  # connectors that cannot be asked for with this one
    conflict_hint: str = ""  # the error when one of them is
    order: int = 100  # where its records go in a snapshot (lower first)
    # Asked for when one of its options is given, unless ``asked`` says otherwise.
    asked: Callable[[Mapping[str, Any]], bool] | None = None
    check: Callable[[Mapping[str, Any]], None] = _nothing  # ConfigError on a bad combination
    # A text to print instead of collecting (--verify --dry-run), or None.
    plan: Callable[[Mapping[str, Any]], str | None] | None = None
    # Dests of other connectors' options whose values ``build`` also gets (the live AWS
    # collection reads the event history only when no trail's files are given).
    sees: tuple[str, ...] = ()

    def is_asked(self, values: Mapping[str, Any]) -> bool:
        return self.asked(values) if self.asked is not None else _any_given(self, values)

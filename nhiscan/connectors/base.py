"""The connector seam: ``collect(ctx) -> Iterator[Record]``.

Connectors are the only code that talks to clouds, git or the filesystem being scanned. A call
that is refused, throttled past its retries or fails is yielded as a ``CollectionGap`` record and
collection goes on; ``ConnectorError`` is only for a connector that cannot start at all.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from nhiscan.scanner.model import Record


def _quiet(message: str) -> None:
    del message


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectContext:
    now: datetime
    # Called with one short line per collection step ("aws 123456789012: 40/200 users").
    progress: Callable[[str], None] = field(default=_quiet)


class Connector(Protocol):
    @property
    def sources(self) -> tuple[str, ...]:
        """What this connector was asked to look at, for the report's scope."""
        ...

    def collect(self, ctx: CollectContext) -> Iterator[Record]: ...


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)

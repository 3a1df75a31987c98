"""The bases a scanning process holds: what the versions of a file yielded, kept for the next
versions (``secrets.delta``), within a budget.

A history's items go to the workers with each file's versions together, oldest first
(``work.in_lineages``), so the version a blob names as its base was, nearly always, scanned a
moment before in the same process: a few recent bases are all a process needs. A base that is
gone (evicted, or scanned by another process) only costs a whole scan of the blob.
"""

from __future__ import annotations

from collections import OrderedDict

from nhiscan.connectors.git.secrets.delta import Lines

KEPT_BYTES = 16 << 20  # content of the versions whose lines are kept, per process


class Bases:
    """The most recent bases, up to ``budget`` bytes of their content (their line sets take
    a few times that in memory)."""

    def __init__(self, budget: int = KEPT_BYTES) -> None:
        self._kept: OrderedDict[str, Lines] = OrderedDict()
        self._bytes = 0
        self._budget = budget

    def get(self, key: str | None) -> Lines | None:
        return self._kept.get(key) if key is not None else None

    def keep(self, key: str, lines: Lines) -> None:
        if key in self._kept:
            return
        self._kept[key] = lines
        self._bytes += lines.size
        while self._bytes > self._budget and self._kept:
            _, gone = self._kept.popitem(last=False)
            self._bytes -= gone.size

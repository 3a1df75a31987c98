"""Long lines in overlapping windows, so the work per line is bounded.

A line longer than ``WINDOW`` bytes (minified code, a data blob, a 200 MB one-line file) is
never handed to a detector whole: detectors run on windows of ``WINDOW`` bytes that start every
``STRIDE`` bytes, so consecutive windows share ``OVERLAP`` bytes. A window *owns* the matches
that start in its middle: from ``EDGE`` bytes after its start to ``EDGE`` bytes before its end
(the first window from the line's start, the last to the line's end). The owned parts tile the
line, so each match is kept by exactly one window; a match of at most ``EDGE`` bytes that starts
in the owned part lies wholly inside the window, with ``EDGE`` bytes of real context on each
side, so what a detector sees around it is what it would see on the whole line.

Why these numbers: ``EDGE`` (4 KiB) is above the longest token any detector matches in practice:
fixed-format tokens are under 600 characters (OpenAI keys up to 511, Azure SAS up to ~1,500),
an AWS session token is at most 4,022 (not URL-encoded), a one-line PEM key of RSA 4096 about
3,400. detect-secrets' KeywordDetector is quadratic in the length of a run of word characters
holding keywords, so its cost per window grows with the square of ``WINDOW``: 32 KiB keeps the
worst window well under a second while costing a third more work than one pass (``WINDOW /
STRIDE``).

Known limits: a token longer than ``EDGE`` (a URL-encoded session token over 4 KiB, a huge JWT
or one-line PEM key) can be missed or cut when it crosses a window boundary. Detectors that
report one secret per line (detect-secrets' KeywordDetector) report one per window instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

WINDOW = 32 * 1024
OVERLAP = 8 * 1024
EDGE = OVERLAP // 2
STRIDE = WINDOW - OVERLAP


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    index: int
    start: int  # byte offset of the window in its line
    end: int
    lo: int  # the owned part, as byte offsets in the line: lo <= match start < hi
    hi: int


def is_long(size: int) -> bool:
    return size > WINDOW


def count(size: int) -> int:
    """How many windows a line of ``size`` bytes has."""
    if not is_long(size):
        return 1
    return (size - OVERLAP + STRIDE - 1) // STRIDE


def window(size: int, index: int) -> Window:
    start = index * STRIDE
    last = index == count(size) - 1
    end = size if last else start + WINDOW
    lo = start + EDGE if index > 0 else 0
    hi = size if last else end - EDGE
    return Window(index=index, start=start, end=end, lo=lo, hi=hi)


def covering(size: int, offset: int) -> range:
    """The indexes of the windows that contain byte ``offset`` of a line of ``size`` bytes."""
    first = max(0, (offset - WINDOW) // STRIDE + 1)
    last = min(count(size) - 1, offset // STRIDE)
    return range(first, last + 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Text:
    """A window decoded: its text and its owned part as character offsets in that text."""

    text: str
    lo: int
    hi: int

    def owns(self, start: int) -> bool:
        return self.lo <= start < self.hi

    def owns_value(self, value: str) -> bool:
        """Whether ``value`` occurs in the text starting in the owned part (for detectors that
        report a value, not where it is)."""
        return bool(value) and self.text.find(value, self.lo, self.hi - 1 + len(value)) >= 0


def decoded(raw: bytes, win: Window) -> Text:
    """Window ``win`` of the raw line ``raw``, as UTF-8 text (a character cut at either end
    decodes as a replacement character, in the part no window owns)."""
    piece = raw[win.start : win.end]
    lo = len(piece[: win.lo - win.start].decode("utf-8", "replace"))
    hi = lo + len(piece[win.lo - win.start : win.hi - win.start].decode("utf-8", "replace"))
    return Text(text=piece.decode("utf-8", "replace"), lo=lo, hi=hi)


def windows_of(raw: bytes, marked: Iterator[int] | None = None) -> Iterator[Text]:
    """The windows of a long line (only the ``marked`` indexes, in order, when given)."""
    indexes = range(count(len(raw))) if marked is None else marked
    for index in indexes:
        yield decoded(raw, window(len(raw), index))

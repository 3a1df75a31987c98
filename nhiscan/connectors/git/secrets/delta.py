"""A version of a file scanned against the version before it (its base): the pre-filter reads
only the paragraphs the base did not have.

Versions of a file in a history share nearly all their lines. The line cache
(``Scanner._scan_cached``) already spares them detection, but the pre-filter still read every
byte of every version, and Python still stepped through every marked line to look it up: most
of a history scan's time. A base remembers the distinct paragraphs of its version (the text
between blank lines, ``BLOCK``: an edit changes one or two of them, and there are ten times
fewer paragraphs than lines, so comparing them costs little) and, for those that hold a line
that yields something, which lines and what they yield (``Lines``). A later version then needs
the pre-filter only on its new paragraphs (``fresh``), and Python only on those and on the
paragraphs that yield something (``placed``), found by C-speed set and map operations. A file
with no blank line is one paragraph: any edit makes it new, and it is scanned as a whole.

Why the result is the whole scan's, line numbers included:

- a line's marks are the line's own: no pre-filter expression matches a newline and none is
  anchored (``regex_bytes`` refuses anchors; ``test_delta`` checks the newline), so the lines
  of a paragraph the base had are marked here as they were there, and the lines of a new one
  are marked in the piece of new paragraphs as in the blob;
- what a marked line yields depends on the line and the file's kind (its extension, and
  whether detect-secrets' file filters read it), the line cache's own rule; a base is used only
  for a blob of the same kind;
- the rule has two exceptions, both kept out: a line after an ``allowlist nextline`` pragma
  (it depends on the line before) and a long line (scanned in windows, never cached). A blob
  with either is scanned whole and is no base.

Everything the engine does with the whole file after the lines (the transformers' decisions,
the eager config pass, the file rules, merging, traits) runs as on a whole scan: only how the
marked lines and the entries of the others are found changes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress, count, repeat
from operator import add
from typing import overload

from nhiscan.connectors.git.secrets import windows
from nhiscan.connectors.git.secrets.detect import Hits, Key
from nhiscan.connectors.git.secrets.match import Match

# A line as the line cache keeps it: what it yields (line numbers zeroed) and how many
# matches it silenced.
Entry = tuple[tuple[Match, ...], int]
# A file's kind, as the line cache keys it: (extension, whether detect-secrets' plugins read it).
Kind = tuple[str, bool]
BLOCK = b"\n\n"  # what separates paragraphs: a blank line
# Lines of a paragraph (0-based, within it) that yield something, with what they yield.
Yields = tuple[tuple[int, Entry], ...]
# Marked lines of a new paragraph: (line within it, text, the detectors that marked it).
Marked = tuple[tuple[int, bytes, set[Key]], ...]


@dataclass(frozen=True, slots=True)
class Lines:
    """What a scanned version's lines yielded, for the versions that name it as their base."""

    kind: Kind
    blocks: Mapping[bytes, int]  # every distinct paragraph, with its count of newlines
    yielding: Mapping[bytes, Yields]  # the paragraphs with a line that yields or silences
    size: int  # bytes of content (what a holder of bases budgets)


class Blocks(Sequence[bytes]):
    """A version's paragraphs, in order, and the index of each one's first line; as a
    sequence, its lines (``data.split(b"\n")``), each paragraph split when one of its lines
    is first read: the engine reads few lines of a version scanned against its base."""

    __slots__ = ("_split", "distinct", "new", "starts", "texts")

    def __init__(self, data: bytes, known: Mapping[bytes, int] | None = None) -> None:
        """``known``: paragraphs with their counts of newlines (a base's): only the others are
        counted, and listed in ``new``."""
        self.texts = texts = data.split(BLOCK)
        if known is None:
            self.new: set[bytes] = set()
            newlines = list(map(bytes.count, texts, repeat(b"\n")))
        else:
            self.new = set(texts).difference(known)
            if self.new:
                known = {**known, **{text: text.count(b"\n") for text in self.new}}
            newlines = list(map(known.__getitem__, texts))
        self.distinct: dict[bytes, int] = dict(zip(texts, newlines, strict=True))
        # A paragraph of n newlines spans n + 1 lines, and the blank line after it one more.
        spans = map(add, newlines, repeat(2))
        self.starts: list[int] = list(accumulate(spans, initial=0))
        self._split: dict[int, list[bytes]] = {}

    def block_of(self, line: int) -> int:
        return bisect_right(self.starts, line, 0, len(self.texts)) - 1

    def __len__(self) -> int:
        return self.starts[-1] - 1

    @overload
    def __getitem__(self, index: int) -> bytes: ...

    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...

    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        at = self.block_of(index)
        lines = self._split.get(at)
        if lines is None:
            lines = self._split[at] = self.texts[at].split(b"\n")
        offset = index - self.starts[at]
        return lines[offset] if offset < len(lines) else b""  # the blank line after it


@dataclass(frozen=True, slots=True)
class Fresh:
    """A version's paragraphs against its base, and the marked lines of its new ones."""

    blocks: Blocks
    marked: Mapping[bytes, Marked]  # new paragraph -> its marked lines (none: not listed)


def fresh(data: bytes, base: Lines, hits: Callable[[bytes], Hits]) -> Fresh | None:
    """The pre-filter (``hits``) on the paragraphs ``base`` does not have, joined as one piece;
    None when the blob must be scanned whole: a line of a new paragraph is long or mentions
    ``nextline``."""
    blocks = Blocks(data, base.blocks)
    if not blocks.new:
        return Fresh(blocks, {})
    order = list(blocks.new)
    piece = b"\n".join(order)
    lines = piece.split(b"\n")
    if windows.is_long(max(map(len, lines))) or b"nextline" in piece.lower():
        return None
    firsts = list(accumulate((blocks.distinct[text] + 1 for text in order), initial=0))
    marked: dict[bytes, list[tuple[int, bytes, set[Key]]]] = {}
    for number, keys in hits(piece).lines.items():
        line = number - 1
        at = bisect_right(firsts, line) - 1
        marked.setdefault(order[at], []).append((line - firsts[at], lines[line], keys))
    return Fresh(blocks, {text: tuple(found) for text, found in marked.items()})


def placed(
    lines: Fresh, base: Lines, cache: Mapping[bytes, Entry], entries: dict[int, Entry]
) -> Hits:
    """The marked lines that need detection (those of new paragraphs the cache does not know),
    as ``Scanner._hits`` gives them; every other line that yields something goes into
    ``entries`` (index -> its entry: from the cache for a line of a new paragraph, from the
    base for one of an old paragraph), in line order as ``_hits`` fills it."""
    unknown = Hits()
    marked, old = lines.marked, base.yielding
    wanted = marked.keys() | (old.keys() & lines.blocks.distinct.keys())
    if not wanted:
        return unknown
    texts, starts = lines.blocks.texts, lines.blocks.starts
    for at in compress(count(), map(wanted.__contains__, texts)):
        first = starts[at]
        found = marked.get(texts[at])
        if found is None:
            for offset, entry in old[texts[at]]:
                entries[first + offset] = entry
            continue
        for offset, text, keys in found:
            known = cache.get(text)
            if known is not None:
                entries[first + offset] = known
            else:
                unknown.lines[first + offset + 1] = set(keys)
    return unknown


def kept(
    kind: Kind,
    data: bytes,
    lines: Fresh | None,
    entries: Mapping[int, Entry],
    detected: Mapping[int, Entry],
) -> Lines:
    """A scanned version as a base: its paragraphs, and each line that yields something with
    its entry (those the scan took from the cache or the base, and those it detected on)."""
    blocks = lines.blocks if lines is not None else Blocks(data)
    by_block: dict[int, list[tuple[int, Entry]]] = {}
    yields = {i: e for found in (entries, detected) for i, e in found.items() if e[0] or e[1]}
    for index in sorted(yields):
        entry = yields[index]
        at = blocks.block_of(index)
        by_block.setdefault(at, []).append((index - blocks.starts[at], entry))
    yielding: dict[bytes, Yields] = {}
    for at, found in by_block.items():
        yielding.setdefault(blocks.texts[at], tuple(found))
    return Lines(kind, blocks.distinct, yielding, len(data))

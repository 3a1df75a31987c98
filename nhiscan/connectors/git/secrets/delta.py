"""A version of a file scanned against the version before it (its base): the pre-filter reads
only the lines the base did not have.

Versions of a file in a history share nearly all their lines. The line cache
(``Scanner._scan_cached``) already spares them detection, but the pre-filter still read every
byte of every version and Python still stepped through every marked line to look it up: most
of a history scan's time. A base remembers every distinct line of its version and what the
lines that yield something yield (``Lines``); a later version then needs the pre-filter only on
the lines the base lacks (``fresh``), and Python only on those and on the lines that yield
something (``placed``), found by C-speed set and map operations.

Why the result is the whole scan's, line numbers included:

- a line's marks are the line's own: no pre-filter expression matches a newline and none is
  anchored (``regex_bytes`` refuses anchors; ``test_delta`` checks the newline), so a line
  the base had is marked here as it was there, and a new line is marked in the piece of new
  lines as in the blob;
- what a marked line yields depends on the line and the file's kind (its extension, and
  whether detect-secrets' file filters read it), the line cache's own rule; a base is used only
  for a blob of the same kind;
- the rule has two exceptions, both kept out: a line after an ``allowlist nextline`` pragma
  (it depends on the line before) and a long line (scanned in windows, never cached). A blob
  with either is scanned whole and is no base.

Everything the engine does with the whole file after the lines (the transformers' decisions,
the eager config pass, the file rules, merging, traits) runs as on a whole scan: only how the
marked lines and their entries are found changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import compress, count

from nhiscan.connectors.git.secrets import windows
from nhiscan.connectors.git.secrets.detect import Hits, Key
from nhiscan.connectors.git.secrets.match import Match

# A line as the line cache keeps it: what it yields (line numbers zeroed) and how many
# matches it silenced.
Entry = tuple[tuple[Match, ...], int]
# A file's kind, as the line cache keys it: (extension, whether detect-secrets' plugins read it).
Kind = tuple[str, bool]


@dataclass(frozen=True, slots=True)
class Lines:
    """What a scanned version's lines yielded, for the versions that name it as their base."""

    kind: Kind
    texts: frozenset[bytes]  # every distinct line
    yielding: Mapping[bytes, Entry]  # the lines that yield or silence something
    size: int  # bytes of content (what a holder of bases budgets)


@dataclass(frozen=True, slots=True)
class Fresh:
    """A version's lines against its base: all of them, and the new ones the pre-filter marks,
    each with the detectors that marked it."""

    texts: frozenset[bytes]
    marked: Mapping[bytes, set[Key]]


def fresh(raw_lines: list[bytes], base: Lines, hits: Callable[[bytes], Hits]) -> Fresh | None:
    """The pre-filter (``hits``) on the lines ``base`` does not have, joined as one piece; None
    when the blob must be scanned whole: a new line is long or mentions ``nextline``."""
    texts = frozenset(raw_lines)
    new = list(texts.difference(base.texts))
    if not new:
        return Fresh(texts, {})
    if windows.is_long(max(map(len, new))):
        return None
    piece = b"\n".join(new)
    if b"nextline" in piece.lower():
        return None
    marked = {new[number - 1]: keys for number, keys in hits(piece).lines.items()}
    return Fresh(texts, marked)


def placed(
    raw_lines: list[bytes],
    lines: Fresh,
    base: Lines,
    cache: Mapping[bytes, Entry],
    entries: dict[int, Entry],
) -> Hits:
    """The marked lines that need detection (new lines the cache does not know), as
    ``Scanner._hits`` gives them; every other line that yields something goes into ``entries``
    (index -> its entry: from the cache for a new line, from the base for an old one), in
    line order as ``_hits`` fills it."""
    unknown = Hits()
    marked, old = lines.marked, base.yielding
    wanted = marked.keys() | (old.keys() & lines.texts)
    if not wanted:
        return unknown
    for index in compress(count(), map(wanted.__contains__, raw_lines)):
        text = raw_lines[index]
        keys = marked.get(text)
        if keys is None:
            entries[index] = old[text]
            continue
        entry = cache.get(text)
        if entry is not None:
            entries[index] = entry
        else:
            unknown.lines[index + 1] = set(keys)
    return unknown


def kept(
    kind: Kind,
    texts: frozenset[bytes],
    raw_lines: list[bytes],
    entries: Mapping[int, Entry],
    fresh_entries: Mapping[int, Entry],
    size: int,
) -> Lines:
    """A scanned version as a base: its lines, and each line that yields something with its
    entry (those the scan took from the cache or the base, and those it detected on)."""
    yielding: dict[bytes, Entry] = {}
    for found in (entries, fresh_entries):
        for index, entry in found.items():
            if entry[0] or entry[1]:
                yielding[raw_lines[index]] = entry
    return Lines(kind, texts, yielding, size)

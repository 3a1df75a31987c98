"""The fast engine: a native pre-filter over the whole blob, then detectors on the marked lines.

1. Skip what cannot be text (a NUL byte in the first 8,000 bytes, as git decides) or is over
   the size limit; the caller records the skip.
2. One native pass over the blob's bytes (``native.py``: a Hyperscan database, or
   pyahocorasick and ``re`` where Hyperscan has no wheel) finds every keyword of every detector
   and detect-secrets plugin, compared lowercased, and the few regular expressions that cannot
   cross a line (the relaxations in ``plugins.PREFILTERS``) mark the rest. Each hit marks
   (line, detector).
3. Each marked line goes to the detectors that marked it, with detect-secrets' filters applied
   as ``detect-secrets scan`` applies them (``detect.py``); marked lines seen before in a file
   of the same kind come from the line cache. Lines nothing marked are never looked at by
   Python again. A line over 32 KiB goes in overlapping windows, only those a mark falls in
   (``windows.py``), so the work per line, and per file, stays linear in its size.

Positions are byte offsets: the pre-filter's literals and patterns are defined on the blob
decoded as latin-1 (one character per byte, so lowercasing never changes lengths) and
``native.py`` runs them on the bytes with that meaning; marked lines are decoded as UTF-8
(with replacement) before the detectors see them.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import Any, overload

from nhiscan.connectors.git.secrets import delta, native, plugins, utf16, windows
from nhiscan.connectors.git.secrets.detect import Hits, Key, run_ds, run_nhi
from nhiscan.connectors.git.secrets.detectors import DETECTORS, FILE_RULES, Detector
from nhiscan.connectors.git.secrets.match import RANK_NHISCAN, Match
from nhiscan.connectors.git.secrets.merge import merge
from nhiscan.connectors.git.secrets.traits import with_traits
from nhiscan.connectors.git.secrets.transform import (
    after_nextline_pragma,
    as_raw,
    ds_scans_file,
    encoded,
    maybe_config,
    maybe_first,
    transformed,
)
from nhiscan.scanner.model import SkipReason

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
BINARY_SNIFF = 8000  # bytes git looks at to call a blob binary


@dataclass(frozen=True, slots=True)
class EngineOptions:
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # Distinct lines remembered per process (about 150 bytes each); past it the cache restarts.
    line_cache_size: int = 1_000_000


@dataclass(frozen=True, slots=True)
class BlobScan:
    matches: tuple[Match, ...] = ()
    skipped: SkipReason | None = None
    # lines an inline ignore comment silenced (a line once, however many detectors found it)
    ignored: int = 0
    # What the lines yielded, for the next version of the file (``delta``): when asked for,
    # and only for a blob whose lines each yield on their own.
    lines: delta.Lines | None = None


_Key = Key
# Told how many bytes of the blob are scanned so far (long lines report as they go).
Progress = Callable[[int], None]
_Entry = delta.Entry


class Scanner:
    """Build once per process (it loads or compiles the pre-filter), then ``scan`` many blobs."""

    def __init__(self, options: EngineOptions | None = None) -> None:
        self.options = options or EngineOptions()
        self._ds = plugins.configure()
        self._detectors: tuple[Detector, ...] = DETECTORS
        self._marker = native.marker(prefilter_table(self._ds, self._detectors))
        # Line cache (see _scan_cached): file kind -> line -> (matches, silenced count).
        self._caches: dict[tuple[str, bool], dict[bytes, _Entry]] = {}
        self._cached_lines = 0

    # -- public ---------------------------------------------------------------------------

    def scan(
        self,
        data: bytes,
        path: str,
        progress: Progress | None = None,
        *,
        base: delta.Lines | None = None,
        keep: bool = False,
    ) -> BlobScan:
        """``progress``, when given, is told how many bytes are done while long lines are
        scanned (``windows.py``), so a huge one-line file shows it is moving. ``base``: what
        the previous version of the file yielded (``delta``), when the caller has it: only the
        lines it lacks are pre-filtered, with the same result. ``keep``: return what this
        version's lines yield (``BlobScan.lines``), for the next version."""
        size = len(data)
        if size > self.options.max_file_size:
            return BlobScan(skipped=SkipReason.TOO_LARGE)
        if b"\0" in data[:BINARY_SNIFF]:
            text = utf16.decoded(data)  # UTF-16 text (Windows PowerShell's files) is text
            if text is None:
                return BlobScan(skipped=SkipReason.BINARY)
            data = text
        if b"\r" in data:  # universal newlines, as Python's text mode reads for detect-secrets
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        kind = (os.path.splitext(path)[1], ds_scans_file(path))
        against = None
        if base is not None and base.kind == kind:
            against = delta.fresh(data, base, self._hits)
        raw_lines: Sequence[bytes] = data.split(b"\n") if against is None else against.blocks
        # Against a base, no line is long: the base had none, and ``fresh`` checked the rest.
        scan = _Scan(data, path, raw_lines, progress, short=against is not None)
        first = maybe_first(data, path) and scan.whole_file
        yaml_lines = transformed(data, path, eager=False) if first else None
        if first and (yaml_lines is not None or scan.config):  # a transformer applies: no cache
            hits = self._hits(data)
            lines = data.decode("utf-8", "replace").split("\n")
            result = self._scan_lines(lines, hits, scan, yaml_lines)
        else:  # what the first pass gave up on is scanned as any other file
            result = self._scan_cached(scan, kind, _Against(against, base), keep)
        if progress is not None:
            progress(size)  # the blob's own size, as the caller counts it (UTF-16 decodes smaller)
        return result

    # -- the line cache -------------------------------------------------------------------

    def _scan_cached(
        self, scan: _Scan, kind: delta.Kind, against: _Against, keep: bool
    ) -> BlobScan:
        """Detect only on the marked lines this process has not seen in a file of the same kind.

        What a line yields depends on the line, the file's kind (its extension decides
        detect-secrets' keyword rules and comment syntax; its path whether detect-secrets'
        file filters exclude it) and, through ``pragma: allowlist nextline secret``, the line
        before it: lines after such a pragma are never cached. Versions of one file in git
        history share most lines, so history scans detect only on what changed. The pre-filter
        itself runs on the whole blob (native, it costs less than looking lines up), and only
        marked lines are looked up and remembered: an unmarked line yields nothing anyway.
        Results (with the line number dropped) are cached, never the decision to skip: every
        blob still reports every secret it holds. Whole-file steps (detect-secrets' eager
        config transformer, the file rules) run on every blob as before. Long lines are not
        cached: each is scanned in windows, and remembering it would keep it in memory.

        Against a base (``delta``), the marked lines and the entries of the others come from
        the base and the pre-filter of the new lines; what follows is the same.
        """
        data, path, raw_lines = scan.data, scan.path, scan.raw_lines
        ds_on = kind[1]
        cache = self._cache_for(kind)
        entries: dict[int, _Entry] = {}
        if against.lines is not None and against.base is not None:
            volatile: frozenset[int] = frozenset()  # ``delta.fresh`` made sure
            unknown = delta.placed(against.lines, against.base, cache, entries)
        else:
            volatile = after_nextline_pragma(data, raw_lines) | scan.long_lines

            def known(index: int) -> _Entry | None:
                return None if index in volatile else cache.get(raw_lines[index])

            unknown = self._hits(data, known, entries)
        lines = DecodedLines(data, raw_lines)
        detected: dict[int, _Entry] = {}
        found: list[Match] = []
        ignored: list[int] = []
        if unknown.lines:
            scan.passes = 2 if ds_on else 1
            ds_found, ds_ignored = (
                run_ds(self._ds, lines, raw_lines, unknown, path, scan.tick) if ds_on else ([], [])
            )
            nhi_found, nhi_ignored = run_nhi(self._detectors, lines, raw_lines, unknown, scan.tick)
            fresh = ds_found + nhi_found
            found.extend(fresh)
            ignored.extend(ds_ignored + nhi_ignored)
            marked = [number - 1 for number in unknown.lines]
            detected = self._remember(
                cache, raw_lines, marked, volatile, fresh, ds_ignored + nhi_ignored
            )
        for index, entry in entries.items():
            if entry[0] or entry[1]:
                found.extend(replace(m, line=index + 1) for m in entry[0])
                if entry[1]:
                    ignored.append(index + 1)
        if ds_on and not any(m.rank < RANK_NHISCAN for m in found) and scan.config:
            eager = transformed(data, path, eager=True)
            if eager is not None:
                ds_found, ds_ignored = self._run_eager(eager, path)
                found.extend(ds_found)
                ignored.extend(ds_ignored)
        for rule in FILE_RULES:
            found = rule(found, lines)
        kept = None
        if keep and not volatile:
            kept = delta.kept(kind, data, against.lines, entries, detected)
        return BlobScan(
            matches=with_traits(merge(found), lines), ignored=len(set(ignored)), lines=kept
        )

    def _cache_for(self, kind: tuple[str, bool]) -> dict[bytes, _Entry]:
        if self._cached_lines > self.options.line_cache_size:
            self._evict_oldest_half()
        return self._caches.setdefault(kind, {})

    def _evict_oldest_half(self) -> None:
        """Bounded memory: drop the older half of each kind's lines (dicts keep insertion
        order), keeping the recent versions' lines that the next versions will share. Starting
        again from empty instead thrashes when a history's working set is near the limit."""
        total = 0
        for kind, lines in list(self._caches.items()):
            keep = list(lines.items())[len(lines) // 2 :]
            self._caches[kind] = dict(keep)
            total += len(keep)
        self._cached_lines = total

    def _remember(
        self,
        cache: dict[bytes, _Entry],
        raw_lines: Sequence[bytes],
        unknown: list[int],
        volatile: frozenset[int],
        fresh: list[Match],
        ignored: list[int],
    ) -> dict[int, _Entry]:
        """Cache what the detected lines yield; returned by line index (0-based)."""
        by_line: defaultdict[int, list[Match]] = defaultdict(list)
        for match in fresh:
            by_line[match.line].append(replace(match, line=0))
        silenced = Counter(ignored)
        detected: dict[int, _Entry] = {}
        for index in unknown:
            if index in volatile:
                continue
            entry = (tuple(by_line.get(index + 1, ())), silenced[index + 1])
            cache[raw_lines[index]] = detected[index] = entry
            self._cached_lines += 1
        return detected

    # -- pre-filter -----------------------------------------------------------------------

    def _hits(
        self,
        raw: bytes,
        known: Callable[[int], _Entry | None] | None = None,
        entries: dict[int, _Entry] | None = None,
    ) -> Hits:
        """line number (1-based) -> the detectors whose pre-filter marked it; for a long line
        also which of its windows (``windows.py``) each mark falls in. With ``known`` (a line's
        index -> what the line cache holds for it), a marked line the cache knows goes into
        ``entries`` (index -> its entry) instead: only the others are detected on."""
        positions = self._marker.marks(raw)
        hits = Hits()
        if not positions:
            return hits
        settled: set[Key] = set()  # where the marks of a line the cache knows go (unread)
        positions.sort(key=itemgetter(0))
        line, last, start, stop = 1, 0, 0, -1
        keys_here: set[Key] = set()
        spots: Any = None
        # Most marked lines hold one mark (a history's blobs: over a million lines per 3,000
        # blobs), so this loop runs about once per marked line: its names are local.
        count, rfind, find, size = raw.count, raw.rfind, raw.find, len(raw)
        marked, long_line = hits.lines, windows.WINDOW
        for position, keys in positions:
            if position > stop:  # a mark never is a newline: past the line's end, a new line
                line += count(b"\n", last, position)
                last = start = rfind(b"\n", 0, position) + 1
                stop = find(b"\n", position)
                if stop < 0:
                    stop = size
                entry = None if known is None else known(line - 1)
                if entry is not None and entries is not None:
                    entries[line - 1] = entry
                    keys_here, spots = settled, None
                    continue
                keys_here = marked[line]
                spots = hits.spots[line] if stop - start > long_line else None
            keys_here.update(keys)
            if spots is not None:
                for index in windows.covering(stop - start, position - start):
                    spots[index].update(keys)
        return hits

    # -- detection ------------------------------------------------------------------------

    def _scan_lines(
        self, lines: list[str], hits: Hits, scan: _Scan, yaml_lines: list[str] | None
    ) -> BlobScan:
        found: list[Match] = []
        ignored: set[int] = set()
        path = scan.path
        if ds_scans_file(path):
            scan.passes = 2
            if yaml_lines is None:
                ds_found, ds_ignored = run_ds(self._ds, lines, scan.raw_lines, hits, path)
            else:
                ds_found, ds_ignored = self._run_eager(yaml_lines, path)
            if not ds_found and scan.config:
                eager = transformed(scan.data, path, eager=True)
                if eager is not None:
                    ds_found, ds_ignored = self._run_eager(eager, path)
            found.extend(ds_found)
            ignored.update(ds_ignored)
        nhi_found, nhi_ignored = run_nhi(self._detectors, lines, scan.raw_lines, hits, scan.tick)
        found.extend(nhi_found)
        ignored.update(nhi_ignored)
        for rule in FILE_RULES:
            found = rule(found, lines)
        return BlobScan(matches=with_traits(merge(found), lines), ignored=len(ignored))

    def _run_eager(self, lines: list[str], path: str) -> tuple[list[Match], list[int]]:
        """detect-secrets on a transformer's lines (pre-filtered as the blob is)."""
        return run_ds(self._ds, lines, encoded(lines), self._hits(as_raw(lines)), path)


def prefilter_table(ds: tuple[Any, ...], detectors: tuple[Detector, ...]) -> native.Table:
    """What the pre-filter looks for: every detect-secrets plugin's pre-filter and every
    detector's keywords (the contract of ``Detector.keywords``: each match holds one)."""
    by_literal: defaultdict[str, list[_Key]] = defaultdict(list)
    patterns: list[tuple[str, _Key]] = []
    for index, plugin in enumerate(ds):
        prefilter = plugins.PREFILTERS[type(plugin).__name__]
        for literal in prefilter.literals:
            by_literal[literal].append(("ds", index))
        patterns.extend((pattern, ("ds", index)) for pattern in prefilter.patterns)
    for index, detector in enumerate(detectors):
        for literal in detector.keywords:
            by_literal[literal].append(("nhi", index))
    literals = tuple((literal, tuple(keys)) for literal, keys in by_literal.items())
    return native.Table(literals=literals, patterns=tuple(patterns))


class DecodedLines(Sequence[str]):
    """A blob's lines as ``data.decode("utf-8", "replace").split("\n")`` gives them, each
    decoded when first read: a version of a file in history is mostly lines the cache already
    knows, and decoding and splitting every blob whole cost more than the detectors on the
    lines it does not know. A line decoded alone is the same text: a newline byte never lies
    inside a UTF-8 sequence, so an invalid one ends before it either way. Iterating decodes
    the whole blob once (the file rules that read every line do so only for a few files)."""

    __slots__ = ("_all", "_data", "_one", "_raw")

    def __init__(self, data: bytes, raw_lines: Sequence[bytes]) -> None:
        self._data = data
        self._raw = raw_lines
        self._one: dict[int, str] = {}
        self._all: list[str] | None = None

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._raw)))]
        if self._all is not None:
            return self._all[index]
        if index < 0:
            index += len(self._raw)
        found = self._one.get(index)
        if found is None:
            found = self._one[index] = self._raw[index].decode("utf-8", "replace")
        return found

    def __iter__(self) -> Iterator[str]:
        if self._all is None:
            self._all = self._data.decode("utf-8", "replace").split("\n")
        return iter(self._all)


@dataclass(frozen=True, slots=True)
class _Against:
    """A blob's new lines against its base (``delta``); both None when scanned whole."""

    lines: delta.Fresh | None
    base: delta.Lines | None


class _Scan:
    """One blob being scanned: its lines, which are long, and the progress of long lines."""

    def __init__(
        self,
        data: bytes,
        path: str,
        raw_lines: Sequence[bytes],
        progress: Progress | None,
        *,
        short: bool = False,
    ) -> None:
        self.data, self.path, self.raw_lines = data, path, raw_lines
        self.long_lines = (
            frozenset(i for i, line in enumerate(raw_lines) if windows.is_long(len(line)))
            if not short and windows.is_long(max(map(len, raw_lines)))  # one C pass, mostly
            else frozenset()
        )
        # detect-secrets' whole-file transformers (INI, YAML) are for hand-written config: a
        # file with a line over a window is not, and parsing it whole would be unbounded work.
        self.whole_file = not self.long_lines
        self.config = self.whole_file and maybe_config(data, path)
        self.passes = 1
        self._progress = progress
        self._base = 0  # bytes of passes done
        self._last = 0
        self._long_bytes = sum(len(raw_lines[i]) for i in self.long_lines) or 1

    def tick(self, done: int) -> None:
        """A pass over the long lines reached byte ``done`` of them (restarts at each pass)."""
        if self._progress is None:
            return
        if done < self._last:
            self._base += self._last
        self._last = done
        share = (self._base + done) * len(self.data) // (self._long_bytes * self.passes)
        self._progress(min(share, len(self.data)))

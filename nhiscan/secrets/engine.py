"""The fast engine: a pre-filter over the whole blob, then detectors on the marked lines only.

1. Skip what cannot be text (a NUL byte in the first 8,000 bytes, as git decides) or is over
   the size limit; the caller records the skip.
2. One Aho-Corasick pass over the lowercased blob finds every keyword of every detector and
   detect-secrets plugin; a few regular expressions that cannot cross a line (the relaxations
   in ``plugins.PREFILTERS``) mark the rest. Each hit marks (line, detector).
3. Each marked line goes to the detectors that marked it, with detect-secrets' filters applied
   as ``detect-secrets scan`` applies them. Lines nothing marked are never looked at again.

The blob is decoded as latin-1 for steps 2 and 3's bookkeeping (one character per byte, so a
position is a byte offset and lowercasing never changes lengths); marked lines are decoded as
UTF-8 (with replacement) before the detectors see them.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import ahocorasick

from nhiscan.scanner.model import SkipReason
from nhiscan.secrets import plugins
from nhiscan.secrets.detectors import DETECTORS, FILE_RULES, Detector
from nhiscan.secrets.match import RANK_GENERIC, RANK_NHISCAN, RANK_SPECIFIC, Match
from nhiscan.secrets.merge import merge
from nhiscan.secrets.transform import (
    after_nextline_pragma,
    as_raw,
    ds_scans_file,
    maybe_config,
    maybe_first,
    transformed,
)

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
BINARY_SNIFF = 8000  # bytes git looks at to call a blob binary

# Inline ignores. detect-secrets' own `pragma: allowlist secret` (and `allowlist nextline`) is
# one of its filters; nhiscan:ignore silences every detector on its line.
_NHISCAN_IGNORE = "nhiscan:ignore"

_GENERIC = frozenset({"KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString"})


@dataclass(frozen=True, slots=True)
class EngineOptions:
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # Distinct lines remembered per process (about 150 bytes each); past it the cache restarts.
    line_cache_size: int = 1_000_000


@dataclass(frozen=True, slots=True)
class BlobScan:
    matches: tuple[Match, ...] = ()
    skipped: SkipReason | None = None
    ignored: int = 0  # matches silenced by an inline ignore comment


# A key in the hit table: ("ds", plugin index) or ("nhi", detector index).
_Key = tuple[str, int]
# A cached line: what it yields (line numbers zeroed) and how many matches it silenced.
_Entry = tuple[tuple[Match, ...], int]


class Scanner:
    """Build once per process (it compiles the automaton), then ``scan`` many blobs."""

    def __init__(self, options: EngineOptions | None = None) -> None:
        self.options = options or EngineOptions()
        self._ds = plugins.configure()
        self._detectors: tuple[Detector, ...] = DETECTORS
        automaton = ahocorasick.Automaton()
        by_literal: defaultdict[str, list[_Key]] = defaultdict(list)
        self._patterns: list[tuple[re.Pattern[str], _Key]] = []
        for index, plugin in enumerate(self._ds):
            prefilter = plugins.PREFILTERS[type(plugin).__name__]
            for literal in prefilter.literals:
                by_literal[literal].append(("ds", index))
            for pattern in plugins.compiled_patterns(prefilter):
                self._patterns.append((pattern, ("ds", index)))
        for index, detector in enumerate(self._detectors):
            for literal in detector.keywords:
                by_literal[literal].append(("nhi", index))
        for literal, keys in by_literal.items():
            automaton.add_word(literal, tuple(keys))
        automaton.make_automaton()
        self._automaton = automaton
        # Line cache (see _scan_cached): file kind -> line -> (matches, silenced count).
        self._caches: dict[tuple[str, bool], dict[bytes, _Entry]] = {}
        self._cached_lines = 0

    # -- public ---------------------------------------------------------------------------

    def scan(self, data: bytes, path: str) -> BlobScan:
        if len(data) > self.options.max_file_size:
            return BlobScan(skipped=SkipReason.TOO_LARGE)
        if b"\0" in data[:BINARY_SNIFF]:
            return BlobScan(skipped=SkipReason.BINARY)
        if b"\r" in data:  # universal newlines, as Python's text mode reads for detect-secrets
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if maybe_first(data, path):  # a whole-file transformer may apply: no line cache
            yaml_lines = transformed(data, path, eager=False)
            hits = self._hits(data.decode("latin-1"))
            lines = data.decode("utf-8", "replace").split("\n")
            return self._scan_lines(lines, hits, data, path, yaml_lines)
        return self._scan_cached(data, path)

    # -- the line cache -------------------------------------------------------------------

    def _scan_cached(self, data: bytes, path: str) -> BlobScan:
        """Scan only the lines this process has not seen in a file of the same kind.

        What a line yields depends on the line, the file's kind (its extension decides
        detect-secrets' keyword rules and comment syntax; its path whether detect-secrets'
        file filters exclude it) and, through ``pragma: allowlist nextline secret``, the line
        before it: lines after such a pragma are never cached. Versions of one file in git
        history share most lines, so history scans pre-filter and detect only what changed.
        Results (with the line number dropped) are cached, never the decision to skip: every
        blob still reports every secret it holds. Whole-file steps (detect-secrets' eager
        config transformer, the file rules) run on every blob as before.
        """
        ds_on = ds_scans_file(path)
        cache = self._cache_for((os.path.splitext(path)[1], ds_on))
        raw_lines = data.split(b"\n")
        volatile = after_nextline_pragma(data, raw_lines)
        # One lookup per line: what the cache knows now (lines computed below are not reread).
        entries = [None if i in volatile else cache.get(line) for i, line in enumerate(raw_lines)]
        unknown = [i for i, entry in enumerate(entries) if entry is None]
        lines = data.decode("utf-8", "replace").split("\n")
        found: list[Match] = []
        ignored: list[int] = []
        if unknown:
            sub = b"\n".join(raw_lines[i] for i in unknown).decode("latin-1")
            hits = {unknown[n - 1] + 1: keys for n, keys in self._hits(sub).items()}
            ds_found, ds_ignored = self._run_ds(lines, hits, path) if ds_on else ([], [])
            nhi_found, nhi_ignored = self._run_nhi(lines, hits)
            fresh = ds_found + nhi_found
            found.extend(fresh)
            ignored.extend(ds_ignored + nhi_ignored)
            self._remember(cache, raw_lines, unknown, volatile, fresh, ds_ignored + nhi_ignored)
        for index, entry in enumerate(entries):
            if entry is not None and (entry[0] or entry[1]):
                found.extend(replace(m, line=index + 1) for m in entry[0])
                ignored.extend(index + 1 for _ in range(entry[1]))
        if ds_on and not any(m.rank < RANK_NHISCAN for m in found) and maybe_config(data, path):
            eager = transformed(data, path, eager=True)
            if eager is not None:
                ds_found, ds_ignored = self._run_ds(eager, self._hits(as_raw(eager)), path)
                found.extend(ds_found)
                ignored.extend(ds_ignored)
        for rule in FILE_RULES:
            found = rule(found, lines)
        return BlobScan(matches=tuple(merge(found)), ignored=len(ignored))

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
        raw_lines: list[bytes],
        unknown: list[int],
        volatile: frozenset[int],
        fresh: list[Match],
        ignored: list[int],
    ) -> None:
        by_line: defaultdict[int, list[Match]] = defaultdict(list)
        for match in fresh:
            by_line[match.line].append(replace(match, line=0))
        silenced = Counter(ignored)
        for index in unknown:
            if index in volatile:
                continue
            cache[raw_lines[index]] = (tuple(by_line.get(index + 1, ())), silenced[index + 1])
            self._cached_lines += 1

    # -- pre-filter -----------------------------------------------------------------------

    def _hits(self, raw: str) -> dict[int, set[_Key]]:
        """line number (1-based) -> the detectors whose pre-filter marked it."""
        positions: list[tuple[int, tuple[_Key, ...]]] = []
        for end, keys in self._automaton.iter(raw.lower()):
            positions.append((end, keys))
        for pattern, key in self._patterns:
            positions.extend((m.start(), (key,)) for m in pattern.finditer(raw))
        if not positions:
            return {}
        positions.sort(key=lambda item: item[0])
        hits: defaultdict[int, set[_Key]] = defaultdict(set)
        line, last = 1, 0
        for position, keys in positions:
            line += raw.count("\n", last, position)
            last = position
            hits[line].update(keys)
        return hits

    # -- detection ------------------------------------------------------------------------

    def _scan_lines(
        self,
        lines: list[str],
        hits: dict[int, set[_Key]],
        data: bytes,
        path: str,
        yaml_lines: list[str] | None,
    ) -> BlobScan:
        found: list[Match] = []
        ignored = 0
        if ds_scans_file(path):
            ds_lines = lines if yaml_lines is None else yaml_lines
            ds_hits = hits if yaml_lines is None else self._hits(as_raw(yaml_lines))
            ds_found, ds_ignored = self._run_ds(ds_lines, ds_hits, path)
            if not ds_found and maybe_config(data, path):
                eager = transformed(data, path, eager=True)
                if eager is not None:
                    ds_found, ds_ignored = self._run_ds(eager, self._hits(as_raw(eager)), path)
            found.extend(ds_found)
            ignored += len(ds_ignored)
        nhi_found, nhi_ignored = self._run_nhi(lines, hits)
        found.extend(nhi_found)
        ignored += len(nhi_ignored)
        for rule in FILE_RULES:
            found = rule(found, lines)
        return BlobScan(matches=tuple(merge(found)), ignored=ignored)

    def _run_ds(
        self, lines: list[str], hits: dict[int, set[_Key]], path: str
    ) -> tuple[list[Match], list[int]]:
        """detect-secrets' scan of the marked lines, with its filters. The plugins run first and
        the line filters only on lines where a plugin found something: filters only ever
        remove findings, so the result is what detect-secrets' filters-then-plugins order gives,
        without paying its slow line filters on every marked line."""
        from detect_secrets.core.scan import _is_filtered_out
        from detect_secrets.util.code_snippet import get_code_snippet

        found: list[Match] = []
        ignored: list[int] = []  # line numbers of silenced lines
        for number in sorted(hits):
            indexes = sorted(i for kind, i in hits[number] if kind == "ds")
            if not indexes or number > len(lines):
                continue
            line = lines[number - 1].rstrip()
            context = get_code_snippet(lines=lines, line_number=number)
            raw = [
                (self._ds[index], secret)
                for index in indexes
                for secret in self._ds[index].analyze_line(
                    filename=path, line=line, line_number=number, context=context
                )
            ]
            if not raw:
                continue
            if _is_filtered_out(
                required_filter_parameters=["line"], filename=path, line=line, context=context
            ):
                if _is_allowlisted(path, line, context):
                    ignored.append(number)
                continue
            if _NHISCAN_IGNORE in line:
                ignored.append(number)
                continue
            for plugin, secret in raw:
                value = secret.secret_value
                if _is_filtered_out(
                    required_filter_parameters=["secret"],
                    filename=path,
                    secret=value,
                    plugin=plugin,
                    line=line,
                ) or _is_filtered_out(
                    required_filter_parameters=["context"],
                    filename=path,
                    secret=value,
                    plugin=plugin,
                    line=line,
                    context=context,
                ):
                    continue
                name = type(plugin).__name__
                rank = RANK_GENERIC if name in _GENERIC else RANK_SPECIFIC
                for whole, absorbed in _whole_tokens(plugin, line, value or ""):
                    found.append(
                        Match(
                            detector=secret.type,
                            detectors=(secret.type,),
                            provider=None,
                            secret=whole,
                            line=number,
                            rank=rank,
                            absorbed=absorbed,
                        )
                    )
        return found, ignored

    def _run_nhi(
        self, lines: list[str], hits: dict[int, set[_Key]]
    ) -> tuple[list[Match], list[int]]:
        found: list[Match] = []
        ignored: list[int] = []
        for number in sorted(hits):
            indexes = sorted(i for kind, i in hits[number] if kind == "nhi")
            if not indexes or number > len(lines):
                continue
            line = lines[number - 1]
            matches = [m for i in indexes for m in _detect(self._detectors[i], line, number)]
            if matches and _silenced(line, lines[number - 2] if number > 1 else ""):
                ignored.extend(number for _ in matches)
                continue
            found.extend(matches)
        return found, ignored


def _whole_tokens(
    plugin: Any, line: str, value: str
) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """detect-secrets' GitHub and GitLab plugins report their pattern's first group, the
    token's prefix ("ghp", "glpat"), as the secret: every token would hash alike and look
    shared. For those plugins the secret is each whole token on the line that starts with the
    reported prefix; the reported value is kept as absorbed (what detect-secrets said)."""
    if type(plugin).__name__ not in plugins.PREFIX_GROUP_PLUGINS:
        return [(value, ())]
    wholes = [
        m.group(0)
        for regex in plugin.denylist
        for m in regex.finditer(line)
        if m.group(0).startswith(value)
    ]
    said = ((plugin.secret_type, value),)
    return [(whole, said) for whole in dict.fromkeys(wholes)] or [(value, ())]


def _detect(detector: Detector, line: str, number: int) -> Iterator[Match]:
    for m in detector.pattern.finditer(line):
        groups = m.groupdict()
        secret = groups.get("secret") or m.group(0)
        if detector.validate is not None and not detector.validate(secret):
            continue
        yield Match(
            detector=detector.name,
            detectors=(detector.name,),
            provider=detector.provider,
            secret=secret,
            line=number,
            rank=detector.rank,
            credential_id=groups.get("id"),
        )


_PRAGMA = re.compile(r"pragma: ?allowlist[ -]secret")
_PRAGMA_NEXT = re.compile(r"pragma: ?allowlist[ -]nextline[ -]secret")


def _silenced(line: str, previous: str) -> bool:
    return (
        _NHISCAN_IGNORE in line
        or _PRAGMA.search(line) is not None
        or _PRAGMA_NEXT.search(previous) is not None
    )


def _is_allowlisted(path: str, line: str, context: Any) -> int:
    from detect_secrets.filters.allowlist import is_line_allowlisted

    return int(is_line_allowlisted(path, line, context))

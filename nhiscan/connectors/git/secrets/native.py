"""The pre-filter's marks: where in a blob's bytes some detector's keyword or pre-filter
pattern ends, found in one native pass.

What is marked is defined in Python terms, as the engine has always defined it: a keyword
(lowercase) is found where the blob, decoded as latin-1 and lowercased, contains it; a
pre-filter pattern (``plugins.PREFILTERS``) is a Python regex run on the latin-1 text. Both are
translated here into byte-level expressions that match at least where the Python ones do
(``translate``), and compiled into one Hyperscan database, so every byte is read once by
native code and Python only sees the matches. Where Hyperscan has no wheel (Linux on ARM, musl)
the same marks come from pyahocorasick and ``re`` (``PythonMarker``);
``tests/connectors/git/secrets/test_native.py`` checks both give the same marks on a corpus.

A mark is the offset of the last byte of a match. Hyperscan reports ends, not starts (asking
for starts costs a slower engine), and an end is as good: a literal or pre-filter match never
crosses a line, so its end is on its line, and it lies inside the detector's own match, so the
long-line window that owns that match contains it (``windows.py``).

The compiled database is cached under the user's cache directory (compiling costs a few
hundred milliseconds, which the pre-commit hook would pay on every commit); a cache that cannot
be read or loaded is rebuilt. Its key is a hash of the table (the Python literals and patterns),
the code that translates them (this module and ``regex_bytes``) and the Python and Hyperscan
versions, not of the translated expressions: translating costs tens of milliseconds, paid by
every scan's start-up when the key needed it. The cached file holds each expression's keys
beside the database, so that a process that finds it translates nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from nhiscan.connectors.git.secrets import regex_bytes

# What a mark names: ("ds", plugin index) or ("nhi", detector index), as detect.Key.
MarkKey = tuple[str, int]
Marks = list[tuple[int, tuple[MarkKey, ...]]]


@dataclass(frozen=True, slots=True)
class Table:
    """Everything the pre-filter looks for: literals (lowercase) and Python regexes, each with
    the detectors it marks."""

    literals: tuple[tuple[str, tuple[MarkKey, ...]], ...]
    patterns: tuple[tuple[str, MarkKey], ...]

    def expressions(self) -> list[tuple[bytes, tuple[MarkKey, ...]]]:
        """The byte-level expressions, one per literal and pattern."""
        out = [(regex_bytes.literal(text), keys) for text, keys in self.literals]
        out.extend((regex_bytes.translate(p), (key,)) for p, key in self.patterns)
        return [(expr, keys) for expr, keys in out if expr is not None]


class Marker(Protocol):
    def marks(self, data: bytes) -> Marks: ...


class PythonMarker:
    """The marks from pyahocorasick over the lowercased latin-1 text and ``re``: the fallback
    where Hyperscan is not installed, and the reference the native marks are tested against."""

    def __init__(self, table: Table) -> None:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for literal, keys in table.literals:
            automaton.add_word(literal, keys)
        automaton.make_automaton()
        self._automaton = automaton
        self._patterns = [(re.compile(p), (key,)) for p, key in table.patterns]

    def marks(self, data: bytes) -> Marks:
        raw = data.decode("latin-1")
        found: Marks = list(self._automaton.iter(raw.lower())) if raw else []
        for pattern, keys in self._patterns:
            found.extend((m.start(), keys) for m in pattern.finditer(raw))
        return found


class HyperscanMarker:
    """The marks from one Hyperscan block-mode database (see the module docstring)."""

    def __init__(self, table: Table, cache_dir: Path | None) -> None:
        import hyperscan

        self._db, self._keys = _database(hyperscan, table, cache_dir)
        self._scratch = hyperscan.Scratch(self._db)

    def marks(self, data: bytes) -> Marks:
        found: Marks = []
        add = found.append
        keys = self._keys

        def on_match(ident: int, _start: int, end: int, _flags: int, _ctx: Any) -> None:
            add((end - 1, keys[ident]))

        if data:
            self._db.scan(data, match_event_handler=on_match, scratch=self._scratch)
        return found


def marker(table: Table, cache_dir: Path | None = None) -> Marker:
    """Hyperscan's marker where it is installed, else the Python one."""
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return PythonMarker(table)
    return HyperscanMarker(table, default_cache_dir() if cache_dir is None else cache_dir)


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/nhiscan (~/.cache/nhiscan), as other command-line tools keep caches."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nhiscan"


def cache_key(hyperscan: Any, table: Table) -> str | None:
    """None when the translating code cannot be read (then nothing is cached). The Python
    version is part of it: the translation reads patterns with Python's own parser, and one
    cache directory serves every interpreter of the user."""
    try:
        translation = _translation_code()
    except OSError:
        return None
    digest = hashlib.sha256(f"{hyperscan.__version__} {sys.version}".encode())
    for code in translation:
        digest.update(len(code).to_bytes(4, "big") + code)
    digest.update(repr((table.literals, table.patterns)).encode())
    return digest.hexdigest()[:32]


@functools.cache
def _translation_code() -> tuple[bytes, ...]:
    """The code that turns a table into expressions: a change to it is a new cache key."""
    return tuple(Path(module).read_bytes() for module in (__file__, regex_bytes.__file__))


Keys = tuple[tuple[MarkKey, ...], ...]


def _database(hyperscan: Any, table: Table, cache_dir: Path | None) -> tuple[Any, Keys]:
    """The compiled database and each expression's keys, from the cache when a valid one is
    there; else translated, compiled and (best effort: a read-only home only costs the
    compile) saved for the next process."""
    key = None if cache_dir is None else cache_key(hyperscan, table)
    path = None
    if cache_dir is not None and key is not None:
        path = cache_dir / f"prefilter-{key}.hsdb"
        try:
            return _load(hyperscan, path.read_bytes())
        except (OSError, ValueError, hyperscan.error):
            pass  # absent, unreadable, corrupt or from another platform: rebuilt below
    expressions = table.expressions()
    keys = tuple(keys for _, keys in expressions)
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=[e for e, _ in expressions],
        ids=list(range(len(expressions))),
        elements=len(expressions),
    )
    if path is not None:
        _save(path, json.dumps(keys).encode() + b"\n" + hyperscan.dumpb(database))
    return database, keys


def _load(hyperscan: Any, blob: bytes) -> tuple[Any, Keys]:
    """A cached file: one line of JSON (each expression's keys), then the database."""
    header, newline, serialized = blob.partition(b"\n")
    listed = json.loads(header) if newline else None
    if not isinstance(listed, list):
        raise ValueError("no keys")
    keys = tuple(tuple((str(kind), int(index)) for kind, index in entry) for entry in listed)
    database = hyperscan.loadb(serialized, hyperscan.HS_MODE_BLOCK)
    return database, keys


def _save(path: Path, blob: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(blob)
        os.replace(temporary, path)  # atomic: a concurrent reader sees all or nothing
    except OSError:
        pass

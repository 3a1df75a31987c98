"""The native pre-filter (secrets/native.py): Hyperscan's marks are the Python reference's
marks (the fallback where Hyperscan has no wheel), every scan result is the same whichever
marks it, the byte rewrite of Python patterns only widens them, and the compiled-database
cache is rebuilt when it is stale or corrupt."""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

import pytest

from nhiscan.connectors.git.secrets import native, plugins, regex_bytes
from nhiscan.connectors.git.secrets.detectors import DETECTORS
from nhiscan.connectors.git.secrets.engine import Scanner, prefilter_table
from tests.connectors.git.secrets.test_prefilter import MAIN_FAMILIES, SEED

hyperscan = pytest.importorskip("hyperscan")


@cache
def _table() -> native.Table:
    return prefilter_table(plugins.configure(), DETECTORS)


@cache
def _corpus() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name, family in MAIN_FAMILIES.items():
        rng = random.Random(f"{SEED}:{name}")
        for tail, data in family(rng):
            files[f"{name}/{tail}"] = data
    return files


def _marked(marks: native.Marks, data: bytes) -> set[tuple[int, native.MarkKey]]:
    """(line, detector) of each mark: what the engine makes of a mark."""
    return {(data.count(b"\n", 0, at) + 1, key) for at, keys in marks for key in keys}


def test_native_and_python_marks_agree_on_the_corpus(tmp_path: Path) -> None:
    fast = native.HyperscanMarker(_table(), tmp_path)
    slow = native.PythonMarker(_table())
    corpus = _corpus()
    assert len(corpus) >= 300
    total = 0
    for rel, data in corpus.items():
        expected = _marked(slow.marks(data), data)
        assert _marked(fast.marks(data), data) == expected, rel
        total += len(expected)
    assert total > 1000  # the corpus really marks


def test_every_detector_keyword_and_prefilter_is_in_the_database() -> None:
    """Each literal and pattern marks, natively, a line holding it (in upper case too)."""
    fast = native.HyperscanMarker(_table(), None)
    for literal, keys in _table().literals:
        if regex_bytes.literal(literal) is None:
            continue  # above U+00FF: never in latin-1 text
        for text in (literal, literal.upper()):
            line = b"x = " + text.encode("latin-1", "ignore") + b" y\n"
            if text.lower() != literal:
                continue  # upper() of a non-ASCII letter that does not lower back
            assert set(keys) <= _keys(fast.marks(b"first line\n" + line)), literal


def _keys(marks: native.Marks) -> set[native.MarkKey]:
    return {key for _, keys in marks for key in keys}


@pytest.mark.parametrize("seed", range(3))
def test_the_byte_rewrite_only_widens_each_prefilter_pattern(seed: int) -> None:
    """On random latin-1 text dense in the patterns' characters, every line a Python pattern
    matches is matched by its Hyperscan rewrite."""
    rng = random.Random(seed)
    alphabet = "AKCPMNOSK.:'\"-_=+/\\0123456789abcdefxyzABCDEF\xe9\xff \t"
    for name, prefilter in plugins.PREFILTERS.items():
        for pattern in prefilter.patterns:
            python = re.compile(pattern)
            db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            db.compile(expressions=[regex_bytes.translate(pattern)])
            lines = ["".join(rng.choices(alphabet, k=rng.randint(20, 300))) for _ in range(300)]
            lines += [_example(python, rng) for _ in range(50)]
            for line in lines:
                if python.search(line):
                    assert _hyperscan_finds(db, line.encode("latin-1")), (name, pattern, line)


def _hyperscan_finds(db: object, data: bytes) -> bool:
    hits: list[int] = []
    db.scan(data, match_event_handler=lambda *a: hits.append(1))  # type: ignore[attr-defined]
    return bool(hits)


def _example(python: re.Pattern[str], rng: random.Random) -> str:
    """A line built to match: the pattern's own characters repeated (found by search)."""
    for _ in range(200):
        body = "".join(rng.choices("AKCPAC" + "0123456789abcdef" + "MNO._-:'", k=120))
        if python.search(body):
            return body
    return ""


@pytest.mark.parametrize("pattern", [r"^key", r"(a)\1", r"(?i:key)", r"\bkey"], ids=str)
def test_the_byte_rewrite_refuses_what_it_cannot_widen(pattern: str) -> None:
    with pytest.raises(ValueError):
        regex_bytes.translate(pattern)


def test_a_trailing_unbounded_repeat_is_cut_to_its_minimum() -> None:
    """One report per start, not one per byte of a long run."""
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(expressions=[regex_bytes.translate(r"""['"][A-Za-z]{5,}""")])
    ends: list[int] = []
    db.scan(b"x = 'abcdefghijklmnopqrstuvwxyz'", match_event_handler=lambda *a: ends.append(a[2]))
    assert ends == [10]


def _scan_all(scanner: Scanner, files: dict[str, bytes]) -> dict[str, object]:
    return {rel: scanner.scan(data, rel) for rel, data in files.items()}


def test_scans_are_the_same_whichever_marker(tmp_path: Path) -> None:
    """End to end, on the corpus plus long lines (windows): the same matches."""
    files = dict(_corpus())
    filler = "".join(random.Random(1).choices("abcdef0123 ;=", k=90_000))
    files["long/one.min.js"] = (
        filler + ' key="Zq8vLr2mXw9pTb4nHs7dKf3gJc6yVx1e"' + filler
    ).encode()
    fast = Scanner()
    slow = Scanner()
    slow._marker = native.PythonMarker(_table())
    assert isinstance(fast._marker, native.HyperscanMarker)
    found = _scan_all(fast, files)
    assert found == _scan_all(slow, files)
    assert found["long/one.min.js"].matches  # type: ignore[attr-defined]


def test_the_compiled_database_is_cached_and_a_bad_cache_rebuilt(tmp_path: Path) -> None:
    table = _table()
    data = b"password = 'x'\nAKIA0123\n"
    expected = _marked(native.PythonMarker(table).marks(data), data)
    native.HyperscanMarker(table, tmp_path)
    (cached,) = tmp_path.glob("prefilter-*.hsdb")
    good = cached.read_bytes()
    for bad in (b"", b"not a database", good[: len(good) // 2]):
        cached.write_bytes(bad)
        marker = native.HyperscanMarker(table, tmp_path)
        assert _marked(marker.marks(data), data) == expected
        assert cached.read_bytes() == good  # rebuilt and saved again
    stale = tmp_path / "prefilter-0123.hsdb"  # another pattern set's: never read
    stale.write_bytes(good)
    other = native.Table(literals=(("zebra", (("nhi", 0),)),), patterns=())
    data = b"a\nZEBRA"
    assert _marked(native.HyperscanMarker(other, tmp_path).marks(data), data) == {(2, ("nhi", 0))}
    assert len(list(tmp_path.glob("prefilter-*.hsdb"))) == 3


def test_an_unwritable_cache_directory_only_costs_the_compile(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    marker = native.HyperscanMarker(_table(), blocker / "cache")
    assert marker.marks(b"my password = 'x'")


def test_a_database_loaded_from_the_cache_marks_as_a_compiled_one(tmp_path: Path) -> None:
    """The cached file carries each expression's keys: a process that loads it (and
    translates nothing) names the same detectors as the reference, on the whole corpus."""
    native.HyperscanMarker(_table(), tmp_path)
    (cached,) = tmp_path.glob("prefilter-*.hsdb")
    loaded = native.HyperscanMarker(_table(), tmp_path)
    assert list(tmp_path.glob("prefilter-*.hsdb")) == [cached]
    slow = native.PythonMarker(_table())
    for rel, data in _corpus().items():
        assert _marked(loaded.marks(data), data) == _marked(slow.marks(data), data), rel

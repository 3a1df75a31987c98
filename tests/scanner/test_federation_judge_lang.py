"""The claim languages (``scanner/federation_judge_lang.py``) answer exactly: every answer is
checked against brute force over all short strings, for many random globs and questions (a
seeded generator: the same cases every run), and each witness is a string of every language
asked for and of none refused."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from nhiscan.scanner.federation_judge_lang import (
    ANY,
    Chars,
    alt,
    but,
    glob,
    literal,
    many,
    seq,
    solve,
)

# "x" stands for a letter no pattern names; "_" for any other character.
ALPHABET = "ab/:x_"
NAME = Chars("name", frozenset("-"))
MAX = 5


def _regex(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


def _random_glob(rng: random.Random) -> str:
    return "".join(rng.choice("ab/:*?") for _ in range(rng.randint(0, 5)))


def _strings() -> list[str]:
    return ["".join(p) for n in range(MAX + 1) for p in itertools.product(ALPHABET, repeat=n)]


STRINGS = _strings()


def _brute(must: list[str], must_not: list[str]) -> str | None:
    """The first short string every glob of ``must`` matches and none of ``must_not``."""
    keep, drop = [_regex(p) for p in must], [_regex(p) for p in must_not]
    for text in STRINGS:
        if all(r.fullmatch(text) for r in keep) and not any(r.fullmatch(text) for r in drop):
            return text
    return None


def test_a_glob_accepts_what_the_regular_expression_matches() -> None:
    rng = random.Random(20)
    for _ in range(60):
        pattern = _random_glob(rng)
        lang, regex = glob(pattern), _regex(pattern)
        for text in STRINGS[:: max(1, len(STRINGS) // 300)]:
            assert lang.accepts(text) == (regex.fullmatch(text) is not None), (pattern, text)


@pytest.mark.parametrize("seed", range(4))
def test_intersections_and_differences_agree_with_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        first, second = _random_glob(rng), _random_glob(rng)
        for must, must_not in (([first, second], []), ([first], [second])):
            found = solve([glob(p) for p in must], [glob(p) for p in must_not])
            expected = _brute(must, must_not)
            if found is None:
                # none up to MAX characters, and the globs are short enough for that to be all
                assert expected is None, (first, second, expected)
                continue
            assert all(_regex(p).fullmatch(found) for p in must), (first, second, found)
            assert not any(_regex(p).fullmatch(found) for p in must_not), (first, second, found)
            if expected is not None:
                assert len(found) <= len(expected)  # breadth-first: a shortest witness


def test_an_owner_question_tells_a_prefix_from_a_separator() -> None:
    repo = many(Chars("name", frozenset("-._")))
    other_owner = seq("repo:", but(["acme"], NAME), "/", repo)
    assert solve([glob("repo:acme*"), other_owner]) == "repo:acmex/x"
    assert solve([glob("repo:acme/*"), other_owner]) is None
    assert solve([glob("repo:acme?/*"), other_owner]) == "repo:acmex/x"
    assert solve([glob("repo:????/*"), other_owner]) == "repo:xxxx/x"
    assert solve([glob("repo:???/*"), other_owner]) == "repo:xxx/x"  # acme has four letters


def test_but_refuses_exactly_the_words_and_the_empty_string() -> None:
    lang = but(["acme", "ac"], NAME)
    assert not lang.accepts("")
    assert not lang.accepts("acme")
    assert not lang.accepts("ac")
    assert all(lang.accepts(text) for text in ("a", "acm", "acmex", "acme-1", "b"))
    assert not lang.accepts("acme/x")  # "/" is not a name's character


def test_ignore_case_and_literals() -> None:
    assert glob("Repo:ACME/*", ignore_case=True).accepts("repo:acme/app")
    assert not glob("Repo:ACME/*").accepts("repo:acme/app")
    assert literal("a*b").accepts("a*b") and not literal("a*b").accepts("axb")
    assert alt("x", "y").accepts("y") and not alt("x", "y").accepts("xy")
    assert many(ANY, 0).accepts("")
    assert solve([literal("a")], [glob("*")]) is None

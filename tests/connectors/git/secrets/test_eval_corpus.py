"""The evaluation corpus (eval_corpus.py) through the whole engine: every detector has true
and false examples, every true example is reported under its detector's name, no false
example is reported by any of nhiscan's detectors. bench/bench_secrets_eval.py prints the same
figures per family."""

from __future__ import annotations

from collections import Counter

import pytest

from nhiscan.connectors.git.secrets.detectors import DETECTORS
from nhiscan.connectors.git.secrets.engine import Scanner
from tests.connectors.git.secrets.eval_corpus import Example, generate

NAMES = frozenset(d.name for d in DETECTORS)
DECODERS = frozenset(("Base64-encoded Value", "Unicode-escaped Value", "URL-encoded Value"))


@pytest.fixture(scope="module")
def corpus() -> list[Example]:
    return generate()


@pytest.fixture(scope="module")
def verdicts(corpus: list[Example]) -> list[tuple[Example, bool]]:
    """Each example and whether the engine got it right."""
    scanner = Scanner()
    out = []
    for example in corpus:
        matches = scanner.scan(example.text.encode(), example.path).matches
        if example.true:
            right = any(example.detector in m.detectors for m in matches)
        else:
            right = not any(NAMES.intersection(m.detectors) for m in matches)
        out.append((example, right))
    return out


def test_the_corpus_is_deterministic(corpus: list[Example]) -> None:
    assert generate() == corpus


def test_every_detector_has_two_true_and_two_false_examples(corpus: list[Example]) -> None:
    trues = Counter(e.detector for e in corpus if e.true)
    falses = Counter(e.detector for e in corpus if not e.true)
    thin = sorted(d.name for d in DETECTORS if trues[d.name] < 2 or falses[d.name] < 2)
    # The decoders' own rows are the line examples; their corpus examples are credited to the
    # detector that finds the decoded token.
    assert [name for name in thin if name not in DECODERS] == []
    assert {e.detector for e in corpus} <= NAMES | {""}


def test_every_true_example_is_found_by_its_detector(
    verdicts: list[tuple[Example, bool]],
) -> None:
    missed = [(e.detector, e.why, e.path) for e, right in verdicts if e.true and not right]
    assert missed == []


def test_no_false_example_is_reported(verdicts: list[tuple[Example, bool]]) -> None:
    alarms = [(e.detector, e.why, e.text[:80]) for e, right in verdicts if not e.true and not right]
    assert alarms == []


def test_the_corpus_holds_hard_false_cases(corpus: list[Example]) -> None:
    """Not only easy negatives: near misses with the right prefix, checksum failures,
    documentation shapes and values that are no credential at all."""
    kinds = Counter(e.why for e in corpus if not e.true)
    for kind in ("placeholder", "bad checksum", "bad structure", "hard", "no credential",
                 "base64 of base64", "table"):  # fmt: skip
        assert kinds[kind] >= 1, kind
    assert sum(not e.true for e in corpus) >= 300

"""Benchmark: detection quality on the evaluation corpus (tests/connectors/git/secrets/
eval_corpus.py, generated deterministically): every example file goes through the real engine
(``Scanner``) as a scan of a repository would send it. Prints recall on the true examples (the
right detector reports the secret) and the false-alarm rate on the false examples (any of
nhiscan's detectors reports something), overall and per family. Targets: recall >= 0.95,
false alarms <= 0.05. A last line counts as a report does: a finding of any detector,
detect-secrets' generic plugins included, that the judgements keep (scanner/secrets_judge.py
drops placeholders, templates and documented samples), at any severity.

Run: python bench/bench_secrets_eval.py [--misses] [--alarms]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nhiscan.connectors.git.secrets.detectors import DETECTORS
from nhiscan.connectors.git.secrets.engine import Scanner
from nhiscan.connectors.git.secrets.match import Match
from nhiscan.rules.secrets_meta import severity_of
from nhiscan.scanner.secrets_judge import judged
from tests.connectors.git.secrets.eval_corpus import Example, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list the examples got wrong")
    parser.add_argument(
        "--alarms",
        action="store_true",
        help="list the false examples a report shows a finding for (detector, line, severity)",
    )
    options = parser.parse_args()
    names = frozenset(d.name for d in DETECTORS)
    corpus = generate()
    scanner = Scanner()
    started = time.perf_counter()
    # family -> [true found, true total, false reported, false total]
    tally: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    wrong: list[str] = []
    reported = [0, 0, 0, 0]  # as tally's rows, counting every finding a report keeps
    shown: list[str] = []  # the findings a report shows on false examples
    for example in corpus:
        matches = scanner.scan(example.text.encode(), example.path).matches
        kept = [m for m in matches if _kept(m, example.path)]
        if example.true:
            reported[0] += any(example.detector in m.detectors for m in kept)
            reported[1] += 1
        else:
            reported[2] += bool(kept)
            reported[3] += 1
            shown.extend(_alarm(example, m) for m in kept)
        row = tally[example.family]
        if example.true:
            found = any(example.detector in m.detectors for m in matches)
            row[0] += found
            row[1] += 1
            if not found:
                wrong.append(f"missed   {example.detector} ({example.why}, {example.path})")
        else:
            fired = sorted({m.detector for m in matches if names.intersection(m.detectors)})
            row[2] += bool(fired)
            row[3] += 1
            if fired:
                wrong.append(f"reported {', '.join(fired)} on a false {example.why} example")
    elapsed = time.perf_counter() - started
    total = [sum(row[i] for row in tally.values()) for i in range(4)]
    detectors = len({e.detector for e in corpus if e.true})
    print(f"corpus: {len(corpus)} examples ({total[1]} true, {total[3]} false), "
          f"{detectors} detectors credited, {len(DETECTORS)} in the table; "
          f"scanned in {elapsed:.2f} s")  # fmt: skip
    print(f"{'family':<28}{'recall':>16}{'false alarms':>20}")
    for family in sorted(tally):
        found, trues, fired, falses = tally[family]
        recall = f"{found / trues:.3f} ({found}/{trues})" if trues else "-"
        alarms = f"{fired / falses:.3f} ({fired}/{falses})" if falses else "-"
        print(f"{family:<28}{recall:>16}{alarms:>20}")
    print(f"{'overall':<28}{f'{total[0] / total[1]:.3f} ({total[0]}/{total[1]})':>16}"
          f"{f'{total[2] / total[3]:.3f} ({total[2]}/{total[3]})':>20}")  # fmt: skip
    print(
        f"as a report shows them (any detector, after judging): recall "
        f"{reported[0] / reported[1]:.3f} ({reported[0]}/{reported[1]}), false alarms "
        f"{reported[2] / reported[3]:.3f} ({reported[2]}/{reported[3]})"
    )
    if options.misses:
        print("\n".join(wrong) or "nothing got wrong")
    if options.alarms:
        print("\n".join(shown) or "no false alarm")


def _alarm(example: Example, match: Match) -> str:
    """One kept finding on a false example, without its secret."""
    path = example.path
    verdict = judged(match.detector, severity_of(match.detector), match.traits, [path])
    severity = verdict.severity.value if verdict.severity else "-"
    return (
        f"alarm    {match.detector} at {path}:{match.line}, {severity} "
        f"(a false {example.detector or 'non-credential'} example: {example.why})"
    )


def _kept(match: Match, path: str) -> bool:
    """Whether NHI200 would report the match (its judged severity is not a drop)."""
    return (
        judged(match.detector, severity_of(match.detector), match.traits, [path]).severity
        is not None
    )


if __name__ == "__main__":
    main()

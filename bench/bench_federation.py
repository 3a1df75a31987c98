"""Benchmark: judging keyless trusts (issue #20). Each trust's admissions are intersected with
the platform's questions by automata (``scanner/federation_judge*.py``); an estate may hold
thousands of roles trusting GitHub Actions, each judged once per scan (the answer is kept for
the graph, the rules and the report).

Builds ``--trusts`` distinct GitHub trusts in the shapes seen in the wild (no subject test, a
wildcard owner, any repository of an owner, any branch of one repository, one branch, an
environment, a pull request subject, a negated pull request test), judges each once, and prints
the milliseconds per trust and how many were wide (NHI600's).

Run: python bench/bench_federation.py [--trusts 2000]
"""

from __future__ import annotations

import argparse
import time


def trusts(count: int) -> list[object]:
    from nhiscan.scanner.federation import (
        GITHUB_ISSUER,
        Admission,
        ClaimTest,
        FederatedTrust,
        Match,
        Platform,
    )
    from nhiscan.scanner.kinds import Provider

    def test(claim: str, value: str, match: Match = Match.LIKE) -> ClaimTest:
        return ClaimTest(claim=claim, match=match, values=(value,))

    aud = test("aud", "sts.amazonaws.com", Match.EQUALS)
    shapes = [
        lambda i: (aud,),
        lambda i: (test("sub", f"repo:org{i}*"), aud),
        lambda i: (test("sub", f"repo:org{i}/*"), aud),
        lambda i: (test("sub", f"repo:org{i}/app{i}:*"), aud),
        lambda i: (test("sub", f"repo:org{i}/app{i}:ref:refs/heads/main", Match.EQUALS), aud),
        lambda i: (test("sub", f"repo:org{i}/app{i}:environment:prod"), aud),
        lambda i: (test("sub", f"repo:org{i}/app{i}:pull_request"), aud),
        lambda i: (
            test("sub", f"repo:org{i}/*"),
            test("sub", "repo:*:pull_request", Match.NOT_LIKE),
            aud,
        ),
    ]
    return [
        FederatedTrust(
            provider=Provider.AWS,
            target=f"arn:aws:iam::123456789012:role/r{i}",
            account="123456789012",
            issuer=GITHUB_ISSUER,
            platform=Platform.GITHUB_ACTIONS,
            admissions=(Admission(tests=shapes[i % len(shapes)](i)),),
            source=f"r{i}#trust",
            audiences=("sts.amazonaws.com",),
        )
        for i in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trusts", type=int, default=2000)
    args = parser.parse_args()
    from nhiscan.rules.federation import WIDE
    from nhiscan.scanner.federation_judge import judge

    built = trusts(args.trusts)
    started = time.perf_counter()
    judged = [judge(t) for t in built]  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    wide = sum(1 for j in judged if j.wildcard in WIDE)
    print(f"judged {len(judged)} trusts in {elapsed:.2f} s: {1000 * elapsed / len(judged):.2f} ms "
          f"per trust ({wide} wide)")  # fmt: skip


if __name__ == "__main__":
    main()

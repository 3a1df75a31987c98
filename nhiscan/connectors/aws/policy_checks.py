"""Collected policy documents that AWS's grammar (``providers/aws/policy/syntax.py``) rejects.

The GAAD file reader turns the first into an error naming the file; the live connector records
each as an ``unreadable-policy`` gap (the policy is kept as collected, and the result is marked
incomplete), so no statement is ever silently left out of the analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from nhiscan.providers.aws.federation import REGISTRATION_KINDS
from nhiscan.providers.aws.policy.syntax import Problem, problems
from nhiscan.scanner.model import (
    CollectionGap,
    GapReason,
    Group,
    Identity,
    Policy,
    Provider,
    Record,
    Resource,
)
from nhiscan.scanner.snapshot_check import carriers_of


def flawed(records: Sequence[Record]) -> Iterator[tuple[Policy, Problem, str]]:
    """(policy, its first problem, who carries it) for each AWS policy with a problem."""
    for record in records:
        if (
            isinstance(record, Policy)
            and record.provider is Provider.AWS
            and record.kind not in REGISTRATION_KINDS  # an identity provider's answer
        ):
            found = problems(record.document)
            if found:
                yield record, found[0], _carriers(record, records)


def describe(policy: Policy, problem: Problem, carriers: str) -> str:
    return f"{policy.id}, the {policy.kind.value} policy {carriers}: {problem}"


def policy_gaps(records: Sequence[Record]) -> list[CollectionGap]:
    """An ``unreadable-policy`` gap for each flawed policy in ``records``."""
    return [
        CollectionGap(
            provider=Provider.AWS,
            scope=policy.account or "aws",
            operation="policy-evaluation",
            reason=GapReason.UNREADABLE_POLICY,
            detail=(
                f"{describe(policy, problem, carriers)}; AWS's policy grammar rejects it, so "
                "what rests on this policy is not certain (its undecidable statements count "
                "as conditional)"
            ),
            subject=policy.id,
        )
        for policy, problem, carriers in flawed(records)
    ]


def _carriers(policy: Policy, records: Iterable[Record]) -> str:
    items = list(records)
    return carriers_of(
        policy,
        (r for r in items if isinstance(r, Identity)),
        (r for r in items if isinstance(r, Group)),
        (r for r in items if isinstance(r, Resource)),
    )

"""AWS's part of the check of a snapshot read from a file (``scanner/snapshot_check.py``): every
AWS policy document is one AWS would accept (``policy/syntax.py``), unless the snapshot records
an ``unreadable-policy`` gap for it (the live connector keeps such a policy as collected and
marks the result incomplete)."""

from __future__ import annotations

from collections.abc import Iterator

from nhiscan.providers.aws.federation import REGISTRATION_KINDS
from nhiscan.providers.aws.policy.syntax import problems
from nhiscan.scanner.model import GapReason, Provider
from nhiscan.scanner.snapshot_check import Snapshot, carriers_of


def policy_problems(snapshot: Snapshot) -> Iterator[str]:
    """One message per statement AWS would reject, naming the policy, who carries it and where."""
    recorded = {
        g.subject for g in snapshot.gaps if g.reason is GapReason.UNREADABLE_POLICY and g.subject
    }
    for index, policy in enumerate(snapshot.policies):
        if policy.provider is not Provider.AWS or policy.id in recorded:
            continue
        if policy.kind in REGISTRATION_KINDS:  # an identity provider, not a policy document
            continue
        for problem in problems(policy.document):  # who carries it: only for a message
            carriers = carriers_of(policy, snapshot.identities, snapshot.groups, snapshot.resources)
            yield (
                f"policies[{index}] ({policy.id}), the {policy.kind.value} policy "
                f"{carriers}: document: {problem}; AWS would reject it and "
                "nhiscan cannot evaluate it: correct the document or collect again"
            )

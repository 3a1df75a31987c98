"""Managed policies that identities reference but a GAAD document does not hold.

Real exports sometimes lack the AWS managed policies attached in the account (a filtered or
hand-edited export), and then what those identities may do is unknown. Each such policy is
either taken from a bundled copy of AWS's managed policies (moto ships one; it may lag AWS's
current version, so a gap still says where the document came from) or recorded as a gap:
never silently treated as granting nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from nhiscan.connectors.aws.wire import arn_parts, to_utc
from nhiscan.scanner.model import (
    CollectionGap,
    GapReason,
    Group,
    Identity,
    Policy,
    PolicyKind,
    Provider,
    Record,
)

AWS_MANAGED_PREFIX = ":iam::aws:policy/"


def missing_policies(records: Sequence[Record]) -> Iterator[Record]:
    """A Policy (from the bundled copy) and a gap for each referenced managed policy the
    records lack; a gap alone when no copy is at hand."""
    present = {r.id for r in records if isinstance(r, Policy)}
    # A policy already reported as unreadable (undecodable, no default version) has its gap.
    present |= {r.subject for r in records if isinstance(r, CollectionGap) and r.subject}
    referenced: dict[str, list[str]] = {}
    for record in records:
        if isinstance(record, Identity | Group):
            for policy_id in _managed_refs(record):
                if policy_id not in present:
                    referenced.setdefault(policy_id, []).append(record.id)
    for policy_id, holders in sorted(referenced.items()):
        scope = arn_parts(holders[0])[3]
        copy = bundled_policy(policy_id)
        if copy is not None:
            yield copy
        yield _gap(policy_id, scope, holders, found=copy is not None)


def _managed_refs(record: Identity | Group) -> Iterator[str]:
    yield from (p for p in record.policies if "#" not in p)
    if isinstance(record, Identity) and record.permissions_boundary:
        yield record.permissions_boundary


def _gap(policy_id: str, scope: str, holders: list[str], *, found: bool) -> CollectionGap:
    who = f"{len(holders)} identities or groups" if len(holders) > 1 else holders[0]
    if found:
        detail = (
            f"{policy_id} (used by {who}) is not in the export; nhiscan used the copy of this "
            "AWS managed policy bundled with moto, which may differ from AWS's current version"
        )
    else:
        detail = (
            f"{policy_id} (used by {who}) is not in the export and no copy is at hand: what it "
            "grants is unknown, so reach through it is shown as conditional"
        )
    return CollectionGap(
        provider=Provider.AWS,
        scope=scope,
        operation="iam:GetPolicyVersion",
        reason=GapReason.NOT_IN_EXPORT,
        detail=detail,
        subject=policy_id,
    )


def bundled_policy(policy_id: str) -> Policy | None:
    if AWS_MANAGED_PREFIX not in policy_id:
        return None
    entry = _bundled().get(policy_id.split(":", 5)[-1].removeprefix("policy"))
    if entry is None:
        return None
    return Policy(
        provider=Provider.AWS,
        id=policy_id,
        name=policy_id.rsplit("/", 1)[-1],
        kind=PolicyKind.AWS_MANAGED,
        account=None,
        document=entry["Document"],
        version=entry.get("DefaultVersionId"),
        created=to_utc(entry.get("CreateDate")),
        updated=to_utc(entry.get("UpdateDate")),
    )


@cache
def _bundled() -> dict[str, dict[str, Any]]:
    """AWS managed policies by path and name ("/AdministratorAccess"), when moto is installed."""
    try:
        from moto.iam.aws_managed_policies import aws_managed_policies_data
    except ImportError:
        return {}
    data: dict[str, dict[str, Any]] = json.loads(aws_managed_policies_data)
    return {f"{entry.get('Path') or '/'}{name}": entry for name, entry in data.items()}

"""GCP records read from a snapshot file: every binding's members are IAM member forms."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from nhiscan.providers.gcp.members import parse_member
from nhiscan.scanner.model import PolicyKind, Provider
from nhiscan.scanner.snapshot_check import Snapshot


def binding_problems(snapshot: Snapshot) -> Iterator[str]:
    for index, policy in enumerate(snapshot.policies):
        if policy.provider is not Provider.GCP or policy.kind is not PolicyKind.IAM_ALLOW:
            continue
        bindings = policy.document.get("bindings") or []
        if not isinstance(bindings, list):
            yield f"policies[{index}] ({policy.id}): bindings: expected a list"
            continue
        for number, binding in enumerate(bindings):
            where = f"policies[{index}] ({policy.id}): bindings[{number}]"
            members = binding.get("members") if isinstance(binding, Mapping) else None
            if not isinstance(members, list):
                yield f"{where}: members: expected a list"
                continue
            for member in members:
                if not isinstance(member, str) or parse_member(member) is None:
                    yield f"{where}: unknown member {member!r}"

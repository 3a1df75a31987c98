"""An indexed, read-only view of a snapshot: what rules and reports look things up in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace

from nhiscan.providers.aws.humans import classify
from nhiscan.scanner.model import Credential, Group, Identity, Policy, Resource
from nhiscan.scanner.snapshot import Snapshot


@dataclass(frozen=True, slots=True, kw_only=True)
class Estate:
    snapshot: Snapshot
    identities: Mapping[str, Identity]  # by stable id, with is_human filled in
    groups: Mapping[str, Group]
    policies: Mapping[str, Policy]
    resources: Mapping[str, Resource]
    credentials_of: Mapping[str, tuple[Credential, ...]]  # identity id -> its credentials

    def credentials(self, identity_id: str) -> tuple[Credential, ...]:
        return self.credentials_of.get(identity_id, ())

    def policy(self, policy_id: str | None) -> Policy | None:
        return None if policy_id is None else self.policies.get(policy_id)


def build_estate(snapshot: Snapshot) -> Estate:
    creds: defaultdict[str, list[Credential]] = defaultdict(list)
    for credential in snapshot.credentials:
        creds[credential.identity].append(credential)
    credentials_of = {k: tuple(v) for k, v in creds.items()}
    policies = {p.id: p for p in snapshot.policies}
    identities = {}
    for identity in snapshot.identities:
        if identity.is_human is None:
            trust = policies.get(identity.trust_policy or "")
            verdict = classify(
                identity,
                credentials_of.get(identity.id, ()),
                trust.document if trust is not None else None,
            )
            identity = replace(identity, is_human=verdict.is_human, human_reason=verdict.reason)
        identities[identity.id] = identity
    return Estate(
        snapshot=snapshot,
        identities=identities,
        groups={g.id: g for g in snapshot.groups},
        policies=policies,
        resources={r.id: r for r in snapshot.resources},
        credentials_of=credentials_of,
    )

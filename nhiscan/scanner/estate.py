"""An indexed, read-only view of a snapshot: what rules and reports look things up in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from nhiscan.scanner.humans import Verdict, from_tags
from nhiscan.scanner.model import Credential, Group, Identity, Policy, Resource
from nhiscan.scanner.snapshot import Snapshot


class Classifier(Protocol):
    """A provider's evidence that an identity is a person or a machine, read from its own
    records (logins, federation, the provider's managed identities); None: no evidence."""

    def classify(
        self,
        identity: Identity,
        credentials: Sequence[Credential],
        policies: Mapping[str, Policy],
    ) -> Verdict | None: ...


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


def build_estate(snapshot: Snapshot, classifiers: Sequence[Classifier] = ()) -> Estate:
    """The estate of ``snapshot``; an identity whose record does not say whether it is a person
    is classified: by its tags, then by the first of ``classifiers`` with evidence, else as a
    workload identity."""
    creds: defaultdict[str, list[Credential]] = defaultdict(list)
    for credential in snapshot.credentials:
        creds[credential.identity].append(credential)
    credentials_of = {k: tuple(v) for k, v in creds.items()}
    policies = {p.id: p for p in snapshot.policies}
    identities = {}
    for identity in snapshot.identities:
        if identity.is_human is None:
            held = credentials_of.get(identity.id, ())
            verdict = _verdict(identity, held, policies, classifiers)
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


def _verdict(
    identity: Identity,
    credentials: Sequence[Credential],
    policies: Mapping[str, Policy],
    classifiers: Sequence[Classifier],
) -> Verdict:
    tagged = from_tags(identity.tags)
    if tagged is not None:
        return tagged
    for classifier in classifiers:
        verdict = classifier.classify(identity, credentials, policies)
        if verdict is not None:
            return verdict
    return Verdict(False, f"{identity.kind.value} is a workload identity")

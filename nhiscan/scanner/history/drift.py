"""Drift between two runs: new and resolved findings, identities created and removed, keys
created, rotated, deactivated and deleted, grants (what each identity holds: policies, group
memberships and what else its provider names) added and removed per identity, policy documents
changed, grants added and removed per agent, and what each agent's sessions newly did
(``behaviour.py``). Pure: two runs' data in, and what an identity
holds asked of the caller (``held``: its provider's answer), a ``Drift`` out."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from typing import Any

from nhiscan.scanner.history.behaviour import AgentBehaviourChange, comparable
from nhiscan.scanner.history.behaviour import compare as compare_behaviour
from nhiscan.scanner.history.records import RunSummary, StoredFinding
from nhiscan.scanner.model import Credential, CredentialKind, CredentialStatus, Identity
from nhiscan.scanner.snapshot import Snapshot

Held = Callable[[Identity], Set[str]]
"""What one identity holds, as drift compares it between runs (``ProviderAnalysis.held``)."""
HeldIn = Callable[[Snapshot], Held]
"""A run's ``Held``, from its snapshot: each run's identities are asked of its own estate."""


def neutral_held(identity: Identity) -> frozenset[str]:
    """What any provider's records say an identity holds, its policies and groups: the answer
    for an identity whose provider is not analysed."""
    held = {f"policy {p}" for p in identity.policies}
    held |= {f"group {g}" for g in identity.member_of}
    return frozenset(held)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunData:
    summary: RunSummary
    snapshot: Snapshot
    findings: Sequence[StoredFinding]
    agents: Sequence[Mapping[str, Any]] | None


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyChange:
    identity: str
    key: str
    previous: str | None = None  # for a rotation: the key it replaced


@dataclass(frozen=True, slots=True, kw_only=True)
class GrantChange:
    """What changed in what one identity (or agent) is granted."""

    subject: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Drift:
    before: RunSummary
    after: RunSummary
    new_findings: tuple[StoredFinding, ...]
    resolved_findings: tuple[StoredFinding, ...]
    identities_created: tuple[str, ...]
    identities_removed: tuple[str, ...]
    keys_created: tuple[KeyChange, ...]
    keys_rotated: tuple[KeyChange, ...]
    keys_deactivated: tuple[KeyChange, ...]
    keys_deleted: tuple[KeyChange, ...]
    grants: tuple[GrantChange, ...]  # per identity: policies and groups attached and detached
    policies_changed: tuple[str, ...]  # documents that changed (the same id, another text)
    agents: tuple[GrantChange, ...]  # per agent: (action resource) grants added and removed
    # Per agent: what its sessions did that they did not in the previous run, each item
    # explained by a plan change or not (``behaviour.py``); only agents with something new.
    behaviour: tuple[AgentBehaviourChange, ...] = ()
    # The agents of both runs whose behaviour cannot be compared (one run recorded it, the
    # other none: an old run, or no audit trail read): never a change.
    behaviour_not_comparable: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in CHANGES)


CHANGES = (
    "new_findings",
    "resolved_findings",
    "identities_created",
    "identities_removed",
    "keys_created",
    "keys_rotated",
    "keys_deactivated",
    "keys_deleted",
    "grants",
    "policies_changed",
    "agents",
    "behaviour",
)


def drift(before: RunData, after: RunData, *, held: HeldIn) -> Drift:
    old_ids = {i.id: i for i in before.snapshot.identities}
    new_ids = {i.id: i for i in after.snapshot.identities}
    created, rotated, deactivated, deleted = _keys(before.snapshot, after.snapshot)
    return Drift(
        before=before.summary,
        after=after.summary,
        new_findings=_findings(after.findings, before.findings),
        resolved_findings=_findings(before.findings, after.findings),
        identities_created=tuple(sorted(set(new_ids) - set(old_ids))),
        identities_removed=tuple(sorted(set(old_ids) - set(new_ids))),
        keys_created=created,
        keys_rotated=rotated,
        keys_deactivated=deactivated,
        keys_deleted=deleted,
        grants=_grants(old_ids, new_ids, held(before.snapshot), held(after.snapshot)),
        policies_changed=_changed_policies(before.snapshot, after.snapshot),
        agents=_agents(before.agents, after.agents),
        **_behaviour(before.agents, after.agents),
    )


def _findings(
    these: Sequence[StoredFinding], others: Sequence[StoredFinding]
) -> tuple[StoredFinding, ...]:
    known = {f.fingerprint for f in others}
    return tuple(sorted((f for f in these if f.fingerprint not in known), key=_finding_order))


_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def _finding_order(finding: StoredFinding) -> tuple[int, str, str]:
    return (_RANK.get(finding.severity, 5), finding.rule_id, finding.subject)


Keys = tuple[KeyChange, ...]


def _keys(before: Snapshot, after: Snapshot) -> tuple[Keys, Keys, Keys, Keys]:
    """(created, rotated, deactivated, deleted). A key deleted and another created on the same
    identity between the runs is a rotation (oldest deleted paired with oldest created)."""
    old, new = _access_keys(before), _access_keys(after)
    created: list[KeyChange] = []
    rotated: list[KeyChange] = []
    deleted: list[KeyChange] = []
    for identity in sorted(set(old) | set(new)):
        gone = [k for k in old.get(identity, {}).values() if k.id not in new.get(identity, {})]
        came = [k for k in new.get(identity, {}).values() if k.id not in old.get(identity, {})]
        gone.sort(key=_created)
        came.sort(key=_created)
        pairs = min(len(gone), len(came)) if identity in old and identity in new else 0
        rotated += [KeyChange(identity=identity, key=c.id, previous=g.id)
                    for g, c in zip(gone[:pairs], came[:pairs], strict=True)]  # fmt: skip
        deleted += [KeyChange(identity=identity, key=g.id) for g in gone[pairs:]]
        created += [KeyChange(identity=identity, key=c.id) for c in came[pairs:]]
    deactivated = [
        KeyChange(identity=identity, key=key_id)
        for identity, keys in sorted(new.items())
        for key_id, key in sorted(keys.items())
        if key.status is not CredentialStatus.ACTIVE
        and (was := old.get(identity, {}).get(key_id)) is not None
        and was.status is CredentialStatus.ACTIVE
    ]
    return tuple(created), tuple(rotated), tuple(deactivated), tuple(deleted)


def _access_keys(snapshot: Snapshot) -> dict[str, dict[str, Credential]]:
    found: dict[str, dict[str, Credential]] = {}
    for credential in snapshot.credentials:
        if credential.kind is not CredentialKind.PASSWORD:
            found.setdefault(credential.identity, {})[credential.id] = credential
    return found


def _created(credential: Credential) -> str:
    return credential.created.isoformat() if credential.created else credential.id


def _grants(
    old: Mapping[str, Identity], new: Mapping[str, Identity], held_old: Held, held_new: Held
) -> tuple[GrantChange, ...]:
    """Per identity in both runs: what it holds added and removed, policies attached and
    detached, groups joined and left (an identity created or removed is reported as such, not
    here)."""
    changes = []
    for identity_id in sorted(set(old) & set(new)):
        before, after = held_old(old[identity_id]), held_new(new[identity_id])
        if before != after:
            changes.append(
                GrantChange(
                    subject=identity_id,
                    added=tuple(sorted(after - before)),
                    removed=tuple(sorted(before - after)),
                )
            )
    return tuple(changes)


def _changed_policies(before: Snapshot, after: Snapshot) -> tuple[str, ...]:
    old = {p.id: _canonical(p.document) for p in before.policies}
    return tuple(
        sorted(p.id for p in after.policies if p.id in old and old[p.id] != _canonical(p.document))
    )


def _canonical(document: Mapping[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _agents(
    before: Sequence[Mapping[str, Any]] | None, after: Sequence[Mapping[str, Any]] | None
) -> tuple[GrantChange, ...]:
    """Per agent in both runs (with grants analysed in both): grants added and removed."""
    old = {a["name"]: a for a in before or () if a.get("granted") is not None}
    changes = []
    for agent in after or ():
        name, granted = agent["name"], agent.get("granted")
        if granted is None or name not in old:
            continue
        was, now = set(old[name]["granted"]), set(granted)
        if was != now:
            changes.append(
                GrantChange(
                    subject=name, added=tuple(sorted(now - was)), removed=tuple(sorted(was - now))
                )
            )
    return tuple(sorted(changes, key=lambda c: c.subject))


def _behaviour(
    before: Sequence[Mapping[str, Any]] | None, after: Sequence[Mapping[str, Any]] | None
) -> dict[str, Any]:
    """Per agent in both runs: its new behaviour (items carried from before are not new), or
    its name among those not comparable (one run recorded its behaviour, the other did not)."""
    old = {a["name"]: a for a in before or ()}
    changes, unknown = [], []
    for agent in after or ():
        name = agent["name"]
        if name not in old:
            continue
        change = compare_behaviour(old[name], agent, name=name)
        if change is None:
            if comparable(old[name]) or comparable(agent):  # neither: nothing to say
                unknown.append(name)
        elif change.new:
            changes.append(replace(change, items=change.new))
    return {
        "behaviour": tuple(sorted(changes, key=lambda c: c.agent)),
        "behaviour_not_comparable": tuple(sorted(unknown)),
    }

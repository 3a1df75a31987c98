"""Whether a snapshot read from a file is consistent enough to analyse.

Decoding (``snapshot.from_json``) checks each record's shape; this checks what joins them:

- a record of a provider the model lists (``Provider``: aws, azure, gcp, git) has a kind the
  model lists: kinds are open (``model.OpenStrEnum``) so that a new cloud's records decode, but
  a listed provider's unlisted kind is a typo or a file from a newer nhiscan;
- a record id appears once per list (the estate indexes by id: a second record would silently
  replace the first);
- a credential belongs to an identity in the snapshot, unless the snapshot records a gap on the
  call that lists that account's identities: the live connector reads access keys per user
  before it reads GAAD's entries, and a GAAD answer with an unreadable entry is recorded as a
  gap instead of its identities, leaving keys whose owner is known only by ARN;
- every AWS policy document is one AWS would accept (``policy_syntax``), unless the snapshot
  records an ``unreadable-policy`` gap for it (the live connector keeps such a policy as
  collected and marks the result incomplete).

Each problem is a ``SnapshotError`` naming the file, the record (list, index, id), the field and
what is expected.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from nhiscan.errors import SnapshotError
from nhiscan.scanner.model import (
    CollectionGap,
    Credential,
    GapReason,
    Group,
    Identity,
    OpenStrEnum,
    Policy,
    Provider,
    Resource,
    policy_reference_fields,
)


class Snapshot(Protocol):
    """The parts of a ``snapshot.Snapshot`` checked here (a protocol, so that this module,
    which ``snapshot`` calls, does not import it back)."""

    @property
    def identities(self) -> tuple[Identity, ...]: ...
    @property
    def groups(self) -> tuple[Group, ...]: ...
    @property
    def credentials(self) -> tuple[Credential, ...]: ...
    @property
    def policies(self) -> tuple[Policy, ...]: ...
    @property
    def resources(self) -> tuple[Resource, ...]: ...
    @property
    def gaps(self) -> tuple[CollectionGap, ...]: ...


# Calls whose gap means the account's identities were not all read (see the module's note).
IDENTITY_OPERATIONS = frozenset({"iam:GetAccountAuthorizationDetails"})
UNIQUE_LISTS = ("identities", "groups", "credentials", "policies", "resources")
KINDED_LISTS = ("identities", "credentials", "policies", "resources")
# Identity fields that hold a policy id (a boundary, an assume-role policy), from model.py.
IDENTITY_POLICY_FIELDS = policy_reference_fields(Identity)


def check_snapshot(snapshot: Snapshot, *, source: str) -> None:
    for problem in _problems(snapshot):
        raise SnapshotError(f"{source}: {problem}")


def _problems(snapshot: Snapshot) -> Iterator[str]:
    yield from _unlisted_kinds(snapshot)
    yield from _duplicates(snapshot)
    yield from _orphan_credentials(snapshot)
    yield from _policies(snapshot)


def _unlisted_kinds(snapshot: Snapshot) -> Iterator[str]:
    """A listed provider's record with a kind the model does not list (the decoder's words)."""
    for name in KINDED_LISTS:
        for index, record in enumerate(getattr(snapshot, name)):
            kind: OpenStrEnum = record.kind
            if kind.listed or not record.provider.listed:
                continue
            allowed = ", ".join(str(member.value) for member in type(kind))
            yield (
                f"{name}[{index}] ({record.id:.200}): kind: expected one of {allowed}; got "
                f"{kind.value!r:.60}; correct the record or collect again"
            )


def _duplicates(snapshot: Snapshot) -> Iterator[str]:
    for name in UNIQUE_LISTS:
        first: dict[str, int] = {}
        for index, record in enumerate(getattr(snapshot, name)):
            earlier = first.setdefault(record.id, index)
            if earlier != index:
                yield (
                    f"{name}[{earlier}] and {name}[{index}] have the same id {record.id!r}: a "
                    "snapshot holds each record once; remove one or collect again"
                )


def _orphan_credentials(snapshot: Snapshot) -> Iterator[str]:
    identities = {identity.id for identity in snapshot.identities}
    unread = {g.scope for g in snapshot.gaps if g.operation in IDENTITY_OPERATIONS}
    for index, credential in enumerate(snapshot.credentials):
        if credential.identity in identities or credential.account in unread:
            continue
        yield (
            f"credentials[{index}] ({credential.id}): identity: {credential.identity!r} is not "
            "among the snapshot's identities (and no gap says they were not all read): restore "
            "that identity's record or collect again"
        )


def _policies(snapshot: Snapshot) -> Iterator[str]:
    # Imported on use: the AWS provider's policy package imports the estate, which imports this.
    from nhiscan.providers.aws.policy.syntax import problems

    recorded = {
        g.subject for g in snapshot.gaps if g.reason is GapReason.UNREADABLE_POLICY and g.subject
    }
    for index, policy in enumerate(snapshot.policies):
        if policy.provider is not Provider.AWS or policy.id in recorded:
            continue
        for problem in problems(policy.document):
            yield (
                f"policies[{index}] ({policy.id}), the {policy.kind.value} policy "
                f"{_carriers(snapshot, policy)}: document: {problem}; AWS would reject it and "
                "nhiscan cannot evaluate it: correct the document or collect again"
            )


def _carriers(snapshot: Snapshot, policy: Policy) -> str:
    return carriers_of(policy, snapshot.identities, snapshot.groups, snapshot.resources)


def carriers_of(
    policy: Policy,
    identities: Iterable[Identity],
    groups: Iterable[Group],
    resources: Iterable[Resource],
) -> str:
    """Who carries ``policy``, for an error message: "of <kind> <id>, group <id>" (at most
    three, then how many more)."""
    found = [
        f"{identity.kind.value} {identity.id}"
        for identity in identities
        if policy.id in identity.policies
        or any(getattr(identity, name) == policy.id for name in IDENTITY_POLICY_FIELDS)
    ]
    found += [f"group {g.id}" for g in groups if policy.id in g.policies]
    found += [f"{r.kind.value} {r.id}" for r in resources if r.policy == policy.id]
    found += [target for target in policy.attached_to if not any(target in f for f in found)]
    if not found:
        return "(attached to nothing collected)"
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return f"of {', '.join(found[:3])}{more}"

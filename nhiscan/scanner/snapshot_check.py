"""Whether a snapshot read from a file is consistent enough to analyse.

Decoding (``snapshot.from_json``) checks each record's shape; this checks what joins them:

- a record of a provider the model lists (``Provider``: aws, azure, gcp, git) has a kind the
  model lists: kinds are open (``model.OpenStrEnum``) so that a new cloud's records decode, but
  a listed provider's unlisted kind is a typo or a file from a newer nhiscan;
- one (identity, service) has one service last-accessed record;
- an activity summary adds up: its uses' counts sum to its count, no use has more samples than
  events, first seen is not after last seen, its daily counts (when it has them: snapshots
  written before they were, have none) are each at least one, within its first and last days,
  one per (day, service), and sum to its count, and one (identity, session) has one summary;
- a record id appears once per list (the estate indexes by id: a second record would silently
  replace the first);
- a credential belongs to an identity in the snapshot, unless the snapshot records a gap on a
  call that lists that account's identities (``ProviderChecks.identity_operations``, from the
  providers' facts): a connector may read keys before the identities, and an unreadable answer
  is recorded as a gap instead of its identities, leaving keys whose owner is known only by id;
- with the installed providers' checks (``ProviderChecks``, built by ``nhiscan.app.snapshots``
  from the registry): every record names a provider the model lists or one that is installed
  (``AWS`` or ``ALOW`` is a typo, not a new cloud), and each provider's own checks of its
  records hold (AWS: every policy document is one AWS would accept).

Each problem is a ``SnapshotError`` naming the file, the record (list, index, id), the field and
what is expected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from nhiscan.errors import SnapshotError
from nhiscan.scanner.activity import ActivitySummary, ServiceAccess
from nhiscan.scanner.facts import ProviderFacts
from nhiscan.scanner.model import (
    Account,
    CollectionGap,
    Credential,
    Group,
    Identity,
    OpenStrEnum,
    Policy,
    Resource,
    WorkflowCredential,
    policy_reference_fields,
)


class Snapshot(Protocol):
    """The parts of a ``snapshot.Snapshot`` checked here (a protocol, so that this module,
    which ``snapshot`` calls, does not import it back)."""

    @property
    def accounts(self) -> tuple[Account, ...]: ...
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
    @property
    def workflows(self) -> tuple[WorkflowCredential, ...]: ...
    @property
    def activity(self) -> tuple[ActivitySummary, ...]: ...
    @property
    def service_access(self) -> tuple[ServiceAccess, ...]: ...


UNIQUE_LISTS = ("identities", "groups", "credentials", "policies", "resources")
KINDED_LISTS = ("identities", "credentials", "policies", "resources")
# Identity fields that hold a policy id (a boundary, an assume-role policy), from model.py.
IDENTITY_POLICY_FIELDS = policy_reference_fields(Identity)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderChecks:
    """What the installed providers add to the check of a snapshot read from a file."""

    known: frozenset[str]  # provider names a record may carry: the listed and the installed
    facts: Callable[[str], ProviderFacts]  # a provider's facts (read when a record names it)
    checks: tuple[Callable[[Snapshot], Iterator[str]], ...] = ()  # each provider's own


def check_snapshot(
    snapshot: Snapshot, *, source: str, providers: ProviderChecks | None = None
) -> None:
    """``providers``: the installed providers' checks (None: a snapshot nhiscan wrote itself,
    from the history store, checked when it was scanned)."""
    for problem in _problems(snapshot, providers):
        raise SnapshotError(f"{source}: {problem}")


def _problems(snapshot: Snapshot, providers: ProviderChecks | None) -> Iterator[str]:
    if providers is not None:
        yield from _unknown_providers(snapshot, providers.known)
    yield from _unlisted_kinds(snapshot)
    yield from _duplicates(snapshot)
    yield from _orphan_credentials(snapshot, providers.facts if providers is not None else None)
    yield from _activity(snapshot.activity)
    yield from _service_access(snapshot.service_access)
    for check in providers.checks if providers is not None else ():
        yield from check(snapshot)


def _unread(
    snapshot: Snapshot, credential: Credential, facts: Callable[[str], ProviderFacts] | None
) -> bool:
    """Whether a gap says the credential's account's identities were not all read."""
    if facts is None:
        return False
    operations = facts(str(credential.provider)).identity_list_operations
    return any(g.operation in operations and g.scope == credential.account for g in snapshot.gaps)


def _unknown_providers(snapshot: Snapshot, known: frozenset[str]) -> Iterator[str]:
    for name in ("accounts", *UNIQUE_LISTS, "gaps"):
        for index, record in enumerate(getattr(snapshot, name)):
            if str(record.provider) in known:
                continue
            what = f" ({record.id:.200})" if hasattr(record, "id") else ""
            yield (
                f"{name}[{index}]{what}: provider: expected one of {', '.join(sorted(known))} "
                f"(a listed cloud or an installed provider); got {str(record.provider)!r:.60}; "
                "correct the record or collect again (or install the provider that wrote it)"
            )
    for index, step in enumerate(snapshot.workflows):
        if str(step.cloud) not in known:
            yield (
                f"workflows[{index}] ({step.id:.200}): cloud: expected one of "
                f"{', '.join(sorted(known))}; got {str(step.cloud)!r:.60}; correct the record "
                "or collect again"
            )


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
    for name in (*UNIQUE_LISTS, "workflows"):
        first: dict[str, int] = {}
        for index, record in enumerate(getattr(snapshot, name)):
            earlier = first.setdefault(record.id, index)
            if earlier != index:
                yield (
                    f"{name}[{earlier}] and {name}[{index}] have the same id {record.id!r}: a "
                    "snapshot holds each record once; remove one or collect again"
                )


def _orphan_credentials(
    snapshot: Snapshot, facts: Callable[[str], ProviderFacts] | None
) -> Iterator[str]:
    identities = {identity.id for identity in snapshot.identities}
    for index, credential in enumerate(snapshot.credentials):
        if credential.identity in identities or _unread(snapshot, credential, facts):
            continue
        yield (
            f"credentials[{index}] ({credential.id}): identity: {credential.identity!r} is not "
            "among the snapshot's identities (and no gap says they were not all read): restore "
            "that identity's record or collect again"
        )


def _activity(summaries: Iterable[ActivitySummary]) -> Iterator[str]:
    """Summaries that do not add up (a hand-edited or cut file) or say one session twice."""
    first: dict[tuple[object, ...], int] = {}
    for index, summary in enumerate(summaries):
        where = f"activity[{index}] ({summary.identity:.200})"
        key = (summary.provider, summary.identity, summary.principal, summary.source_identity,
               summary.session_name, tuple(sorted(summary.session_tags.items())),
               summary.assumed_by)  # fmt: skip
        earlier = first.setdefault(key, index)
        if earlier != index:
            yield (f"activity[{earlier}] and {where} summarise the same identity and session: a "
                   "snapshot holds one summary each; remove one or collect again")  # fmt: skip
        if summary.first_seen > summary.last_seen:
            yield f"{where}: first_seen is after last_seen; correct the record or collect again"
        total = sum(use.count for use in summary.uses)
        if total != summary.count:
            yield (f"{where}: count is {summary.count} but its uses count {total} events; "
                   "correct the record or collect again")  # fmt: skip
        yield from _daily(summary, where)
        for position, use in enumerate(summary.uses):
            if use.count < 1 or len(use.samples) > use.count or use.first_seen > use.last_seen:
                yield (f"{where}: uses[{position}] ({use.event:.100}): count {use.count}, "
                       f"{len(use.samples)} samples, first_seen {use.first_seen:%Y-%m-%d}, "
                       f"last_seen {use.last_seen:%Y-%m-%d} do not fit together (at least one "
                       "event, no more samples than events, first not after last); correct "
                       "the record or collect again")  # fmt: skip


def _daily(summary: ActivitySummary, where: str) -> Iterator[str]:
    if not summary.daily:
        return
    total = sum(count.count for count in summary.daily)
    if total != summary.count:
        yield (f"{where}: count is {summary.count} but its daily counts sum to {total}; "
               "correct the record or collect again")  # fmt: skip
    first, last = _utc_day(summary.first_seen), _utc_day(summary.last_seen)
    seen: set[tuple[date, str]] = set()
    for position, count in enumerate(summary.daily):
        key = (_utc_day(count.day), count.service)
        if count.count < 1 or not first <= key[0] <= last or key in seen:
            yield (f"{where}: daily[{position}] ({count.service:.100} on {count.day:%Y-%m-%d}): "
                   f"count {count.count} (at least one event, on a day from "
                   f"{first:%Y-%m-%d} to {last:%Y-%m-%d}, once per day and service); correct "
                   "the record or collect again")  # fmt: skip
        seen.add(key)


def _utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _service_access(records: Iterable[ServiceAccess]) -> Iterator[str]:
    """A service's last access said twice for one identity: which one holds is unknown."""
    first: dict[tuple[object, ...], int] = {}
    for index, record in enumerate(records):
        earlier = first.setdefault((record.provider, record.identity, record.service), index)
        if earlier != index:
            yield (f"service_access[{earlier}] and service_access[{index}] "
                   f"({record.identity:.200}, {record.service:.50}) say the same identity's "
                   "use of one service: remove one or collect again")  # fmt: skip


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

"""Small helpers shared by the rule families: naming subjects, picking credentials, gaps."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import datetime

from nhiscan.rules.base import RuleContext, days_between
from nhiscan.scanner.codec import iso
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.gaps.analysis import AgentResult
from nhiscan.scanner.model import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Identity,
    IdentityKind,
    Provider,
)

# How a title names each kind of identity: "user alice", "role deploy".
KIND_WORDS = {
    IdentityKind.IAM_USER: "user",
    IdentityKind.IAM_ROLE: "role",
    IdentityKind.SERVICE_ACCOUNT: "service account",
    IdentityKind.SERVICE_PRINCIPAL: "service principal",
    IdentityKind.MANAGED_IDENTITY: "managed identity",
}


def describe(identity: Identity | None, identity_id: str) -> str:
    """The identity as a title names it: "user alice", or its id when it was not collected."""
    if identity is None:
        return identity_id
    return f"{KIND_WORDS.get(identity.kind, identity.kind.value)} {identity.name}"


def is_active_key(credential: Credential) -> bool:
    return (
        credential.kind is CredentialKind.ACCESS_KEY
        and credential.status is CredentialStatus.ACTIVE
    )


def active_keys(credentials: Iterable[Credential]) -> tuple[Credential, ...]:
    """The active access keys among ``credentials``, ordered by key id."""
    return tuple(sorted((c for c in credentials if is_active_key(c)), key=lambda c: c.id))


def credentials_by_identity(estate: Estate) -> Iterator[tuple[str, tuple[Credential, ...]]]:
    """(identity id, its credentials), in identity id order, including identities whose own
    record is missing from the snapshot (their credentials were still collected)."""
    for identity_id in sorted(estate.credentials_of):
        yield identity_id, estate.credentials(identity_id)


def days_since(moment: datetime, now: datetime) -> int:
    """Whole days from ``moment`` to ``now`` (a rule's thresholds compare whole days)."""
    return days_between(moment, now)


def has_gap(
    estate: Estate, subject: str, operations: Collection[str] = (), *, account: str | None = None
) -> bool:
    """Whether collection recorded a gap about ``subject`` (in one of ``operations``, or in
    any when none are given): what we know of it is incomplete, so an absent value such as a
    last-used date must not be read as "never". With ``account``, a gap that names no subject
    but covers that account (scope "<account>" or "<account>/<region>") counts too."""
    for gap in estate.snapshot.gaps:
        if operations and gap.operation not in operations:
            continue
        if gap.subject == subject:
            return True
        if account is not None and gap.subject is None and gap.scope.split("/")[0] == account:
            return True
    return False


def when(moment: datetime | None) -> str | None:
    """A time as evidence shows it: ISO 8601 UTC, or None when unknown."""
    return None if moment is None else iso(moment)


def agent_results(ctx: RuleContext) -> Iterable[AgentResult]:
    """Each agent's analysis; nothing when no agent files were given."""
    return ctx.agents.results if ctx.agents is not None else ()


def provider_of(estate: Estate, identity_id: str) -> Provider:
    identity = estate.identities.get(identity_id)
    return identity.provider if identity is not None else Provider.AWS

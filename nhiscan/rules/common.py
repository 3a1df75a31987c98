"""Small helpers shared by the rule families: naming subjects, picking credentials, gaps."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import datetime

from nhiscan.rules.base import RuleContext, days_between
from nhiscan.scanner.codec import iso
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import ProviderFacts
from nhiscan.scanner.gaps.analysis import AgentResult
from nhiscan.scanner.model import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Identity,
    IdentityKind,
    Provider,
)
from nhiscan.scanner.provider import ProviderSet

# How a title names the neutral kinds of identity ("service account sa"); a provider's own
# kinds are named by its facts (``ProviderFacts.kind_words``: "user alice", "role deploy").
KIND_WORDS = {
    IdentityKind.SERVICE_ACCOUNT: "service account",
    IdentityKind.SERVICE_PRINCIPAL: "service principal",
    IdentityKind.MANAGED_IDENTITY: "managed identity",
}

# How a title names the neutral kinds of credential; a provider's facts may name them too.
CREDENTIAL_WORDS = {
    CredentialKind.ACCESS_KEY: "access key",
    CredentialKind.SA_KEY: "service account key",
    CredentialKind.CLIENT_SECRET: "client secret",
    CredentialKind.CERTIFICATE: "certificate",
    CredentialKind.PASSWORD: "password",
}


def describe(identity: Identity | None, identity_id: str, providers: ProviderSet) -> str:
    """The identity as a title names it: "user alice", or its id when it was not collected.
    The kind's word comes from its provider's facts (``providers``), else the neutral words,
    else the kind itself."""
    if identity is None:
        return identity_id
    return named(identity, providers.facts(identity.provider).kind_words)


def named(identity: Identity, kind_words: Mapping[str, str]) -> str:
    """``identity`` with its kind's word from ``kind_words`` (a provider's own rules pass its
    facts' words), else the neutral words, else the kind itself."""
    kind = identity.kind
    word = kind_words.get(kind) or KIND_WORDS.get(kind)
    return f"{word or kind.value} {identity.name}"


def credential_word(credential: Credential, providers: ProviderSet) -> str:
    """What titles call the credential: "access key", "toy token" (the kind's own words)."""
    kind = credential.kind
    word = providers.facts(credential.provider).credential_words.get(kind)
    return word or CREDENTIAL_WORDS.get(kind) or kind.value.replace("-", " ")


def capital(text: str) -> str:
    """``text`` with its first letter in upper case ("access key" -> "Access key")."""
    return text[:1].upper() + text[1:]


def is_active_key(credential: Credential, facts: ProviderFacts | None = None) -> bool:
    """An active, long-lived machine credential: one the lifecycle rules judge. Long-lived per
    the provider's facts (``long_lived_credentials``); with no registered provider (``facts``
    None), every kind but a person's login counts. AWS: an active access key."""
    if credential.status is not CredentialStatus.ACTIVE or credential.kind.is_login:
        return False
    return facts is None or credential.kind in facts.long_lived_credentials


def active_keys(
    credentials: Iterable[Credential], providers: ProviderSet | None = None
) -> tuple[Credential, ...]:
    """The active long-lived credentials among ``credentials`` (``is_active_key``, each with
    its provider's facts), ordered by id. Without ``providers``: no provider's facts."""
    found = providers if providers is not None else ProviderSet()
    return tuple(
        sorted(
            (c for c in credentials if is_active_key(c, _registered_facts(found, c.provider))),
            key=lambda c: c.id,
        )
    )


def _registered_facts(providers: ProviderSet, name: str) -> ProviderFacts | None:
    provider = providers.get(name)
    return provider.facts if provider is not None else None


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
    """The identity's provider; for an id the snapshot has no record of, the provider whose
    credentials name it, else AWS (what findings said before other clouds existed)."""
    identity = estate.identities.get(identity_id)
    if identity is not None:
        return identity.provider
    held = estate.credentials(identity_id)
    return held[0].provider if held else Provider.AWS

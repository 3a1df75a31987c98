"""Which identities each agent runs as: its identity references matched against the estate.

A reference matches by stable id, tag or name (globs allowed), within its provider and account
when given. A reference to a provider the snapshot holds nothing of is *unchecked* (nhiscan did
not look there), never "matches nothing". An external reference (a GitHub workflow, issue #20)
matches the identities whose keyless trusts certainly admit the token it presents; with no
trust of its platform read at all it is unchecked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from nhiscan.scanner.agents.model import Agent, IdentityRef, RefKind
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import FederatedTrust, Platform
from nhiscan.scanner.glob import has_wildcard
from nhiscan.scanner.model import Identity, Provider
from nhiscan.scanner.workflows import admitted_identities, github_claims


@dataclass(frozen=True, slots=True, kw_only=True)
class Claims:
    identities: Mapping[str, tuple[str, ...]]  # agent -> identity ids it runs as, sorted
    matched: Mapping[tuple[str, int], tuple[str, ...]]  # (agent, ref index) -> identity ids
    unmatched: Mapping[str, tuple[IdentityRef, ...]]  # agent -> references matching nothing
    unchecked: Mapping[str, tuple[IdentityRef, ...]]  # agent -> refs in providers not scanned
    agents_of: Mapping[str, tuple[str, ...]]  # identity id -> agents claiming it, sorted

    def claimed(self, identity_id: str) -> bool:
        return identity_id in self.agents_of


def scanned_providers(estate: Estate) -> frozenset[Provider]:
    accounts = {a.provider for a in estate.snapshot.accounts}
    return frozenset(accounts | {i.provider for i in estate.identities.values()})


def claim(agents: Iterable[Agent], estate: Estate, trusts: Iterable[FederatedTrust] = ()) -> Claims:
    """``trusts``: the providers' keyless trusts, which external references are matched by."""
    scanned = scanned_providers(estate)
    trusts = tuple(trusts)
    github = any(t.platform is Platform.GITHUB_ACTIONS for t in trusts)
    identities: dict[str, tuple[str, ...]] = {}
    matched: dict[tuple[str, int], tuple[str, ...]] = {}
    unmatched: dict[str, tuple[IdentityRef, ...]] = {}
    unchecked: dict[str, tuple[IdentityRef, ...]] = {}
    agents_of: dict[str, set[str]] = {}
    for agent in agents:
        found: set[str] = set()
        missing: list[IdentityRef] = []
        not_looked: list[IdentityRef] = []
        for index, ref in enumerate(agent.identities):
            ids = external_matching(ref, trusts) if ref.external else matching(ref, estate)
            matched[(agent.name, index)] = ids
            found.update(ids)
            looked = github if ref.external else ref.provider is None or ref.provider in scanned
            if not ids:
                (missing if looked else not_looked).append(ref)
        identities[agent.name] = tuple(sorted(found))
        unmatched[agent.name], unchecked[agent.name] = tuple(missing), tuple(not_looked)
        for identity_id in found:
            agents_of.setdefault(identity_id, set()).add(agent.name)
    return Claims(
        identities=identities,
        matched=matched,
        unmatched=unmatched,
        unchecked=unchecked,
        agents_of={k: tuple(sorted(v)) for k, v in agents_of.items()},
    )


def external_matching(ref: IdentityRef, trusts: Iterable[FederatedTrust]) -> tuple[str, ...]:
    """The identities whose trusts admit the token the external reference presents."""
    external = ref.external
    if external is None:
        return ()
    claims = github_claims(external.repository, ref=external.ref,
                           environment=external.environment, event=external.event,
                           workflow=external.workflow)  # fmt: skip
    return admitted_identities(trusts, claims)


def matching(ref: IdentityRef, estate: Estate) -> tuple[str, ...]:
    """The ids of the identities ``ref`` matches, sorted. An exact id is a lookup."""
    if ref.kind is RefKind.ID and not has_wildcard(ref.value):
        identity = estate.identities.get(ref.value)
        return (identity.id,) if identity is not None and matches(ref, identity) else ()
    return tuple(sorted(i.id for i in estate.identities.values() if matches(ref, i)))


def matches(ref: IdentityRef, identity: Identity) -> bool:
    if ref.external is not None:
        return False
    if ref.provider is not None and identity.provider is not ref.provider:
        return False
    if ref.account is not None and identity.account != ref.account:
        return False
    if ref.kind is RefKind.ID:
        return fnmatchcase(identity.id, ref.value)
    if ref.kind is RefKind.NAME:
        return fnmatchcase(identity.name, ref.value)
    value = identity.tags.get(ref.key or "")
    return value is not None and fnmatchcase(value, ref.value)

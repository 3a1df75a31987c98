"""What the graph builder asks of a provider's analysis (``ProviderAnalysis`` is a superset):
the one authorizer of the estate, the scopes that get admin sinks, the edges only the provider
knows (acting as another identity, compute running as one, the requests a resource answers, the
steps that hand an identity to a service), the escalations it finds, and the admin hops of
groups those escalations join. See
docs/providers.md. :class:`CompositeSource` combines several providers' analyses into one
source, each record answered by the analysis of its own provider.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from nhiscan.scanner.authz import Authorizer, CompositeAuthorizer
from nhiscan.scanner.escalation import Escalation, Step
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import FederatedTrust, Registration
from nhiscan.scanner.graph.model import Hop
from nhiscan.scanner.model import Resource


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """Where admin power applies: an AWS account (no parent), a GCP organization, folder or
    project, an Azure management group, subscription or resource group, an Entra tenant. Each
    gets an admin sink; admin of ``parent`` (and of its ancestors) is admin of this scope too
    (an ``is_admin`` edge, method ``inherits``, from each ancestor's sink to this one's)."""

    id: str
    kind: str
    parent: str | None
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRequest:
    """One resource id to ask about, the actions that apply to it, and those its own policy
    could grant (None: not collected, ask about all). ``service`` groups the actions: what a
    principal's own grants could allow is narrowed once per principal and service."""

    resource: str
    actions: frozenset[str]
    granted_by_resource: frozenset[str] | None
    service: str


class GraphSource(Protocol):
    @property
    def authorizer(self) -> Authorizer: ...
    def scopes(self) -> Iterable[Scope]: ...  # each gets an admin sink
    def admin_scope(self, principal: str) -> str | None: ...  # whose admin sink it reaches
    def act_as_edges(self, principals: Sequence[str]) -> Iterator[Hop]: ...
    def runs_as(self, resource: Resource) -> tuple[str, ...]: ...
    def access_requests(self, resource: Resource) -> Sequence[AccessRequest]: ...
    def could_grant(self, principal: str, service: str) -> frozenset[str] | None: ...
    def passes(self, escalation: Escalation) -> Iterator[Step]: ...
    def escalations(self, principals: Sequence[str]) -> Iterator[Escalation]: ...
    def group_edges(self, groups: Iterable[str]) -> Iterator[Hop]: ...
    def federated_trusts(self) -> Iterator[FederatedTrust]: ...
    def registrations(self) -> Iterator[Registration]: ...


class CompositeSource:
    """Several providers' analyses as one ``GraphSource``, keyed by the records' provider value.
    Each principal, resource, group and escalation is answered by its own provider's analysis;
    records of a provider with no analysis get no provider edges (never an error)."""

    def __init__(self, estate: Estate, sources: Mapping[str, GraphSource]) -> None:
        self._estate = estate
        self._sources = {name: sources[name] for name in sorted(sources)}
        self._authorizer = CompositeAuthorizer(
            {name: s.authorizer for name, s in self._sources.items()},
            self.provider_of,
        )

    @property
    def authorizer(self) -> Authorizer:
        return self._authorizer

    def provider_of(self, principal: str) -> str | None:
        identity = self._estate.identities.get(principal)
        return None if identity is None else str(identity.provider)

    def _split(self, principals: Iterable[str]) -> Iterator[tuple[GraphSource, list[str]]]:
        by_name: dict[str, list[str]] = {name: [] for name in self._sources}
        for principal in principals:
            name = self.provider_of(principal)
            if name in by_name:
                by_name[name].append(principal)
        for name, source in self._sources.items():
            if by_name[name]:
                yield source, by_name[name]

    def _of(self, provider: object) -> GraphSource | None:
        return self._sources.get(str(provider))

    def scopes(self) -> Iterable[Scope]:
        """Every analysis's scopes, once each (by id; the first provider's by name wins)."""
        found: dict[str, Scope] = {}
        for source in self._sources.values():
            for scope in source.scopes():
                found.setdefault(scope.id, scope)
        return list(found.values())

    def admin_scope(self, principal: str) -> str | None:
        source = self._of(self.provider_of(principal))
        return None if source is None else source.admin_scope(principal)

    def act_as_edges(self, principals: Sequence[str]) -> Iterator[Hop]:
        for source, mine in self._split(principals):
            yield from source.act_as_edges(mine)

    def runs_as(self, resource: Resource) -> tuple[str, ...]:
        source = self._of(resource.provider)
        return () if source is None else source.runs_as(resource)

    def access_requests(self, resource: Resource) -> Sequence[AccessRequest]:
        source = self._of(resource.provider)
        return () if source is None else source.access_requests(resource)

    def could_grant(self, principal: str, service: str) -> frozenset[str] | None:
        source = self._of(self.provider_of(principal))
        return frozenset() if source is None else source.could_grant(principal, service)

    def passes(self, escalation: Escalation) -> Iterator[Step]:
        source = self._of(self.provider_of(escalation.principal))
        return iter(()) if source is None else source.passes(escalation)

    def escalations(self, principals: Sequence[str]) -> Iterator[Escalation]:
        for source, mine in self._split(principals):
            yield from source.escalations(mine)

    def group_edges(self, groups: Iterable[str]) -> Iterator[Hop]:
        by_name: dict[str, list[str]] = {}
        for group in groups:
            found = self._estate.groups.get(group)
            if found is not None and str(found.provider) in self._sources:
                by_name.setdefault(str(found.provider), []).append(group)
        for name, source in self._sources.items():
            if name in by_name:
                yield from source.group_edges(by_name[name])

    def federated_trusts(self) -> Iterator[FederatedTrust]:
        """Every analysis's keyless trusts, in provider order."""
        for source in self._sources.values():
            yield from source.federated_trusts()

    def registrations(self) -> Iterator[Registration]:
        for source in self._sources.values():
            yield from source.registrations()

"""The documents the gap analysis proposes for an identity, each rendered by its provider's
agent vocabulary: the least privilege granting exactly its agent's needs, and, for an identity
others act as, its least trust (the agent's identities that act as it and the compute that
runs as it, from the inventory)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhiscan.scanner.agents.model import AgentPlan
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph import EdgeKind, ReachGraph
from nhiscan.scanner.model import Identity, Resource
from nhiscan.scanner.provider import AgentVocabulary, ProviderAnalysis, ProviderSet


def vocabulary_of(providers: ProviderSet, record: Identity | Resource) -> AgentVocabulary | None:
    """The agent vocabulary of the record's provider (None: no provider, or none it offers)."""
    provider = providers.get(record.provider)
    return provider.agents if provider is not None else None


class Documents:
    """Built once per analysis: the compute services each identity runs for are read once."""

    def __init__(self, estate: Estate, graph: ReachGraph, providers: ProviderSet) -> None:
        self.estate = estate
        self.graph = graph
        self.providers = providers
        self._services: dict[str, set[str]] | None = None

    def policy(
        self,
        plan: AgentPlan,
        identity: Identity,
        onward: tuple[str, ...],
        analysis: ProviderAnalysis,
        vocabulary: AgentVocabulary,
    ) -> Mapping[str, Any] | None:
        """The needs bound to the identity by its provider (``gap_needs``: implicit scopes
        filled in), or for the entry of a declared chain, acting as the next identity only."""
        needs = analysis.gap_needs(identity, () if onward else plan.needs, onward)
        return vocabulary.render_least_privilege(needs, identity.account, identity.id)

    def trust(
        self,
        identity: Identity,
        agent_ids: tuple[str, ...],
        analysis: ProviderAnalysis,
        vocabulary: AgentVocabulary,
    ) -> Mapping[str, Any] | None:
        """Who may act as an identity others act as: the agent's identities that do and the
        compute that runs as it."""
        if not analysis.assumable(identity):
            return None
        callers = [
            other
            for other in agent_ids
            if other != identity.id
            and any(h.target == identity.id for h in self.graph.assumes(other))
        ]
        services = sorted(self._compute_services().get(identity.id, ()))
        return vocabulary.render_trust(callers, services)

    def _compute_services(self) -> dict[str, set[str]]:
        """Identity -> the services whose compute runs as it (the graph's runs_as edges, each
        compute kind's service from its provider's vocabulary), built once."""
        if self._services is None:
            self._services = {}
            tables: dict[str, Mapping[str, str]] = {}
            for hop in self.graph.edges(EdgeKind.RUNS_AS):
                compute = self.estate.resources.get(hop.source)
                if compute is None:
                    continue
                if compute.provider not in tables:
                    vocabulary = vocabulary_of(self.providers, compute)
                    tables[compute.provider] = vocabulary.compute_services() if vocabulary else {}
                service = tables[compute.provider].get(compute.kind)
                if service is not None:
                    self._services.setdefault(hop.target, set()).add(service)
        return self._services

"""What the neutral core asks of a cloud (docs/providers.md is the contract).

A provider is two objects. :class:`CloudProvider` is static: its name, permission catalogue,
id scheme, facts and agent vocabulary. :class:`ProviderAnalysis` is built once per estate by
``CloudProvider.analyse`` and answers every question about that estate with one evaluator
(parse once, compile once). Each analysis answers for its own records only; the core combines
several. No method does I/O: everything is a pure function of the snapshot.

This module sits near the top of the core: it may import every seam but the gap analyzer,
which asks the providers through it. The registry (``nhiscan.providers``) returns these types;
the rules a provider adds are declared one layer up, in ``nhiscan.rules.provider``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from nhiscan.scanner.agents.language import AgentVocabulary as AgentVocabulary  # agents core
from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.authz import Authorizer
from nhiscan.scanner.escalation import Escalation, Step
from nhiscan.scanner.estate import Classifier, Estate
from nhiscan.scanner.facts import IdScheme, PermissionCatalog, ProviderFacts
from nhiscan.scanner.federation import FederatedTrust, Registration
from nhiscan.scanner.grants import Grant, Probe
from nhiscan.scanner.graph.model import Hop
from nhiscan.scanner.graph.sources import AccessRequest as AccessRequest
from nhiscan.scanner.graph.sources import Scope as Scope
from nhiscan.scanner.model import Credential, Identity, Resource
from nhiscan.scanner.snapshot_check import Snapshot as SnapshotView


class ProviderAnalysis(Protocol):
    """One cloud's view of one estate."""

    @property
    def authorizer(self) -> Authorizer: ...
    # graph: admin sinks per scope, and the edges only the provider knows
    def scopes(self) -> Iterable[Scope]: ...
    def admin_scope(self, principal: str) -> str | None: ...
    def act_as_edges(self, principals: Sequence[str]) -> Iterator[Hop]: ...
    def runs_as(self, resource: Resource) -> tuple[str, ...]: ...
    def access_requests(self, resource: Resource) -> Sequence[AccessRequest]: ...
    def could_grant(self, principal: str, service: str) -> frozenset[str] | None: ...
    def passes(self, escalation: Escalation) -> Iterator[Step]: ...
    def escalations(self, principals: Sequence[str]) -> Iterator[Escalation]: ...
    def group_edges(self, groups: Iterable[str]) -> Iterator[Hop]: ...
    # keyless trusts (issue #20, scanner/federation.py): who outside the clouds may become
    # this estate's identities, and the issuers registered here
    def federated_trusts(self) -> Iterator[FederatedTrust]: ...
    def registrations(self) -> Iterator[Registration]: ...
    # rules, gaps and drift
    def exposure_reasons(self, identity: Identity) -> list[str]: ...
    def provider_managed(self, identity: Identity) -> bool: ...  # only the cloud acts as it
    def owner_unjudged(self, identity: Identity) -> str | None: ...  # why NHI007 leaves it
    def held(self, identity: Identity) -> frozenset[str]: ...
    def assumable(self, identity: Identity) -> bool: ...
    # gaps: what an identity is granted against what its agent needs
    def gap_support(self, identity: Identity) -> str | None: ...  # None: analysable
    def grants(self, identity: Identity, accessed: Iterable[Hop]) -> Iterable[Grant]: ...
    def probe(self, identity: Identity, resource: str) -> Probe: ...  # what to evaluate
    def gap_needs(
        self, identity: Identity, needs: Iterable[Need], onward: Sequence[str]
    ) -> tuple[Need, ...]: ...
    def any_region(self, resource: str) -> bool: ...  # names no region: met in one region
    def unjudged(self, identity: Identity, need: Need) -> str | None: ...  # why not judged


class CloudProvider(Protocol):
    @property
    def name(self) -> str: ...  # registry key == the records' provider value
    @property
    def label(self) -> str: ...  # "AWS"
    @property
    def catalog(self) -> PermissionCatalog: ...
    @property
    def ids(self) -> IdScheme: ...
    @property
    def facts(self) -> ProviderFacts: ...
    @property
    def agents(self) -> AgentVocabulary | None: ...
    @property
    def classifier(self) -> Classifier: ...  # people and machines, before any analysis
    def analyse(self, estate: Estate) -> ProviderAnalysis: ...
    # a credential of this cloud with what old snapshots lack filled in (its join fingerprint)
    def normalise_credential(self, credential: Credential) -> Credential: ...
    def check(self, snapshot: SnapshotView) -> Iterator[str]: ...  # its records, read from a file


NEUTRAL_FACTS = ProviderFacts(
    kind_words={},
    data_store_kinds=frozenset(),
    secret_kinds=frozenset(),
    secret_read_actions=frozenset(),
    sensitive_services=frozenset(),
    last_used_operations={},
    credential_id_detectors=frozenset(),
)
"""What the core assumes of records whose provider is not registered: no tables at all."""


@dataclass(frozen=True, slots=True)
class ProviderSet:
    """The providers of one snapshot and, when the reach analysis runs, their analyses of its
    estate: what the orchestration hands the rules, the gap analyzer and the reports, so that
    none of them asks the registry (or names a cloud) itself. Keyed by the records' provider
    value; a provider missing here is answered with neutral defaults."""

    providers: Mapping[str, CloudProvider] = field(default_factory=dict)
    analyses: Mapping[str, ProviderAnalysis] = field(default_factory=dict)

    def get(self, name: str) -> CloudProvider | None:
        return self.providers.get(str(name))

    def federated_trusts(self) -> tuple[FederatedTrust, ...]:
        """Every analysis's keyless trusts (issue #20), providers by name."""
        return tuple(t for n in sorted(self.analyses) for t in self.analyses[n].federated_trusts())

    def facts(self, name: str) -> ProviderFacts:
        found = self.providers.get(str(name))
        return found.facts if found is not None else NEUTRAL_FACTS

    def analysis(self, name: str) -> ProviderAnalysis | None:
        return self.analyses.get(str(name))

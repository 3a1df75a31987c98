"""``AzureProvider``: Azure and Entra ID offered to the core through the ``CloudProvider``
protocol (docs/providers.md). Each member delegates to the module that answers it. The agent
vocabulary compiles Azure steps; the gap analysis of Azure identities is not wired yet
(``AzureAnalysis.gap_support`` says so; ``agents/gaps.py`` holds the pure functions for it)."""

from __future__ import annotations

from collections.abc import Iterator

from nhiscan.providers.azure.agents import VOCABULARY
from nhiscan.providers.azure.analysis import AzureAnalysis
from nhiscan.providers.azure.catalog import AzureCatalog, default_catalog
from nhiscan.providers.azure.checks import rbac_problems
from nhiscan.providers.azure.facts import FACTS
from nhiscan.providers.azure.humans import AzureClassifier
from nhiscan.providers.azure.ids import AzureIds
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import ProviderFacts
from nhiscan.scanner.model import Credential
from nhiscan.scanner.provider import AgentVocabulary, CloudProvider, ProviderAnalysis
from nhiscan.scanner.snapshot_check import Snapshot as SnapshotView


class AzureProvider:
    name = "azure"
    label = "Azure"
    ids = AzureIds()
    facts: ProviderFacts = FACTS
    agents: AgentVocabulary | None = VOCABULARY
    classifier = AzureClassifier()

    @property
    def catalog(self) -> AzureCatalog:
        return default_catalog()

    def analyse(self, estate: Estate) -> ProviderAnalysis:
        return AzureAnalysis(estate, self.catalog)

    def normalise_credential(self, credential: Credential) -> Credential:
        return credential  # the connector writes the hint's join fingerprint

    def check(self, snapshot: SnapshotView) -> Iterator[str]:
        return rbac_problems(snapshot)


PROVIDER: CloudProvider = AzureProvider()

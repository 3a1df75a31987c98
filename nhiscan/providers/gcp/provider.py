"""``GcpProvider``: GCP offered to the core through the ``CloudProvider`` protocol
(docs/providers.md). Each member delegates to the module that answers it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from nhiscan.providers.gcp.agents.vocabulary import GcpAgentVocabulary
from nhiscan.providers.gcp.analysis import GcpAnalysis
from nhiscan.providers.gcp.catalog import GcpCatalog, default_catalog
from nhiscan.providers.gcp.checks import binding_problems
from nhiscan.providers.gcp.facts import FACTS
from nhiscan.providers.gcp.humans import GcpClassifier
from nhiscan.providers.gcp.ids import GcpIds
from nhiscan.scanner import fingerprint
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import ProviderFacts
from nhiscan.scanner.model import Credential, CredentialKind
from nhiscan.scanner.provider import AgentVocabulary, CloudProvider, ProviderAnalysis
from nhiscan.scanner.snapshot_check import Snapshot as SnapshotView


class GcpProvider:
    name = "gcp"
    label = "GCP"
    ids = GcpIds()
    facts: ProviderFacts = FACTS
    agents: AgentVocabulary | None = GcpAgentVocabulary()
    classifier = GcpClassifier()

    @property
    def catalog(self) -> GcpCatalog:
        return default_catalog()

    def analyse(self, estate: Estate) -> ProviderAnalysis:
        return GcpAnalysis(estate, self.catalog)

    def normalise_credential(self, credential: Credential) -> Credential:
        """A user-managed key's join fingerprint (the git detector's ``private_key_id``)."""
        if credential.kind is CredentialKind.SA_KEY and credential.fingerprint is None:
            return replace(credential, fingerprint=fingerprint.gcp_sa_key(credential.id))
        return credential

    def check(self, snapshot: SnapshotView) -> Iterator[str]:
        return binding_problems(snapshot)


PROVIDER: CloudProvider = GcpProvider()

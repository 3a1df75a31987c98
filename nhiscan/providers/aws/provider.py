"""``AwsProvider``: AWS offered to the core through the ``CloudProvider`` protocol.

It delegates to the code that answers these questions today. The methods whose AWS answer is
still computed inside a core module (the graph's assume, runs-as and access hops, the trust
exposure of a role) say so and raise until the P4 seams move that code here; nothing calls them
yet (docs/providers.md, "Status").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property

from nhiscan.providers.aws.agents.vocabulary import AwsAgentVocabulary
from nhiscan.providers.aws.catalog import Catalog, default_catalog
from nhiscan.providers.aws.facts import FACTS
from nhiscan.providers.aws.groups import group_admin_hops
from nhiscan.providers.aws.humans import AwsClassifier
from nhiscan.providers.aws.ids import ArnIds
from nhiscan.providers.aws.policy import EstateAuthorizer
from nhiscan.providers.aws.privesc import find_escalations
from nhiscan.scanner.escalation import Escalation
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import ProviderFacts
from nhiscan.scanner.graph.model import Hop
from nhiscan.scanner.model import Credential, Identity, Provider, Resource
from nhiscan.scanner.provider import (
    AccessRequest,
    AgentVocabulary,
    CloudProvider,
    ProviderAnalysis,
    Scope,
)


class AwsAnalysis:
    """AWS's view of one estate: one ``EstateAuthorizer`` answers every question."""

    def __init__(self, estate: Estate, catalog: Catalog) -> None:
        self._estate = estate
        self._catalog = catalog
        self._authorizer = EstateAuthorizer(estate, catalog)

    @property
    def authorizer(self) -> EstateAuthorizer:
        return self._authorizer

    def _ours(self, identity: Identity) -> bool:
        return identity.provider is Provider.AWS

    def normalise_credential(self, credential: Credential) -> Credential:
        return credential  # AWS records are complete; old fingerprints: scanner/leaks (P4c)

    def scopes(self) -> Iterable[Scope]:
        accounts = {i.account for i in self._estate.identities.values() if self._ours(i)}
        for account in sorted(a for a in accounts if a):
            yield Scope(id=account, kind="account", parent=None, label=account)

    def admin_scope(self, principal: str) -> str | None:
        identity = self._estate.identities.get(principal)
        return identity.account if identity is not None and self._ours(identity) else None

    def act_as_edges(self, principals: Sequence[str]) -> Iterator[Hop]:
        raise NotImplementedError("AWS assume hops are still built in scanner/graph/build.py (P4a)")

    def runs_as(self, resource: Resource) -> tuple[str, ...]:
        raise NotImplementedError(
            "AWS runs-as hops are still built in scanner/graph/build.py (P4a)"
        )

    def access_requests(self, resource: Resource) -> Sequence[AccessRequest]:
        raise NotImplementedError("AWS access requests are still in scanner/graph/access.py (P4a)")

    def escalations(self, principals: Sequence[str]) -> Iterator[Escalation]:
        wanted = set(principals)
        for escalation in find_escalations(self._estate, self._authorizer):
            if escalation.principal in wanted:
                yield escalation

    def group_edges(self, groups: Iterable[str]) -> Iterator[Hop]:
        return group_admin_hops(self._estate, self._catalog, groups)

    def exposure_reasons(self, identity: Identity) -> list[str]:
        raise NotImplementedError("AWS trust exposure is still in rules/reach_support.py (P6b)")

    def held(self, identity: Identity) -> frozenset[str]:
        """What drift compares: attached policies, groups and the permission boundary."""
        held = {f"policy {p}" for p in identity.policies}
        held |= {f"group {g}" for g in identity.member_of}
        if identity.permissions_boundary:
            held.add(f"boundary {identity.permissions_boundary}")
        return frozenset(held)

    def assumable(self, identity: Identity) -> bool:
        return identity.trust_policy is not None

    def gap_support(self, identity: Identity) -> str | None:
        if self._ours(identity):
            return None
        return f"{identity.provider.value} identities are not analysed by the AWS provider"


class AwsProvider:
    name = "aws"
    label = "AWS"
    ids = ArnIds()
    facts: ProviderFacts = FACTS
    agents: AgentVocabulary | None = AwsAgentVocabulary()
    classifier = AwsClassifier()

    @cached_property
    def catalog(self) -> Catalog:
        return default_catalog()

    def analyse(self, estate: Estate) -> ProviderAnalysis:
        return AwsAnalysis(estate, self.catalog)


PROVIDER: CloudProvider = AwsProvider()

"""``AwsProvider``: AWS offered to the core through the ``CloudProvider`` protocol.

It delegates to the code that answers these questions today. The methods whose AWS answer is
still computed inside a core module (the trust exposure of a role) say so and raise until their
seams move that code here; nothing calls them yet (docs/providers.md, "Status").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any

from nhiscan.providers.aws.catalog import Catalog, default_catalog
from nhiscan.providers.aws.facts import FACTS
from nhiscan.providers.aws.graph.access import access_requests, could_grant
from nhiscan.providers.aws.graph.assume import assume_hops
from nhiscan.providers.aws.graph.compute import passed_roles, role_of
from nhiscan.providers.aws.groups import group_admin_hops
from nhiscan.providers.aws.humans import AwsClassifier
from nhiscan.providers.aws.ids import ArnIds
from nhiscan.providers.aws.policy import EstateAuthorizer
from nhiscan.providers.aws.privesc import find_escalations
from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.agents.render import identity_policy, trust_policy
from nhiscan.scanner.agents.schemes import SCHEMES
from nhiscan.scanner.escalation import Escalation, Step
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import ProviderFacts
from nhiscan.scanner.gaps.analyzer import COMPUTE_SERVICES
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
        return assume_hops(self._estate, self._authorizer, principals)

    def runs_as(self, resource: Resource) -> tuple[str, ...]:
        return role_of(self._estate, resource)

    def access_requests(self, resource: Resource) -> Sequence[AccessRequest]:
        return access_requests(self._estate, self._catalog, resource)

    def could_grant(self, principal: str, service: str) -> frozenset[str] | None:
        return could_grant(self._authorizer, self._catalog, principal, service)

    def passes(self, escalation: Escalation) -> Iterator[Step]:
        return passed_roles(escalation)

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


class AwsAgentVocabulary:
    """The ``aws:`` section of agent files, its schemes and the IAM documents gaps propose."""

    defaults_key = "aws"
    schemes = frozenset(SCHEMES)

    def render_least_privilege(self, needs: Iterable[Need], scope: str) -> Mapping[str, Any] | None:
        return identity_policy(needs, scope)

    def render_trust(
        self, callers: Sequence[str], services: Sequence[str]
    ) -> Mapping[str, Any] | None:
        return trust_policy(callers, services)

    def compute_services(self) -> Mapping[str, str]:
        return {kind.value: service for kind, service in COMPUTE_SERVICES.items()}


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

"""``AwsProvider``: AWS offered to the core through the ``CloudProvider`` protocol.

Each member delegates to the AWS module that answers it (``policy/``, ``privesc/``, ``graph/``,
``gaps/``, ``exposure.py``, ``humans.py``); docs/providers.md is the contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from functools import cached_property

from nhiscan.providers.aws import federation as aws_federation
from nhiscan.providers.aws.agents.vocabulary import AwsAgentVocabulary
from nhiscan.providers.aws.catalog import Catalog, default_catalog
from nhiscan.providers.aws.checks import policy_problems
from nhiscan.providers.aws.exposure import trust_exposure
from nhiscan.providers.aws.facts import FACTS
from nhiscan.providers.aws.gaps import grants as aws_grants
from nhiscan.providers.aws.gaps import needs as aws_needs
from nhiscan.providers.aws.graph.access import access_requests, could_grant
from nhiscan.providers.aws.graph.assume import assume_hops
from nhiscan.providers.aws.graph.compute import passed_roles, role_of
from nhiscan.providers.aws.groups import group_admin_hops
from nhiscan.providers.aws.humans import AwsClassifier
from nhiscan.providers.aws.ids import ArnIds
from nhiscan.providers.aws.policy import EstateAuthorizer
from nhiscan.providers.aws.policy.trust_share import assume_answers
from nhiscan.providers.aws.privesc import find_escalations
from nhiscan.scanner import fingerprint
from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.escalation import Escalation, Step
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import ProviderFacts
from nhiscan.scanner.federation import FederatedTrust, Registration
from nhiscan.scanner.grants import Grant, Probe
from nhiscan.scanner.graph.model import Hop
from nhiscan.scanner.model import Credential, CredentialKind, Identity, Provider, Resource
from nhiscan.scanner.provider import (
    AccessRequest,
    AgentVocabulary,
    CloudProvider,
    ProviderAnalysis,
    Scope,
)
from nhiscan.scanner.snapshot_check import Snapshot as SnapshotView


class AwsAnalysis:
    """AWS's view of one estate: one ``EstateAuthorizer`` answers every question."""

    def __init__(self, estate: Estate, catalog: Catalog) -> None:
        self._estate = estate
        self._catalog = catalog
        self._authorizer = EstateAuthorizer(estate, catalog)
        self._grants = aws_grants.AwsGrants(estate, catalog)

    @property
    def authorizer(self) -> EstateAuthorizer:
        return self._authorizer

    def _ours(self, identity: Identity) -> bool:
        return identity.provider is Provider.AWS

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
        assume = assume_answers(self._authorizer)
        for escalation in find_escalations(self._estate, self._authorizer, assume=assume):
            if escalation.principal in wanted:
                yield escalation

    def group_edges(self, groups: Iterable[str]) -> Iterator[Hop]:
        return group_admin_hops(self._estate, self._catalog, groups)

    def federated_trusts(self) -> Iterator[FederatedTrust]:
        """Roles' trusts in OIDC, SAML and EKS Pod Identity principals (``federation.py``)."""
        return aws_federation.federated_trusts(self._estate)

    def registrations(self) -> Iterator[Registration]:
        """The collected IAM OIDC and SAML providers."""
        return aws_federation.registrations(self._estate)

    def exposure_reasons(self, identity: Identity) -> list[str]:
        """A role's trust admitting anyone or other accounts (the estate's or not)."""
        return trust_exposure(self._estate, identity) if self._ours(identity) else []

    def owner_unjudged(self, identity: Identity) -> str | None:
        return None  # every identity of this cloud can have an owner, read with it

    def provider_managed(self, identity: Identity) -> bool:
        """Service-linked roles: AWS alone assumes them, and they live and die with the
        service that made them."""
        return self._ours(identity) and bool(identity.service_linked)

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
        if not self._ours(identity):
            return f"{identity.provider.value} identities are not analysed by the AWS provider"
        if identity.kind not in aws_grants.PRINCIPALS:
            return f"gap analysis for {identity.provider} {identity.kind} is not supported yet"
        return None

    def grants(self, identity: Identity, accessed: Iterable[Hop]) -> Iterator[Grant]:
        return self._grants.grants(identity, accessed)

    def probe(self, identity: Identity, resource: str) -> Probe:
        return Probe(resource=aws_grants.probe(identity, resource))

    def gap_needs(
        self, identity: Identity, needs: Iterable[Need], onward: Sequence[str]
    ) -> tuple[Need, ...]:
        return aws_needs.gap_needs(identity, needs, onward)

    def any_region(self, resource: str) -> bool:
        return aws_needs.any_region(resource)

    def unjudged(self, identity: Identity, need: Need) -> str | None:
        return None  # IAM decides every AWS need the agent vocabulary compiles


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

    def check(self, snapshot: SnapshotView) -> Iterator[str]:
        return policy_problems(snapshot)

    def normalise_credential(self, credential: Credential) -> Credential:
        """An access key collected before keys carried their fingerprint gets it (the join
        with a key id found in code: ``scanner/fingerprint.py``)."""
        if credential.fingerprint is not None or credential.kind is not CredentialKind.ACCESS_KEY:
            return credential
        return replace(credential, fingerprint=fingerprint.aws_access_key(credential.id))


PROVIDER: CloudProvider = AwsProvider()

"""``ToyProvider``: the whole ``CloudProvider`` contract (docs/providers.md) for a cloud with one
identity kind (``toy-bot``), one credential kind (``toy-token``, long-lived) and two
permissions (``toy.read``, ``toy.admin``). A policy's document is one mapping,
``{"permissions": [...]}``; ``toy.admin`` is every permission. Ids are ``toy://<tenant>/...``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from nhiscan.scanner.authz import Decision, Evaluation, StatementRef
from nhiscan.scanner.escalation import Escalation
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import AccessLevel, ProviderFacts
from nhiscan.scanner.graph.model import Hop
from nhiscan.scanner.humans import Verdict
from nhiscan.scanner.model import (
    Credential,
    CredentialKind,
    Identity,
    IdentityKind,
    Policy,
    PolicyKind,
    Provider,
    Resource,
)
from nhiscan.scanner.provider import AccessRequest, AgentVocabulary, ProviderAnalysis, Scope

NAME = "toy"
TOY = Provider(NAME)
BOT = IdentityKind("toy-bot")
TOKEN = CredentialKind("toy-token")
GRANT = PolicyKind("toy-grant")
READ, ADMIN = "toy.read", "toy.admin"
PERMISSIONS = {READ: AccessLevel.READ, ADMIN: AccessLevel.PERMISSIONS_MANAGEMENT}
LAST_USED_OPERATION = "toy.tokens.lastUsed"

FACTS = ProviderFacts(
    kind_words={BOT.value: "bot"},
    data_store_kinds=frozenset(),
    secret_kinds=frozenset(),
    secret_read_actions=frozenset(),
    sensitive_services=frozenset(),
    last_used_operations={"credential": frozenset({LAST_USED_OPERATION})},
    credential_id_detectors=frozenset(),
    long_lived_credentials=frozenset({TOKEN.value}),
    credential_words={TOKEN.value: "toy token"},
)


@dataclass(frozen=True, slots=True)
class ToyPermission:
    name: str
    service: str
    access_level: AccessLevel


class ToyCatalog:
    version = "1"
    updated_at = "2025-01-01"

    def expand(self, pattern: str, /) -> frozenset[str]:
        return frozenset(PERMISSIONS) if pattern in ("*", "toy.*") else frozenset({pattern})

    def info(self, action: str, /) -> ToyPermission | None:
        level = PERMISSIONS.get(action)
        return None if level is None else ToyPermission(action, NAME, level)

    def known(self, action: str, /) -> bool:
        return action in PERMISSIONS

    def actions_for_resource(self, resource: str, /) -> frozenset[str]:
        return frozenset(PERMISSIONS)


class ToyIds:
    def owns(self, value: str, /) -> bool:
        return value.startswith("toy://")

    def scope_of(self, value: str, /) -> str | None:
        return value.removeprefix("toy://").split("/")[0] if self.owns(value) else None

    def service_of(self, value: str, /) -> str:
        return NAME

    def container_of(self, value: str, /) -> str | None:
        return None

    def short(self, value: str, /) -> str:
        return value.rsplit("/", 1)[-1]

    def is_broad(self, value: str, /) -> bool:
        return value == "*"


class ToyClassifier:
    def classify(
        self, identity: Identity, credentials: Sequence[Credential], policies: Mapping[str, Policy]
    ) -> Verdict | None:
        if identity.provider is not TOY:
            return None
        return Verdict(is_human=False, reason="a toy bot")


class ToyAuthorizer:
    """Allows what the identity's policies list; ``toy.admin`` allows everything."""

    def __init__(self, estate: Estate) -> None:
        self._estate = estate

    def principals(self) -> Iterable[str]:
        return sorted(i.id for i in self._estate.identities.values() if i.provider is TOY)

    def evaluate(
        self,
        principal: str,
        action: str,
        resource: str,
        context: Mapping[str, str | Sequence[str] | None] | None = None,
    ) -> Evaluation:
        for ref, granted in self._grants(principal):
            if action in granted or ADMIN in granted:
                return Evaluation(decision=Decision.ALLOW, allowed_by=(ref,))
        return Evaluation(decision=Decision.IMPLICIT_DENY, reason="no toy grant lists it")

    def is_admin(self, principal: str) -> Evaluation:
        return self.evaluate(principal, ADMIN, "*")

    def _grants(self, principal: str) -> Iterator[tuple[StatementRef, frozenset[str]]]:
        identity = self._estate.identities.get(principal)
        for policy_id in identity.policies if identity is not None else ():
            policy = self._estate.policies.get(policy_id)
            if policy is not None:
                granted = frozenset(policy.document.get("permissions", ()))
                yield StatementRef(policy_id=policy_id, index=0), granted


class ToyAnalysis:
    def __init__(self, estate: Estate) -> None:
        self._estate = estate
        self.authorizer = ToyAuthorizer(estate)

    def normalise_credential(self, credential: Credential) -> Credential:
        return credential

    def scopes(self) -> Iterable[Scope]:
        tenants = {i.account for i in self._estate.identities.values() if i.provider is TOY}
        return [Scope(id=t, kind="tenant", parent=None, label=t) for t in sorted(tenants)]

    def admin_scope(self, principal: str) -> str | None:
        identity = self._estate.identities.get(principal)
        return identity.account if identity is not None and identity.provider is TOY else None

    def act_as_edges(self, principals: Sequence[str]) -> Iterator[Hop]:
        return iter(())

    def runs_as(self, resource: Resource) -> tuple[str, ...]:
        return ()

    def access_requests(self, resource: Resource) -> Sequence[AccessRequest]:
        return ()

    def escalations(self, principals: Sequence[str]) -> Iterator[Escalation]:
        return iter(())

    def group_edges(self, groups: Iterable[str]) -> Iterator[Hop]:
        return iter(())

    def exposure_reasons(self, identity: Identity) -> list[str]:
        return []

    def held(self, identity: Identity) -> frozenset[str]:
        return frozenset(f"policy {p}" for p in identity.policies)

    def assumable(self, identity: Identity) -> bool:
        """Another bot may act as this one when its ``toy:delegate`` tag says so."""
        return identity.provider is TOY and "toy:delegate" in identity.tags

    def gap_support(self, identity: Identity) -> str | None:
        return None if identity.provider is TOY else "not a toy identity"


class ToyProvider:
    name = NAME
    label = "Toy"
    catalog = ToyCatalog()
    ids = ToyIds()
    facts = FACTS
    agents: AgentVocabulary | None = None
    classifier = ToyClassifier()

    def analyse(self, estate: Estate) -> ProviderAnalysis:
        return ToyAnalysis(estate)


PROVIDER = ToyProvider()

"""``ToyProvider``: the whole ``CloudProvider`` contract (docs/providers.md) for a cloud with one
identity kind (``toy-bot``), one credential kind (``toy-token``, long-lived), one resource kind
(``toy-box``) and two permissions (``toy.read``, ``toy.admin``). A policy's document maps
permissions to the resources (id globs) they are granted on:
``{"permissions": {"toy.read": ["toy://acme/box/*"]}}``. ``toy.admin`` on the tenant
(``toy://<tenant>``) is every permission on everything in it: the tenant is the one admin scope.
Ids are ``toy://<tenant>/<kind>/<name>``. Its agent vocabulary is ``agents.py``
(``toybox://<box>``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.authz import Decision, Evaluation, StatementRef
from nhiscan.scanner.escalation import Escalation, Step
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import AccessLevel, ProviderFacts
from nhiscan.scanner.federation import FederatedTrust, Registration
from nhiscan.scanner.glob import glob_match
from nhiscan.scanner.grants import Grant, Probe
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
    ResourceKind,
)
from nhiscan.scanner.provider import (
    AccessRequest,
    AgentVocabulary,
    CloudProvider,
    ProviderAnalysis,
    Scope,
)
from nhiscan.scanner.snapshot_check import Snapshot as SnapshotView
from tests.toy.agents import VOCABULARY

NAME = "toy"
TOY = Provider(NAME)
BOT = IdentityKind("toy-bot")
TOKEN = CredentialKind("toy-token")
GRANT = PolicyKind("toy-grant")
BOX = ResourceKind("toy-box")
READ, ADMIN = "toy.read", "toy.admin"
PERMISSIONS = {READ: AccessLevel.READ, ADMIN: AccessLevel.PERMISSIONS_MANAGEMENT}
LAST_USED_OPERATION = "toy.tokens.lastUsed"
CATALOG_DATE = "2025-01-01"

FACTS = ProviderFacts(
    kind_words={BOT.value: "bot"},
    data_store_kinds=frozenset({BOX.value}),
    secret_kinds=frozenset(),
    secret_read_actions=frozenset(),
    sensitive_services=frozenset(),
    last_used_operations={"credential": frozenset({LAST_USED_OPERATION})},
    credential_id_detectors=frozenset(),
    long_lived_credentials=frozenset({TOKEN.value}),
    credential_words={TOKEN.value: "toy token"},
)


def tenant_id(tenant: str) -> str:
    """The tenant's own id: the resource ``toy.admin`` is granted on to administer it."""
    return f"toy://{tenant}"


@dataclass(frozen=True, slots=True)
class ToyPermission:
    name: str
    service: str
    access_level: AccessLevel


class ToyCatalog:
    version = "1"
    updated_at = CATALOG_DATE
    example = READ

    def expand(self, pattern: str, /) -> frozenset[str]:
        return frozenset(p for p in PERMISSIONS if glob_match(pattern, p)) or frozenset({pattern})

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
        return value == "*" or (self.owns(value) and value.count("/") == 2)  # a whole tenant


class ToyClassifier:
    def classify(
        self, identity: Identity, credentials: Sequence[Credential], policies: Mapping[str, Policy]
    ) -> Verdict | None:
        if identity.provider is not TOY:
            return None
        return Verdict(is_human=False, reason="a toy bot")


def permissions_of(policy: Policy) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """(index, permission, resource globs) of each entry of a toy policy, in document order."""
    entries: Mapping[str, Any] = policy.document.get("permissions", {})
    for index, (permission, resources) in enumerate(entries.items()):
        yield index, permission, tuple(resources)


def covers(pattern: str, resource: str, *, below: bool) -> bool:
    """Whether a granted resource glob covers ``resource`` (``below``: or anything in it)."""
    if glob_match(pattern, resource):
        return True
    return below and (glob_match(f"{pattern}/*", resource) or pattern == "*")


class ToyAuthorizer:
    """Allows a permission on the resources its grants list; ``toy.admin`` allows every
    permission on the resources it lists and everything below them."""

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
        for ref, permission, patterns in self.grants_of(principal):
            admin = permission == ADMIN
            if (admin or permission == action) and any(
                covers(p, resource, below=admin) for p in patterns
            ):
                return Evaluation(decision=Decision.ALLOW, allowed_by=(ref,))
        return Evaluation(decision=Decision.IMPLICIT_DENY, reason="no toy grant lists it")

    def admin_of(self, principal: str) -> Iterable[tuple[str, Evaluation]]:
        identity = self._estate.identities.get(principal)
        return [] if identity is None else [(identity.account, self.is_admin(principal))]

    def is_admin(self, principal: str) -> Evaluation:
        identity = self._estate.identities.get(principal)
        if identity is None or identity.provider is not TOY:
            return Evaluation(decision=Decision.IMPLICIT_DENY, reason="not a toy bot")
        return self.evaluate(principal, ADMIN, tenant_id(identity.account))

    def grants_of(self, principal: str) -> Iterator[tuple[StatementRef, str, tuple[str, ...]]]:
        identity = self._estate.identities.get(principal)
        for policy_id in identity.policies if identity is not None else ():
            policy = self._estate.policies.get(policy_id)
            if policy is not None:
                for index, permission, patterns in permissions_of(policy):
                    yield StatementRef(policy_id=policy_id, index=index), permission, patterns


class ToyAnalysis:
    def __init__(self, estate: Estate) -> None:
        self._estate = estate
        self._authorizer = ToyAuthorizer(estate)

    @property
    def authorizer(self) -> ToyAuthorizer:
        return self._authorizer

    def _mine(self, identity: Identity) -> bool:
        return identity.provider is TOY

    def scopes(self) -> Iterable[Scope]:
        tenants = {i.account for i in self._estate.identities.values() if self._mine(i)}
        return [Scope(id=t, kind="tenant", parent=None, label=t) for t in sorted(tenants)]

    def admin_scope(self, principal: str) -> str | None:
        identity = self._estate.identities.get(principal)
        return identity.account if identity is not None and self._mine(identity) else None

    def act_as_edges(self, principals: Sequence[str]) -> Iterator[Hop]:
        return iter(())

    def runs_as(self, resource: Resource) -> tuple[str, ...]:
        return ()

    def access_requests(self, resource: Resource) -> Sequence[AccessRequest]:
        if resource.provider is not TOY or resource.kind is not BOX:
            return ()
        every = frozenset(PERMISSIONS)
        return (AccessRequest(resource=resource.id, actions=every, granted_by_resource=None,
                              service=NAME),)  # fmt: skip

    def could_grant(self, principal: str, service: str) -> frozenset[str] | None:
        return None  # two permissions: ask about both

    def passes(self, escalation: Escalation) -> Iterator[Step]:
        return iter(())

    def escalations(self, principals: Sequence[str]) -> Iterator[Escalation]:
        return iter(())

    def group_edges(self, groups: Iterable[str]) -> Iterator[Hop]:
        return iter(())

    def federated_trusts(self) -> Iterator[FederatedTrust]:
        return iter(())  # issue #20: the toy cloud federates nothing

    def registrations(self) -> Iterator[Registration]:
        return iter(())  # issue #20: the toy cloud federates nothing

    def exposure_reasons(self, identity: Identity) -> list[str]:
        return []

    def owner_unjudged(self, identity: Identity) -> str | None:
        return None  # every identity of this cloud can have an owner, read with it

    def provider_managed(self, identity: Identity) -> bool:
        return False  # the toy cloud runs no bot of its own

    def held(self, identity: Identity) -> frozenset[str]:
        return frozenset(f"policy {p}" for p in identity.policies)

    def assumable(self, identity: Identity) -> bool:
        """Another bot may act as this one when its ``toy:delegate`` tag says so."""
        return self._mine(identity) and "toy:delegate" in identity.tags

    def gap_support(self, identity: Identity) -> str | None:
        return None if self._mine(identity) else "not a toy identity"

    def grants(self, identity: Identity, accessed: Iterable[Hop]) -> Iterator[Grant]:
        for ref, permission, patterns in self._authorizer.grants_of(identity.id):
            for action in sorted(PERMISSIONS if permission == ADMIN else (permission,)):
                info = PERMISSIONS.get(action)
                evidence = {permission: list(patterns)}
                for pattern in patterns:
                    yield Grant(source=ref, action=action, resource=pattern, service=NAME,
                                access_level=info, evidence=evidence)  # fmt: skip

    def probe(self, identity: Identity, resource: str) -> Probe:
        return Probe(resource=resource)

    def gap_needs(
        self, identity: Identity, needs: Iterable[Need], onward: Sequence[str]
    ) -> tuple[Need, ...]:
        return tuple(needs)

    def any_region(self, resource: str) -> bool:
        return False  # toy ids name no region

    def unjudged(self, identity: Identity, need: Need) -> str | None:
        return None  # the toy authorizer decides every need


class ToyProvider:
    name = NAME
    label = "Toy"
    catalog = ToyCatalog()
    ids = ToyIds()
    facts = FACTS
    agents: AgentVocabulary | None = VOCABULARY
    classifier = ToyClassifier()

    def analyse(self, estate: Estate) -> ProviderAnalysis:
        return ToyAnalysis(estate)

    def normalise_credential(self, credential: Credential) -> Credential:
        return credential  # toy records are complete

    def check(self, snapshot: SnapshotView) -> Iterator[str]:
        """Toy records read from a file: every toy policy maps known permissions to lists of
        resource ids."""
        for index, policy in enumerate(snapshot.policies):
            if policy.provider is not TOY:
                continue
            entries: object = policy.document.get("permissions", {})
            if not isinstance(entries, Mapping):
                yield f"policies[{index}] ({policy.id}): permissions: expected a mapping"
                continue
            for permission, resources in entries.items():
                if permission not in PERMISSIONS:
                    yield f"policies[{index}] ({policy.id}): unknown permission {permission!r}"
                elif not isinstance(resources, list):
                    yield f"policies[{index}] ({policy.id}): {permission}: expected a list"


PROVIDER: CloudProvider = ToyProvider()

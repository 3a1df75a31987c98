"""``AzureAnalysis``: Azure's view of one estate (the ``ProviderAnalysis`` contract). One
``AzureAuthorizer`` answers every question; the escalation table is ``privesc/``; the gap
analyzer's members (service principals' and managed identities' grants, needs, probes and the
needs Azure RBAC cannot judge) are ``agents/gaps.py``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from nhiscan.providers.azure import federation, humans, owners
from nhiscan.providers.azure.agents import gaps
from nhiscan.providers.azure.authz import AzureAuthorizer
from nhiscan.providers.azure.catalog import AzureCatalog
from nhiscan.providers.azure.directory import Directory
from nhiscan.providers.azure.privesc.engine import Engine
from nhiscan.providers.azure.tree import Tree, build_rbac
from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.escalation import Escalation, Step
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import FederatedTrust, Registration
from nhiscan.scanner.grants import Grant, Probe
from nhiscan.scanner.graph.model import EdgeKind, Hop, admin_node
from nhiscan.scanner.graph.sources import AccessRequest, Scope
from nhiscan.scanner.model import Identity, PolicyKind, Provider, Resource, ResourceKind

NOT_REQUESTED = frozenset(
    {
        ResourceKind.AZURE_MANAGEMENT_GROUP,
        ResourceKind.AZURE_SUBSCRIPTION,
        ResourceKind.AZURE_RESOURCE_GROUP,
        ResourceKind.ENTRA_APPLICATION,
    }
)


class AzureAnalysis:
    def __init__(self, estate: Estate, catalog: AzureCatalog) -> None:
        self._estate = estate
        self._catalog = catalog
        self._directory = Directory(estate)
        self._tree = Tree(estate, self._directory.tenants)
        data, self.unreadable = build_rbac(estate, catalog, self._tree)
        self._authorizer = AzureAuthorizer(estate, self._directory, self._tree, data, catalog)
        self._engine = Engine(estate, self._authorizer)
        self._gap_roles: gaps.Roles | None = None  # the snapshot's roles, parsed on first use

    @property
    def _roles(self) -> gaps.Roles:
        if self._gap_roles is None:
            self._gap_roles = gaps.snapshot_roles(self._estate)
        return self._gap_roles

    @property
    def authorizer(self) -> AzureAuthorizer:
        return self._authorizer

    def scopes(self) -> Iterable[Scope]:
        return sorted(self._tree.scopes.values(), key=lambda s: s.id)

    def admin_scope(self, principal: str) -> str | None:
        identity = self._estate.identities.get(principal)
        return (
            identity.account if identity is not None and self._authorizer.mine(identity) else None
        )

    def act_as_edges(self, principals: Sequence[str]) -> Iterator[Hop]:
        """Admin of a tenant's directory reaches admin of its ARM root: a Global Administrator
        may elevate its access to User Access Administrator at ``/`` ("Elevate access for a
        Global Administrator", learn.microsoft.com/azure/role-based-access-control/
        elevate-access-global-admin; ``Microsoft.Authorization/elevateAccess/action``). A hop
        between the two sinks, not inheritance."""
        for tenant, root in sorted(self._tree.root_of.items()):
            yield Hop(
                source=admin_node(tenant),
                target=admin_node(root),
                edge=EdgeKind.IS_ADMIN,
                method="elevateAccess",
            )

    def runs_as(self, resource: Resource) -> tuple[str, ...]:
        if resource.provider is not Provider.AZURE or not resource.runs_as:
            return ()
        return tuple(dict.fromkeys((resource.runs_as, *resource.also_runs_as)))

    def access_requests(self, resource: Resource) -> Sequence[AccessRequest]:
        if resource.provider is not Provider.AZURE or resource.kind in NOT_REQUESTED:
            return ()
        actions = self._catalog.actions_for_resource(resource.id)
        found = []
        for service in sorted({self._service(a) for a in actions}):
            mine = frozenset(a for a in actions if self._service(a) == service)
            found.append(
                AccessRequest(
                    resource=resource.id,
                    actions=mine,
                    granted_by_resource=frozenset(),
                    service=service,
                )
            )
        return found

    def _service(self, action: str) -> str:
        info = self._catalog.info(action)
        return info.service if info is not None else action.split("/", 1)[0]

    def could_grant(self, principal: str, service: str) -> frozenset[str] | None:
        """The actions of ``service`` the roles of the principal's assignments name (None: a
        role nhiscan does not know)."""
        identity = self._estate.identities.get(principal)
        if identity is None or not self._authorizer.mine(identity):
            return frozenset()
        ids = set(self._directory.principal_ids(identity))
        found: set[str] = set()
        data = self._authorizer.rbac
        for held in data.assignments:
            if held.principal_id not in ids:
                continue
            role = data.roles.get(held.role)
            if role is None:
                return None
            for block in role.permissions:
                for pattern in (*block.actions, *block.data_actions):
                    found.update(self._catalog.expand(pattern))
        wanted = service.lower()
        return frozenset(a for a in found if self._service(a).lower() == wanted)

    def passes(self, escalation: Escalation) -> Iterator[Step]:
        return iter(())  # no method hands an identity to new compute yet

    def escalations(self, principals: Sequence[str]) -> Iterator[Escalation]:
        return self._engine.escalations(principals)

    def group_edges(self, groups: Iterable[str]) -> Iterator[Hop]:
        return iter(())  # group memberships are not collected

    def federated_trusts(self) -> Iterator[FederatedTrust]:
        """Each federated identity credential of an application or managed identity."""
        return federation.trusts(self._estate)

    def registrations(self) -> Iterator[Registration]:
        return iter(())  # Entra registers no issuer (federation.py)

    def exposure_reasons(self, identity: Identity) -> list[str]:
        return []

    def owner_unjudged(self, identity: Identity) -> str | None:
        return owners.unjudged(self._estate, identity)

    def provider_managed(self, identity: Identity) -> bool:
        return humans.provider_managed(identity)

    def held(self, identity: Identity) -> frozenset[str]:
        """Its Azure role assignments (role@scope), directory roles (role@directory scope,
        "eligible" marked) and Microsoft Graph application permissions."""
        if not self._authorizer.mine(identity):
            return frozenset()
        found: set[str] = set()
        data = self._authorizer.rbac
        for held in data.assignments:
            if held.principal_id == identity.id.lower():
                role = data.roles.get(held.role)
                found.add(f"{role.name if role else held.role}@{held.scope.key}")
        for entry in self._directory.roles.get(identity.id.lower(), ()):
            mark = " (eligible)" if entry.eligible else ""
            found.add(f"directory:{entry.role}@{entry.scope}{mark}")
        for app_role in self._directory.app_roles.get(identity.id.lower(), ()):
            found.add(f"graph:{app_role.permission.name}")
        return frozenset(found)

    def assumable(self, identity: Identity) -> bool:
        """A federated credential lets another issuer's workload sign in as it."""
        if not self._authorizer.mine(identity) or identity.trust_policy is None:
            return False
        policy = self._estate.policies.get(identity.trust_policy)
        value = policy.document.get("value") if policy is not None else None
        return (
            policy is not None
            and policy.kind is PolicyKind.ENTRA_FEDERATED_CREDENTIALS
            and isinstance(value, list)
            and bool(value)
        )

    def gap_support(self, identity: Identity) -> str | None:
        """None for service principals and managed identities (their role assignments are
        compared with the plan), else why not."""
        return gaps.gap_support(identity)

    def grants(self, identity: Identity, accessed: Iterable[Hop]) -> Iterable[Grant]:
        """Its role assignments' operations on their scopes; an ARM resource holds no policy of
        its own, so the ``can_access`` hops add nothing."""
        return gaps.grants(self._estate, identity, self._catalog, self._roles)

    def probe(self, identity: Identity, resource: str) -> Probe:
        return gaps.probe(resource)

    def gap_needs(
        self, identity: Identity, needs: Iterable[Need], onward: Sequence[str]
    ) -> tuple[Need, ...]:
        """Its Azure needs with implicit scopes bound to its assignments'. ``onward`` is always
        empty: Azure has no role assumption (``act_as_edges`` gives no ``can_assume`` hop)."""
        return gaps.gap_needs(self._estate, identity, needs, self._catalog, self._roles)

    def any_region(self, resource: str) -> bool:
        return False  # ARM ids name no region

    def unjudged(self, identity: Identity, need: Need) -> str | None:
        """Cosmos DB data needs: granted by the account's own role assignments, not collected."""
        return gaps.unjudged(need)

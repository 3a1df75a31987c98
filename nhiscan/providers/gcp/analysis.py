"""``GcpAnalysis``: GCP's view of one estate (the ``ProviderAnalysis`` contract). One
``GcpAuthorizer`` answers every question; the gap analyzer's members (service accounts' grants
and needs) are ``agents/gaps.py``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from nhiscan.providers.gcp import humans
from nhiscan.providers.gcp.agents import gaps
from nhiscan.providers.gcp.authz import GcpAuthorizer
from nhiscan.providers.gcp.catalog import GcpCatalog
from nhiscan.providers.gcp.federation import GcpFederation
from nhiscan.providers.gcp.hierarchy import Hierarchy
from nhiscan.providers.gcp.ids import GcpIds
from nhiscan.providers.gcp.impersonation import IMPERSONATION, Impersonation
from nhiscan.providers.gcp.members import MemberKind
from nhiscan.providers.gcp.privesc.engine import Engine
from nhiscan.providers.gcp.privesc.methods import ACT_AS
from nhiscan.providers.gcp.roles import RoleBook
from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.escalation import Escalation, Step
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import FederatedTrust, Registration
from nhiscan.scanner.grants import Grant, Probe
from nhiscan.scanner.graph.model import Hop
from nhiscan.scanner.graph.sources import AccessRequest, Scope
from nhiscan.scanner.model import Identity, Provider, Resource, ResourceKind

NOT_REQUESTED = frozenset({ResourceKind.GCP_ORGANIZATION, ResourceKind.GCP_FOLDER,
                           ResourceKind.GCP_PROJECT})  # fmt: skip
PUBLIC = {MemberKind.ALL_USERS: "anyone (allUsers)",
          MemberKind.ALL_AUTHENTICATED: "any Google account (allAuthenticatedUsers)",
          MemberKind.DOMAIN: "every account of domain"}  # fmt: skip
ACTING = frozenset({ACT_AS, "iam.serviceAccountKeys.create", *(p for p, _, _ in IMPERSONATION)})


class GcpAnalysis:
    def __init__(self, estate: Estate, catalog: GcpCatalog) -> None:
        self._estate = estate
        self._catalog = catalog
        self._roles = RoleBook(catalog, estate.policies.values())
        self._hierarchy = Hierarchy(estate)
        self._authorizer = GcpAuthorizer(estate, self._roles, self._hierarchy)
        self._impersonation = Impersonation(estate, self._authorizer)
        self._engine = Engine(estate, self._authorizer)
        self._ids = GcpIds()
        self._grants = gaps.GcpGrants(estate, catalog, self._roles, self._authorizer)
        self._federation: GcpFederation | None = None  # read on first use

    @property
    def authorizer(self) -> GcpAuthorizer:
        return self._authorizer

    def scopes(self) -> Iterable[Scope]:
        nodes = self._hierarchy.nodes.values()
        return [Scope(id=n.id, kind=n.kind, parent=n.parent, label=n.label) for n in nodes]

    def admin_scope(self, principal: str) -> str | None:
        identity = self._estate.identities.get(principal)
        return identity.account if self._authorizer.mine(identity) and identity else None

    def act_as_edges(self, principals: Sequence[str]) -> Iterator[Hop]:
        callers = [p for p in principals if self.could_grant(p, "iam") != frozenset()]
        return self._impersonation.hops(callers)

    def runs_as(self, resource: Resource) -> tuple[str, ...]:
        mine = resource.provider is Provider.GCP and resource.runs_as
        return (resource.runs_as,) if mine and resource.runs_as else ()

    def access_requests(self, resource: Resource) -> Sequence[AccessRequest]:
        if resource.provider is not Provider.GCP or resource.kind in NOT_REQUESTED:
            return ()
        ids = [resource.id]
        if resource.kind is ResourceKind.GCS_BUCKET:
            ids.append(f"{resource.id}/objects/*")
        found = []
        for rid in ids:
            actions = self._catalog.actions_for_resource(rid)
            for service in sorted({a.split(".", 1)[0] for a in actions}):
                mine = frozenset(a for a in actions if a.startswith(f"{service}."))
                request = AccessRequest(
                    resource=rid, actions=mine, granted_by_resource=frozenset(), service=service
                )
                found.append(request)
        return found

    def could_grant(self, principal: str, service: str) -> frozenset[str] | None:
        """Permissions of ``service`` in the roles of every binding that may name the principal
        (None: a role nhiscan does not know)."""
        identity = self._estate.identities.get(principal)
        if identity is None or not self._authorizer.mine(identity):
            return frozenset()
        possible = self._authorizer.possible(identity)
        if possible is None:
            return None
        return frozenset(p for p in possible if p.startswith(f"{service}."))

    def passes(self, escalation: Escalation) -> Iterator[Step]:
        return (s for s in escalation.steps if s.action == ACT_AS)

    def escalations(self, principals: Sequence[str]) -> Iterator[Escalation]:
        return self._engine.escalations(principals)

    def group_edges(self, groups: Iterable[str]) -> Iterator[Hop]:
        return iter(())  # group memberships are not collected (a README limitation)

    @property
    def federation(self) -> GcpFederation:
        if self._federation is None:
            self._federation = GcpFederation(
                self._estate, self._roles, self._hierarchy, self._authorizer.index
            )
        return self._federation

    def federated_trusts(self) -> Iterator[FederatedTrust]:
        """Workload identity pool principals that may impersonate a service account, or hold
        roles themselves (``federation.py``)."""
        return self.federation.trusts()

    def registrations(self) -> Iterator[Registration]:
        """Each workload identity pool provider (disabled ones marked)."""
        return self.federation.registrations()

    def exposure_reasons(self, identity: Identity) -> list[str]:
        """Who outside may act as the account: public or domain members of a binding on it
        whose role can act as it."""
        found = set()
        for binding in self._authorizer.index.bindings([identity.id]):
            permissions = self._roles.permissions(binding.role) or frozenset()
            if not permissions & ACTING:
                continue
            for member in binding.members:
                if member.kind in PUBLIC and not member.deleted:
                    suffix = f" {member.value}" if member.kind is MemberKind.DOMAIN else ""
                    found.add(f"{PUBLIC[member.kind]}{suffix} may act as it ({binding.role})")
        return sorted(found)

    def owner_unjudged(self, identity: Identity) -> str | None:
        return None  # every identity of this cloud can have an owner, read with it

    def provider_managed(self, identity: Identity) -> bool:
        return humans.provider_managed(identity)

    def held(self, identity: Identity) -> frozenset[str]:
        if not self._authorizer.mine(identity):
            return frozenset()
        return frozenset(
            f"{b.role}@{b.node}"
            for b in self._authorizer.index.naming(identity)
            if any(m.value == identity.id and not m.deleted for m in b.members)
        )  # bindings naming it, not the public ones it is also in

    def assumable(self, identity: Identity) -> bool:
        """Another principal holds a binding that lets it act as this account."""
        if not self._authorizer.mine(identity):
            return False
        for binding in self._authorizer.index.bindings(self._hierarchy.chain(identity.id)):
            permissions = self._roles.permissions(binding.role) or frozenset()
            others = [m for m in binding.members if m.value != identity.id and not m.deleted]
            if others and permissions & ACTING:
                return True
        return False

    def gap_support(self, identity: Identity) -> str | None:
        return gaps.gap_support(identity)

    def grants(self, identity: Identity, accessed: Iterable[Hop]) -> Iterable[Grant]:
        return self._grants.grants(identity)  # resource bindings are indexed like the others

    def probe(self, identity: Identity, resource: str) -> Probe:
        return Probe(resource=resource)

    def gap_needs(
        self, identity: Identity, needs: Iterable[Need], onward: Sequence[str]
    ) -> tuple[Need, ...]:
        return gaps.gap_needs(self._estate, identity, needs, onward)

    def any_region(self, resource: str) -> bool:
        return "/locations/-/" in resource

    def unjudged(self, identity: Identity, need: Need) -> str | None:
        return None  # IAM allow and deny policies decide every GCP need

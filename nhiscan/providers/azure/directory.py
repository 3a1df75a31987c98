"""The Entra ID side of one estate, indexed once: tenants, service principals and their
applications, owners, directory role assignments (active and PIM-eligible) and app role
assignments, as ``docs/dev/azure-records.md`` section 3 records them.

Ids are the records' (lower-case GUIDs). An owners policy is ``<object id>#owners`` with Graph's
``{"value": [directoryObject…]}``; directory roles and eligibilities are one policy per
principal whose ``value`` entries carry ``roleDefinitionId`` (the role's template id) and
``directoryScopeId`` (``/``, ``/administrativeUnits/<id>`` or ``/<object id>``: Graph
``unifiedRoleAssignment``), the role resolved by ``role`` (the tenant's custom definitions,
then the built-in table); app role assignments carry ``resourceId`` (the API's service
principal) and ``appRoleId``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nhiscan.providers.azure.directory_definitions import TenantRoles
from nhiscan.providers.azure.directory_roles import DirectoryRole
from nhiscan.providers.azure.graph_permissions import GraphPermission, granted_graph_permission
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Identity, IdentityKind, PolicyKind, Provider, ResourceKind

# Microsoft's own tenants (appOwnerOrganizationId of first-party applications;
# docs/dev/azure-records.md section 1): Microsoft Services and Microsoft's corporate tenant.
MICROSOFT_TENANTS = frozenset(
    {"f8cdef31-a31e-4b4a-93e4-5f571e91255a", "72f988bf-86f1-41af-91ab-2d7cd011db47"}
)
PRINCIPAL_KINDS = (IdentityKind.SERVICE_PRINCIPAL, IdentityKind.MANAGED_IDENTITY)
AU_PREFIX = "/administrativeunits/"


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleEntry:
    """One directory role assignment (or eligibility) of a principal."""

    policy: str  # the policy record's id
    index: int  # the entry's position in its ``value`` list
    role: str  # template id, lower case
    scope: str  # directoryScopeId, lower case: "/", "/administrativeunits/<id>", "/<object id>"
    eligible: bool  # PIM-eligible, not active


@dataclass(frozen=True, slots=True, kw_only=True)
class AppRoleEntry:
    policy: str
    index: int
    permission: GraphPermission


def _entries(document: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    value = document.get("value")
    if isinstance(value, list):
        for index, entry in enumerate(value):
            if isinstance(entry, Mapping):
                yield index, entry


def _text(entry: Mapping[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


class Directory:
    def __init__(self, estate: Estate) -> None:
        self._estate = estate
        self.tenants = sorted(
            a.id
            for a in estate.snapshot.accounts
            if a.provider is Provider.AZURE and a.org_id is None and not a.parents
        )
        self.app_sp: dict[str, str] = {}  # application object id -> its SP here
        self.sp_app: dict[str, str] = {}
        for resource in estate.resources.values():
            if (
                (
                    resource.provider is Provider.AZURE
                    and resource.kind is ResourceKind.ENTRA_APPLICATION
                )
                and resource.runs_as
                and resource.runs_as in estate.identities
            ):
                self.app_sp[resource.id] = resource.runs_as
                self.sp_app[resource.runs_as] = resource.id
        self.definitions = TenantRoles.of(estate.policies)  # custom roles, then built-in
        self.owners: dict[str, frozenset[str]] = {}  # object id -> owner ids (read)
        self.roles: dict[str, list[RoleEntry]] = {}  # principal id -> role entries
        self.app_roles: dict[str, list[AppRoleEntry]] = {}
        self._by_native = {
            i.native_id.lower(): i
            for i in estate.identities.values()
            if i.provider is Provider.AZURE and i.native_id
        }
        for policy in estate.policies.values():
            if policy.provider is not Provider.AZURE or not policy.attached_to:
                continue
            subject = policy.attached_to[0].lower()
            if policy.kind is PolicyKind.ENTRA_OWNERS:
                ids = (_text(e, "id") for _, e in _entries(policy.document))
                self.owners[subject] = frozenset(i for i in ids if i)
            elif policy.kind in (
                PolicyKind.ENTRA_DIRECTORY_ROLES,
                PolicyKind.ENTRA_ROLE_ELIGIBILITIES,
            ):
                eligible = policy.kind is PolicyKind.ENTRA_ROLE_ELIGIBILITIES
                self.roles.setdefault(subject, []).extend(
                    self._role_entries(policy.id, policy.document, eligible)
                )
            elif policy.kind is PolicyKind.ENTRA_APP_ROLE_ASSIGNMENTS:
                self.app_roles.setdefault(subject, []).extend(
                    self._app_roles(policy.id, policy.document)
                )

    def _role_entries(
        self, policy: str, document: Mapping[str, Any], eligible: bool
    ) -> Iterator[RoleEntry]:
        for index, entry in _entries(document):
            role = _text(entry, "roleDefinitionId")
            if role is not None:
                scope = _text(entry, "directoryScopeId") or "/"
                yield RoleEntry(
                    policy=policy, index=index, role=role, scope=scope, eligible=eligible
                )

    def _app_roles(self, policy: str, document: Mapping[str, Any]) -> Iterator[AppRoleEntry]:
        for index, entry in _entries(document):
            resource, role = _text(entry, "resourceId"), _text(entry, "appRoleId")
            api = self._estate.identities.get(resource or "")
            if api is None or role is None:
                continue
            permission = granted_graph_permission(api.native_id, role)
            if permission is not None:
                yield AppRoleEntry(policy=policy, index=index, permission=permission)

    def role(self, role_id: str) -> DirectoryRole | None:
        """The directory role a ``roleDefinitionId`` names: the tenant's custom definition,
        else the built-in table (``directory_definitions``)."""
        return self.definitions.role(role_id)

    def identity(self, value: str) -> Identity | None:
        found = self._estate.identities.get(value)
        return found if found is not None and found.provider is Provider.AZURE else None

    def by_app_id(self, app_id: str) -> Identity | None:
        """The service principal whose ``appId`` (the record's ``native_id``) is ``app_id``."""
        return self._by_native.get(app_id.lower())

    def tenant_of(self, identity: Identity) -> str:
        return identity.account

    def foreign(self, identity: Identity) -> bool:
        """The SP's application lives in another tenant (its ``appOwnerOrganizationId``)."""
        home = identity.home_account
        return home is not None and home.lower() != identity.account.lower()

    def first_party(self, identity: Identity) -> bool:
        home = (identity.home_account or "").lower()
        return home in MICROSOFT_TENANTS or identity.service_linked is True

    def principal_ids(self, identity: Identity) -> list[str]:
        """Its object id and its groups' (role assignments may name either)."""
        return [identity.id.lower(), *(g.lower() for g in identity.member_of)]

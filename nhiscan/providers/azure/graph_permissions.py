"""Microsoft Graph application permissions (app roles) that matter for escalation, and the ones
the scanner itself needs, as data.

A service principal holds an application permission as an app role assignment
(``appRoleAssignments``: ``resourceId`` the Microsoft Graph service principal of the tenant,
``appRoleId`` one of the ids below). Microsoft Graph's application id is the same in every
tenant, ``GRAPH_APP_ID``.

Sources (each row's ``source`` names the page it rests on):

- the ids: microsoftgraph/microsoft-graph-docs-contrib ``concepts/includes/permissions-ids.md``
  at 43b498394ec440e548985309e1d8689c9e16adcf ("All permissions and IDs" of the Microsoft Graph
  permissions reference, https://learn.microsoft.com/graph/permissions-reference); the
  ``Application`` rows;
- what a permission allows: the permission tables of the Graph API pages
  (``api-reference/v1.0/api/*.md`` and ``api-reference/v1.0/includes/permissions/*.md`` in the
  same repository): ``application-addpassword.md`` (082d7a8f: ``Application.ReadWrite.OwnedBy``,
  ``Application.ReadWrite.All``; ``Directory.ReadWrite.All`` is not listed, so it gives no
  credential edge), ``application-post-federatedidentitycredentials.md`` (028b8e35),
  ``application-post-owners-permissions.md`` (09455a65: ``Directory.ReadWrite.All`` may add
  owners), ``serviceprincipal-post-approleassignments-permissions.md`` (5ad03f79:
  ``AppRoleAssignment.ReadWrite.All``), ``authentication-post-temporaryaccesspassmethods-
  permissions.md`` (dcd096c2: ``UserAuthenticationMethod.ReadWrite.All``), and for the rest
  the permission's own description in the reference (``concepts/permissions-reference.md``,
  f3102d39); each ``summary`` says it in our words, with what it means for escalation.

``Capability`` is shared with the directory roles (``directory_roles``): an escalation method
asks for a capability and both tables answer who has it."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from nhiscan.providers.azure.directory_roles import Capability

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"  # Microsoft Graph, in every tenant
IDS_SOURCE = (
    "microsoftgraph/microsoft-graph-docs-contrib concepts/includes/permissions-ids.md"
    "@43b498394ec440e548985309e1d8689c9e16adcf"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphPermission:
    """One Microsoft Graph application permission (an app role of Graph's service principal)."""

    name: str  # the app role's value: "RoleManagement.ReadWrite.Directory"
    app_role_id: str  # the appRoleId of an assignment of it
    capabilities: frozenset[Capability]
    tenant_admin: bool  # its holder can make itself Global Administrator
    owned_only: bool = False  # acts only on objects its holder owns (the ".OwnedBy" ones)
    summary: str  # what it lets the holder do toward another identity's power
    scanner_needs: bool = False  # one of the read-only permissions the live scan asks for
    source: str


GRAPH_PERMISSIONS: tuple[GraphPermission, ...] = (
    GraphPermission(
        name="RoleManagement.ReadWrite.Directory",
        app_role_id="9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
        capabilities=frozenset({Capability.ROLE_ASSIGNMENT, Capability.ROLE_DEFINITION}),
        tenant_admin=True,
        summary="manage directory role definitions and assignments: assign itself Global "
        "Administrator",
        source="concepts/permissions-reference.md (RoleManagement.ReadWrite.Directory)",
    ),
    GraphPermission(
        name="AppRoleAssignment.ReadWrite.All",
        app_role_id="06b708a9-e830-4db3-a914-8e69da51d44f",
        capabilities=frozenset({Capability.APP_ROLE_ASSIGNMENT}),
        tenant_admin=True,
        summary="grant any app role of any API, Microsoft Graph's application permissions "
        "included, to any service principal: grant itself RoleManagement.ReadWrite.Directory",
        source="api-reference/v1.0/includes/permissions/"
        "serviceprincipal-post-approleassignments-permissions.md",
    ),
    GraphPermission(
        name="Application.ReadWrite.All",
        app_role_id="1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
        capabilities=frozenset(
            {
                Capability.APP_CREDENTIALS,
                Capability.SP_CREDENTIALS,
                Capability.APP_OWNERS,
                Capability.SP_OWNERS,
            }
        ),
        tenant_admin=False,
        summary="create, update and delete every application and service principal: add a "
        "secret, certificate or federated credential to any of them and sign in as it",
        source="api-reference/v1.0/api/application-addpassword.md; "
        "application-post-federatedidentitycredentials.md; application-post-owners-permissions.md",
    ),
    GraphPermission(
        name="Application.ReadWrite.OwnedBy",
        app_role_id="18a4783c-866b-4cc7-a460-3d5e5662c884",
        capabilities=frozenset({Capability.APP_CREDENTIALS, Capability.SP_CREDENTIALS}),
        tenant_admin=False,
        owned_only=True,
        summary="create applications and manage those it owns: add a credential to an "
        "application it owns and sign in as it",
        source="api-reference/v1.0/api/application-addpassword.md; "
        "application-post-federatedidentitycredentials.md",
    ),
    GraphPermission(
        name="Directory.ReadWrite.All",
        app_role_id="19dbc75e-c2e2-444c-a770-ec69d8559fc7",
        capabilities=frozenset({Capability.APP_OWNERS, Capability.GROUP_MEMBERSHIP}),
        tenant_admin=False,
        summary="write directory data: add owners to applications and members to groups that "
        "are not role-assignable; not credentials (addPassword does not accept it)",
        source="api-reference/v1.0/includes/permissions/application-post-owners-permissions.md; "
        "api-reference/v1.0/api/application-addpassword.md",
    ),
    GraphPermission(
        name="ServicePrincipalEndpoint.ReadWrite.All",
        app_role_id="89c8469c-83ad-45f7-8ff2-6e3d4285709e",
        capabilities=frozenset(),
        tenant_admin=False,
        summary="update the endpoints of service principals (where an API's clients are sent); "
        "no path to another identity's permissions by itself",
        source="concepts/permissions-reference.md (ServicePrincipalEndpoint.ReadWrite.All)",
    ),
    GraphPermission(
        name="RoleAssignmentSchedule.ReadWrite.Directory",
        app_role_id="dd199f4a-f148-40a4-a2ec-f0069cc799ec",
        capabilities=frozenset({Capability.ROLE_ASSIGNMENT}),
        tenant_admin=True,
        summary="create active directory role assignments through Privileged Identity "
        "Management: Global Administrator included",
        source="concepts/permissions-reference.md (RoleAssignmentSchedule.ReadWrite.Directory)",
    ),
    GraphPermission(
        name="RoleEligibilitySchedule.ReadWrite.Directory",
        app_role_id="fee28b28-e1f3-4841-818e-2704dc62245f",
        capabilities=frozenset({Capability.ROLE_ASSIGNMENT}),
        tenant_admin=True,
        summary="create eligible directory role assignments through Privileged Identity "
        "Management (then activated): Global Administrator included",
        source="concepts/permissions-reference.md (RoleEligibilitySchedule.ReadWrite.Directory)",
    ),
    GraphPermission(
        name="PrivilegedAccess.ReadWrite.AzureADGroup",
        app_role_id="2f6817f8-7b12-4f0f-bc18-eeaf60705a9e",
        capabilities=frozenset({Capability.ROLE_ASSIGNABLE_GROUPS}),
        tenant_admin=False,
        summary="manage Privileged Identity Management membership and ownership of groups: "
        "join a group that holds a directory role",
        source="concepts/permissions-reference.md (PrivilegedAccess.ReadWrite.AzureADGroup)",
    ),
    GraphPermission(
        name="GroupMember.ReadWrite.All",
        app_role_id="dbaae8cf-10b5-4b86-a4a1-f871c94c6695",
        capabilities=frozenset({Capability.GROUP_MEMBERSHIP}),
        tenant_admin=False,
        summary="add members to groups that are not role-assignable: join a group holding "
        "Azure roles or app roles",
        source="concepts/permissions-reference.md (GroupMember.ReadWrite.All)",
    ),
    GraphPermission(
        name="Group.ReadWrite.All",
        app_role_id="62a82d76-70ea-41e2-9197-370581804d09",
        capabilities=frozenset({Capability.GROUP_MEMBERSHIP}),
        tenant_admin=False,
        summary="create and update groups and their members (not role-assignable ones)",
        source="concepts/permissions-reference.md (Group.ReadWrite.All)",
    ),
    GraphPermission(
        name="UserAuthenticationMethod.ReadWrite.All",
        app_role_id="50483e42-d915-4231-9639-7fdb7fd190e5",
        capabilities=frozenset({Capability.USER_AUTH_METHODS}),
        tenant_admin=False,
        summary="add authentication methods (a Temporary Access Pass) to users and sign in as them",
        source="api-reference/v1.0/includes/permissions/"
        "authentication-post-temporaryaccesspassmethods-permissions.md",
    ),
    GraphPermission(
        name="DelegatedPermissionGrant.ReadWrite.All",
        app_role_id="8e8e4742-1d95-4f68-9d56-6ee75648c72a",
        capabilities=frozenset({Capability.CONSENT}),
        tenant_admin=False,
        summary="grant delegated permissions to any client application, for every user "
        "(delegated permissions only: the client acts as a signed-in user)",
        source="concepts/permissions-reference.md (DelegatedPermissionGrant.ReadWrite.All)",
    ),
    GraphPermission(
        name="Domain.ReadWrite.All",
        app_role_id="7e05723c-0bb0-42da-be95-ae9f08a6e53c",
        capabilities=frozenset({Capability.DOMAIN_FEDERATION}),
        tenant_admin=False,
        summary="add and change domains, their federation included: sign in as a federated "
        "domain's users",
        source="concepts/permissions-reference.md (Domain.ReadWrite.All)",
    ),
    # What the live scan asks for (issue #15, README): read-only, no capability.
    GraphPermission(
        name="Application.Read.All",
        app_role_id="9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
        capabilities=frozenset(),
        tenant_admin=False,
        summary="read applications and service principals",
        scanner_needs=True,
        source=IDS_SOURCE,
    ),
    GraphPermission(
        name="Directory.Read.All",
        app_role_id="7ab1d382-f21e-4acd-a863-ba3e13f7da61",
        capabilities=frozenset(),
        tenant_admin=False,
        summary="read directory data",
        scanner_needs=True,
        source=IDS_SOURCE,
    ),
    GraphPermission(
        name="RoleManagement.Read.Directory",
        app_role_id="483bed4a-2ad3-4361-a73b-c83ccdbdc53c",
        capabilities=frozenset(),
        tenant_admin=False,
        summary="read directory role definitions and assignments",
        scanner_needs=True,
        source=IDS_SOURCE,
    ),
    GraphPermission(
        name="AuditLog.Read.All",
        app_role_id="b0afded3-3588-46d8-8b3d-9842eff778da",
        capabilities=frozenset(),
        tenant_admin=False,
        summary="read audit and sign-in activity (last use of service principals and credentials)",
        scanner_needs=True,
        source=IDS_SOURCE,
    ),
)

BY_APP_ROLE_ID = MappingProxyType({p.app_role_id: p for p in GRAPH_PERMISSIONS})
BY_NAME = MappingProxyType({p.name.lower(): p for p in GRAPH_PERMISSIONS})
SCANNER_PERMISSIONS = tuple(p.name for p in GRAPH_PERMISSIONS if p.scanner_needs)


def graph_permission(key: str) -> GraphPermission | None:
    """A permission of the table by its app role id or its name (any case)."""
    wanted = key.strip().lower()
    return BY_APP_ROLE_ID.get(wanted) or BY_NAME.get(wanted)


def granted_graph_permission(
    resource_app_id: str | None, app_role_id: str
) -> GraphPermission | None:
    """The permission an app role assignment grants when its resource is Microsoft Graph (the
    resource service principal's ``appId``), else None: another API's app role with the same
    id is not Graph's."""
    if (resource_app_id or "").strip().lower() != GRAPH_APP_ID:
        return None
    return BY_APP_ROLE_ID.get(app_role_id.strip().lower())

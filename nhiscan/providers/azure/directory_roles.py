"""Entra ID built-in directory roles, as data: template id, name, whether Microsoft labels the
role privileged, and the ``microsoft.directory/...`` resource actions of the role that matter
for escalation (taking over an application or service principal, granting roles and app roles,
taking over the users and groups that own or hold them).

Taken from Microsoft's published permissions reference, MicrosoftDocs/entra-docs:
``docs/identity/role-based-access-control/permissions-reference.md`` at commit
d5f7a99c649368f42141ee9f8ea435be62a47c03 (https://learn.microsoft.com/entra/identity/
role-based-access-control/permissions-reference): its "All roles" table gives each role's
template id and the privileged label; each role's actions are in the include file the page
pulls in, ``docs/identity/role-based-access-control/includes/<role>.md`` (the commit read is
each role's ``source``). A role's ``actions`` here are the published actions that confer one of the
``Capability`` values below, spelled as published; its other actions (reading, service health,
support tickets, ...) are left out.

Resource actions read ``{namespace}/{entity}/{propertySet}/{action}``; ``allProperties`` covers
every property set and ``allTasks`` create, read, update and delete (Microsoft Graph
``unifiedRolePermission``, microsoftgraph/microsoft-graph-docs-contrib
``api-reference/v1.0/resources/unifiedrolepermission.md`` at
e80c94ab584438a1bbd2797d60d230b96bdfaa40): ``implies`` answers whether a held action covers
a wanted one. An entity subtype (``applications.myOrganization``) covers only that subtype:
single-tenant applications (entra-docs ``custom-available-permissions.md`` at
19cc3f7a6fcb57c88e0d8d1251252763d7c0d0a6).

Where a role's assignment is scoped to an administrative unit (``directoryScopeId`` other than
``/``), or a role's power stops short of administrators (``DirectoryRole.limits``), the
escalation built on it reaches less: the analysis reads those, this table only names them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

REFERENCE = (
    "MicrosoftDocs/entra-docs docs/identity/role-based-access-control/permissions-reference.md"
    "@d5f7a99c649368f42141ee9f8ea435be62a47c03"
)
_INCLUDES = "MicrosoftDocs/entra-docs docs/identity/role-based-access-control/includes/"


class Capability(StrEnum):
    """What a directory role (or a Graph permission, ``graph_permissions``) lets its holder do
    on the way to another identity's power."""

    APP_CREDENTIALS = "app-credentials"  # add a secret, certificate or federated credential
    SP_CREDENTIALS = "sp-credentials"  # add a secret or certificate to a service principal
    APP_OWNERS = "app-owners"  # make anyone an owner of an application (owners add credentials)
    SP_OWNERS = "sp-owners"  # make anyone an owner of a service principal
    APP_ROLE_ASSIGNMENT = "app-role-assignment"  # assign app roles (Graph permissions) to an SP
    CONSENT = "consent"  # consent to any permission, Microsoft Graph's included, for any app
    ROLE_ASSIGNMENT = "role-assignment"  # assign any directory role, Global Administrator too
    ROLE_DEFINITION = "role-definition"  # create or change custom directory roles
    ROLE_ASSIGNABLE_GROUPS = "role-assignable-groups"  # members of groups that hold roles
    GROUP_MEMBERSHIP = "group-membership"  # members of other groups (Azure roles, app roles)
    USER_PASSWORD = "user-password"  # reset a user's password (take over a human owner)
    USER_AUTH_METHODS = "user-auth-methods"  # add an authentication method to a user
    DOMAIN_FEDERATION = "domain-federation"  # federate a domain: sign in as its users


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationFact:
    """The published resource actions that give one capability, and what to know about it."""

    capability: Capability
    actions: tuple[str, ...]
    summary: str
    source: str


ESCALATION_FACTS: tuple[EscalationFact, ...] = (
    EscalationFact(
        capability=Capability.APP_CREDENTIALS,
        actions=("microsoft.directory/applications/credentials/update",),
        summary="update the certificates and client secrets of any application (the portal's "
        "Certificates & secrets page, where federated credentials are added too), then sign in "
        "as it",
        source="entra-docs custom-available-permissions.md@19cc3f7a; "
        "includes/application-administrator.md",
    ),
    EscalationFact(
        capability=Capability.SP_CREDENTIALS,
        actions=("microsoft.directory/servicePrincipals/credentials/update",),
        summary="update the credentials of any service principal, then sign in as it",
        source="includes/application-administrator.md",
    ),
    EscalationFact(
        capability=Capability.APP_OWNERS,
        actions=("microsoft.directory/applications/owners/update",),
        summary="add an owner to any application; an owner manages its credentials",
        source="entra-docs custom-available-permissions.md@19cc3f7a",
    ),
    EscalationFact(
        capability=Capability.SP_OWNERS,
        actions=("microsoft.directory/servicePrincipals/owners/update",),
        summary="add an owner to any service principal; an owner manages its credentials",
        source="includes/application-administrator.md",
    ),
    EscalationFact(
        capability=Capability.APP_ROLE_ASSIGNMENT,
        actions=("microsoft.directory/servicePrincipals/appRoleAssignedTo/update",),
        summary="assign the app roles of a service principal (an API) to others; on Microsoft "
        "Graph's (and Azure AD Graph's) service principal, its application permissions, only "
        "with company-wide consent (grants_graph_app_roles)",
        source="includes/privileged-role-administrator.md",
    ),
    EscalationFact(
        capability=Capability.CONSENT,
        actions=(
            "microsoft.directory/servicePrincipals/managePermissionGrantsForAll.microsoft-company-admin",
        ),
        summary="grant consent for any permission to any application, Microsoft Graph's "
        "application permissions included (Application and Cloud Application Administrators' "
        "microsoft-application-admin grant excludes those)",
        source="includes/privileged-role-administrator.md; includes/application-administrator.md",
    ),
    EscalationFact(
        capability=Capability.ROLE_ASSIGNMENT,
        actions=(
            "microsoft.directory/roleAssignments/allProperties/allTasks",
            "microsoft.directory/privilegedIdentityManagement/allProperties/allTasks",
        ),
        summary="create directory role assignments (directly, or eligible ones through "
        "Privileged Identity Management), Global Administrator included",
        source="includes/privileged-role-administrator.md",
    ),
    EscalationFact(
        capability=Capability.ROLE_DEFINITION,
        actions=("microsoft.directory/roleDefinitions/allProperties/allTasks",),
        summary="create and change custom directory role definitions",
        source="includes/privileged-role-administrator.md",
    ),
    EscalationFact(
        capability=Capability.ROLE_ASSIGNABLE_GROUPS,
        actions=("microsoft.directory/groupsAssignableToRoles/allProperties/update",),
        summary="update role-assignable groups, their members included: join a group that "
        "holds a directory role",
        source="includes/privileged-role-administrator.md",
    ),
    EscalationFact(
        capability=Capability.GROUP_MEMBERSHIP,
        actions=(
            "microsoft.directory/groups/members/update",
            "microsoft.directory/groups/owners/update",
        ),
        summary="update the members (or owners, who manage members) of Security and Microsoft "
        "365 groups, excluding role-assignable groups: join a group holding Azure roles or app "
        "roles",
        source="includes/groups-administrator.md",
    ),
    EscalationFact(
        capability=Capability.USER_PASSWORD,
        actions=("microsoft.directory/users/password/update",),
        summary="reset users' passwords and sign in as them (an owner of an application, a "
        "subscription Owner); which users depends on the role (DirectoryRole.limits)",
        source="includes/privileged-authentication-administrator.md",
    ),
    EscalationFact(
        capability=Capability.USER_AUTH_METHODS,
        actions=("microsoft.directory/users/authenticationMethods/create",),
        summary="add authentication methods to users and sign in as them; which users depends "
        "on the role (DirectoryRole.limits)",
        source="includes/privileged-authentication-administrator.md",
    ),
    EscalationFact(
        capability=Capability.DOMAIN_FEDERATION,
        actions=("microsoft.directory/domains/federation/update",),
        summary="change a domain's federation: tokens from an identity provider one controls "
        "sign in as the domain's users",
        source="includes/hybrid-identity-administrator.md",
    ),
)

FACTS_BY_CAPABILITY = MappingProxyType({f.capability: f for f in ESCALATION_FACTS})


@dataclass(frozen=True, slots=True, kw_only=True)
class DirectoryRole:
    """One built-in directory role, from the permissions reference."""

    template_id: str  # the roleDefinitionId / roleTemplateId Graph reports
    name: str
    privileged: bool  # carries the reference's privileged label
    actions: tuple[str, ...]  # its published actions that confer a Capability
    limits: str | None = None  # where its power stops, in the reference's words
    source: str  # the include file read, at its commit (a tenant's definition: its policy)
    custom: bool = False  # a tenant's own role (a definition with isBuiltIn false)


DIRECTORY_ROLES: tuple[DirectoryRole, ...] = (
    DirectoryRole(
        template_id="62e90394-69f5-4237-9190-012177145e10",
        name="Global Administrator",
        privileged=True,
        actions=(
            "microsoft.directory/applications/allProperties/allTasks",
            "microsoft.directory/domains/allProperties/allTasks",
            "microsoft.directory/groups/allProperties/allTasks",
            "microsoft.directory/groupsAssignableToRoles/allProperties/update",
            "microsoft.directory/roleAssignments/allProperties/allTasks",
            "microsoft.directory/roleDefinitions/allProperties/allTasks",
            "microsoft.directory/servicePrincipals/allProperties/allTasks",
            "microsoft.directory/servicePrincipals/managePermissionGrantsForAll.microsoft-company-admin",
            "microsoft.directory/users/allProperties/allTasks",
            "microsoft.directory/users/authenticationMethods/create",
        ),
        source=f"{_INCLUDES}global-administrator.md@076365b6301ef811059c60b30b81fbbfa6ef6d2f",
    ),
    DirectoryRole(
        template_id="e8611ab8-c189-46e8-94e1-60213ab1f814",
        name="Privileged Role Administrator",
        privileged=True,
        actions=(
            "microsoft.directory/groupsAssignableToRoles/allProperties/update",
            "microsoft.directory/privilegedIdentityManagement/allProperties/allTasks",
            "microsoft.directory/roleAssignments/allProperties/allTasks",
            "microsoft.directory/roleDefinitions/allProperties/allTasks",
            "microsoft.directory/servicePrincipals/appRoleAssignedTo/update",
            "microsoft.directory/servicePrincipals/managePermissionGrantsForAll.microsoft-company-admin",
        ),
        source=f"{_INCLUDES}privileged-role-administrator.md"
        "@4692b0e44d9968a32b10315426d18bc50bbb77ba",
    ),
    DirectoryRole(
        template_id="9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        name="Application Administrator",
        privileged=True,
        actions=(
            "microsoft.directory/applications/credentials/update",
            "microsoft.directory/applications/owners/update",
            "microsoft.directory/servicePrincipals/appRoleAssignedTo/update",
            "microsoft.directory/servicePrincipals/credentials/update",
            "microsoft.directory/servicePrincipals/owners/update",
        ),
        limits="consent excludes application permissions for Microsoft Graph and Azure AD Graph",
        source=f"{_INCLUDES}application-administrator.md@3ed7476892b21eb79d1f8f1c2eeee9e96e7c67b6",
    ),
    DirectoryRole(
        template_id="158c047a-c907-4556-b7ef-446551a6b5f7",
        name="Cloud Application Administrator",
        privileged=True,
        actions=(
            "microsoft.directory/applications/credentials/update",
            "microsoft.directory/applications/owners/update",
            "microsoft.directory/servicePrincipals/appRoleAssignedTo/update",
            "microsoft.directory/servicePrincipals/credentials/update",
            "microsoft.directory/servicePrincipals/owners/update",
        ),
        limits="no application proxy; consent excludes application permissions for Microsoft "
        "Graph and Azure AD Graph",
        source=f"{_INCLUDES}cloud-application-administrator.md"
        "@290f92efcd2782d51cd81e5e90ad671f20e43000",
    ),
    DirectoryRole(
        template_id="cf1c38e5-3621-4004-a7cb-879624dced7c",
        name="Application Developer",
        privileged=True,
        actions=(),
        limits="creates applications and service principals as their first owner "
        "(applications/createAsOwner, servicePrincipals/createAsOwner): no power over existing "
        "ones",
        source=f"{_INCLUDES}application-developer.md@0988d67e1b0379447c85670245d557b5e441e0ad",
    ),
    DirectoryRole(
        template_id="7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        name="Privileged Authentication Administrator",
        privileged=True,
        actions=(
            "microsoft.directory/users/authenticationMethods/create",
            "microsoft.directory/users/password/update",
        ),
        limits=None,  # any user, Global Administrators included
        source=f"{_INCLUDES}privileged-authentication-administrator.md"
        "@4398b47b4e8f6eda35412793f1dec89cca81dcd9",
    ),
    DirectoryRole(
        template_id="8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
        name="Hybrid Identity Administrator",
        privileged=True,
        actions=(
            "microsoft.directory/applications/owners/update",
            "microsoft.directory/domains/federation/update",
            "microsoft.directory/servicePrincipals/appRoleAssignedTo/update",
            "microsoft.directory/servicePrincipals/owners/update",
        ),
        source=f"{_INCLUDES}hybrid-identity-administrator.md"
        "@21a85ba7da3c8640db37975c0bebbc6f4aaba247",
    ),
    DirectoryRole(
        template_id="9360feb5-f418-4baa-8175-e2a00bac4301",
        name="Directory Writers",
        privileged=True,
        actions=(
            "microsoft.directory/groups/members/update",
            "microsoft.directory/groups/owners/update",
            "microsoft.directory/servicePrincipals/appRoleAssignedTo/update",
        ),
        limits="groups excluding role-assignable groups",
        source=f"{_INCLUDES}directory-writers.md@13ac541ac9e641c3252f591c5df4138bd9573557",
    ),
    DirectoryRole(
        template_id="e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8",
        name="Partner Tier2 Support",
        privileged=True,
        actions=(
            "microsoft.directory/applications/credentials/update",
            "microsoft.directory/applications/owners/update",
            "microsoft.directory/domains/allProperties/allTasks",
            "microsoft.directory/groups/members/update",
            "microsoft.directory/groups/owners/update",
            "microsoft.directory/roleAssignments/allProperties/allTasks",
            "microsoft.directory/roleDefinitions/allProperties/allTasks",
            "microsoft.directory/servicePrincipals/appRoleAssignedTo/update",
            "microsoft.directory/users/password/update",
        ),
        limits="deprecated; groups excluding role-assignable groups; resets passwords of "
        "administrators too",
        source=f"{_INCLUDES}partner-tier2-support.md@4692b0e44d9968a32b10315426d18bc50bbb77ba",
    ),
    DirectoryRole(
        template_id="fdd7a751-b60b-444a-984c-02652fe8fa1c",
        name="Groups Administrator",
        privileged=False,
        actions=(
            "microsoft.directory/groups/members/update",
            "microsoft.directory/groups/owners/update",
        ),
        limits="groups excluding role-assignable groups",
        source=f"{_INCLUDES}groups-administrator.md@3f5a7aa86a0ae28bdf61dab6faa093df950d6dfa",
    ),
    DirectoryRole(
        template_id="fe930be7-5e62-47db-91af-98c3a49a38b1",
        name="User Administrator",
        privileged=True,
        actions=(
            "microsoft.directory/groups/members/update",
            "microsoft.directory/groups/owners/update",
            "microsoft.directory/servicePrincipals/appRoleAssignedTo/update",
            "microsoft.directory/users/password/update",
        ),
        limits="passwords of non-administrators and some administrators only, never of members "
        "or owners of role-assignable groups; groups excluding role-assignable groups",
        source=f"{_INCLUDES}user-administrator.md@076365b6301ef811059c60b30b81fbbfa6ef6d2f",
    ),
    DirectoryRole(
        template_id="c4e39bd9-1100-46d3-8c65-fb160da0071f",
        name="Authentication Administrator",
        privileged=True,
        actions=(
            "microsoft.directory/users/authenticationMethods/create",
            "microsoft.directory/users/password/update",
        ),
        limits="non-administrators and some roles only, never members or owners of "
        "role-assignable groups",
        source=f"{_INCLUDES}authentication-administrator.md"
        "@105f328395f9c69c29c9126bac62e0ce55327838",
    ),
    DirectoryRole(
        template_id="f2ef992c-3afb-46b9-b7cf-a126ee74c451",
        name="Global Reader",
        privileged=True,
        actions=(),
        limits="reads what a Global Administrator can, updates nothing",
        source=REFERENCE,
    ),
    DirectoryRole(
        template_id="88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
        name="Directory Readers",
        privileged=False,
        actions=(),
        limits="reads basic directory information",
        source=f"{_INCLUDES}directory-readers.md@4692b0e44d9968a32b10315426d18bc50bbb77ba",
    ),
)

# The roles whose holder administers the tenant (issue #15: admin = Global Administrator or
# Privileged Role Administrator, who can make itself one).
TENANT_ADMIN_ROLES = frozenset(
    {"62e90394-69f5-4237-9190-012177145e10", "e8611ab8-c189-46e8-94e1-60213ab1f814"}
)

_BY_ID = MappingProxyType({r.template_id: r for r in DIRECTORY_ROLES})
_BY_NAME = MappingProxyType({r.name.lower(): r for r in DIRECTORY_ROLES})


def directory_role(key: str) -> DirectoryRole | None:
    """A role of the table by template id (any case) or name (any case)."""
    wanted = key.strip().lower()
    return _BY_ID.get(wanted) or _BY_NAME.get(wanted)


def _split(action: str) -> tuple[str, str, str, str]:
    """(namespace, entity, property set or "", verb) of a resource action, lower case."""
    parts = action.strip().lower().split("/")
    if len(parts) == 3:
        return parts[0], parts[1], "", parts[2]
    if len(parts) == 4:
        return parts[0], parts[1], parts[2], parts[3]
    return "", "", "", action.strip().lower()


def implies(held: str, wanted: str) -> bool:
    """Whether holding resource action ``held`` allows ``wanted``: the same action (any case),
    or ``allProperties`` covering any property set and ``allTasks`` any of create, read, update
    and delete (a special action, ``managePermissionGrantsForAll...``, ``disable``, is granted
    only by name: Global Administrator's list names them beside ``allTasks``), on the same
    entity or one of its subtypes (``applications`` covers ``applications.myOrganization``; not
    the reverse)."""
    if held.strip().lower() == wanted.strip().lower():
        return True
    h_ns, h_entity, h_set, h_verb = _split(held)
    w_ns, w_entity, w_set, w_verb = _split(wanted)
    if not h_ns or h_ns != w_ns:
        return False
    if h_entity != w_entity and not w_entity.startswith(f"{h_entity}."):
        return False
    if h_set != "allproperties":
        return h_set == w_set and h_verb == w_verb
    if h_verb == "alltasks":  # CRUD only: a named special action is granted by name
        return w_verb in ("create", "read", "update", "delete", "alltasks")
    return h_verb == w_verb and w_set != ""


SINGLE_TENANT = "azureadmyorg"  # signInAudience of an application of this tenant only


def single_tenant_form(action: str) -> str | None:
    """The ``applications.myOrganization`` form of an ``applications`` action, which a custom
    role may hold instead: it "grants the same permissions ... but only for single-tenant
    applications" (``signInAudience`` AzureADMyOrg; entra-docs custom-available-permissions.md
    at 06b4a1d75d05c0bd9b45fffa0b9967340deeb326). None for an action on another entity."""
    ns, entity, prop, verb = _split(action)
    if entity != "applications":
        return None
    middle = f"/{prop}" if prop else ""
    return f"{ns}/applications.myOrganization{middle}/{verb}"


def capabilities(actions: Iterable[str]) -> frozenset[Capability]:
    """The capabilities a set of held resource actions gives."""
    held = tuple(actions)
    return frozenset(
        fact.capability
        for fact in ESCALATION_FACTS
        if any(implies(h, w) for h in held for w in fact.actions)
    )


def role_capabilities(role: DirectoryRole) -> frozenset[Capability]:
    return capabilities(role.actions)


# Microsoft Graph and Azure AD Graph (their applications' appId): the APIs whose app roles only a
# role with company-wide consent may grant. microsoft-graph-docs-contrib
# ``api-reference/v1.0/includes/rbac-for-apis/rbac-approleassignments-apis-write.md`` at
# 93d551bab44b30380cf6a3355a620a27d9cd9473 lists the roles that may call appRoleAssignedTo
# (Directory Writers, Hybrid Identity, User, Application and Cloud Application Administrators
# ...) and names "Privileged Role Administrator - the least privileged role supported for
# Microsoft Graph and Azure AD Graph app roles"; entra-docs ``grant-admin-consent.md``
# (https://learn.microsoft.com/entra/identity/enterprise-apps/grant-admin-consent, prerequisites)
# says the same of consent: Application and Cloud Application Administrators consent "for any
# API, except Microsoft Graph app roles (application permissions)". What sets Privileged Role
# and Global Administrator apart in the permissions reference is the company-admin consent
# action below: ``appRoleAssignedTo/update`` without it grants no Graph app role.
GRAPH_API_APP_IDS = frozenset(
    {"00000003-0000-0000-c000-000000000000", "00000002-0000-0000-c000-000000000000"}
)
COMPANY_ADMIN_CONSENT = (
    "microsoft.directory/servicePrincipals/managePermissionGrantsForAll.microsoft-company-admin"
)


def grants_graph_app_roles(actions: Iterable[str]) -> bool:
    """Whether a role holding ``actions`` may grant app roles of Microsoft Graph (or Azure AD
    Graph): only with company-wide consent (Privileged Role and Global Administrator)."""
    return any(implies(held, COMPANY_ADMIN_CONSENT) for held in actions)


def defined_role(
    document: Mapping[str, Any], *, source: str, builtin: DirectoryRole | None = None
) -> DirectoryRole | None:
    """A tenant's directory role definition (Graph ``unifiedRoleDefinition``, as
    ``GET /roleManagement/directory/roleDefinitions`` returns it: ``id``, ``templateId``,
    ``displayName``, ``isBuiltIn``, ``rolePermissions[].allowedResourceActions`` and
    ``condition``; microsoft-graph-docs-contrib ``api-reference/v1.0/resources/
    unifiedroledefinition.md`` and ``unifiedrolepermission.md`` at
    028b8e354879f1054adbd96bfa8d16fff4330811) as a ``DirectoryRole``: its actions are every
    ``allowedResourceActions`` entry of a permission set without a ``condition``. A set with
    one (``Self``: "@Subject.objectId == @Resource.objectId", ``Owner``: "@Subject.objectId
    Any_of @Resource.owners"; "not supported for custom roles") acts only on the holder itself
    or what it owns, which ownership already answers. ``excludedResourceActions`` is "not yet
    supported" by Entra and is not read. Privileged: Microsoft's label for a built-in role the
    table knows (``builtin``); for any other, whether its actions confer a ``Capability``.
    None when the document is no definition (no id)."""
    role_id = document.get("id")
    if not isinstance(role_id, str) or not role_id.strip():
        return None
    actions: list[str] = []
    for permission in document.get("rolePermissions") or ():
        if not isinstance(permission, Mapping) or permission.get("condition"):
            continue
        allowed = permission.get("allowedResourceActions") or ()
        actions.extend(a for a in allowed if isinstance(a, str) and a.strip())
    name = document.get("displayName")
    held = tuple(dict.fromkeys(actions))
    return DirectoryRole(
        template_id=role_id.strip().lower(),
        name=name if isinstance(name, str) and name else role_id,
        privileged=builtin.privileged if builtin is not None else bool(capabilities(held)),
        actions=held,
        limits=builtin.limits if builtin is not None else None,
        source=source,
        custom=document.get("isBuiltIn") is False,
    )

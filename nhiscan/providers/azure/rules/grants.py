"""What a service principal or managed identity holds directly: an Azure role that assigns roles
(Owner, User Access Administrator, Role Based Access Control Administrator or a custom role
with ``Microsoft.Authorization/roleAssignments/write``) at a subscription, a management group
or the root; a privileged Entra directory role (``directory_roles.py``, Microsoft's privileged
label); a Microsoft Graph application permission that leads to another identity's power
(``graph_permissions.py``). The reach rules (NHI100-106) follow the paths these open; these
rules name the grant itself, with or without the reach graph."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nhiscan.providers.azure.actions import any_matches
from nhiscan.providers.azure.catalog import RoleDataError, default_catalog, parse_role_definition
from nhiscan.providers.azure.directory_definitions import TenantRoles
from nhiscan.providers.azure.directory_roles import (
    TENANT_ADMIN_ROLES,
    DirectoryRole,
    role_capabilities,
)
from nhiscan.providers.azure.graph_permissions import (
    GRAPH_APP_ID,
    GraphPermission,
    granted_graph_permission,
)
from nhiscan.providers.azure.rules.common import (
    AZ,
    entries,
    identity_words,
    sign_in_identities,
    subscription_label,
    tenant_label,
    title_case,
)
from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Finding, Identity, Policy, PolicyKind, Severity

ASSIGN_ROLES = "Microsoft.Authorization/roleAssignments/write"
MG_PREFIX = "/providers/microsoft.management/managementgroups/"
ROLE_DEFINITIONS = "/providers/microsoft.authorization/roledefinitions/"


@dataclass(frozen=True, slots=True, kw_only=True)
class ArmGrant:
    identity: Identity
    assignment: Policy
    role: str  # its name
    scope: str  # lower-cased ARM scope
    where: str  # the scope as a title names it
    root: bool  # the root scope or the tenant root management group: every subscription
    conditional: bool


def _role_name_and_power(estate: Estate, role_id: str) -> tuple[str, bool] | None:
    """The role's name and whether it may write role assignments: from the snapshot's role
    definition (custom roles), else the bundled built-in roles; None when neither knows it
    (the export's gap names the role)."""
    role_guid = role_id.rstrip("/").rsplit("/", 1)[-1].lower()
    policy = estate.policies.get(f"{ROLE_DEFINITIONS}{role_guid}")
    definition = None
    if policy is not None:
        try:
            definition = parse_role_definition(policy.document, where=policy.id)
        except RoleDataError:
            definition = None
    if definition is None:
        definition = default_catalog().role(role_guid)
    if definition is None:
        return None
    power = any(
        any_matches(b.actions, ASSIGN_ROLES) and not any_matches(b.not_actions, ASSIGN_ROLES)
        for b in definition.permissions
    )
    return definition.name, power


def _scope_words(estate: Estate, scope: str) -> tuple[str, bool] | None:
    """How a title names a scope at a subscription or above, and whether it covers the whole
    tenant; None for a resource group or resource."""
    if scope in ("", "/"):
        return "the root scope (/)", True
    if scope.startswith(MG_PREFIX) and "/" not in scope.removeprefix(MG_PREFIX):
        name = scope.removeprefix(MG_PREFIX)
        group = estate.resources.get(scope)
        label = group.name if group is not None else name
        tenants = {a.org_id for a in estate.snapshot.accounts if a.provider is AZ and a.org_id}
        tenants |= {i.account for i in estate.identities.values() if i.provider is AZ}
        root = name in tenants  # the tenant root group is named by the tenant id
        kind = "tenant root management group" if root else "management group"
        return f"{kind} {label}", root
    parts = scope.split("/")
    if len(parts) == 3 and parts[1] == "subscriptions":
        return subscription_label(estate, parts[2]), False
    return None


def arm_grants(estate: Estate) -> Iterator[ArmGrant]:
    """Each role assignment of a customer's service principal or managed identity that lets it
    assign roles at a subscription or above."""
    principals = {i.id: i for i in sign_in_identities(estate)}
    for policy in sorted(estate.policies.values(), key=lambda p: p.id):
        if policy.provider is not AZ or policy.kind is not PolicyKind.AZURE_ROLE_ASSIGNMENT:
            continue
        document: Any = policy.document
        if not isinstance(document, Mapping):
            continue
        identity = principals.get(str(document.get("principalId", "")).lower())
        if identity is None:
            continue
        scope = policy.attached_to[0] if policy.attached_to else str(document.get("scope", ""))
        words = _scope_words(estate, scope.lower().rstrip("/") or "/")
        role = _role_name_and_power(estate, str(document.get("roleDefinitionId", "")))
        if words is None or role is None or not role[1]:
            continue
        yield ArmGrant(
            identity=identity, assignment=policy, role=role[0], scope=scope, where=words[0],
            root=words[1], conditional=bool(document.get("condition")),
        )  # fmt: skip


class PrivilegedArmRole:
    meta = RuleMeta(
        id="NHI504",
        name="azure-sp-role-admin-at-subscription",
        severity=Severity.HIGH,
        summary=(
            "A service principal or managed identity holds Owner, User Access Administrator "
            "or another role that writes role assignments (Microsoft.Authorization/"
            "roleAssignments/write) at a subscription, a management group or the root. High: "
            "whoever signs in as it can grant any role there, itself included; critical at the "
            "tenant root management group or /, which reach every subscription."
        ),
        remediation=(
            "Give the identity the narrowest role it needs at the narrowest scope (az role "
            "assignment create --assignee APP_ID --role ROLE --scope SCOPE), then remove the "
            "broad one (az role assignment delete --assignee APP_ID --role Owner --scope SCOPE); "
            "where it must delegate, use Role Based Access Control Administrator with a "
            "condition that limits the roles it may assign."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for grant in arm_grants(estate):
            condition = " (under a condition)" if grant.conditional else ""
            yield make_finding(
                self.meta,
                subject=grant.identity.id,
                provider=grant.identity.provider,
                title=(
                    f"{title_case(identity_words(grant.identity))} of "
                    f"{tenant_label(estate, grant.identity.account)} has {grant.role} on "
                    f"{grant.where}{condition}."
                ),
                evidence={
                    "principal": grant.identity.id,
                    "app_id": grant.identity.native_id,
                    "tenant": grant.identity.account,
                    "role": grant.role,
                    "scope": grant.scope,
                    "scope_name": grant.where,
                    "assignment": grant.assignment.id,
                    "conditional": grant.conditional,
                },
                key=(grant.assignment.id,),
                severity=Severity.CRITICAL if grant.root else None,
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldRole:
    identity: Identity
    role: DirectoryRole
    scope: str  # directoryScopeId: "/" the tenant
    assignment: str  # the entry's Graph id
    eligible: bool  # a PIM eligibility, not an active assignment


def directory_grants(estate: Estate) -> Iterator[HeldRole]:
    """Each privileged directory role a customer's service principal holds, active or eligible
    (PIM): a built-in one Microsoft labels privileged, or one of the tenant's custom roles whose
    actions lead to another identity's power (``directory_definitions``)."""
    roles = TenantRoles.of(estate.policies)
    for identity in sign_in_identities(estate):
        for policy_id in identity.policies:
            policy = estate.policies.get(policy_id)
            if policy is None or policy.kind not in (
                PolicyKind.ENTRA_DIRECTORY_ROLES, PolicyKind.ENTRA_ROLE_ELIGIBILITIES
            ):  # fmt: skip
                continue
            for entry in entries(policy):
                role = roles.role(str(entry.get("roleDefinitionId", "")))
                if role is None or not role.privileged:
                    continue
                yield HeldRole(
                    identity=identity, role=role,
                    scope=str(entry.get("directoryScopeId") or "/"),
                    assignment=str(entry.get("id", "")),
                    eligible=policy.kind is PolicyKind.ENTRA_ROLE_ELIGIBILITIES,
                )  # fmt: skip


def _directory_severity(held: HeldRole) -> Severity:
    if held.scope != "/" or not role_capabilities(held.role):
        # one administrative unit or one object; or a privileged role that reads, or creates
        # only its own applications (Global Reader, Application Developer)
        return Severity.MEDIUM
    if held.role.template_id in TENANT_ADMIN_ROLES:
        return Severity.HIGH if held.eligible else Severity.CRITICAL
    return Severity.MEDIUM if held.eligible else Severity.HIGH


class PrivilegedDirectoryRole:
    meta = RuleMeta(
        id="NHI505",
        name="azure-sp-privileged-directory-role",
        severity=Severity.HIGH,
        summary=(
            "A service principal holds a built-in Entra directory role Microsoft labels "
            "privileged (Application Administrator, Privileged Role Administrator, Global "
            "Administrator, ...), or a custom directory role whose allowed resource actions "
            "lead to another identity's power. High tenant-wide: it can take over other "
            "applications or users; critical for Global or Privileged Role Administrator "
            "(tenant admin); one step lower for a PIM eligibility; medium when scoped to an "
            "administrative unit or one object, or for a privileged role that cannot change "
            "other identities (Global Reader, Application Developer)."
        ),
        remediation=(
            "Replace the role with the Microsoft Graph permissions the workload needs, or a "
            "custom role scoped to the objects it manages; remove the assignment (az rest "
            "--method DELETE --url https://graph.microsoft.com/v1.0/roleManagement/directory/"
            "roleAssignments/ASSIGNMENT_ID; an eligibility through roleEligibilityScheduleRequests "
            "with action adminRemove)."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for held in directory_grants(estate):
            how = "is eligible for" if held.eligible else "holds"
            how += " the custom" if held.role.custom else " the"
            scope = "" if held.scope == "/" else f" scoped to {held.scope}"
            yield make_finding(
                self.meta,
                subject=held.identity.id,
                provider=held.identity.provider,
                title=(
                    f"{title_case(identity_words(held.identity))} {how} directory role "
                    f"{held.role.name} in {tenant_label(estate, held.identity.account)}{scope}."
                ),
                evidence={
                    "principal": held.identity.id,
                    "app_id": held.identity.native_id,
                    "tenant": held.identity.account,
                    "role": held.role.name,
                    "role_template_id": held.role.template_id,
                    "custom_role": held.role.custom,
                    "directory_scope": held.scope,
                    "eligible": held.eligible,
                    "assignment": held.assignment,
                },
                key=(held.role.template_id, held.scope, "eligible" if held.eligible else "active"),
                severity=_directory_severity(held),
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldPermission:
    identity: Identity
    permission: GraphPermission
    assignment: str


def graph_grants(estate: Estate) -> Iterator[HeldPermission]:
    """Each Microsoft Graph application permission a customer's service principal holds that
    leads to another identity's power (a capability in ``graph_permissions``)."""
    graph = {
        i.id for i in estate.identities.values()
        if i.provider is AZ and (i.native_id or "").lower() == GRAPH_APP_ID
    }  # fmt: skip
    for identity in sign_in_identities(estate):
        for policy_id in identity.policies:
            policy = estate.policies.get(policy_id)
            if policy is None or policy.kind is not PolicyKind.ENTRA_APP_ROLE_ASSIGNMENTS:
                continue
            for entry in entries(policy):
                resource = str(entry.get("resourceId", "")).lower()
                app = GRAPH_APP_ID if resource in graph else None
                permission = granted_graph_permission(app, str(entry.get("appRoleId", "")))
                if permission is None or not (permission.capabilities or permission.tenant_admin):
                    continue
                yield HeldPermission(
                    identity=identity, permission=permission, assignment=str(entry.get("id", ""))
                )


class DangerousGraphPermission:
    meta = RuleMeta(
        id="NHI506",
        name="azure-sp-dangerous-graph-permission",
        severity=Severity.HIGH,
        summary=(
            "A service principal holds a Microsoft Graph application permission that leads to "
            "another identity's power (Application.ReadWrite.All adds credentials to any app; "
            "AppRoleAssignment.ReadWrite.All and RoleManagement.ReadWrite.Directory make it "
            "tenant admin). High; critical for the ones that reach tenant admin. Application "
            "permissions act with no signed-in user."
        ),
        remediation=(
            "Grant the least permission that does the job (Application.ReadWrite.OwnedBy, a "
            "read permission, or a directory role scoped to the objects), then remove the app "
            "role assignment (az rest --method DELETE --url https://graph.microsoft.com/v1.0/"
            "servicePrincipals/SP_ID/appRoleAssignments/ASSIGNMENT_ID)."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for held in graph_grants(estate):
            permission = held.permission
            yield make_finding(
                self.meta,
                subject=held.identity.id,
                provider=held.identity.provider,
                title=(
                    f"{title_case(identity_words(held.identity))} in "
                    f"{tenant_label(estate, held.identity.account)} holds the Microsoft Graph "
                    f"application permission {permission.name}."
                ),
                evidence={
                    "principal": held.identity.id,
                    "app_id": held.identity.native_id,
                    "tenant": held.identity.account,
                    "permission": permission.name,
                    "app_role_id": permission.app_role_id,
                    "what_it_allows": permission.summary,
                    "tenant_admin": permission.tenant_admin,
                    "assignment": held.assignment,
                },
                key=(permission.app_role_id,),
                severity=Severity.CRITICAL if permission.tenant_admin else None,
            )

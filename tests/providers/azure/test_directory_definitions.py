"""Directory roles as a tenant defines them, and who may grant Microsoft Graph's app roles.

- A role assignment's ``roleDefinitionId`` resolves to the tenant's custom definition first
  (Graph ``unifiedRoleDefinition``: its ``allowedResourceActions`` are the tenant's choice),
  then to the built-in table, then to a built-in definition the table lacks.
- ``servicePrincipals/appRoleAssignedTo/update`` lets Application, Cloud Application and Hybrid
  Identity Administrators, User Administrator, Directory Writers and custom roles grant other
  APIs' app roles, never Microsoft Graph's or Azure AD Graph's: "Privileged Role Administrator -
  the least privileged role supported for Microsoft Graph and Azure AD Graph app roles"
  (microsoft-graph-docs-contrib rbac-approleassignments-apis-write.md); the company-wide consent
  action is what Privileged Role and Global Administrator add."""

from __future__ import annotations

from typing import Any

import pytest

from nhiscan.connectors.azure.records import role_definitions
from nhiscan.providers.azure.directory_definitions import TenantRoles
from nhiscan.providers.azure.directory_roles import (
    COMPANY_ADMIN_CONSENT,
    defined_role,
    directory_role,
    grants_graph_app_roles,
)
from nhiscan.scanner.authz import Decision
from nhiscan.scanner.model import Policy
from tests.providers.azure import factories as az

BOT = az.sp("bot", 1)
TARGET = az.sp("target", 2)
APP = az.app_of(TARGET)
API = az.sp("orders-api", 3)  # a line-of-business API of the tenant, with its own app roles
CUSTOM = "5e7a1c2b-9d3f-4e8a-b6c4-2f1d0e9c8b7a"
HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8"  # a built-in role the table does not list
APP_CREDS = "microsoft.directory/applications/credentials/update"
GRANT = "microsoft.directory/servicePrincipals/appRoleAssignedTo/update"
DIRECTORY_WRITERS = "9360feb5-f418-4baa-8175-e2a00bac4301"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
HYBRID_ADMIN = "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2"


def definition(
    role_id: str, name: str, *actions: str, builtin: bool = False, condition: str | None = None
) -> dict[str, Any]:
    """A ``unifiedRoleDefinition`` as Graph lists it (rbacapplication-list-roledefinitions)."""
    return {
        "id": role_id,
        "displayName": name,
        "isBuiltIn": builtin,
        "isEnabled": True,
        "templateId": role_id,
        "version": "1" if builtin else None,
        "rolePermissions": [{"allowedResourceActions": list(actions), "condition": condition}],
    }


def policies(*documents: dict[str, Any]) -> list[Policy]:
    """Through the connector's own mapping, as a scan records them."""
    return role_definitions(list(documents), "test: $.value", tenant=az.TENANT)


def test_a_custom_definition_is_read_from_the_snapshot() -> None:
    roles = TenantRoles(policies(definition(CUSTOM, "Rotator", APP_CREDS)))
    role = roles.role(CUSTOM.upper())
    assert role is not None and role.custom and role.privileged
    assert (role.name, role.actions) == ("Rotator", (APP_CREDS,))
    assert roles.role("0d000000-0000-4000-8000-000000000000") is None


def test_the_built_in_table_wins_over_a_built_in_definition_it_lists() -> None:
    listed = definition(az.APP_ADMIN, "Application Administrator", "x/y/z", builtin=True)
    unlisted = definition(HELPDESK, "Helpdesk Administrator",
                          "microsoft.directory/users/password/update", builtin=True)  # fmt: skip
    roles = TenantRoles(policies(listed, unlisted))
    assert roles.role(az.APP_ADMIN) == directory_role(az.APP_ADMIN)
    helpdesk = roles.role(HELPDESK)
    assert helpdesk is not None and not helpdesk.custom and helpdesk.privileged


def test_a_permission_set_with_a_condition_grants_only_through_ownership() -> None:
    owned = definition(CUSTOM, "Owner-only", APP_CREDS,
                       condition="@Subject.objectId Any_of @Resource.owners")  # fmt: skip
    role = defined_role(owned, source="test")
    assert role is not None and role.actions == () and not role.privileged


def _analysis(*records: Any) -> az.AzureAnalysis:
    return az.analysis(BOT, TARGET, APP, API, az.graph_sp(), *records)


def test_a_custom_role_adds_credentials_to_applications_as_app_admin_does() -> None:
    records = [*policies(definition(CUSTOM, "Rotator", APP_CREDS)),
               az.directory_roles(BOT, (CUSTOM, "/"))]  # fmt: skip
    found = _analysis(*records).authorizer.evaluate(BOT.id, APP_CREDS, APP.id)
    assert found.decision is Decision.ALLOW
    assert [r.sid for r in found.allowed_by] == ["Rotator"]
    escalations = list(_analysis(*records).escalations([BOT.id]))
    assert [(e.method, e.target) for e in escalations] == [
        ("add-application-credential", TARGET.id)
    ]


def test_without_its_definition_a_custom_role_grants_nothing() -> None:
    found = _analysis(az.directory_roles(BOT, (CUSTOM, "/"))).authorizer.evaluate(
        BOT.id, APP_CREDS, APP.id
    )
    assert found.decision is Decision.IMPLICIT_DENY


@pytest.mark.parametrize(
    "role",
    [az.APP_ADMIN, az.CLOUD_APP_ADMIN, DIRECTORY_WRITERS, USER_ADMIN, HYBRID_ADMIN, CUSTOM],
    ids=["app-admin", "cloud-app-admin", "directory-writers", "user-admin", "hybrid", "custom"],
)
def test_app_role_granters_grant_other_apis_roles_but_not_graphs(role: str) -> None:
    records = [
        *policies(definition(CUSTOM, "Granter", GRANT)),
        az.directory_roles(BOT, (role, "/")),
    ]
    analysis = _analysis(*records)
    assert analysis.authorizer.evaluate(BOT.id, GRANT, API.id).decision is Decision.ALLOW
    assert analysis.authorizer.evaluate(BOT.id, GRANT, az.GRAPH_SP).decision is (
        Decision.IMPLICIT_DENY
    )
    assert "grant-graph-app-role" not in {e.method for e in analysis.escalations([BOT.id])}


def test_only_company_wide_consent_grants_graph_app_roles() -> None:
    pra = directory_role(az.PRIVILEGED_ROLE_ADMIN)
    ga = directory_role(az.GLOBAL_ADMIN)
    app_admin = directory_role(az.APP_ADMIN)
    assert pra is not None and ga is not None and app_admin is not None
    assert grants_graph_app_roles(pra.actions) and grants_graph_app_roles(ga.actions)
    assert not grants_graph_app_roles(app_admin.actions)
    # the eligible Privileged Role Administrator may: a conditional escalation to admin
    analysis = _analysis(az.directory_roles(BOT, (az.PRIVILEGED_ROLE_ADMIN, "/"), eligible=True))
    found = analysis.authorizer.evaluate(BOT.id, GRANT, az.GRAPH_SP)
    assert found.decision is Decision.CONDITIONAL
    assert COMPANY_ADMIN_CONSENT in pra.actions


def test_a_my_organization_action_reaches_single_tenant_applications_only() -> None:
    """``applications.myOrganization/credentials/update`` (custom-available-permissions.md):
    the single-tenant application is taken over, the multi-tenant one is not."""
    narrow = "microsoft.directory/applications.myOrganization/credentials/update"
    single = az.sp("single", 4, audience="AzureADMyOrg")
    multi = az.sp("multi", 5, audience="AzureADMultipleOrgs")
    records = [single, az.app_of(single), multi, az.app_of(multi),
               *policies(definition(CUSTOM, "Own apps", narrow)),
               az.directory_roles(BOT, (CUSTOM, "/"))]  # fmt: skip
    analysis = az.analysis(BOT, *records)
    authz = analysis.authorizer
    assert authz.evaluate(BOT.id, APP_CREDS, az.app_of(single).id).decision is Decision.ALLOW
    assert authz.evaluate(BOT.id, APP_CREDS, az.app_of(multi).id).decision is (
        Decision.IMPLICIT_DENY
    )
    assert [(e.method, e.target) for e in analysis.escalations([BOT.id])] == [
        ("add-application-credential", single.id)
    ]

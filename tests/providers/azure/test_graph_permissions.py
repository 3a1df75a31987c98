from __future__ import annotations

import re

import pytest

from nhiscan.providers.azure.directory_roles import FACTS_BY_CAPABILITY, Capability
from nhiscan.providers.azure.graph_permissions import (
    GRAPH_APP_ID,
    GRAPH_PERMISSIONS,
    SCANNER_PERMISSIONS,
    granted_graph_permission,
    graph_permission,
)

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# The "Application" rows of the Microsoft Graph permissions reference's ids table for the
# permissions taken, as published (microsoftgraph/microsoft-graph-docs-contrib
# concepts/includes/permissions-ids.md at 43b498394ec440e548985309e1d8689c9e16adcf; the
# column padding dropped).
REFERENCE_ROWS = """
| Application.Read.All | Application | 9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30 |
| Application.ReadWrite.All | Application | 1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9 |
| Application.ReadWrite.OwnedBy | Application | 18a4783c-866b-4cc7-a460-3d5e5662c884 |
| AppRoleAssignment.ReadWrite.All | Application | 06b708a9-e830-4db3-a914-8e69da51d44f |
| AuditLog.Read.All | Application | b0afded3-3588-46d8-8b3d-9842eff778da |
| DelegatedPermissionGrant.ReadWrite.All | Application | 8e8e4742-1d95-4f68-9d56-6ee75648c72a |
| Directory.Read.All | Application | 7ab1d382-f21e-4acd-a863-ba3e13f7da61 |
| Directory.ReadWrite.All | Application | 19dbc75e-c2e2-444c-a770-ec69d8559fc7 |
| Domain.ReadWrite.All | Application | 7e05723c-0bb0-42da-be95-ae9f08a6e53c |
| Group.ReadWrite.All | Application | 62a82d76-70ea-41e2-9197-370581804d09 |
| GroupMember.ReadWrite.All | Application | dbaae8cf-10b5-4b86-a4a1-f871c94c6695 |
| PrivilegedAccess.ReadWrite.AzureADGroup | Application | 2f6817f8-7b12-4f0f-bc18-eeaf60705a9e |
| RoleAssignmentSchedule.ReadWrite.Directory | Application | dd199f4a-f148-40a4-a2ec-f0069cc799ec |
| RoleEligibilitySchedule.ReadWrite.Directory | Application | fee28b28-e1f3-4841-818e-2704dc62245f |
| RoleManagement.Read.Directory | Application | 483bed4a-2ad3-4361-a73b-c83ccdbdc53c |
| RoleManagement.ReadWrite.Directory | Application | 9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8 |
| ServicePrincipalEndpoint.ReadWrite.All | Application | 89c8469c-83ad-45f7-8ff2-6e3d4285709e |
| UserAuthenticationMethod.ReadWrite.All | Application | 50483e42-d915-4231-9639-7fdb7fd190e5 |
"""
ROW = re.compile(r"^\| (?P<name>\S+)\s+\| Application \| (?P<id>[0-9a-f-]{36}) \|$")


def _reference() -> dict[str, str]:
    rows = {}
    for line in REFERENCE_ROWS.strip().splitlines():
        match = ROW.match(line)
        assert match is not None, line
        rows[match["name"]] = match["id"]
    return rows


def test_every_permission_of_the_table_has_its_published_app_role_id() -> None:
    reference = _reference()
    assert {p.name for p in GRAPH_PERMISSIONS} == set(reference)
    for permission in GRAPH_PERMISSIONS:
        assert permission.app_role_id == reference[permission.name], permission.name


def test_ids_are_unique_guids_and_names_unique() -> None:
    ids = [p.app_role_id for p in GRAPH_PERMISSIONS]
    names = [p.name.lower() for p in GRAPH_PERMISSIONS]
    assert all(GUID.match(i) for i in ids) and GUID.match(GRAPH_APP_ID)
    assert len(set(ids)) == len(ids) and len(set(names)) == len(names)
    assert all(p.summary and p.source for p in GRAPH_PERMISSIONS)


def test_the_permissions_the_issue_names_are_there() -> None:
    for name in (
        "RoleManagement.ReadWrite.Directory",
        "Application.ReadWrite.All",
        "Application.ReadWrite.OwnedBy",
        "AppRoleAssignment.ReadWrite.All",
        "Directory.ReadWrite.All",
        "ServicePrincipalEndpoint.ReadWrite.All",
    ):
        assert graph_permission(name) is not None, name


def test_capabilities_are_known_and_tenant_admins_grant_roles() -> None:
    for permission in GRAPH_PERMISSIONS:
        assert permission.capabilities <= set(FACTS_BY_CAPABILITY)
        if permission.tenant_admin:
            assert permission.capabilities & {
                Capability.ROLE_ASSIGNMENT,
                Capability.APP_ROLE_ASSIGNMENT,
            }, permission.name
        assert permission.owned_only == permission.name.endswith(".OwnedBy")


def test_what_the_scanner_asks_for_is_read_only() -> None:
    assert set(SCANNER_PERMISSIONS) == {
        "Application.Read.All",
        "Directory.Read.All",
        "RoleManagement.Read.Directory",
        "AuditLog.Read.All",
    }
    for name in SCANNER_PERMISSIONS:
        permission = graph_permission(name)
        assert permission is not None and not permission.capabilities
        assert ".Read." in permission.name and not permission.tenant_admin


@pytest.mark.parametrize(
    ("name", "has", "admin"),
    [
        ("RoleManagement.ReadWrite.Directory", Capability.ROLE_ASSIGNMENT, True),
        ("AppRoleAssignment.ReadWrite.All", Capability.APP_ROLE_ASSIGNMENT, True),
        ("Application.ReadWrite.All", Capability.APP_CREDENTIALS, False),
        ("Application.ReadWrite.OwnedBy", Capability.SP_CREDENTIALS, False),
        ("Directory.ReadWrite.All", Capability.GROUP_MEMBERSHIP, False),
    ],
)
def test_what_each_allows(name: str, has: Capability, admin: bool) -> None:
    permission = graph_permission(name)
    assert permission is not None
    assert has in permission.capabilities and permission.tenant_admin is admin


def test_directory_read_write_all_adds_no_credential() -> None:
    permission = graph_permission("directory.readwrite.all")
    assert permission is not None
    assert not permission.capabilities & {Capability.APP_CREDENTIALS, Capability.SP_CREDENTIALS}


def test_an_assignment_grants_a_graph_permission_only_when_its_resource_is_graph() -> None:
    role_id = "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"
    granted = granted_graph_permission(GRAPH_APP_ID, role_id)
    assert granted is not None and granted.name == "RoleManagement.ReadWrite.Directory"
    assert granted_graph_permission(GRAPH_APP_ID.upper(), role_id.upper()) == granted
    assert granted_graph_permission("11111111-2222-3333-4444-555555555555", role_id) is None
    assert granted_graph_permission(None, role_id) is None
    assert granted_graph_permission(GRAPH_APP_ID, "00000000-0000-0000-0000-000000000000") is None

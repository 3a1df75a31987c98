"""The Azure escalation table: a meta-test over the data (every ARM action is in the catalogue,
every directory action is one the directory roles or Graph permissions tables can grant, every
method has a positive and a negative fixture), each method found where it applies and not
where it does not, and the false edges kept out (plan section 5)."""

from __future__ import annotations

from typing import Any

import pytest

from nhiscan.connectors.azure.records import role_definitions
from nhiscan.providers.azure.catalog import default_catalog
from nhiscan.providers.azure.directory_roles import ESCALATION_FACTS, implies
from nhiscan.providers.azure.facts import FACTS
from nhiscan.providers.azure.privesc.methods import ELEVATE_ACCESS, LOCKED, METHODS
from nhiscan.scanner.escalation import Escalation
from nhiscan.scanner.model import ResourceKind
from tests.providers.azure import factories as az

BOT = az.sp("bot", 1)
TARGET = az.sp("target", 2)
APP = az.app_of(TARGET)
MI = az.mi("vm-identity", 5)
UAMI_ID = f"{az.RG}/providers/microsoft.managedidentity/userassignedidentities/deploy"
UAMI = az.mi("deploy", 6, resource=UAMI_ID)
WEB = f"{az.RG}/providers/microsoft.web/sites/shop"
AUTOMATION = f"{az.RG}/providers/microsoft.automation/automationaccounts/ops"
CUSTOM = "7e000000-0000-4000-8000-0000000000f1"
CUSTOM_DIRECTORY = "7d000000-0000-4000-8000-0000000000d1"
AU = "/administrativeUnits/7a000000-0000-4000-8000-0000000000a1"
# only Reader may be assigned: a condition nhiscan cannot decide without the request's role
ONLY_READER = (
    "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
    "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] "
    "ForAnyOfAnyValues:GuidEquals {acdd72a7-3385-48ef-bd42-f606fba81ae7}))"
)


def custom(*actions: str) -> list[Any]:
    """A custom role holding ``actions``, assigned to BOT at the resource group."""
    return [
        az.role_definition(CUSTOM, "custom", {"actions": list(actions)}),
        az.assignment(BOT, CUSTOM, az.RG),
    ]


def custom_directory(*actions: str) -> list[Any]:
    """A tenant's custom directory role holding ``actions`` (Graph ``unifiedRoleDefinition``,
    through the connector's mapping), assigned to BOT at the tenant."""
    document = {"id": CUSTOM_DIRECTORY, "displayName": "custom", "isBuiltIn": False,
                "rolePermissions": [{"allowedResourceActions": list(actions)}]}  # fmt: skip
    return [*role_definitions([document], "test", tenant=az.TENANT),
            az.directory_roles(BOT, (CUSTOM_DIRECTORY, "/"))]  # fmt: skip


def directory(role: str, scope: str = "/") -> Any:
    return az.directory_roles(BOT, (role, scope))


APPS = [TARGET, APP]
VM = az.compute(az.VM, ResourceKind.AZURE_VM, MI)
FIXTURES: dict[str, tuple[list[Any], list[Any], str]] = {
    # method: (positive records, negative records, expected target)
    "add-application-credential": (
        [*APPS, directory(az.APP_ADMIN)],
        [*APPS, directory(az.APP_ADMIN, AU)],
        TARGET.id,
    ),
    "add-service-principal-credential": (
        [*APPS, az.owners(TARGET.id, BOT.id)],
        [*APPS, az.owners(TARGET.id, "0d000000-0000-4000-8000-000000000000")],
        TARGET.id,
    ),
    "add-application-owner": (
        [*APPS, az.graph_sp(), az.app_roles(BOT, "Directory.ReadWrite.All")],
        [*APPS, az.graph_sp(), az.app_roles(BOT, "Application.Read.All")],
        TARGET.id,
    ),
    "add-service-principal-owner": (
        # a custom role with that action alone: Cloud Application Administrator also updates
        # the application's owners, which says it first (SUBSUMED_BY)
        [*APPS, *custom_directory("microsoft.directory/servicePrincipals/owners/update")],
        [*APPS, directory(az.CLOUD_APP_ADMIN, f"/{APP.id}")],  # that role on the app only
        TARGET.id,
    ),
    "grant-graph-app-role": (
        [az.graph_sp(), az.app_roles(BOT, "AppRoleAssignment.ReadWrite.All")],
        # Application Administrator's app role grants exclude Microsoft Graph's permissions
        [az.graph_sp(), directory(az.APP_ADMIN)],
        "admin",
    ),
    "assign-directory-role": (
        [az.graph_sp(), az.app_roles(BOT, "RoleManagement.ReadWrite.Directory")],
        [directory(az.PRIVILEGED_ROLE_ADMIN)],  # admin already: an is_admin hop, no escalation
        "admin",
    ),
    "assign-azure-role": (
        [az.assignment(BOT, "f58310d9-a9f6-439a-9e8d-f62e7b41a168", az.PROD,
                       condition=ONLY_READER, conditionVersion="2.0")],
        [az.assignment(BOT, az.OWNER, az.PROD)],  # admin outright: no escalation
        "admin",
    ),
    "vm-run-command": (
        [MI, VM, az.assignment(BOT, az.VM_CONTRIBUTOR, az.RG)],
        [MI, VM, az.assignment(BOT, az.READER, az.RG)],
        MI.id,
    ),
    "app-service-deploy": (
        [MI, az.compute(WEB, ResourceKind.AZURE_WEB_APP, MI),
         *custom("Microsoft.Web/sites/publish/Action")],
        [MI, az.compute(WEB, ResourceKind.AZURE_WEB_APP, MI), *custom("Microsoft.Web/sites/read")],
        MI.id,
    ),
    "automation-runbook": (
        [MI, az.compute(AUTOMATION, ResourceKind.AZURE_AUTOMATION_ACCOUNT, MI),
         *custom("Microsoft.Automation/automationAccounts/*")],
        [MI, az.compute(AUTOMATION, ResourceKind.AZURE_AUTOMATION_ACCOUNT, MI),
         *custom("Microsoft.Automation/automationAccounts/jobs/write")],
        MI.id,
    ),
    "managed-identity-federated-credential": (
        [UAMI, az.compute(UAMI_ID, ResourceKind.AZURE_USER_ASSIGNED_IDENTITY, UAMI),
         *custom("Microsoft.ManagedIdentity/userAssignedIdentities/*")],
        [UAMI, az.compute(UAMI_ID, ResourceKind.AZURE_USER_ASSIGNED_IDENTITY, UAMI),
         *custom("Microsoft.ManagedIdentity/userAssignedIdentities/read")],
        UAMI.id,
    ),
}  # fmt: skip


def escalations(*records: Any) -> list[Escalation]:
    analysis = az.analysis(BOT, *records)
    return list(analysis.escalations([BOT.id]))


def methods(*records: Any) -> dict[str, list[Escalation]]:
    found: dict[str, list[Escalation]] = {}
    for escalation in escalations(*records):
        found.setdefault(escalation.method, []).append(escalation)
    return found


def test_every_method_has_fixtures_and_known_actions() -> None:
    assert set(FIXTURES) == {m.name for m in METHODS}
    assert list(FACTS.escalation_methods) == [m.name for m in METHODS]
    catalog = default_catalog()
    assert catalog.known(ELEVATE_ACCESS)  # the analysis's elevateAccess hop between sinks
    published = [a for fact in ESCALATION_FACTS for a in fact.actions]
    for method in METHODS:
        assert method.description and method.reference.startswith("https://")
        for need in method.needs:
            if need.action.startswith("microsoft.directory/"):
                assert any(implies(p, need.action) for p in published), need.action
            else:
                assert catalog.known(need.action), need.action


@pytest.mark.parametrize("name", [m.name for m in METHODS])
def test_each_method_is_found_where_it_applies(name: str) -> None:
    positive, _, target = FIXTURES[name]
    found = methods(*positive).get(name, [])
    assert [e.target for e in found] == [target]
    (escalation,) = found
    assert escalation.steps and all(s.evaluation.decision.possible for s in escalation.steps)
    if target == "admin":
        assert escalation.scope in (az.TENANT, az.PROD)


@pytest.mark.parametrize("name", [m.name for m in METHODS])
def test_each_method_is_not_found_where_it_does_not_apply(name: str) -> None:
    _, negative, _ = FIXTURES[name]
    assert name not in methods(*negative)


def test_an_eligible_role_makes_a_conditional_escalation() -> None:
    found = methods(*APPS, az.directory_roles(BOT, (az.APP_ADMIN, "/"), eligible=True))
    (escalation,) = found["add-application-credential"]
    assert escalation.conditional and not escalation.potential


def test_no_credential_or_owner_edge_to_a_managed_identity() -> None:
    found = escalations(MI, UAMI, directory(az.APP_ADMIN), az.graph_sp(),
                        az.app_roles(BOT, "Application.ReadWrite.All"))  # fmt: skip
    assert [e for e in found if e.target in (MI.id, UAMI.id)] == []


def test_a_foreign_applications_service_principal_is_only_a_potential_target() -> None:
    vendor = az.sp("vendor", 7, home=az.OTHER_TENANT)
    found = escalations(vendor, directory(az.APP_ADMIN))
    credential = [e for e in found if e.method == "add-service-principal-credential"]
    assert [(e.target, e.potential, e.missing) for e in credential] == [(vendor.id, True, LOCKED)]
    assert not [e for e in found if e.method == "add-application-credential"]  # no app here


def test_microsofts_first_party_service_principals_are_no_target() -> None:
    found = escalations(az.graph_sp(), directory(az.APP_ADMIN))
    assert [e for e in found if e.target == az.GRAPH_SP] == []


def test_an_administrative_unit_scoped_application_administrator_reaches_nothing() -> None:
    assert escalations(*APPS, directory(az.APP_ADMIN, AU)) == []


def test_a_scope_it_administers_is_no_escalation_target_below_it() -> None:
    found = escalations(az.assignment(BOT, az.OWNER, az.PLATFORM))
    assert [e for e in found if e.method == "assign-azure-role"] == []


def test_the_service_principal_method_is_not_said_again_by_the_same_grant() -> None:
    """Application Administrator adds credentials and owners to the application and to its
    service principal: one identity, one grant, reported by the application's methods."""
    found = methods(*APPS, directory(az.APP_ADMIN))  # Graph's SP not in it: no potential grant
    assert sorted(found) == ["add-application-credential", "add-application-owner"]
    # the service principal's own owner (a different grant) is still its own escalation
    found = methods(*APPS, directory(az.APP_ADMIN), az.owners(TARGET.id, BOT.id))
    assert sorted(found) == [
        "add-application-credential", "add-application-owner",
        "add-service-principal-credential", "add-service-principal-owner",
    ]  # fmt: skip


def test_an_eligible_privileged_role_administrator_is_one_escalation() -> None:
    found = methods(az.graph_sp(), az.directory_roles(BOT, (az.PRIVILEGED_ROLE_ADMIN, "/"),
                                                      eligible=True))  # fmt: skip
    assert sorted(found) == ["assign-directory-role"]
    (escalation,) = found["assign-directory-role"]
    assert escalation.conditional

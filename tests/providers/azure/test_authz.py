"""``AzureAuthorizer`` over hand-built records: ARM role assignments inherit down management
group → subscription → resource group → resource (and not sideways); directory actions come
from directory roles (scope ``/``, one object, an administrative unit), Graph application
permissions and ownership; admin of the directory and of ARM scopes."""

from __future__ import annotations

from nhiscan.scanner.authz import Decision
from nhiscan.scanner.model import ResourceKind
from tests.providers.azure import factories as az

RUN = "Microsoft.Compute/virtualMachines/runCommand/action"
APP_CREDS = "microsoft.directory/applications/credentials/update"
SP_CREDS = "microsoft.directory/servicePrincipals/credentials/update"
BOT = az.sp("bot", 1)
TARGET = az.sp("target", 2)
APP = az.app_of(TARGET)


def decide(analysis: az.AzureAnalysis, action: str, resource: str) -> Decision:
    return analysis.authorizer.evaluate(BOT.id, action, resource).decision


def test_a_role_at_a_management_group_reaches_its_subscriptions_groups_and_resources() -> None:
    a = az.analysis(BOT, az.assignment(BOT, az.VM_CONTRIBUTOR, az.PLATFORM))
    assert decide(a, RUN, az.VM) is Decision.ALLOW
    assert decide(a, RUN, az.RG) is Decision.ALLOW
    assert decide(a, RUN, f"{az.DEV}/resourcegroups/x") is Decision.IMPLICIT_DENY  # not under it
    assert decide(a, "Microsoft.Storage/storageAccounts/write", az.RG) is Decision.IMPLICIT_DENY


def test_a_role_at_a_resource_group_does_not_reach_up() -> None:
    a = az.analysis(BOT, az.assignment(BOT, az.CONTRIBUTOR, az.RG))
    assert decide(a, RUN, az.VM) is Decision.ALLOW
    assert decide(a, RUN, az.PROD) is Decision.IMPLICIT_DENY


def test_the_scope_trees_are_the_directory_and_arm_apart() -> None:
    scopes = {s.id: s for s in az.analysis().scopes()}
    assert scopes[az.TENANT].kind == "directory" and scopes[az.TENANT].parent is None
    assert scopes[az.ROOT_MG].parent is None  # the directory is not ARM's parent
    assert scopes[az.PLATFORM].parent == az.ROOT_MG
    assert scopes[az.PROD].parent == az.PLATFORM and scopes[az.DEV].parent == az.ROOT_MG
    assert scopes[az.RG].parent == az.PROD and scopes[az.RG].kind == "resource group"


def test_owner_at_the_root_group_administers_arm_not_the_directory() -> None:
    a = az.analysis(BOT, az.assignment(BOT, az.OWNER, az.ROOT_MG))
    assert [s for s, e in a.authorizer.admin_of(BOT.id)] == [az.ROOT_MG]
    assert a.authorizer.is_admin(BOT.id).decision is Decision.ALLOW


def test_user_access_administrator_at_a_subscription_administers_it() -> None:
    a = az.analysis(BOT, az.assignment(BOT, az.UAA, az.PROD))
    assert dict(a.authorizer.admin_of(BOT.id)).keys() == {az.PROD}


def test_a_contributor_administers_nothing() -> None:
    a = az.analysis(BOT, az.assignment(BOT, az.CONTRIBUTOR, az.ROOT_MG))
    assert list(a.authorizer.admin_of(BOT.id)) == []


def test_global_administrator_and_privileged_role_administrator_administer_the_directory() -> None:
    for role in (az.GLOBAL_ADMIN, az.PRIVILEGED_ROLE_ADMIN):
        a = az.analysis(BOT, az.directory_roles(BOT, (role, "/")))
        assert [(s, e.decision) for s, e in a.authorizer.admin_of(BOT.id)] == [
            (az.TENANT, Decision.ALLOW)
        ]


def test_an_eligible_tenant_admin_role_is_conditional_admin() -> None:
    a = az.analysis(BOT, az.directory_roles(BOT, (az.GLOBAL_ADMIN, "/"), eligible=True))
    ((scope, answer),) = a.authorizer.admin_of(BOT.id)
    assert scope == az.TENANT and answer.decision is Decision.CONDITIONAL
    assert "eligible" in answer.reason


def test_application_administrator_at_the_tenant_updates_any_credentials() -> None:
    a = az.analysis(BOT, TARGET, APP, az.directory_roles(BOT, (az.APP_ADMIN, "/")))
    assert decide(a, APP_CREDS, APP.id) is Decision.ALLOW
    assert decide(a, SP_CREDS, TARGET.id) is Decision.ALLOW
    assert not list(a.authorizer.admin_of(BOT.id))  # not a directory admin


def test_a_role_scoped_to_one_object_acts_on_that_object_only() -> None:
    other = az.sp("other", 3)
    a = az.analysis(BOT, TARGET, other, az.directory_roles(BOT, (az.APP_ADMIN, f"/{TARGET.id}")))
    assert decide(a, SP_CREDS, TARGET.id) is Decision.ALLOW
    assert decide(a, SP_CREDS, other.id) is Decision.IMPLICIT_DENY


def test_an_administrative_unit_scope_never_reaches_applications_or_service_principals() -> None:
    au = "/administrativeUnits/7a000000-0000-4000-8000-0000000000a1"
    a = az.analysis(BOT, TARGET, APP, az.directory_roles(BOT, (az.APP_ADMIN, au)))
    assert decide(a, APP_CREDS, APP.id) is Decision.IMPLICIT_DENY
    assert decide(a, SP_CREDS, TARGET.id) is Decision.IMPLICIT_DENY


def test_owners_manage_what_they_own_only() -> None:
    other = az.sp("other", 3)
    a = az.analysis(BOT, TARGET, APP, other, az.app_of(other), az.owners(APP.id, BOT.id))
    assert decide(a, APP_CREDS, APP.id) is Decision.ALLOW
    assert decide(a, APP_CREDS, az.app_of(other).id) is Decision.IMPLICIT_DENY
    found = a.authorizer.evaluate(BOT.id, APP_CREDS, APP.id)
    assert [r.policy_id for r in found.allowed_by] == [f"{APP.id}#owners"]


def test_graph_owned_by_permission_acts_on_owned_applications_only() -> None:
    other = az.sp("other", 3)
    base = (BOT, TARGET, APP, other, az.app_of(other), az.graph_sp())
    a = az.analysis(
        *base, az.app_roles(BOT, "Application.ReadWrite.OwnedBy"), az.owners(APP.id, BOT.id)
    )
    assert decide(a, APP_CREDS, APP.id) is Decision.ALLOW
    assert decide(a, APP_CREDS, az.app_of(other).id) is Decision.IMPLICIT_DENY
    every = az.analysis(*base, az.app_roles(BOT, "Application.ReadWrite.All"))
    assert decide(every, APP_CREDS, az.app_of(other).id) is Decision.ALLOW


def test_a_custom_role_from_the_snapshot_is_evaluated() -> None:
    custom = "7e000000-0000-4000-8000-0000000000f1"
    a = az.analysis(
        BOT,
        az.role_definition(custom, "runner", {"actions": [RUN], "notActions": []}),
        az.assignment(BOT, custom, az.RG),
        az.compute(az.VM, ResourceKind.AZURE_VM, TARGET),
    )
    assert decide(a, RUN, az.VM) is Decision.ALLOW
    assert decide(a, "Microsoft.Compute/virtualMachines/write", az.VM) is Decision.IMPLICIT_DENY

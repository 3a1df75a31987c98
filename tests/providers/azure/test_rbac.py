"""Azure RBAC evaluation over hand-written role definitions and assignments in ARM's JSON.

The built-in roles below are copied in their documented form: Contributor and Storage Blob
Data Reader as "Understand Azure role definitions" shows them in the az CLI's form
(learn.microsoft.com/azure/role-based-access-control/role-definitions, MicrosoftDocs/azure-docs
articles/role-based-access-control/role-definitions.md); Owner, Reader, User Access
Administrator, Role Based Access Control Administrator and Key Vault Secrets User as
"Azure built-in roles" lists them (learn.microsoft.com/azure/role-based-access-control/
built-in-roles, the same as the iam-dataset's azure/built-in-roles-raw.json), written here in
ARM's REST form (``properties``) as the GetRoleDefinitionById example of the 2022-04-01
Microsoft.Authorization spec does (Azure/azure-rest-api-specs). Role assignments follow
RoleAssignments_ListForScope / _CreateForResource of the same spec; deny assignments
GetDenyAssignmentById.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from nhiscan.providers.azure.rbac import (
    EVERYONE,
    OWNER,
    RBAC_ADMINISTRATOR,
    ROLE_ASSIGNMENTS_WRITE,
    USER_ACCESS_ADMINISTRATOR,
    Rbac,
    admin_scopes,
    evaluate,
    parse_role_assignment,
)
from nhiscan.providers.azure.scopes import ArmFormatError
from nhiscan.scanner.authz import Decision

SUB_ID = "a925f2f7-5c63-4b7b-8799-25a5f97bc3b2"
SUB = f"/subscriptions/{SUB_ID}"
RG = f"{SUB}/resourceGroups/testrg"
OTHER_RG = f"{SUB}/resourceGroups/otherrg"
ACCOUNT = f"{RG}/providers/Microsoft.Storage/storageAccounts/paystore"
CONTAINER = f"{ACCOUNT}/blobServices/default/containers/invoices"
VAULT = f"{RG}/providers/Microsoft.KeyVault/vaults/pay-kv"
VM = f"{RG}/providers/Microsoft.Compute/virtualMachines/vm1"
MG = "/providers/Microsoft.Management/managementGroups/{}"
ROOT_MG = MG.format("72f988bf-86f1-41af-91ab-2d7cd011db47")
PARENTS = {SUB: MG.format("prod"), MG.format("prod"): ROOT_MG}

APP = "ce2ce14e-85d7-4629-bdbc-454d0519d987"  # a service principal's object id
OTHER = "5d1e2b1c-0b51-4c4a-9c0e-0f4b1c7d9a10"
GROUP = "28c35fea-2099-4cf5-8ad9-473547bc9423"

CONTRIBUTOR_ID = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER_ID = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
BLOB_READER_ID = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
SECRETS_USER_ID = "4633458b-17de-408a-b874-0445c86b69e6"
BACKUP_CONTRIBUTOR = "5e467623-bb1f-42f4-a55d-6e525e11384b"
BACKUP_READER = "a795c7a0-d4a2-40c1-ae25-d81f01202912"

CONTRIBUTOR = {  # az CLI form, role-definitions.md
    "assignableScopes": ["/"],
    "description": "Grants full access to manage all resources, but does not allow you to assign "
    "roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    "id": f"/subscriptions/{SUB_ID}/providers/Microsoft.Authorization/roleDefinitions/"
    f"{CONTRIBUTOR_ID}",
    "name": CONTRIBUTOR_ID,
    "permissions": [
        {
            "actions": ["*"],
            "condition": None,
            "conditionVersion": None,
            "dataActions": [],
            "notActions": [
                "Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/elevateAccess/Action",
                "Microsoft.Blueprint/blueprintAssignments/write",
                "Microsoft.Blueprint/blueprintAssignments/delete",
                "Microsoft.Compute/galleries/share/action",
                "Microsoft.Purview/consents/write",
                "Microsoft.Purview/consents/delete",
            ],
            "notDataActions": [],
        }
    ],
    "roleName": "Contributor",
    "roleType": "BuiltInRole",
    "type": "Microsoft.Authorization/roleDefinitions",
}
BLOB_READER = {  # az CLI form, role-definitions.md
    "assignableScopes": ["/"],
    "description": "Allows for read access to Azure Storage blob containers and data",
    "id": f"/subscriptions/{SUB_ID}/providers/Microsoft.Authorization/roleDefinitions/"
    f"{BLOB_READER_ID}",
    "name": BLOB_READER_ID,
    "permissions": [
        {
            "actions": [
                "Microsoft.Storage/storageAccounts/blobServices/containers/read",
                "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
            ],
            "condition": None,
            "conditionVersion": None,
            "dataActions": ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
            "notActions": [],
            "notDataActions": [],
        }
    ],
    "roleName": "Storage Blob Data Reader",
    "roleType": "BuiltInRole",
    "type": "Microsoft.Authorization/roleDefinitions",
}


def rest_role(
    guid: str, name: str, actions: list[str], data_actions: Sequence[str] = ()
) -> dict[str, Any]:
    """A built-in role in ARM's REST form (GetRoleDefinitionById)."""
    return {
        "properties": {
            "roleName": name,
            "type": "BuiltInRole",
            "assignableScopes": ["/"],
            "permissions": [
                {
                    "actions": actions,
                    "notActions": [],
                    "dataActions": list(data_actions),
                    "notDataActions": [],
                }
            ],
        },
        "id": f"/providers/Microsoft.Authorization/roleDefinitions/{guid}",
        "type": "Microsoft.Authorization/roleDefinitions",
        "name": guid,
    }


OWNER_ROLE = rest_role(OWNER, "Owner", ["*"])
READER = rest_role(READER_ID, "Reader", ["*/read"])
UAA = rest_role(
    USER_ACCESS_ADMINISTRATOR,
    "User Access Administrator",
    ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
)
RBAC_ADMIN = rest_role(
    RBAC_ADMINISTRATOR,
    "Role Based Access Control Administrator",
    [
        "Microsoft.Authorization/roleAssignments/write",
        "Microsoft.Authorization/roleAssignments/delete",
        "*/read",
        "Microsoft.Support/*",
    ],
)
SECRETS_USER = rest_role(
    SECRETS_USER_ID,
    "Key Vault Secrets User",
    [],
    [
        "Microsoft.KeyVault/vaults/secrets/getSecret/action",
        "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
    ],
)
ROLES = [CONTRIBUTOR, BLOB_READER, OWNER_ROLE, READER, UAA, RBAC_ADMIN, SECRETS_USER]
# "Constrain roles" (delegate-role-assignments-examples.md): Backup Contributor/Reader only
CONSTRAIN_ROLES = (
    "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
    "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] "
    f"ForAnyOfAnyValues:GuidEquals {{{BACKUP_CONTRIBUTOR}, {BACKUP_READER}}})) AND "
    "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR "
    "(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] "
    f"ForAnyOfAnyValues:GuidEquals {{{BACKUP_CONTRIBUTOR}, {BACKUP_READER}}}))"
)
ASSIGNMENT_IDS = iter(f"b0f43c54-e787-4862-89b1-a653fa9c{n:04x}" for n in range(1 << 16))
REQUEST_ROLE = "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]"
READ_BLOB = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"


def assign(
    principal: str,
    role: str,
    scope: str,
    *,
    condition: str | None = None,
    version: str | None = "2.0",
    at_subscription: bool = False,
) -> dict[str, Any]:
    """A role assignment as ARM lists it; roleDefinitionId in the tenant form, or the
    subscription form when ``at_subscription``."""
    prefix = SUB if at_subscription else ""
    properties: dict[str, Any] = {
        "roleDefinitionId": f"{prefix}/providers/Microsoft.Authorization/roleDefinitions/{role}",
        "principalId": principal,
        "principalType": "ServicePrincipal",
        "scope": scope,
    }
    if condition is not None:
        properties |= {"condition": condition, "conditionVersion": version}
    name = next(ASSIGNMENT_IDS)
    return {
        "properties": properties,
        "id": f"{'' if scope == '/' else scope}/providers/Microsoft.Authorization/"
        f"roleAssignments/{name}",
        "type": "Microsoft.Authorization/roleAssignments",
        "name": name,
    }


def deny(
    name: str,
    scope: str,
    principals: Sequence[str],
    *,
    excluded: Sequence[str] = (),
    actions: Sequence[str] = ("*",),
    not_actions: Sequence[str] = (),
    data_actions: Sequence[str] = (),
    children: bool = True,
) -> dict[str, Any]:
    """A deny assignment as GetDenyAssignmentById shows one."""
    return {
        "properties": {
            "denyAssignmentName": name,
            "description": "Created by a managed application",
            "permissions": [
                {
                    "actions": list(actions),
                    "notActions": list(not_actions),
                    "dataActions": list(data_actions),
                    "notDataActions": [],
                }
            ],
            "scope": scope,
            "doNotApplyToChildScopes": not children,
            "principals": [
                {"id": p, "type": "SystemDefined" if p == EVERYONE else "ServicePrincipal"}
                for p in principals
            ],
            "excludePrincipals": [{"id": p, "type": "ServicePrincipal"} for p in excluded],
            "isSystemProtected": True,
        },
        "id": f"{scope}/providers/Microsoft.Authorization/denyAssignments/{name}",
        "type": "Microsoft.Authorization/denyAssignments",
        "name": name,
    }


def rbac(*assignments: dict[str, Any], denies: tuple[dict[str, Any], ...] = ()) -> Rbac:
    return Rbac.from_json(
        role_definitions=ROLES,
        role_assignments=assignments,
        deny_assignments=denies,
        management_group_parents=PARENTS,
    )


# --- inheritance -----------------------------------------------------------------------------


def test_a_role_at_a_management_group_is_inherited_down_to_a_nested_resource() -> None:
    held = assign(APP, READER_ID, MG.format("prod"))
    state = rbac(held)
    found = evaluate(state, [APP], "Microsoft.Storage/storageAccounts/blobServices/containers/read",
                     CONTAINER)  # fmt: skip
    assert found.decision is Decision.ALLOW
    assert [(r.policy_id, r.sid, r.index) for r in found.allowed_by] == [(held["id"], "Reader", 0)]
    assert evaluate(
        state, [APP], "Microsoft.Storage/storageAccounts/write", CONTAINER
    ).decision is (Decision.IMPLICIT_DENY)


def test_without_the_management_group_chain_the_group_grants_nothing_below() -> None:
    state = Rbac.from_json(
        role_definitions=ROLES, role_assignments=[assign(APP, READER_ID, MG.format("prod"))]
    )
    assert evaluate(state, [APP], "Microsoft.Compute/virtualMachines/read", VM).decision is (
        Decision.IMPLICIT_DENY
    )


def test_grants_never_flow_upwards_or_sideways() -> None:
    state = rbac(assign(APP, OWNER, VM))
    assert evaluate(state, [APP], "Microsoft.Compute/virtualMachines/write", VM).decision is (
        Decision.ALLOW
    )
    for target in (RG, SUB, f"{OTHER_RG}/providers/Microsoft.Compute/virtualMachines/vm1"):
        assert evaluate(
            state, [APP], "Microsoft.Compute/virtualMachines/write", target
        ).decision is (Decision.IMPLICIT_DENY), target


def test_an_assignment_to_a_group_applies_to_its_members_only() -> None:
    state = rbac(assign(GROUP, CONTRIBUTOR_ID, RG))
    action = "Microsoft.Compute/virtualMachines/start/action"
    assert evaluate(state, [APP, GROUP], action, VM).decision is Decision.ALLOW
    assert evaluate(state, [APP], action, VM).decision is Decision.IMPLICIT_DENY
    assert evaluate(state, [OTHER], action, VM).decision is Decision.IMPLICIT_DENY


# --- NotActions, planes, wildcards -------------------------------------------------------------


def test_contributor_cannot_write_role_assignments_but_another_assignment_still_grants() -> None:
    contributor = assign(APP, CONTRIBUTOR_ID, SUB)
    alone = rbac(contributor)
    assert evaluate(alone, [APP], "Microsoft.Compute/virtualMachines/write", VM).decision is (
        Decision.ALLOW
    )
    refused = evaluate(alone, [APP], ROLE_ASSIGNMENTS_WRITE, VM)
    assert refused.decision is Decision.IMPLICIT_DENY  # NotActions subtract; they do not deny
    assert not refused.denied_by
    uaa = assign(APP, USER_ACCESS_ADMINISTRATOR, RG)
    both = evaluate(rbac(contributor, uaa), [APP], ROLE_ASSIGNMENTS_WRITE, VM)
    assert both.decision is Decision.ALLOW
    assert [r.sid for r in both.allowed_by] == ["User Access Administrator"]


def test_not_actions_match_whatever_the_case() -> None:
    state = rbac(assign(APP, CONTRIBUTOR_ID, SUB))
    for spelling in ("MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE",
                     "microsoft.authorization/roledefinitions/write",
                     "Microsoft.Authorization/locks/delete"):  # fmt: skip
        assert evaluate(state, [APP], spelling, RG).decision is Decision.IMPLICIT_DENY, spelling
    assert evaluate(state, [APP], "microsoft.web/sites/restart/Action", RG).decision is (
        Decision.ALLOW
    )


def test_a_control_plane_wildcard_grants_no_data_action() -> None:
    state = rbac(assign(APP, OWNER, SUB))
    assert evaluate(state, [APP], READ_BLOB, CONTAINER, data_action=True).decision is (
        Decision.IMPLICIT_DENY
    )
    assert evaluate(state, [APP], READ_BLOB, CONTAINER).decision is Decision.ALLOW  # as control


def test_data_roles_grant_their_data_actions_and_only_those() -> None:
    state = rbac(assign(APP, BLOB_READER_ID, ACCOUNT), assign(APP, SECRETS_USER_ID, VAULT))
    found = evaluate(state, [APP], READ_BLOB, CONTAINER, data_action=True)
    assert found.decision is Decision.ALLOW
    assert found.allowed_by[0].sid == "Storage Blob Data Reader"
    write = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"
    assert evaluate(state, [APP], write, CONTAINER, data_action=True).decision is (
        Decision.IMPLICIT_DENY
    )
    # the data action is not a control-plane action of the role
    assert evaluate(state, [APP], READ_BLOB, CONTAINER).decision is Decision.IMPLICIT_DENY
    secret = f"{VAULT}/secrets/db-password"
    get = "Microsoft.KeyVault/vaults/secrets/getSecret/action"
    assert evaluate(state, [APP], get, secret, data_action=True).decision is Decision.ALLOW
    assert evaluate(state, [APP], get, secret).decision is Decision.IMPLICIT_DENY
    assert evaluate(state, [APP], "Microsoft.KeyVault/vaults/read", VAULT).decision is (
        Decision.IMPLICIT_DENY
    )
    assert evaluate(state, [APP], get, f"{RG}/providers/Microsoft.KeyVault/vaults/other/"
                    "secrets/x", data_action=True).decision is Decision.IMPLICIT_DENY  # fmt: skip


def test_wildcards_anywhere_in_a_custom_role() -> None:
    custom = {
        "properties": {
            "roleName": "Network and VM operator",
            "type": "CustomRole",
            "assignableScopes": [SUB],
            "permissions": [
                {
                    "actions": ["Microsoft.Network/*/read", "microsoft.compute/virtualMachines/*"],
                    "notActions": [
                        "Microsoft.Compute/virtualMachines/*/delete",
                        "Microsoft.Compute/virtualMachines/delete",
                    ],
                },
            ],
        },
        "id": f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/"
        "9a3f2b1c-1111-4222-8333-444455556666",
        "name": "9a3f2b1c-1111-4222-8333-444455556666",
    }
    state = Rbac.from_json(
        role_definitions=[*ROLES, custom],
        role_assignments=[assign(APP, "9a3f2b1c-1111-4222-8333-444455556666", RG)],
    )
    allowed = ["Microsoft.Network/virtualNetworks/subnets/read", "MICROSOFT.NETWORK/NSGs/READ",
               "Microsoft.Compute/virtualMachines/runCommand/action",
               "Microsoft.Compute/virtualMachines/extensions/write"]  # fmt: skip
    refused = ["Microsoft.Network/virtualNetworks/write", "Microsoft.Compute/disks/read",
               "Microsoft.Compute/virtualMachines/delete",
               "Microsoft.Compute/virtualMachines/extensions/delete"]  # fmt: skip
    for action in allowed:
        assert evaluate(state, [APP], action, VM).decision is Decision.ALLOW, action
    for action in refused:
        assert evaluate(state, [APP], action, VM).decision is Decision.IMPLICIT_DENY, action


# --- role definition ids -----------------------------------------------------------------------


def test_both_role_definition_id_forms_name_the_same_role() -> None:
    tenant = assign(APP, OWNER, RG)
    at_sub = assign(OTHER, OWNER, RG, at_subscription=True)
    assert "/subscriptions/" in at_sub["properties"]["roleDefinitionId"]
    state = rbac(tenant, at_sub)
    for principal in (APP, OTHER):
        found = evaluate(state, [principal], "Microsoft.Compute/virtualMachines/write", VM)
        assert found.decision is Decision.ALLOW
        assert found.allowed_by[0].sid == "Owner"
    # the role's own id is in the subscription form (the az CLI), found by GUID all the same
    held = assign(APP, CONTRIBUTOR_ID, RG)
    assert evaluate(rbac(held), [APP], "Microsoft.Web/sites/write", RG).allowed_by[0].sid == (
        "Contributor"
    )


def test_an_unknown_role_is_undecided_and_says_so() -> None:
    held = assign(APP, "11111111-2222-4333-8444-555555555555", RG)
    found = evaluate(rbac(held), [APP], "Microsoft.Compute/virtualMachines/read", VM)
    assert found.decision is Decision.CONDITIONAL
    assert [r.policy_id for r in found.undecided] == [held["id"]]
    assert "11111111-2222-4333-8444-555555555555" in found.reason
    assert "not in the snapshot" in found.reason


def test_the_az_cli_flattened_assignment_reads_like_the_rest_one() -> None:
    rest = assign(APP, OWNER, RG, at_subscription=True)
    flat = {**rest["properties"], "id": rest["id"], "name": rest["name"],
            "roleDefinitionName": "Owner", "principalName": "payments-app"}  # fmt: skip
    assert parse_role_assignment(flat) == parse_role_assignment(rest)
    no_scope = {key: value for key, value in flat.items() if key != "scope"}
    assert parse_role_assignment(no_scope).scope.key == RG.lower()  # taken from the id


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"principalId": None}, r"role_assignments\[0\]\.principalId: missing"),
        ({"roleDefinitionId": "Owner"}, r"'Owner' \(at role_assignments\[0\]\.roleDefinitionId\)"),
        ({"scope": "subscriptions/x"}, r"\(at role_assignments\[0\]\.scope\)"),
        ({"condition": 7}, r"role_assignments\[0\]\.condition: expected a string"),
    ],
)
def test_a_bad_assignment_is_an_error_naming_the_item_and_field(
    change: dict[str, Any], message: str
) -> None:
    held = assign(APP, OWNER, RG)
    held["properties"] |= change
    with pytest.raises(ArmFormatError, match=message):
        rbac(held)


def test_a_bad_role_definition_is_an_error_naming_the_item_and_field() -> None:
    broken = {**CONTRIBUTOR, "permissions": [{"actions": "*"}]}
    with pytest.raises(ArmFormatError, match=r"role_definitions\[1\]\.permissions\[0\]\.actions"):
        Rbac.from_json(role_definitions=[OWNER_ROLE, broken], role_assignments=[])
    with pytest.raises(ArmFormatError, match=r"role_definitions\[0\]: neither 'name' nor 'id'"):
        Rbac.from_json(role_definitions=[{"roleName": "x", "permissions": []}],
                       role_assignments=[])  # fmt: skip


# --- deny assignments --------------------------------------------------------------------------


def test_a_deny_assignment_for_everyone_blocks_all_but_its_excluded_principals() -> None:
    denial = deny("managed-app-lock", RG, [EVERYONE], excluded=[OTHER],
                  not_actions=["*/read"])  # fmt: skip
    state = rbac(assign(APP, OWNER, SUB), assign(OTHER, OWNER, SUB), denies=(denial,))
    found = evaluate(state, [APP], "Microsoft.Compute/virtualMachines/write", VM)
    assert found.decision is Decision.DENY
    assert [(r.policy_id, r.sid, r.effect) for r in found.denied_by] == [
        (denial["id"], "managed-app-lock", "Deny")
    ]
    assert found.allowed_by  # the grant it overrides is shown too
    assert "managed-app-lock" in found.reason
    assert evaluate(state, [OTHER], "Microsoft.Compute/virtualMachines/write", VM).decision is (
        Decision.ALLOW
    )
    # its NotActions leave reads alone; outside its scope it does not apply
    assert evaluate(state, [APP], "Microsoft.Compute/virtualMachines/read", VM).decision is (
        Decision.ALLOW
    )
    outside = f"{OTHER_RG}/providers/Microsoft.Compute/virtualMachines/vm2"
    assert evaluate(state, [APP], "Microsoft.Compute/virtualMachines/write", outside).decision is (
        Decision.ALLOW
    )


def test_a_deny_names_a_principal_directly_or_through_a_group_and_excludes_likewise() -> None:
    state = rbac(assign(APP, OWNER, SUB), denies=(deny("by-group", RG, [GROUP]),))
    action = "Microsoft.Compute/virtualMachines/write"
    assert evaluate(state, [APP, GROUP], action, VM).decision is Decision.DENY
    assert evaluate(state, [APP], action, VM).decision is Decision.ALLOW
    excluded = rbac(assign(APP, OWNER, SUB),
                    denies=(deny("all-but-group", RG, [EVERYONE], excluded=[GROUP]),))  # fmt: skip
    assert evaluate(excluded, [APP, GROUP], action, VM).decision is Decision.ALLOW
    assert evaluate(excluded, [APP], action, VM).decision is Decision.DENY


def test_do_not_apply_to_child_scopes_limits_a_deny_to_its_own_scope() -> None:
    denial = deny("rg-only", RG, [EVERYONE], children=False)
    state = rbac(assign(APP, OWNER, SUB), denies=(denial,))
    action = "Microsoft.Resources/subscriptions/resourceGroups/write"
    assert evaluate(state, [APP], action, RG).decision is Decision.DENY
    assert evaluate(state, [APP], action, RG.upper()).decision is Decision.DENY
    assert evaluate(state, [APP], "Microsoft.Compute/virtualMachines/write", VM).decision is (
        Decision.ALLOW
    )


def test_a_deny_keeps_its_planes_apart() -> None:
    denial = deny("no-blob-reads", ACCOUNT, [EVERYONE], actions=[],
                  data_actions=["Microsoft.Storage/*/blobs/read"])  # fmt: skip
    state = rbac(assign(APP, BLOB_READER_ID, SUB), denies=(denial,))
    assert evaluate(state, [APP], READ_BLOB, CONTAINER, data_action=True).decision is (
        Decision.DENY
    )
    containers = "Microsoft.Storage/storageAccounts/blobServices/containers/read"
    assert evaluate(state, [APP], containers, CONTAINER).decision is Decision.ALLOW


def test_a_deny_without_a_grant_is_still_an_implicit_deny() -> None:
    # "If the user doesn't have a role with the action at the requested scope, access is not
    # granted. Otherwise, Azure Resource Manager checks if a deny assignment applies."
    state = rbac(denies=(deny("lock", RG, [EVERYONE]),))
    found = evaluate(state, [APP], "Microsoft.Compute/virtualMachines/write", VM)
    assert found.decision is Decision.IMPLICIT_DENY


# --- conditions --------------------------------------------------------------------------------

CONTAINER_CONDITION = (  # conditions-format.md, "Simple condition"
    "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'}))"
    " OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] "
    "StringEquals 'invoices'))"
)
CONTAINER_NAME = "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name]"


def test_a_conditional_assignment_is_conditional_for_the_action_it_targets() -> None:
    held = assign(APP, BLOB_READER_ID, ACCOUNT, condition=CONTAINER_CONDITION)
    state = rbac(held)
    found = evaluate(state, [APP], READ_BLOB, CONTAINER, data_action=True)
    assert found.decision is Decision.CONDITIONAL
    assert [r.policy_id for r in found.undecided] == [held["id"]]
    assert not found.allowed_by
    assert held["id"] in found.reason and "ABAC condition" in found.reason
    # the condition targets blob reads only: every other action of the role is granted
    containers = "Microsoft.Storage/storageAccounts/blobServices/containers/read"
    assert evaluate(state, [APP], containers, CONTAINER).decision is Decision.ALLOW


def test_a_condition_is_decided_when_the_context_gives_its_attribute() -> None:
    state = rbac(assign(APP, BLOB_READER_ID, ACCOUNT, condition=CONTAINER_CONDITION))
    same = evaluate(state, [APP], READ_BLOB, CONTAINER, data_action=True,
                    context={CONTAINER_NAME: "invoices"})  # fmt: skip
    assert same.decision is Decision.ALLOW
    other = evaluate(state, [APP], READ_BLOB, CONTAINER, data_action=True,
                     context={CONTAINER_NAME: "payroll"})  # fmt: skip
    assert other.decision is Decision.IMPLICIT_DENY


def test_an_unconditional_grant_beside_a_conditional_one_allows() -> None:
    conditional = assign(APP, BLOB_READER_ID, ACCOUNT, condition=CONTAINER_CONDITION)
    plain = assign(APP, BLOB_READER_ID, SUB)
    found = evaluate(rbac(conditional, plain), [APP], READ_BLOB, CONTAINER, data_action=True)
    assert found.decision is Decision.ALLOW
    assert [r.policy_id for r in found.allowed_by] == [plain["id"]]


def test_a_condition_version_other_than_2_is_undecided() -> None:
    held = assign(APP, OWNER, RG, condition="((!(ActionMatches{'x/y'})) OR (true))",
                  version="1.0")  # fmt: skip
    found = evaluate(rbac(held), [APP], "Microsoft.Compute/virtualMachines/write", VM)
    assert found.decision is Decision.CONDITIONAL


# --- admin scopes ------------------------------------------------------------------------------


def test_owner_and_user_access_administrator_are_admin_where_assigned_root_first() -> None:
    owner = assign(APP, OWNER, ROOT_MG)
    uaa = assign(APP, USER_ACCESS_ADMINISTRATOR, RG)
    reader = assign(APP, READER_ID, SUB)
    found = admin_scopes(rbac(uaa, reader, owner), [APP])
    assert [scope for scope, _ in found] == [ROOT_MG, RG]
    assert [e.decision for _, e in found] == [Decision.ALLOW, Decision.ALLOW]
    assert found[0][1].allowed_by[0].sid == "Owner"
    # the RG is below the root group: Owner there grants it too, as well as UAA
    assert {r.sid for r in found[1][1].allowed_by} == {"Owner", "User Access Administrator"}


def test_contributor_and_reader_are_admin_nowhere() -> None:
    state = rbac(assign(APP, CONTRIBUTOR_ID, ROOT_MG), assign(APP, READER_ID, SUB))
    assert admin_scopes(state, [APP]) == []


def test_rbac_administrator_is_admin_unless_its_condition_constrains_it() -> None:
    plain = rbac(assign(APP, RBAC_ADMINISTRATOR, SUB))
    assert [(s, e.decision) for s, e in admin_scopes(plain, [APP])] == [(SUB, Decision.ALLOW)]
    held = assign(APP, RBAC_ADMINISTRATOR, SUB, condition=CONSTRAIN_ROLES)
    constrained = rbac(held)
    ((scope, found),) = admin_scopes(constrained, [APP])
    assert (scope, found.decision) == (SUB, Decision.CONDITIONAL)
    assert [r.policy_id for r in found.undecided] == [held["id"]]
    # the roles it may assign, when asked: Backup Reader yes, Owner no
    assert admin_scopes(constrained, [APP], context={REQUEST_ROLE: BACKUP_READER})[0][
        1
    ].decision is (Decision.ALLOW)
    assert admin_scopes(constrained, [APP], context={REQUEST_ROLE: OWNER}) == []


def test_a_custom_role_with_role_assignment_write_is_admin() -> None:
    custom = {
        "name": "0d9b2c3a-7e6f-4a5b-9c8d-1e2f3a4b5c6d",
        "roleName": "Access delegate",
        "roleType": "CustomRole",
        "permissions": [{"actions": ["Microsoft.Authorization/roleAssignments/*"]}],
    }
    state = Rbac.from_json(role_definitions=[custom],
                           role_assignments=[assign(APP, custom["name"], RG)])  # fmt: skip
    ((scope, found),) = admin_scopes(state, [APP])
    assert scope == RG and found.decision is Decision.ALLOW
    assert found.allowed_by[0].sid == "Access delegate"


def test_a_deny_on_role_assignment_write_removes_the_scope() -> None:
    denial = deny("no-delegation", SUB, [EVERYONE],
                  actions=["Microsoft.Authorization/roleAssignments/write"])  # fmt: skip
    state = rbac(assign(APP, OWNER, SUB), assign(APP, OWNER, MG.format("prod")),
                 denies=(denial,))  # fmt: skip
    assert [scope for scope, _ in admin_scopes(state, [APP])] == [MG.format("prod")]


def test_admin_through_a_group() -> None:
    state = rbac(assign(GROUP, OWNER, SUB))
    assert [scope for scope, _ in admin_scopes(state, [APP, GROUP])] == [SUB]
    assert admin_scopes(state, [APP]) == []


def test_elevated_access_at_the_root_scope_is_admin_of_everything() -> None:
    # elevate-access-global-admin.md: User Access Administrator at the root scope "/"
    held = assign(APP, USER_ACCESS_ADMINISTRATOR, "/")
    assert held["id"].startswith("/providers/Microsoft.Authorization/roleAssignments/")
    state = rbac(held, assign(APP, OWNER, RG))
    assert [scope for scope, _ in admin_scopes(state, [APP])] == ["/", RG]
    assert evaluate(state, [APP], ROLE_ASSIGNMENTS_WRITE, ROOT_MG).decision is Decision.ALLOW


def test_a_deny_with_an_undecided_condition_leaves_the_grant_conditional() -> None:
    denial = deny("tagged-only", RG, [EVERYONE])
    denial["properties"] |= {
        "condition": "@Resource[Microsoft.Resources/tags:env] StringEquals 'prod'",
        "conditionVersion": "2.0",
    }
    held = assign(APP, OWNER, SUB)
    found = evaluate(rbac(held, denies=(denial,)), [APP], "Microsoft.Compute/virtualMachines/write",
                     VM)  # fmt: skip
    assert found.decision is Decision.CONDITIONAL
    assert [r.policy_id for r in found.allowed_by] == [held["id"]]
    assert [(r.policy_id, r.effect) for r in found.undecided] == [(denial["id"], "Deny")]
    assert "deny assignment" in found.reason

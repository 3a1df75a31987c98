from __future__ import annotations

import gzip
import json
from importlib import resources

import pytest

from nhiscan.providers.azure.catalog import (
    DATA_FILE,
    DATASET_DATE,
    AzureCatalog,
    Plane,
    RoleDataError,
    RoleDefinition,
    RolePermission,
    arm_resource_type,
    built_in_roles,
    default_catalog,
    parse_role_definitions,
)
from nhiscan.scanner.facts import AccessLevel, PermissionCatalog

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
STORAGE = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct"


def test_the_bundled_catalogue_loads_every_built_in_role() -> None:
    roles = built_in_roles()
    assert len(roles) == 928
    assert len({r.id for r in roles}) == 928 and len({r.name.lower() for r in roles}) == 928
    assert all(r.built_in and r.assignable_scopes == ("/",) for r in roles)
    catalog: PermissionCatalog = default_catalog()
    assert (catalog.updated_at, catalog.example) == (
        DATASET_DATE,
        "Microsoft.Storage/storageAccounts/read",
    )
    assert catalog.known(catalog.example) and not catalog.known("Microsoft.Storage/steal/action")
    azure = default_catalog()
    assert len(azure.operations[Plane.CONTROL]) == 3175  # 3,170 the roles spell + 5 documented
    assert len(azure.operations[Plane.DATA]) == 850  # 848 the roles spell + 2 documented
    assert len(azure.permissions) == 4023  # two operations are in both planes


def test_the_bundled_file_keeps_the_dataset_order_and_its_notice() -> None:
    data = resources.files("nhiscan.providers.azure").joinpath("data")
    rows = json.loads(gzip.decompress(data.joinpath(DATA_FILE).read_bytes()))
    assert len(rows) == 928 and rows[0]["roleName"] == "AcrPush"  # upstream order, unsorted
    assert [r["name"] for r in rows] == [r.id for r in built_in_roles()]
    assert "MIT License" in data.joinpath("LICENSE").read_text()
    assert "iam-dataset" in data.joinpath("PROVENANCE.md").read_text()
    assert data.joinpath("NOTICE").read_text().startswith("Third Party Software")


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("Owner", "Owner"),
        ("owner", "Owner"),
        (OWNER, "Owner"),
        (OWNER.upper(), "Owner"),
        (f"/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/{OWNER}", "Owner"),
        ("SignalR/Web PubSub Contributor", "SignalR/Web PubSub Contributor"),  # a "/" in a name
        ("Key Vault Secrets User", "Key Vault Secrets User"),
    ],
)
def test_role_lookup_by_name_and_by_id(key: str, name: str) -> None:
    role = default_catalog().role(key)
    assert role is not None and role.name == name


def test_an_unknown_role_is_none() -> None:
    assert default_catalog().role("Supreme Leader") is None
    assert default_catalog().role("00000000-0000-0000-0000-000000000000") is None


def test_role_definitions_keep_their_blocks_as_written() -> None:
    contributor = default_catalog().role(CONTRIBUTOR)
    assert contributor is not None and contributor.name == "Contributor"
    (block,) = contributor.permissions
    assert block.actions == ("*",)
    assert "Microsoft.Authorization/*/Write" in block.not_actions
    assert not contributor.conditional
    data_admin = default_catalog().role("Key Vault Data Access Administrator")
    assert data_admin is not None and data_admin.conditional
    assert sum(r.conditional for r in built_in_roles()) == 29  # 31 blocks in 29 roles


@pytest.mark.parametrize(
    ("pattern", "inside", "outside"),
    [
        ("*", "Microsoft.KeyVault/vaults/secrets/getSecret/action", None),
        (
            "*/read",
            "Microsoft.Compute/virtualMachines/read",
            "Microsoft.Compute/virtualMachines/write",
        ),
        (
            "Microsoft.Storage/*",
            "Microsoft.Storage/storageAccounts/listKeys/action",
            "Microsoft.Sql/servers/read",
        ),
        (
            "Microsoft.Compute/virtualMachines/*/read",
            "Microsoft.Compute/virtualMachines/extensions/read",
            "Microsoft.Compute/virtualMachines/read",  # "*" needs at least the "/" between
        ),
        ("microsoft.storage/STORAGEACCOUNTS/*", "Microsoft.Storage/storageAccounts/read", None),
        ("Microsoft.Authorization/*", "Microsoft.Authorization/roleDefinitions/write", None),
        (
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/roleAssignments/write",
            "Microsoft.Authorization/roleAssignments/read",
        ),
        (
            "*/listKeys/action",
            "Microsoft.Storage/storageAccounts/listKeys/action",
            "Microsoft.Storage/storageAccounts/read",
        ),
    ],
)
def test_wildcard_expansion(pattern: str, inside: str, outside: str | None) -> None:
    found = default_catalog().expand(pattern)
    assert inside in found
    if outside is not None:
        assert outside not in found


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("microsoft.compute/virtualmachines/READ", "Microsoft.Compute/virtualMachines/read"),
        ("Microsoft.Compute/VirtualMachines/read", "Microsoft.Compute/virtualMachines/read"),
        ("Microsoft.Insights/AlertRules/Read", "Microsoft.Insights/alertRules/read"),
        (
            "Microsoft.Storage/storageAccounts/listkeys/action",
            "Microsoft.Storage/storageAccounts/listKeys/action",
        ),
        ("  Microsoft.Network/virtualNetworks/read ", "Microsoft.Network/virtualNetworks/read"),
    ],
)
def test_operations_compare_without_case_and_answer_in_the_catalogue_spelling(
    written: str, canonical: str
) -> None:
    catalog = default_catalog()
    assert catalog.expand(written) == {canonical}
    info = catalog.info(written)
    assert info is not None and info.name == canonical


def test_expansion_by_plane() -> None:
    catalog = default_catalog()
    blobs = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"
    assert blobs in catalog.expand("*", plane=Plane.DATA)
    assert blobs not in catalog.expand("*", plane=Plane.CONTROL)
    assert catalog.expand(blobs, plane=Plane.CONTROL) == frozenset()
    assert catalog.expand("Microsoft.Storage/*", plane=Plane.DATA) < catalog.expand(
        "Microsoft.Storage/*"
    )
    assert catalog.expand("*") == catalog.permissions


def test_an_operation_newer_than_the_catalogue_is_kept_as_written() -> None:
    catalog = default_catalog()
    assert catalog.expand("Microsoft.Future/things/read") == {"Microsoft.Future/things/read"}
    assert catalog.expand("Microsoft.Future/*") == frozenset()
    assert catalog.info("Microsoft.Future/things/read") is None


@pytest.mark.parametrize(
    ("operation", "level"),
    [
        ("Microsoft.Storage/storageAccounts/read", AccessLevel.READ),
        ("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", AccessLevel.READ),
        ("Microsoft.Storage/storageAccounts/write", AccessLevel.WRITE),
        ("Microsoft.Storage/storageAccounts/delete", AccessLevel.WRITE),
        ("Microsoft.Storage/storageAccounts/listKeys/action", AccessLevel.READ),  # hands back keys
        (
            "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
            AccessLevel.READ,
        ),
        ("Microsoft.Web/sites/config/list/action", AccessLevel.LIST),
        ("Microsoft.Confluent/organizations/listRegions/action", AccessLevel.LIST),
        ("Microsoft.KeyVault/vaults/secrets/getSecret/action", AccessLevel.READ),
        ("Microsoft.Compute/virtualMachines/runCommand/action", AccessLevel.WRITE),
        ("Microsoft.Compute/virtualMachines/start/action", AccessLevel.WRITE),
        ("Microsoft.Authorization/roleAssignments/write", AccessLevel.PERMISSIONS_MANAGEMENT),
        ("Microsoft.Authorization/roleAssignments/delete", AccessLevel.PERMISSIONS_MANAGEMENT),
        ("Microsoft.Authorization/roleDefinitions/write", AccessLevel.PERMISSIONS_MANAGEMENT),
        ("Microsoft.Authorization/elevateAccess/Action", AccessLevel.PERMISSIONS_MANAGEMENT),
        (
            "Microsoft.Authorization/roleAssignmentScheduleRequests/write",
            AccessLevel.PERMISSIONS_MANAGEMENT,
        ),
        ("Microsoft.KeyVault/vaults/accessPolicies/write", AccessLevel.PERMISSIONS_MANAGEMENT),
        ("Microsoft.Authorization/locks/write", AccessLevel.WRITE),
        ("Microsoft.Authorization/roleAssignments/read", AccessLevel.READ),
        ("Microsoft.Resources/tags/write", AccessLevel.TAGGING),
        (
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/write",
            AccessLevel.TAGGING,
        ),
        ("Microsoft.ProgrammableConnectivity/Gateways/NetworkAPIAccess", AccessLevel.WRITE),
    ],
)
def test_access_level_from_the_last_segment(operation: str, level: AccessLevel) -> None:
    info = default_catalog().info(operation)
    assert info is not None, operation
    assert info.access_level is level
    assert info.service.lower() == operation.split("/", 1)[0].lower()
    assert info.service.startswith(("Microsoft.", "MICROSOFT."))


def test_every_role_assignment_write_is_permissions_management() -> None:
    catalog = default_catalog()
    writers = catalog.expand("Microsoft.Authorization/role*/write")
    assert len(writers) >= 3
    for name in writers:
        info = catalog.info(name)
        assert info is not None and info.access_level is AccessLevel.PERMISSIONS_MANAGEMENT


def test_the_service_is_the_namespace_as_most_operations_spell_it() -> None:
    catalog = default_catalog()
    for lower_spelled in ("microsoft.web/sites/config/list/action", "Microsoft.Web/sites/write"):
        info = catalog.info(lower_spelled)
        assert info is not None and info.service == "Microsoft.Web"


def test_dataset_oddities_are_not_operations() -> None:
    catalog = default_catalog()
    assert catalog.info("Microsoft.Insights/alertRules/") is None
    odd = (
        "Microsoft.DataProtection/subscriptions/resourceGroups/providers/resourceGuards/"
        "{operationName}/read"
    )
    assert catalog.info(odd) is None
    assert not any(name.endswith("/") or "{" in name for name in catalog.permissions)


def test_actions_for_resource() -> None:
    catalog = default_catalog()
    account = catalog.actions_for_resource(STORAGE)
    assert "Microsoft.Storage/storageAccounts/listKeys/action" in account
    assert "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read" in account
    assert "Microsoft.Compute/virtualMachines/read" not in account
    container = catalog.actions_for_resource(f"{STORAGE}/blobServices/default/containers/c1")
    assert "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read" in container
    assert "Microsoft.Storage/storageAccounts/listKeys/action" not in container
    for scope in (
        "/",
        "/providers/Microsoft.Management/managementGroups/root",
        "/subscriptions/s1",
        "/subscriptions/s1/resourceGroups/rg",
    ):
        assert catalog.actions_for_resource(scope) == catalog.permissions
    assert catalog.actions_for_resource("not-an-arm-id") == frozenset()


@pytest.mark.parametrize(
    ("resource", "kind"),
    [
        (STORAGE, "Microsoft.Storage/storageAccounts"),
        (
            f"{STORAGE}/blobServices/default/containers/c",
            "Microsoft.Storage/storageAccounts/blobServices/containers",
        ),
        (
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v"
            "/providers/Microsoft.Insights/diagnosticSettings/d",
            "Microsoft.Insights/diagnosticSettings",
        ),
        ("/subscriptions/s1/resourceGroups/rg", None),
        ("/subscriptions/s/providers/Microsoft.Storage", None),
    ],
)
def test_arm_resource_type(resource: str, kind: str | None) -> None:
    assert arm_resource_type(resource) == kind


def test_role_actions_subtract_not_actions_per_block() -> None:
    catalog = default_catalog()
    contributor = catalog.role_actions(catalog.role("Contributor") or _missing())
    assert "Microsoft.Compute/virtualMachines/runCommand/action" in contributor.control
    assert "Microsoft.Authorization/roleAssignments/write" not in contributor.control
    assert "Microsoft.Authorization/roleDefinitions/write" not in contributor.control
    assert "Microsoft.Authorization/elevateAccess/Action" not in contributor.control
    assert contributor.data == frozenset()
    owner = catalog.role_actions(catalog.role("Owner") or _missing())
    assert "Microsoft.Authorization/roleAssignments/write" in owner.control
    assert owner.data == frozenset()  # Owner's "*" is control plane only
    uaa = catalog.role_actions(catalog.role("User Access Administrator") or _missing())
    assert "Microsoft.Authorization/roleAssignments/write" in uaa.control
    assert "Microsoft.Compute/virtualMachines/write" not in uaa.control
    secrets = catalog.role_actions(catalog.role("Key Vault Secrets User") or _missing())
    assert "Microsoft.KeyVault/vaults/secrets/getSecret/action" in secrets.data


def test_custom_roles_build_their_own_catalogue() -> None:
    custom = RoleDefinition(
        id="11111111-2222-3333-4444-555555555555",
        name="Deployer",
        role_type="CustomRole",
        permissions=(
            RolePermission(
                actions=("Microsoft.Web/sites/*",),
                not_actions=("Microsoft.Web/sites/delete",),
            ),
        ),
    )
    catalog = AzureCatalog([*built_in_roles(), custom])
    assert catalog.role("deployer") == custom
    granted = catalog.role_actions(custom).control
    assert "Microsoft.Web/sites/write" in granted and "Microsoft.Web/sites/delete" not in granted


def test_parse_reads_az_output_and_arm_pages_alike() -> None:
    flat = [
        {
            "name": OWNER,
            "roleName": "Owner",
            "roleType": "BuiltInRole",
            "assignableScopes": ["/"],
            "permissions": [{"actions": ["*"], "notActions": []}],
        }
    ]
    arm = {
        "value": [
            {
                "id": f"/providers/Microsoft.Authorization/roleDefinitions/{OWNER}",
                "name": OWNER,
                "type": "Microsoft.Authorization/roleDefinitions",
                "properties": {
                    "roleName": "Owner",
                    "type": "BuiltInRole",
                    "assignableScopes": ["/"],
                    "permissions": [{"actions": ["*"], "notActions": []}],
                },
            }
        ]
    }
    assert parse_role_definitions(flat) == parse_role_definitions(arm)


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ({"roles": []}, "$"),
        ([{"name": "owner", "roleName": "Owner", "roleType": "BuiltInRole"}], "[0].name"),
        ([{"name": OWNER, "roleType": "BuiltInRole"}], "[0].roleName"),
        (
            [
                {
                    "name": OWNER,
                    "roleName": "Owner",
                    "roleType": "BuiltInRole",
                    "permissions": [{"actions": "*"}],
                }
            ],
            "[0].permissions[0].actions",
        ),
        (
            {
                "value": [
                    {
                        "name": OWNER,
                        "properties": {
                            "roleName": "Owner",
                            "type": "BuiltInRole",
                            "permissions": [{"dataActions": [3]}],
                        },
                    }
                ]
            },
            "value[0].properties.permissions[0].dataActions[0]",
        ),
    ],
)
def test_a_malformed_role_definition_names_its_json_path(raw: object, where: str) -> None:
    with pytest.raises(RoleDataError) as caught:
        parse_role_definitions(raw)
    assert str(caught.value).startswith(f"{where}:")


def _missing() -> RoleDefinition:
    raise AssertionError("role not in the bundled table")

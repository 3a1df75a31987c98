"""Action strings, permission blocks, role definition ids and ABAC conditions.

Examples from "Understand Azure role definitions" (role-definitions.md: the Actions table and
the NotActions/NotDataActions effective-permission tables) and "Azure role assignment condition
format and syntax" (conditions-format.md), MicrosoftDocs/azure-docs.
"""

from __future__ import annotations

import pytest

from nhiscan.providers.azure.actions import (
    Permission,
    action_matches,
    parse_role_definition,
    role_guid,
)
from nhiscan.providers.azure.conditions import decide
from nhiscan.providers.azure.rbac import ROLE_ASSIGNMENTS_WRITE, Rbac, evaluate
from nhiscan.providers.azure.scopes import ArmFormatError
from nhiscan.scanner.authz import Decision
from tests.providers.azure.test_rbac import BLOB_READER, CONTRIBUTOR, SECRETS_USER_ID

READ_BLOB = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"
LIST = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/list"


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("*/read", "Microsoft.Compute/virtualMachines/read", True),
        ("*/read", "Microsoft.Compute/virtualMachines/write", False),
        ("Microsoft.Compute/*", "Microsoft.Compute/virtualMachines/extensions/write", True),
        ("Microsoft.Compute/*", "Microsoft.ComputeSchedule/x/read", False),
        ("Microsoft.Network/*/read", "Microsoft.Network/virtualNetworks/subnets/read", True),
        ("Microsoft.Network/*/read", "Microsoft.Network/virtualNetworks/write", False),
        ("Microsoft.Compute/virtualMachines/*", "Microsoft.Compute/virtualMachines/start/action",
         True),
        ("microsoft.web/sites/restart/Action", "Microsoft.Web/sites/restart/action", True),
        ("*", "Microsoft.Authorization/roleAssignments/write", True),
        ("Microsoft.Storage/*/blobs/*", READ_BLOB, True),
        ("Microsoft.Storage/storageAccounts/read", "Microsoft.Storage/storageAccounts/readx",
         False),
        ("Microsoft.Sto?age/storageAccounts/read", "Microsoft.Storage/storageAccounts/read",
         False),  # only * is a wildcard in action strings
    ],
)  # fmt: skip
def test_action_matching(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


EXPORTS = ["action", "read", "write", "delete", "run/action"]


@pytest.mark.parametrize(
    ("not_actions", "effective"),
    [
        ((), EXPORTS),
        (("Microsoft.CostManagement/exports/delete",), ["action", "read", "write", "run/action"]),
    ],
)
def test_actions_minus_not_actions_is_the_documented_table(
    not_actions: tuple[str, ...], effective: list[str]
) -> None:
    block = Permission(actions=("Microsoft.CostManagement/exports/*",), not_actions=not_actions)
    exports = "Microsoft.CostManagement/exports/"
    granted = [op for op in EXPORTS if block.names(exports + op, data_action=False)]
    assert granted == effective
    assert not any(block.names(exports + op, data_action=True) for op in EXPORTS)


def test_data_actions_minus_not_data_actions_is_the_documented_table() -> None:
    messages = "Microsoft.Storage/storageAccounts/queueServices/queues/messages/"
    ops = ["read", "write", "delete", "add/action", "process/action"]
    block = Permission(data_actions=(f"{messages}*",), not_data_actions=(f"{messages}delete",))
    assert [op for op in ops if block.names(messages + op, data_action=True)] == [
        "read", "write", "add/action", "process/action",
    ]  # fmt: skip
    assert not any(block.names(messages + op, data_action=False) for op in ops)


@pytest.mark.parametrize(
    "text",
    [
        "/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/providers/Microsoft.Authorization/"
        "roleDefinitions/8E3AF657-A8FF-443C-A75C-2FE8C4BCB635",
        "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "/providers/Microsoft.Management/managementGroups/prod/providers/Microsoft.Authorization/"
        "roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "8e3af657a8ff443ca75c2fe8c4bcb635",
    ],
)
def test_every_role_definition_id_form_names_one_guid(text: str) -> None:
    assert role_guid(text) == "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"


def test_a_role_definition_id_without_a_guid_is_an_error() -> None:
    with pytest.raises(ArmFormatError, match=r"'Owner' \(at x\.roleDefinitionId\)"):
        role_guid("Owner", where="x.roleDefinitionId")


def test_the_az_cli_and_rest_forms_of_a_role_read_alike() -> None:
    rest = {
        "properties": {key: BLOB_READER[key] for key in ("roleName", "permissions")},
        "id": BLOB_READER["id"],
        "name": BLOB_READER["name"],
    }
    assert parse_role_definition(rest) == parse_role_definition(BLOB_READER)
    contributor = parse_role_definition(CONTRIBUTOR)
    assert (contributor.name, contributor.custom) == ("Contributor", False)


# --- ABAC conditions ---------------------------------------------------------------------------

SIMPLE = (  # conditions-format.md, "Simple condition"
    "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'}))"
    " OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals"
    " 'blobs-example-container'))"
)
NAME = "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name]"
SUBOPERATION = (  # conditions-format.md, "Suboperations"
    "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'}"
    " AND SubOperationMatches{'Blob.List'})) OR (@Resource[Microsoft.Storage/storageAccounts/"
    "blobServices/containers:name] StringEquals 'logs'))"
)


def test_the_simple_form_lets_every_other_action_through() -> None:
    assert decide(SIMPLE, "Microsoft.Storage/storageAccounts/blobServices/containers/read") is True
    assert decide(SIMPLE, READ_BLOB) is None  # the container is not known
    assert decide(SIMPLE, READ_BLOB.upper()) is None  # ActionMatches ignores case too
    assert decide(SIMPLE, READ_BLOB, context={NAME: "blobs-example-container"}) is True
    assert decide(SIMPLE, READ_BLOB, context={NAME.lower(): "other"}) is False
    assert decide(SIMPLE, READ_BLOB, context={NAME: "Blobs-Example-Container"}) is False


def test_a_suboperation_is_not_known_so_it_stays_undecided() -> None:
    assert decide(SUBOPERATION, "Microsoft.Storage/storageAccounts/read") is True
    assert decide(SUBOPERATION, READ_BLOB) is None
    assert decide(SUBOPERATION, READ_BLOB, context={NAME: "logs"}) is True


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("ActionMatches{'*/read'} && !ActionMatches{'Microsoft.Compute/*'}", True),
        ("ActionMatches{'*/write'} || ActionMatches{'Microsoft.Storage/*'}", True),
        ("NOT ActionMatches{'Microsoft.Storage/*'}", False),
        ("ActionMatches{'*/read'} AND ActionMatches{'x/*'} OR ActionMatches{'*'}", None),
        ("(ActionMatches{'*/read'} AND ActionMatches{'x/*'}) OR ActionMatches{'*'}", True),
        ("((ActionMatches{'*/read'})", None),  # unbalanced
        ("ActionMatches{'*/read'} AND", None),
        ("Exists @Request[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:x]",
         None),
        ("@Environment[UtcNow] DateTimeGreaterThan '2030-01-01T00:00:00.0Z'", None),
        ("(Exists @Request[a:b]) OR ActionMatches{'*/read'}", True),
        ("(Exists @Request[a:b]) AND ActionMatches{'*/write'}", False),
    ],
)  # fmt: skip
def test_boolean_structure(condition: str, expected: bool | None) -> None:
    assert decide(condition, READ_BLOB) is expected


ROLE_ID = "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
UAA = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"


@pytest.mark.parametrize(
    ("comparison", "value", "expected"),
    [
        (f"ForAnyOfAnyValues:GuidEquals {{{READER}, {UAA}}}", READER.upper(), True),
        (f"ForAnyOfAnyValues:GuidEquals {{{READER}, {UAA}}}", OWNER, False),
        # built-in roles write the GUIDs without dashes and without a space before the brace
        (f"ForAnyOfAnyValues:GuidEquals{{{READER.replace('-', '')}}}", READER, True),
        (f"GuidEquals {READER}", f"/providers/Microsoft.Authorization/roleDefinitions/{READER}",
         True),
        # a negation over several values reads two ways: decided only where they agree
        (f"ForAnyOfAnyValues:GuidNotEquals {{{OWNER}, {UAA}}}", READER, True),
        (f"ForAnyOfAnyValues:GuidNotEquals {{{OWNER}, {UAA}}}", OWNER, None),
        (f"GuidNotEquals {OWNER}", OWNER, False),
        ("GuidEquals not-a-guid", READER, None),
    ],
)  # fmt: skip
def test_guid_comparisons(comparison: str, value: str, expected: bool | None) -> None:
    assert decide(f"{ROLE_ID} {comparison}", "x", context={ROLE_ID: value}) is expected


@pytest.mark.parametrize(
    ("comparison", "value", "expected"),
    [
        ("StringEquals 'Logs'", "logs", False),
        ("StringEqualsIgnoreCase 'Logs'", "logs", True),
        ("StringNotEquals 'logs'", "logs", False),
        ("StringStartsWith 'log'", "logs-2024", True),
        ("StringNotStartsWithIgnoreCase 'LOG'", "logs-2024", False),
        ("StringLike 'a*c?'", "abcd", True),
        ("StringLike 'A*C?'", "abcd", False),
        ("StringLikeIgnoreCase 'A*C?'", "abcd", True),
        ("StringLike 'a*c'", "abcd", False),
        ("ForAnyOfAnyValues:StringEquals {'red', 'blue'}", ["blue", "green"], True),
        ("ForAllOfAnyValues:StringEquals {'orange', 'red', 'blue'}", ["red", "blue"], True),
        ("ForAllOfAnyValues:StringEquals {'red', 'green'}", ["red", "blue"], False),
        ("StringEquals {'red', 'blue'}", "red", None),  # several values need a quantifier
        ("NumericLessThan 15", "10", None),
    ],
)  # fmt: skip
def test_string_comparisons(comparison: str, value: str | list[str], expected: bool | None) -> None:
    assert decide(f"{NAME} {comparison}", "x", context={NAME: value}) is expected


def test_a_condition_in_a_role_definition_applies_to_its_block_only() -> None:
    # like Key Vault Data Access Administrator: role assignment writes are constrained to a
    # list of roles by an ABAC condition in the role's own permission block
    role = {
        "name": "8b54135c-b56d-4d72-a534-26097cfdc8d8",
        "roleName": "Key Vault Data Access Administrator",
        "permissions": [{
            "actions": [ROLE_ASSIGNMENTS_WRITE, "Microsoft.KeyVault/vaults/*/read"],
            "condition": "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
            f"(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] "
            f"ForAnyOfAnyValues:GuidEquals{{{SECRETS_USER_ID}}}))",
            "conditionVersion": "2.0",
        }],
    }  # fmt: skip
    held = {
        "id": "/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/a1",
        "scope": "/subscriptions/s",
        "principalId": "p1",
        "roleDefinitionId": role["name"],
    }
    state = Rbac.from_json(role_definitions=[role], role_assignments=[held])
    found = evaluate(state, ["p1"], ROLE_ASSIGNMENTS_WRITE, "/subscriptions/s")
    assert found.decision is Decision.CONDITIONAL
    assert "permission block 0" in found.reason
    assert evaluate(state, ["p1"], "Microsoft.KeyVault/vaults/secrets/read",
                    "/subscriptions/s").decision is Decision.ALLOW  # fmt: skip
    given = {ROLE_ID: SECRETS_USER_ID}
    assert evaluate(state, ["p1"], ROLE_ASSIGNMENTS_WRITE, "/subscriptions/s",
                    context=given).decision is Decision.ALLOW  # fmt: skip
    assert evaluate(state, ["p1"], ROLE_ASSIGNMENTS_WRITE, "/subscriptions/s",
                    context={ROLE_ID: OWNER}).decision is Decision.IMPLICIT_DENY  # fmt: skip

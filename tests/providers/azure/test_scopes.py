"""ARM scope ids: kinds, case, nesting, extension resources, the management-group chain."""

from __future__ import annotations

import pytest

from nhiscan.errors import SnapshotError
from nhiscan.providers.azure.scopes import (
    ROOT,
    ArmFormatError,
    ScopeKind,
    ancestors,
    covers,
    parent_map,
    parse_scope,
)

SUB = "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333"
RG = f"{SUB}/resourceGroups/Payments-RG"
ACCOUNT = f"{RG}/providers/Microsoft.Storage/storageAccounts/paystore"
CONTAINER = f"{ACCOUNT}/blobServices/default/containers/invoices"
MG = "/providers/Microsoft.Management/managementGroups/{}"
PARENTS = {
    SUB: MG.format("prod"),
    MG.format("prod"): MG.format("contoso"),
    MG.format("contoso"): "72f988bf-86f1-41af-91ab-2d7cd011db47",  # the tenant root group
}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("/", ScopeKind.ROOT),
        (MG.format("Contoso"), ScopeKind.MANAGEMENT_GROUP),
        (SUB, ScopeKind.SUBSCRIPTION),
        (RG, ScopeKind.RESOURCE_GROUP),
        (ACCOUNT, ScopeKind.RESOURCE),
        (CONTAINER, ScopeKind.RESOURCE),
        ("/providers/Microsoft.Authorization/roleDefinitions/acdd72a7", ScopeKind.RESOURCE),
    ],
)
def test_each_documented_form_parses_to_its_kind(text: str, kind: ScopeKind) -> None:
    assert parse_scope(text).kind is kind


def test_scopes_compare_without_regard_to_case_or_a_trailing_slash() -> None:
    # ARM itself writes "resourcegroups" in the deny assignment example of the 2022-04-01 spec
    lower = parse_scope(RG.lower().replace("resourcegroups", "resourcegroups") + "/")
    upper = parse_scope(RG.upper())
    assert lower.key == upper.key == parse_scope(RG).key
    assert parse_scope(RG).id == RG  # the spelling given is kept for people
    assert parse_scope(RG).subscription == "0b1f6471-1bf0-4dda-aec3-111122223333"
    assert parse_scope(RG).resource_group == "payments-rg"


def test_a_nested_child_resource_has_every_parent_in_its_chain() -> None:
    chain = parse_scope(CONTAINER).chain
    assert chain == (
        ROOT,
        SUB.lower(),
        RG.lower(),
        ACCOUNT.lower(),
        f"{ACCOUNT}/blobServices/default".lower(),
        CONTAINER.lower(),
    )


def test_an_extension_resource_sits_below_the_resource_it_extends() -> None:
    assignment = f"{ACCOUNT}/providers/Microsoft.Authorization/roleAssignments/05c5a614"
    chain = parse_scope(assignment).chain
    assert chain[-2] == ACCOUNT.lower()
    assert parse_scope(f"{SUB}/providers/Microsoft.Security/pricings/VirtualMachines").chain[
        :-1
    ] == (ROOT, SUB.lower())
    assert parse_scope(f"{MG.format('prod')}/providers/Microsoft.Authorization/x/y").chain[-2] == (
        MG.format("prod").lower()
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("subscriptions/abc", "does not start with '/'"),
        ("/subscriptions", "a subscription without its id"),
        ("/providers/Microsoft.Management/managementGroups", "without its id"),
        (f"{SUB}/resourceGroups", "expected providers/"),
        (f"{RG}/providers/Microsoft.Storage/storageAccounts", "expected providers/"),
        (f"{ACCOUNT}/blobServices", "has no name"),
        ("/subscriptions//resourceGroups/x", "empty segment"),
        ("/tenants/abc", "starts with 'tenants'"),
    ],
)
def test_a_malformed_id_is_an_error_naming_it_and_where(text: str, problem: str) -> None:
    with pytest.raises(ArmFormatError, match=problem) as caught:
        parse_scope(text, where="role-assignments/sub.json[2].scope")
    assert repr(text) in str(caught.value)
    assert "role-assignments/sub.json[2].scope" in str(caught.value)
    assert isinstance(caught.value, SnapshotError)  # one exception tree


def test_ancestors_run_root_first_through_the_management_group_chain() -> None:
    assert ancestors(RG, PARENTS) == [
        ROOT,
        MG.format("72f988bf-86f1-41af-91ab-2d7cd011db47").lower(),
        MG.format("contoso").lower(),
        MG.format("prod").lower(),
        SUB.lower(),
        RG.lower(),
    ]
    assert ancestors(MG.format("Prod"), PARENTS)[:3] == [
        ROOT,
        MG.format("72f988bf-86f1-41af-91ab-2d7cd011db47").lower(),
        MG.format("contoso").lower(),
    ]
    assert ancestors(RG) == [ROOT, SUB.lower(), RG.lower()]  # no chain known: the root only


def test_a_cycle_in_the_management_group_parents_ends_the_chain() -> None:
    looped = {SUB: "a", MG.format("a"): "b", MG.format("b"): "a"}
    assert ancestors(SUB, looped) == [ROOT, MG.format("b").lower(), MG.format("a").lower(),
                                      SUB.lower()]  # fmt: skip


def test_a_parent_that_is_not_a_management_group_is_an_error_naming_the_entry() -> None:
    with pytest.raises(ArmFormatError, match=r"management_group_parents\[.*must be a manage"):
        parent_map({SUB: f"{SUB}/resourceGroups/rg"})


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        (MG.format("contoso"), CONTAINER, True),  # inherited down the whole chain
        (ROOT, CONTAINER, True),
        (SUB.upper(), CONTAINER, True),
        (RG, RG, True),
        (CONTAINER, ACCOUNT, False),  # never upwards
        (f"{SUB}/resourceGroups/other-rg", CONTAINER, False),  # a sibling
        (MG.format("dev"), CONTAINER, False),  # a management group not above it
        (f"{ACCOUNT}2", ACCOUNT, False),  # a prefix of the name is not a parent
    ],
)
def test_covers(outer: str, inner: str, expected: bool) -> None:
    assert covers(outer, inner, PARENTS) is expected

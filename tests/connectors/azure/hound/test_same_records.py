"""One tenant, two inputs: the AzureHound file and the az CLI export of the same tenant give the
same identities, credentials and role assignments, apart from the listed differences (what
AzureHound does not carry: federated credentials, role definitions and their names; what it
upper-cases: the names of a resource group and a VM; what it adds: the user-assigned identity a
VM carries)."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from nhiscan.scanner.model import Account, Credential, Identity, Policy, PolicyKind, Resource
from tests.connectors.azure import export
from tests.connectors.azure.export import PROD, SP_PAY, SP_UAMI, SP_VM, by_id
from tests.connectors.azure.hound.hound import read


def _differing(a: Any, b: Any) -> set[str]:
    return {f.name for f in fields(a) if getattr(a, f.name) != getattr(b, f.name)}


def test_identities_and_credentials_are_the_same() -> None:
    hound, offline = read(), export.read()
    ids, oids = by_id(hound, Identity), by_id(offline, Identity)
    assert set(ids) == set(oids) and len(ids) == 7
    for key, identity in ids.items():
        expected = oids[key]
        if key == SP_PAY:  # its application's federated credentials: not in AzureHound's output
            assert expected.trust_policy is not None and identity.trust_policy is None
            expected = replace(expected, trust_policy=None)
        assert identity == expected, _differing(identity, expected)
    assert by_id(hound, Credential) == by_id(offline, Credential)
    assert len(by_id(hound, Credential)) == 6
    assert by_id(hound, Account) == by_id(offline, Account)


def test_role_assignments_are_the_same_but_for_the_role_names() -> None:
    def assignments(records: list[Any]) -> dict[str, Policy]:
        return {
            p.id: p for p in by_id(records, Policy).values()
            if p.kind is PolicyKind.AZURE_ROLE_ASSIGNMENT
        }  # fmt: skip

    hound, offline = assignments(read()), assignments(export.read())
    assert set(hound) == set(offline) and len(hound) == 7
    for key, policy in hound.items():
        expected = offline[key]
        # az prints roleDefinitionName; AzureHound does not carry it: the role's GUID names it
        assert policy.name == expected.document["roleDefinitionId"].rsplit("/", 1)[-1].lower()
        assert (policy.account, policy.attached_to) == (expected.account, expected.attached_to)
        for field in ("principalId", "roleDefinitionId"):
            assert policy.document[field].lower() == expected.document[field].lower()


def test_entra_policies_and_resources_are_the_same_apart_from_the_listed_differences() -> None:
    hound, offline = read(), export.read()
    policies = {k: p.kind for k, p in by_id(hound, Policy).items()}
    expected = {
        k: p.kind for k, p in by_id(offline, Policy).items()
        # the reader maps no AZRole (directory role definitions) yet: a gap says custom roles
        # are unknown, as an export without directory-role-definitions.json does
        if p.kind not in (PolicyKind.AZURE_ROLE_DEFINITION, PolicyKind.ENTRA_FEDERATED_CREDENTIALS,
                          PolicyKind.ENTRA_ROLE_DEFINITION)
    }  # fmt: skip
    assert policies == expected
    for key, policy in by_id(hound, Policy).items():
        if policy.kind in (PolicyKind.ENTRA_OWNERS, PolicyKind.ENTRA_DIRECTORY_ROLES):
            assert policy.document == by_id(offline, Policy)[key].document
    resources, oresources = by_id(hound, Resource), by_id(offline, Resource)
    assert set(resources) == set(oresources)
    vm = f"/subscriptions/{PROD}/resourcegroups/rg-batch/providers/microsoft.compute/" \
        "virtualmachines/vm-batch"  # fmt: skip
    for key, resource in resources.items():
        expected = oresources[key]
        if key == vm:  # AZVM's identity block names its user-assigned identity too
            assert (resource.runs_as, resource.also_runs_as) == (SP_VM, (SP_UAMI,))
            assert expected.also_runs_as == ()
            expected = replace(expected, also_runs_as=(SP_UAMI,))
        if resource.name != expected.name:  # AzureHound upper-cased the id it names
            assert resource.name == expected.name.upper(), key
            expected = replace(expected, name=resource.name)
        assert resource == expected, _differing(resource, expected)
    assert {r.name for r in resources.values() if r.name != oresources[r.id].name} == {
        "RG-BATCH", "VM-BATCH"
    }  # fmt: skip

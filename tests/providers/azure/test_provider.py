"""The Azure provider's static parts: registered as ``azure`` (no rules or agents yet), its ids,
classifier, facts and the check of a snapshot file's Azure records."""

from __future__ import annotations

from dataclasses import replace

from nhiscan.providers import provider, rules_of
from nhiscan.providers.azure.ids import AzureIds
from nhiscan.scanner.model import CollectionGap, GapReason, Provider
from tests import factories as f
from tests.providers.azure import factories as az

IDS = AzureIds()
VM = az.VM
BOT = az.sp("bot", 1)


def test_registered_as_azure_with_its_rules_and_agent_vocabulary() -> None:
    found = provider("azure")
    assert (found.name, found.label) == ("azure", "Azure")
    assert found.agents is not None and found.agents.defaults_key == "azure"
    assert [r.meta.id for r in rules_of("azure")] == [f"NHI50{i}" for i in range(8)]
    assert found.catalog.known("Microsoft.Compute/virtualMachines/runCommand/action")


def test_ids_read_arm_ids_and_object_ids() -> None:
    assert IDS.owns(VM) and IDS.owns(BOT.id) and IDS.owns(az.PLATFORM)
    assert not IDS.owns("arn:aws:iam::123456789012:role/x")
    assert IDS.scope_of(VM) == az.SUB and IDS.scope_of(BOT.id) is None
    assert IDS.scope_of(az.PLATFORM) == az.PLATFORM
    assert IDS.service_of(VM) == "microsoft.compute"
    assert IDS.service_of(BOT.id) == "Microsoft.Directory"
    blob = (
        f"{az.RG}/providers/microsoft.storage/storageaccounts/st1/blobservices/default/containers/c"
    )
    assert IDS.container_of(blob) == f"{az.RG}/providers/microsoft.storage/storageaccounts/st1"
    assert IDS.container_of(VM) is None
    assert IDS.short(VM) == "vm-app"
    assert IDS.is_broad(az.PROD) and IDS.is_broad(az.RG) and IDS.is_broad(az.ROOT_MG)
    assert not IDS.is_broad(VM)


def test_service_principals_and_managed_identities_are_machines() -> None:
    classify = provider("azure").classifier.classify
    for identity in (BOT, az.mi("vm", 5)):
        verdict = classify(identity, (), {})
        assert verdict is not None and verdict.is_human is False
    graph = classify(az.graph_sp(), (), {})
    assert graph is not None and "first-party" in graph.reason
    assert classify(f.user(), (), {}) is None  # not an Azure record


def test_facts_name_the_sign_in_gap_operations_and_long_lived_kinds() -> None:
    facts = provider("azure").facts
    assert facts.last_used_operations["credential"] == {"appCredentialSignInActivities"}
    assert facts.last_used_operations["identity"] == {"servicePrincipalSignInActivities"}
    assert facts.long_lived_credentials == {"client-secret", "certificate"}
    assert facts.credential_words["client-secret"] == "client secret"
    assert {"NHI100", "NHI101", "NHI103", "NHI104", "NHI106"} <= set(facts.remediations)


def test_the_check_names_an_assignment_of_an_unknown_role_unless_a_gap_explains_it() -> None:
    unknown = "7e000000-0000-4000-8000-0000000000f9"
    held = az.assignment(BOT, unknown, az.PROD)
    known = az.assignment(BOT, az.OWNER, az.PROD)  # a built-in role: the bundled table has it
    problems = list(provider("azure").check(f.snapshot(BOT, held, known)))
    assert len(problems) == 1 and held.id in problems[0] and unknown in problems[0]
    gap = CollectionGap(
        provider=Provider.AZURE,
        scope=az.TENANT,
        operation="azure-export:role-definitions",
        reason=GapReason.NOT_IN_EXPORT,
        detail=f"role assignment {held.id} names role definition {unknown}",
    )
    assert list(provider("azure").check(f.snapshot(BOT, held, gap))) == []


def test_the_check_names_a_malformed_assignment() -> None:
    held = az.assignment(BOT, az.OWNER, az.PROD)
    broken = replace(held, document={**held.document, "principalId": 42})
    (problem,) = provider("azure").check(f.snapshot(BOT, broken))
    assert "principalId" in problem and held.id in problem


def test_an_unlicensed_tenant_is_its_own_gap_reason() -> None:
    assert GapReason("unlicensed") is GapReason.UNLICENSED

"""What the AzureHound file holds and what it lacks: upper-cased ids normalised (GUIDs and ARM
ids lower-cased, names kept as written); an unknown kind counted in a gap naming it; a known
kind nhiscan does not map named in a progress line; what AzureHound does not carry (owners not
listed, federated credentials, sign-ins, other roles' assignments) a not-in-export gap, with no
owner ever claimed without the owners."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nhiscan.scanner.model import (
    CollectionGap,
    GapReason,
    Identity,
    Policy,
    Resource,
    ResourceKind,
)
from tests.connectors.azure.export import (
    PARTNER_APP,
    PARTNER_CLIENT,
    PAY_CLIENT,
    PROD,
    SP_PARTNER,
    SP_PAY,
    SP_UAMI,
    SP_VM,
    TENANT,
    by_id,
)
from tests.connectors.azure.hound.hound import HOUND, changed, index_of, read, without

ORPHAN_OWNER = "a3000000-0000-4000-8000-000000000003"  # AZAppOwner names this app by object id


def _gaps(records: list[Any], operation: str) -> list[CollectionGap]:
    return [r for r in records if isinstance(r, CollectionGap) and r.operation == operation]


def test_upper_cased_ids_are_normalised_and_names_kept() -> None:
    text = HOUND.read_text()
    assert PARTNER_APP.upper() in text and SP_PAY.upper() in text and "RG-BATCH" in text
    records = read()
    resources, identities = by_id(records, Resource), by_id(records, Identity)
    assert resources[PARTNER_APP].runs_as == SP_PARTNER  # upper-cased appId joined its SP
    assert identities[SP_PAY].native_id == PAY_CLIENT
    # an upper-cased ARM id: one lower-cased id; the name as AzureHound wrote it
    group = resources[f"/subscriptions/{PROD}/resourcegroups/rg-batch"]
    assert group.name == "RG-BATCH"
    policies = by_id(records, Policy)
    assigned = [p for p in policies.values() if p.attached_to == (group.id,)]
    assert len(assigned) == 2 and all(p.id == p.id.lower() for p in assigned)
    assert {p.document["principalId"] for p in assigned} == {
        "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", "b6000000-0000-4000-8000-000000000006"
    }  # fmt: skip


def test_owners_are_read_whichever_id_names_the_application() -> None:
    policies = by_id(read(), Policy)
    # upper-cased client id (payments-api), object id (legacy-report), client id (partner-sync)
    assert policies["a1000000-0000-4000-8000-000000000001#owners"].document["value"]
    assert policies[f"{ORPHAN_OWNER}#owners"].document["value"]
    assert policies[f"{PARTNER_APP}#owners"].document["value"] == []  # known: no owner


def test_an_unknown_kind_is_counted_in_a_gap_and_unmapped_kinds_noted(tmp_path: Path) -> None:
    def future(document: dict[str, Any]) -> None:
        document["data"] += [{"kind": "AZFutureThing", "data": {"id": str(i)}} for i in range(3)]

    lines: list[str] = []
    records = read(changed(tmp_path, future), lines)
    (gap,) = _gaps(records, "azurehound:unknown-kind")
    assert (gap.subject, gap.scope) == ("AZFutureThing", TENANT)
    assert gap.reason is GapReason.NOT_IN_EXPORT
    assert "3 entries of kind 'AZFutureThing'" in gap.detail
    assert any("AZGroupMember 1, AZUser 1" in line for line in lines)
    assert _gaps(read(), "azurehound:unknown-kind") == []


def test_an_application_without_an_owner_entry_has_no_owner_claimed(tmp_path: Path) -> None:
    def drop(document: dict[str, Any]) -> None:
        index = index_of(document, "AZAppOwner", lambda d: d["appId"].lower() == PARTNER_CLIENT)
        del document["data"][index]

    records = read(changed(tmp_path, drop))
    (gap,) = _gaps(records, "azure-export:app-owners")
    assert gap.subject == PARTNER_CLIENT and "no AZAppOwner entry" in gap.detail
    assert f"{PARTNER_APP}#owners" not in by_id(records, Policy)
    assert by_id(records, Identity)[SP_PARTNER].owner is None
    # no owner kind at all: one gap for the part, no owners policy anywhere
    records = read(changed(tmp_path, without("AZAppOwner")))
    (gap,) = _gaps(records, "azure-export:app-owners")
    assert gap.subject is None and "holds no AZAppOwner entry" in gap.detail
    assert not [p for p in by_id(records, Policy) if p.startswith("a") and p.endswith("#owners")]


def test_what_azurehound_does_not_carry_is_a_gap() -> None:
    records = read()
    for operation in (
        "servicePrincipalSignInActivities", "appCredentialSignInActivities",
        "azure-export:federated-credentials",
    ):  # fmt: skip
        (gap,) = _gaps(records, operation)
        assert gap.scope == TENANT and gap.reason is GapReason.NOT_IN_EXPORT
    assert {g.scope for g in _gaps(records, "azure-export:deny-assignments")} == {
        PROD, "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    }  # fmt: skip
    # every role's assignments are listed (AZ*RoleAssignment kinds): no subscription's missing
    assert _gaps(records, "azure-export:role-assignments") == []
    # no role definitions in the file: each assignment's role is named in a gap
    assert all("holds no Azure role definitions" in g.detail
               for g in _gaps(records, "azure-export:role-definitions"))  # fmt: skip
    assert _gaps(records, "azurehound:credentials") == []


def test_only_owner_kinds_leave_the_other_role_assignments_unknown(tmp_path: Path) -> None:
    def owners_only(document: dict[str, Any]) -> None:
        document["data"] = [
            e for e in document["data"] if not e["kind"].endswith("RoleAssignment")
            or e["kind"] in ("AZAppRoleAssignment", "AZRoleAssignment")
        ]  # fmt: skip

    records = read(changed(tmp_path, owners_only))
    gaps = _gaps(records, "azure-export:role-assignments")
    assert {g.scope for g in gaps} == {PROD, "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"}
    assert all("AZSubscriptionOwner" in g.detail for g in gaps)
    # the Owner assignment AZSubscriptionOwner carries is still read
    owner = f"/subscriptions/{PROD}/providers/microsoft.authorization/roleassignments/" \
        "f1000000-0000-4000-8000-000000000001"  # fmt: skip
    assert owner in by_id(records, Policy)


def test_an_application_without_credential_fields_is_a_gap(tmp_path: Path) -> None:
    def strip(document: dict[str, Any]) -> None:
        entry = document["data"][index_of(document, "AZApp")]["data"]
        del entry["passwordCredentials"], entry["keyCredentials"]

    records = read(changed(tmp_path, strip))
    (gap,) = _gaps(records, "azurehound:credentials")
    assert gap.subject == "a1000000-0000-4000-8000-000000000001"
    assert "unknown (not none)" in gap.detail


def test_compute_runs_as_every_identity_its_identity_block_names() -> None:
    records = read()
    resources = by_id(records, Resource)
    vm = resources[
        f"/subscriptions/{PROD}/resourcegroups/rg-batch/providers/microsoft.compute/"
        "virtualmachines/vm-batch"
    ]
    assert (vm.runs_as, vm.also_runs_as) == (SP_VM, (SP_UAMI,))
    assert vm.kind is ResourceKind.AZURE_VM and vm.account == PROD
    # a web app without a managed identity runs as nobody: not a record
    assert not [r for r in resources if r.endswith("/sites/payments-web")]
    (gap, _) = _gaps(records, "azure-export:managed-identity-attachments")
    assert "compute kinds the file holds name the identities" in gap.detail


def test_without_compute_kinds_attachments_stay_unknown(tmp_path: Path) -> None:
    def no_compute(document: dict[str, Any]) -> None:
        document["data"] = [e for e in document["data"] if e["kind"] not in ("AZVM", "AZWebApp")]

    records = read(changed(tmp_path, no_compute))
    vm = [r for r in by_id(records, Resource).values() if r.id.endswith("/vm-batch")]
    assert [(r.runs_as, r.also_runs_as) for r in vm] == [(SP_VM, ())]  # alternativeNames only
    gaps = _gaps(records, "azure-export:managed-identity-attachments")
    assert len(gaps) == 2 and all("holds no compute kind" in g.detail for g in gaps)


def test_a_service_principal_without_an_owner_entry_has_no_owner_claimed(
    tmp_path: Path,
) -> None:
    def drop(document: dict[str, Any]) -> None:
        index = index_of(
            document, "AZServicePrincipalOwner", lambda d: d["servicePrincipalId"] == SP_PARTNER
        )
        del document["data"][index]

    records = read(changed(tmp_path, drop))
    (gap,) = _gaps(records, "azure-export:sp-owners")
    assert gap.subject == SP_PARTNER and "no AZServicePrincipalOwner entry" in gap.detail
    assert f"{SP_PARTNER}#owners" not in by_id(records, Policy)
    assert _gaps(read(), "azure-export:sp-owners") == []


def test_a_count_that_disagrees_with_the_entries_is_noted(tmp_path: Path) -> None:
    def miscount(document: dict[str, Any]) -> None:
        document["meta"]["count"] = 3

    lines: list[str] = []
    read(changed(tmp_path, miscount), lines)
    assert any("$.meta.count says 3 entries, $.data holds" in line for line in lines)
    lines.clear()
    read(progress=lines)
    assert not any("$.meta.count" in line for line in lines)

"""A whole export folder read to records (``--azure-export DIR``): what each Graph and ARM
object becomes (docs/dev/azure-records.md)."""

from __future__ import annotations

from nhiscan.scanner import fingerprint
from nhiscan.scanner.model import (
    Account,
    CollectionGap,
    Credential,
    CredentialKind,
    CredentialStatus,
    Identity,
    IdentityKind,
    Policy,
    PolicyKind,
    Resource,
    ResourceKind,
)
from tests.connectors.azure.export import (
    DEV,
    ORPHAN_APP,
    PARTNER_APP,
    PAY_APP,
    PAY_CLIENT,
    PLATFORM_MG,
    PROD,
    ROOT_MG,
    SP_GRAPH,
    SP_PARTNER,
    SP_PAY,
    SP_UAMI,
    SP_VENDOR,
    SP_VM,
    TENANT,
    by_id,
    read,
)


def test_the_tenant_and_subscriptions_are_accounts_under_their_management_groups() -> None:
    accounts = by_id(read(), Account)
    assert accounts[TENANT].name == "Contoso"
    prod, dev = accounts[PROD], accounts[DEV]
    assert prod.org_id == dev.org_id == TENANT
    assert prod.parents == (ROOT_MG, PLATFORM_MG)  # root first, the direct parent last
    assert dev.parents == (ROOT_MG,)
    resources = by_id(read(), Resource)
    assert resources[f"/subscriptions/{PROD}"].kind is ResourceKind.AZURE_SUBSCRIPTION
    assert resources[PLATFORM_MG].name == "Platform"
    assert resources[ROOT_MG].kind is ResourceKind.AZURE_MANAGEMENT_GROUP


def test_service_principals_keep_their_type_home_tenant_and_state() -> None:
    identities = by_id(read(), Identity)
    pay = identities[SP_PAY]
    assert (pay.kind, pay.subtype, pay.native_id) == (
        IdentityKind.SERVICE_PRINCIPAL, "Application", PAY_CLIENT,
    )  # fmt: skip
    assert pay.account == TENANT and pay.home_account == TENANT and pay.is_human is False
    assert pay.owner == "dana.ops@contoso.example"  # the application's owner
    # Microsoft's own application is run by Microsoft; a vendor's lives in its tenant
    assert identities[SP_GRAPH].service_linked is True
    assert identities[SP_VENDOR].service_linked is False
    assert identities[SP_VENDOR].home_account == "3c2b1a09-8f7e-4d6c-b5a4-93827161f5e4"
    assert identities[SP_VENDOR].disabled is True
    assert identities[SP_PARTNER].audience == "AzureADMultipleOrgs"


def test_managed_identities_and_the_resources_that_run_as_them() -> None:
    records = read()
    identities, resources = by_id(records, Identity), by_id(records, Resource)
    uami = identities[SP_UAMI]
    assert uami.kind is IdentityKind.MANAGED_IDENTITY
    uami_id = (f"/subscriptions/{PROD}/resourcegroups/rg-deploy/providers/"
               "microsoft.managedidentity/userassignedidentities/deploy-identity")  # fmt: skip
    assert uami.resource == uami_id
    assert resources[uami_id].kind is ResourceKind.AZURE_USER_ASSIGNED_IDENTITY
    assert resources[uami_id].runs_as == SP_UAMI
    vm_id = (f"/subscriptions/{PROD}/resourcegroups/rg-batch/providers/"
             "microsoft.compute/virtualmachines/vm-batch")  # fmt: skip
    assert identities[SP_VM].resource == vm_id  # lower-cased: ARM ids compare without case
    assert (resources[vm_id].kind, resources[vm_id].runs_as) == (ResourceKind.AZURE_VM, SP_VM)
    # names as written; ids lower-cased
    assert resources[vm_id].name == "VM-Batch"
    assert resources[f"/subscriptions/{PROD}/resourcegroups/rg-batch"].name == "RG-Batch"
    # Azure's own certificate on the managed identity is no customer credential
    assert not [c for c in records if isinstance(c, Credential) and c.identity == SP_UAMI]


def test_applications_run_as_their_service_principal_and_one_without_is_an_identity() -> None:
    records = read()
    resources, identities = by_id(records, Resource), by_id(records, Identity)
    assert resources[PAY_APP].kind is ResourceKind.ENTRA_APPLICATION
    assert resources[PAY_APP].runs_as == SP_PAY
    assert resources[PAY_APP].policy == f"{PAY_APP}#owners"
    assert resources[ORPHAN_APP].runs_as is None
    orphan = identities[ORPHAN_APP]
    assert orphan.kind is IdentityKind.ENTRA_APPLICATION
    assert orphan.owner == "payments-api"  # a service principal owns it


def test_credentials_have_their_dates_status_and_the_git_join_fingerprint() -> None:
    credentials = by_id(read(), Credential)
    old = credentials["d1000000-0000-4000-8000-0000000000e1"]
    assert old.kind is CredentialKind.CLIENT_SECRET
    assert old.identity == SP_PAY and old.holder == PAY_APP and old.account == TENANT
    assert old.status is CredentialStatus.EXPIRED  # ended 2026-01-10, still present
    assert old.fingerprint == fingerprint.azure_secret_hint(PAY_CLIENT, "Xq7")
    new = credentials["d1000000-0000-4000-8000-0000000000a2"]  # keyId lower-cased
    assert new.status is CredentialStatus.ACTIVE
    assert new.created is not None and new.created.microsecond == 123456  # 7 digits read
    assert new.fingerprint == fingerprint.azure_secret_hint(PAY_CLIENT, "k9L")
    cert = credentials["e1000000-0000-4000-8000-0000000000c1"]
    assert cert.kind is CredentialKind.CERTIFICATE and cert.fingerprint is None
    # a secret with no hint (older than hints) cannot join; it belongs to the lone app
    legacy = credentials["d3000000-0000-4000-8000-0000000000c1"]
    assert legacy.fingerprint is None and legacy.identity == ORPHAN_APP
    # a secret on the service principal itself: no holder, the client id joins it
    vendor = credentials["d4000000-0000-4000-8000-0000000000d1"]
    assert vendor.identity == SP_VENDOR and vendor.holder is None
    assert vendor.fingerprint == fingerprint.azure_secret_hint(
        "c4000000-0000-4000-8000-000000000004", "Vn3"
    )


def test_no_hint_or_secret_text_is_kept_in_any_record() -> None:
    text = repr(read())
    for hint in ("Xq7", "k9L", "Zz0", "Vn3"):
        assert f"'{hint}'" not in text


def test_role_assignments_inherited_from_management_groups_sit_on_their_own_scope() -> None:
    records = read()
    policies = by_id(records, Policy)
    assignments = [p for p in policies.values() if p.kind is PolicyKind.AZURE_ROLE_ASSIGNMENT]
    root = [p for p in assignments if p.attached_to == (ROOT_MG,)]
    # listed in both subscriptions' files, recorded once, on the root management group
    assert len(root) == 1 and root[0].account is None and root[0].name == "Reader"
    platform = [p for p in assignments if p.attached_to == (PLATFORM_MG,)]
    assert [p.name for p in platform] == ["User Access Administrator"]
    identities = by_id(records, Identity)
    assert root[0].id in identities[SP_VENDOR].policies
    assert platform[0].id in identities[SP_PARTNER].policies
    owner = next(p for p in assignments if p.id.endswith("f1000000-0000-4000-8000-000000000001"))
    assert owner.attached_to == (f"/subscriptions/{PROD}",) and owner.account == PROD
    assert owner.document["roleDefinitionName"] == "Owner"  # the document as printed
    rg = next(p for p in assignments if p.id.endswith("f1000000-0000-4000-8000-000000000002"))
    assert rg.attached_to == (f"/subscriptions/{PROD}/resourcegroups/rg-payments",)
    assert by_id(records, Resource)[rg.attached_to[0]].kind is ResourceKind.AZURE_RESOURCE_GROUP


def test_role_definitions_have_one_id_whatever_subscription_printed_them() -> None:
    policies = by_id(read(), Policy)
    owner = policies[
        "/providers/microsoft.authorization/roledefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
    ]
    assert owner.kind is PolicyKind.AZURE_ROLE_DEFINITION and owner.name == "Owner"
    assert owner.document["permissions"][0]["actions"] == ["*"]


def test_a_role_definition_the_export_lacks_is_a_gap_naming_it() -> None:
    gaps = [g for g in read() if isinstance(g, CollectionGap)]
    missing = [g for g in gaps if g.operation == "azure-export:role-definitions"]
    assert [g.subject for g in missing] == [
        "/providers/microsoft.authorization/roledefinitions/7e000000-0000-4000-8000-0000000000f2"
    ]


def test_directory_roles_app_roles_owners_and_federated_credentials_are_policies() -> None:
    records = read()
    policies, identities = by_id(records, Policy), by_id(records, Identity)
    roles = policies[f"{SP_PAY}#directory-roles"]
    assert roles.kind is PolicyKind.ENTRA_DIRECTORY_ROLES
    assert [e["roleDefinitionId"] for e in roles.document["value"]] == [
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"  # Application Administrator
    ]
    scoped = policies[f"{SP_VENDOR}#directory-roles"].document["value"][0]
    assert scoped["directoryScopeId"].startswith("/administrativeUnits/")
    eligible = policies[f"{SP_PARTNER}#role-eligibilities"]
    assert eligible.kind is PolicyKind.ENTRA_ROLE_ELIGIBILITIES
    app_roles = policies[f"{SP_PAY}#app-role-assignments"]
    assert app_roles.document["value"][0]["resourceId"] == SP_GRAPH
    pay = identities[SP_PAY]
    assert {roles.id, app_roles.id} <= set(pay.policies)
    assert pay.trust_policy == f"{PAY_APP}#federated-credentials"
    fic = policies[pay.trust_policy].document["value"][0]
    assert fic["issuer"] == "https://token.actions.githubusercontent.com"
    # owners read and empty: known to have none (a rule may say so)
    assert policies[f"{PARTNER_APP}#owners"].document == {"value": []}
    assert identities[SP_PARTNER].owner is None
    assert identities[SP_PARTNER].trust_policy is None  # its list is empty


def test_what_no_export_holds_is_a_gap_per_tenant_and_subscription() -> None:
    gaps = {(g.scope, g.operation) for g in read() if isinstance(g, CollectionGap)}
    assert (TENANT, "servicePrincipalSignInActivities") in gaps
    assert (TENANT, "appCredentialSignInActivities") in gaps
    for sub in (PROD, DEV):
        assert (sub, "azure-export:deny-assignments") in gaps
        assert (sub, "azure-export:managed-identity-attachments") in gaps
    # every optional part is there: no gap for one
    assert not {op for _, op in gaps} & {
        "azure-export:app-owners", "azure-export:sp-owners", "azure-export:management-groups",
        "azure-export:app-role-assignments", "azure-export:federated-credentials",
        "azure-export:directory-role-eligibilities", "azure-export:role-assignments",
    }  # fmt: skip


def test_the_same_tenant_read_twice_is_recorded_once() -> None:
    from nhiscan.connectors.azure.offline.reader import AzureExportConnector
    from nhiscan.connectors.base import CollectContext
    from tests.connectors.azure.export import EXPORT, NOW

    twice = list(AzureExportConnector([EXPORT, EXPORT]).collect(CollectContext(now=NOW)))
    assert len(twice) == len(read())


def test_every_record_round_trips_through_the_snapshot_codec_with_its_azure_fields() -> None:
    from nhiscan.scanner.codec import decode, encode

    records = read()
    for record in records:
        assert decode(type(record), encode(record)) == record
    pay = next(r for r in records if isinstance(r, Identity) and r.id == SP_PAY)
    assert {"subtype", "home_account", "audience"} <= set(encode(pay))
    assert "resource" not in encode(pay)  # left out at its default, as for AWS and GCP

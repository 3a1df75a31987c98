"""Hand-built Azure records in the shapes of docs/dev/azure-records.md: tenant T, its root
management group, management group ``platform`` under it, subscription PROD under platform
with resource group ``rg-app``, and helpers for service principals, managed identities,
applications, owners, directory roles, Graph app roles and ARM role assignments."""

from __future__ import annotations

from typing import Any

from nhiscan.providers.azure.analysis import AzureAnalysis
from nhiscan.providers.azure.catalog import default_catalog
from nhiscan.providers.azure.graph_permissions import GRAPH_APP_ID, graph_permission
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import (
    Account,
    Identity,
    IdentityKind,
    Policy,
    PolicyKind,
    Provider,
    Resource,
    ResourceKind,
)
from tests import factories as f

AZ = Provider.AZURE
TENANT = "6f1c2e0a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
OTHER_TENANT = "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a"
MICROSOFT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
SUB = "0b1e7c2a-8d4f-4a6b-9c3e-5f7a9b1d3e5f"
SUB2 = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
MG = "/providers/microsoft.management/managementgroups/"
ROOT_MG = f"{MG}{TENANT}"
PLATFORM = f"{MG}platform"
PROD = f"/subscriptions/{SUB}"
DEV = f"/subscriptions/{SUB2}"
RG = f"{PROD}/resourcegroups/rg-app"
VM = f"{RG}/providers/microsoft.compute/virtualmachines/vm-app"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
UAA = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
VM_CONTRIBUTOR = "9980e02c-c2be-4d73-94e8-173b1dc7cf3c"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
PRIVILEGED_ROLE_ADMIN = "e8611ab8-c189-46e8-94e1-60213ab1f814"
APP_ADMIN = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
CLOUD_APP_ADMIN = "158c047a-c907-4556-b7ef-446551a6b5f7"
GRAPH_SP = "b9000000-0000-4000-8000-000000000009"
_counter = iter(range(1, 10_000))


def tenant() -> Account:
    return Account(provider=AZ, id=TENANT, name="Contoso")


def subscription(
    sid: str = SUB, name: str = "prod", parents: tuple[str, ...] = (ROOT_MG, PLATFORM)
) -> Account:
    return Account(provider=AZ, id=sid, name=name, org_id=TENANT, parents=parents)


def scope_resource(rid: str, kind: ResourceKind, name: str, account: str = SUB) -> Resource:
    return Resource(provider=AZ, id=rid, name=name, kind=kind, account=account)


def estate_base() -> list[Any]:
    """The tenant and its ARM tree: root group → platform → PROD → rg-app; DEV under root."""
    return [
        tenant(),
        subscription(),
        subscription(SUB2, "dev", (ROOT_MG,)),
        scope_resource(PLATFORM, ResourceKind.AZURE_MANAGEMENT_GROUP, "Platform", TENANT),
        scope_resource(PROD, ResourceKind.AZURE_SUBSCRIPTION, "prod"),
        scope_resource(DEV, ResourceKind.AZURE_SUBSCRIPTION, "dev", SUB2),
        scope_resource(RG, ResourceKind.AZURE_RESOURCE_GROUP, "rg-app"),
    ]


def sp(name: str, n: int, *, home: str = TENANT, **kw: Any) -> Identity:
    fields: dict[str, Any] = {
        "provider": AZ,
        "id": f"b{n:07d}-0000-4000-8000-000000000000",
        "name": name,
        "kind": IdentityKind.SERVICE_PRINCIPAL,
        "account": TENANT,
        "native_id": f"c{n:07d}-0000-4000-8000-000000000000",
        "subtype": "Application",
        "home_account": home,
    }
    return Identity(**{**fields, **kw})


def mi(name: str, n: int, *, resource: str | None = None, **kw: Any) -> Identity:
    return sp(
        name,
        n,
        kind=IdentityKind.MANAGED_IDENTITY,
        subtype="ManagedIdentity",
        home=None,
        resource=resource,
        **kw,
    )


def graph_sp() -> Identity:
    return Identity(
        provider=AZ,
        id=GRAPH_SP,
        name="Microsoft Graph",
        kind=IdentityKind.SERVICE_PRINCIPAL,
        account=TENANT,
        native_id=GRAPH_APP_ID,
        subtype="Application",
        home_account=MICROSOFT,
        service_linked=True,
    )


def app_of(principal: Identity) -> Resource:
    """The application (app registration) whose service principal ``principal`` is."""
    return Resource(
        provider=AZ,
        id="a" + principal.id[1:],
        name=principal.name,
        kind=ResourceKind.ENTRA_APPLICATION,
        account=TENANT,
        runs_as=principal.id,
    )


def owners(obj: str, *owner_ids: str) -> Policy:
    value = [{"@odata.type": "#microsoft.graph.servicePrincipal", "id": o} for o in owner_ids]
    return Policy(
        provider=AZ,
        id=f"{obj}#owners",
        name=f"owners of {obj}",
        kind=PolicyKind.ENTRA_OWNERS,
        account=TENANT,
        document={"value": value},
        attached_to=(obj,),
    )


def directory_roles(
    principal: Identity | str, *roles: tuple[str, str], eligible: bool = False
) -> Policy:
    """``roles``: (template id, directoryScopeId) pairs."""
    pid = principal if isinstance(principal, str) else principal.id
    value = [
        {"id": f"ra-{i}", "principalId": pid, "roleDefinitionId": role, "directoryScopeId": scope}
        for i, (role, scope) in enumerate(roles)
    ]
    kind = PolicyKind.ENTRA_ROLE_ELIGIBILITIES if eligible else PolicyKind.ENTRA_DIRECTORY_ROLES
    suffix = "role-eligibilities" if eligible else "directory-roles"
    return Policy(
        provider=AZ,
        id=f"{pid}#{suffix}",
        name=f"{suffix} of {pid}",
        kind=kind,
        account=TENANT,
        document={"value": value},
        attached_to=(pid,),
    )


def app_roles(principal: Identity, *permissions: str) -> Policy:
    value = []
    for name in permissions:
        found = graph_permission(name)
        assert found is not None, name
        value.append(
            {
                "id": f"x-{name}",
                "appRoleId": found.app_role_id,
                "principalId": principal.id,
                "resourceId": GRAPH_SP,
                "resourceDisplayName": "Microsoft Graph",
            }
        )
    return Policy(
        provider=AZ,
        id=f"{principal.id}#app-role-assignments",
        name=f"app roles of {principal.id}",
        kind=PolicyKind.ENTRA_APP_ROLE_ASSIGNMENTS,
        account=TENANT,
        document={"value": value},
        attached_to=(principal.id,),
    )


def assignment(principal: Identity, role: str, scope: str, **props: Any) -> Policy:
    n = next(_counter)
    name = f"f{n:07d}-0000-4000-8000-000000000000"
    rid = f"{scope.rstrip('/')}/providers/microsoft.authorization/roleassignments/{name}"
    document = {
        "id": rid,
        "scope": scope,
        "principalId": principal.id,
        "principalType": "ServicePrincipal",
        "roleDefinitionId": f"/providers/Microsoft.Authorization/roleDefinitions/{role}",
        **props,
    }
    account = scope.split("/")[2] if scope.startswith("/subscriptions/") else None
    return Policy(
        provider=AZ,
        id=rid,
        name=role,
        kind=PolicyKind.AZURE_ROLE_ASSIGNMENT,
        account=account,
        document=document,
        attached_to=(scope,),
    )


def role_definition(guid_: str, name: str, *permissions: dict[str, Any]) -> Policy:
    rid = f"/providers/microsoft.authorization/roledefinitions/{guid_}"
    document = {
        "name": guid_,
        "roleName": name,
        "roleType": "CustomRole",
        "permissions": list(permissions),
        "assignableScopes": [PROD],
    }
    return Policy(
        provider=AZ,
        id=rid,
        name=name,
        kind=PolicyKind.AZURE_ROLE_DEFINITION,
        account=None,
        document=document,
    )


def compute(rid: str, kind: ResourceKind, *runs_as: Identity) -> Resource:
    return Resource(
        provider=AZ,
        id=rid,
        name=rid.rsplit("/", 1)[-1],
        kind=kind,
        account=SUB,
        runs_as=runs_as[0].id,
        also_runs_as=tuple(i.id for i in runs_as[1:]),
    )


def estate(*records: Any) -> Estate:
    return f.estate(*estate_base(), *records)


def analysis(*records: Any) -> AzureAnalysis:
    return AzureAnalysis(estate(*records), default_catalog())

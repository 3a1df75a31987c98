"""Hand-built Azure estates for each Azure rule (NHI500-NHI507): a triggering and a clean one,
shared by the rule tests and the registry meta-test (``AZURE_FIXTURES``). Records as the export
reader writes them (``docs/dev/azure-records.md``): an application is a ``Resource`` whose
credentials sign in as its service principal (``Credential.holder`` the application), owners,
federated credentials, directory roles and app roles ``Policy`` records as Graph returns them.
Every fixture names its own objects (the GUID's first group says which), so the triggering
estates combine in one snapshot; dates are relative to ``tests.factories.NOW``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import (
    Account,
    Credential,
    CredentialKind,
    CredentialStatus,
    Identity,
    IdentityKind,
    Policy,
    PolicyKind,
    Provider,
    Record,
    Resource,
    ResourceKind,
)
from tests.factories import NOW, days_ago, estate

AZ = Provider.AZURE
TENANT = "6f1c2e0a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
SUBSCRIPTION = "0b1e7c2a-8d4f-4a6b-9c3e-5f7a9b1d3e5f"
MICROSOFT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
GRAPH_APP = "00000003-0000-0000-c000-000000000000"
GRAPH_SP = "50000001-0000-4000-8000-000000000001"  # graph_sp()
OWNER_ROLE = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
UAA_ROLE = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
READER_ROLE = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
APP_ADMIN = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
DIRECTORY_READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
APP_RW_ALL = "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"
ROLE_MGMT_RW = "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"
APP_READ_ALL = "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30"
ROOT_MG = f"/providers/microsoft.management/managementgroups/{TENANT}"
LATER = days_ago(-140)  # valid 30 days after NOW and a year-less life (170 days from creation)


def guid(prefix: str, n: int) -> str:
    """A GUID whose first group names the fixture (``prefix``, 2 hex digits) and object."""
    return f"{prefix}{n:06x}-0000-4000-8000-{n:012x}"


def tenant() -> Account:
    return Account(provider=AZ, id=TENANT, name="Contoso")


def sp(
    prefix: str, name: str, *, kind: IdentityKind = IdentityKind.SERVICE_PRINCIPAL,
    policies: Sequence[str] = (), audience: str | None = "AzureADMyOrg",
    home: str | None = TENANT, microsoft: bool = False, app_id: str | None = None,
) -> Identity:  # fmt: skip
    return Identity(
        provider=AZ, id=guid(prefix, 1), name=name, kind=kind, account=TENANT,
        native_id=app_id or guid(prefix, 3), is_human=False, human_reason="Entra service principal",
        policies=tuple(policies), service_linked=microsoft,
        subtype="ManagedIdentity" if kind is IdentityKind.MANAGED_IDENTITY else "Application",
        home_account=MICROSOFT if microsoft else home, audience=audience,
    )  # fmt: skip


def app(prefix: str, name: str, *, owners: bool = True) -> Resource:
    """The application object (id ``guid(prefix, 2)``) running as ``guid(prefix, 1)``."""
    return Resource(
        provider=AZ, id=guid(prefix, 2), name=name, kind=ResourceKind.ENTRA_APPLICATION,
        account=TENANT, runs_as=guid(prefix, 1),
        policy=f"{guid(prefix, 2)}#owners" if owners else None,
    )  # fmt: skip


def credential(
    prefix: str, n: int, *, created: datetime | None = None, expires: datetime | None = LATER,
    kind: CredentialKind = CredentialKind.CLIENT_SECRET, on_app: bool = True,
) -> Credential:  # fmt: skip
    created = created if created is not None else days_ago(30)
    expired = expires is not None and expires <= NOW
    return Credential(
        provider=AZ, id=guid(prefix, 0x100 + n), identity=guid(prefix, 1), kind=kind,
        account=TENANT, created=created, expires=expires,
        status=CredentialStatus.EXPIRED if expired else CredentialStatus.ACTIVE,
        holder=guid(prefix, 2) if on_app else None,
    )  # fmt: skip


def owners(prefix: str, *who: str) -> Policy:
    user = "#microsoft.graph.user"
    value = [{"@odata.type": user, "id": w, "userPrincipalName": "dana@x.example"} for w in who]
    return _entra(f"{guid(prefix, 2)}#owners", PolicyKind.ENTRA_OWNERS, guid(prefix, 2), value)


def federated(prefix: str, *subjects: str) -> Policy:
    value = [
        {"id": guid(prefix, 0x200 + i), "name": f"fic-{i}", "audiences": ["api://AzureADTokenExchange"],
         "issuer": "https://token.actions.githubusercontent.com", "subject": s}
        for i, s in enumerate(subjects)
    ]  # fmt: skip
    return _entra(
        f"{guid(prefix, 2)}#federated-credentials", PolicyKind.ENTRA_FEDERATED_CREDENTIALS,
        guid(prefix, 2), value,
    )  # fmt: skip


def directory_roles(prefix: str, *roles: tuple[str, str], eligible: bool = False) -> Policy:
    """(role template id, directoryScopeId) held by ``guid(prefix, 1)``."""
    kind = PolicyKind.ENTRA_ROLE_ELIGIBILITIES if eligible else PolicyKind.ENTRA_DIRECTORY_ROLES
    suffix = "role-eligibilities" if eligible else "directory-roles"
    value = [
        {"id": f"assignment-{prefix}-{i}", "principalId": guid(prefix, 1),
         "roleDefinitionId": role, "directoryScopeId": scope}
        for i, (role, scope) in enumerate(roles)
    ]  # fmt: skip
    return _entra(f"{guid(prefix, 1)}#{suffix}", kind, guid(prefix, 1), value)


def app_roles(prefix: str, *app_role_ids: str, resource: str = GRAPH_SP) -> Policy:
    value = [
        {"id": f"grant-{prefix}-{i}", "appRoleId": r, "principalId": guid(prefix, 1),
         "resourceId": resource, "resourceDisplayName": "Microsoft Graph"}
        for i, r in enumerate(app_role_ids)
    ]  # fmt: skip
    return _entra(
        f"{guid(prefix, 1)}#app-role-assignments", PolicyKind.ENTRA_APP_ROLE_ASSIGNMENTS,
        guid(prefix, 1), value,
    )  # fmt: skip


def _entra(policy_id: str, kind: PolicyKind, on: str, value: list[Any]) -> Policy:
    return Policy(
        provider=AZ, id=policy_id, name=policy_id, kind=kind, account=TENANT,
        document={"value": value}, attached_to=(on,),
    )  # fmt: skip


def role_assignment(prefix: str, role: str, scope: str, *, condition: str | None = None) -> Policy:
    """An ARM role assignment of ``role`` (GUID) at ``scope`` to ``guid(prefix, 1)``."""
    assignment = (
        f"{scope.rstrip('/')}/providers/microsoft.authorization/roleassignments/{guid(prefix, 9)}"
    )
    subscription = scope.split("/")[2] if scope.startswith("/subscriptions/") else None
    return Policy(
        provider=AZ, id=assignment, name=role, kind=PolicyKind.AZURE_ROLE_ASSIGNMENT,
        account=subscription, attached_to=(scope,),
        document={
            "id": assignment, "scope": scope, "principalId": guid(prefix, 1),
            "principalType": "ServicePrincipal", "condition": condition,
            "roleDefinitionId": f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/"
            f"roleDefinitions/{role}",
        },
    )  # fmt: skip


def graph_sp() -> Identity:
    return sp("50", "Microsoft Graph", microsoft=True, app_id=GRAPH_APP, audience=None)


def with_policies(identity: Identity, *policies: Policy) -> list[Record]:
    from dataclasses import replace

    held = replace(identity, policies=tuple(p.id for p in policies))
    return [held, *policies]


# --- the builders ----------------------------------------------------------------------------


def expiring(expires: datetime | None = None) -> Estate:
    """An application's secret that expires in 10 days (at NOW; expired 20 days later)."""
    end = expires if expires is not None else days_ago(-10)
    return estate(tenant(), sp("a0", "billing-api"), app("a0", "billing-api"),
                  owners("a0", guid("a0", 7)), credential("a0", 1, expires=end))  # fmt: skip


def long_lived(days: int = 730, kind: CredentialKind = CredentialKind.CLIENT_SECRET) -> Estate:
    start = days_ago(10)
    end = days_ago(10 - days)
    return estate(tenant(), sp("a1", "reports-api"), app("a1", "reports-api"),
                  owners("a1", guid("a1", 7)),
                  credential("a1", 1, created=start, expires=end, kind=kind))  # fmt: skip


def ownerless(*who: str) -> Estate:
    cert = CredentialKind.CERTIFICATE
    return estate(tenant(), sp("a2", "orphan-sync"), app("a2", "orphan-sync"), owners("a2", *who),
                  credential("a2", 1), credential("a2", 2, kind=cert))  # fmt: skip


def federated_and_secret(*subjects: str) -> Estate:
    owned = owners("a3", guid("a3", 7))
    return estate(tenant(), sp("a3", "deployer"), app("a3", "deployer"), owned,
                  federated("a3", *subjects), credential("a3", 1))  # fmt: skip


def arm_admin(role: str = OWNER_ROLE, scope: str = f"/subscriptions/{SUBSCRIPTION}") -> Estate:
    identity = sp("a4", "ci-deploy", kind=IdentityKind.MANAGED_IDENTITY, audience=None)
    assignment = role_assignment("a4", role, scope)
    return estate(tenant(), *with_policies(identity, assignment))


def directory_admin(role: str = APP_ADMIN, scope: str = "/", eligible: bool = False) -> Estate:
    identity = sp("a5", "app-manager")
    return estate(
        tenant(), *with_policies(identity, directory_roles("a5", (role, scope), eligible=eligible))
    )


def graph_permission(*granted: str, resource: str = GRAPH_SP) -> Estate:
    identity = sp("a6", "directory-sync")
    roles = app_roles("a6", *(granted or (APP_RW_ALL,)), resource=resource)
    return estate(tenant(), graph_sp(), *with_policies(identity, roles))


def multi_tenant(audience: str = "AzureADMultipleOrgs", role: str = UAA_ROLE) -> Estate:
    identity = sp("a7", "partner-portal", audience=audience)
    assignment = role_assignment("a7", role, ROOT_MG)
    return estate(tenant(), *with_policies(identity, assignment), app("a7", "partner-portal"),
                  owners("a7", guid("a7", 7)), credential("a7", 1, created=days_ago(30),
                  expires=days_ago(-100)))  # fmt: skip


Builder = Callable[[], Estate]
AZURE_FIXTURES: dict[str, tuple[Builder, Builder]] = {
    "NHI500": (expiring, lambda: expiring(days_ago(-60))),
    "NHI501": (long_lived, lambda: long_lived(180)),
    "NHI502": (ownerless, lambda: ownerless(guid("a2", 7))),
    "NHI503": (
        lambda: federated_and_secret("repo:acme/deploy:ref:refs/heads/main"),
        federated_and_secret,
    ),
    "NHI504": (arm_admin, lambda: arm_admin(READER_ROLE)),
    "NHI505": (directory_admin, lambda: directory_admin(DIRECTORY_READERS)),
    "NHI506": (graph_permission, lambda: graph_permission(APP_READ_ALL)),
    "NHI507": (multi_tenant, lambda: multi_tenant("AzureADMyOrg")),
}

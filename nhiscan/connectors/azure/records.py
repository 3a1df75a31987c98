"""Entra ID objects to records: pure functions of the JSON Microsoft Graph returns (and the az
CLI prints unmodified: ``az ad app list``, ``az ad sp list``, ``az ad app owner list``, ``az ad
app federated-credential list``, ``az rest`` on Graph). The live connector hands them the same
objects. The mapping and its reasons: ``docs/dev/azure-records.md``.

Resource types read (Microsoft Graph v1.0 reference, learn.microsoft.com/graph/api/resources/):
``application`` (appId, passwordCredentials, keyCredentials, signInAudience),
``servicePrincipal`` (servicePrincipalType, appOwnerOrganizationId, accountEnabled,
alternativeNames), ``passwordCredential`` (keyId, hint: "the first three characters of the
password", startDateTime, endDateTime), ``keyCredential`` (keyId, type, usage: Verify
authenticates, Sign signs SAML tokens), ``federatedIdentityCredential``,
``appRoleAssignment``, ``unifiedRoleAssignment``, ``unifiedRoleEligibilitySchedule``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from nhiscan.connectors.azure.ids import MICROSOFT_TENANTS, USER_ASSIGNED, resource_type
from nhiscan.connectors.azure.shape import (
    ShapeError,
    arm_id,
    flag,
    guid,
    items,
    need_guid,
    obj,
    opt_text,
    strings,
    time,
)
from nhiscan.scanner import fingerprint
from nhiscan.scanner.model import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Identity,
    IdentityKind,
    Policy,
    PolicyKind,
    Provider,
)

AZ = Provider.AZURE
MANAGED = "ManagedIdentity"


def owners_id(object_id: str) -> str:
    return f"{object_id}#owners"


def federated_id(app_object_id: str) -> str:
    return f"{app_object_id}#federated-credentials"


def app_roles_id(sp_id: str) -> str:
    return f"{sp_id}#app-role-assignments"


def role_definition_id(definition: str) -> str:
    """A directory role definition's policy id: Graph's path to it, lower case (its GUID alone
    could be taken for an object id; an ARM role definition's id starts ``/providers/``)."""
    return f"/rolemanagement/directory/roledefinitions/{definition}"


def directory_roles_id(principal: str, kind: PolicyKind) -> str:
    suffix = "directory-roles" if kind is PolicyKind.ENTRA_DIRECTORY_ROLES else "role-eligibilities"
    return f"{principal}#{suffix}"


def service_principal(
    sp: Mapping[str, Any], where: str, *, tenant: str, app: Mapping[str, Any] | None,
    owner: str | None, policies: Sequence[str], trust: str | None,
) -> Identity:  # fmt: skip
    """A service principal (an application's, a managed identity's, a legacy one)."""
    sp_type = opt_text(sp, "servicePrincipalType", where)
    home = sp.get("appOwnerOrganizationId")
    home_tenant = guid(home, f"{where}.appOwnerOrganizationId") if home else None
    enabled = flag(sp, "accountEnabled", where)
    name = opt_text(sp, "displayName", where) or need_guid(sp, "appId", where)
    audience = opt_text(sp, "signInAudience", where)
    if app is not None:
        audience = opt_text(app, "signInAudience", "application") or audience
    return Identity(
        provider=AZ,
        id=need_guid(sp, "id", where),
        name=name,
        kind=IdentityKind.MANAGED_IDENTITY
        if sp_type == MANAGED
        else IdentityKind.SERVICE_PRINCIPAL,
        account=tenant,
        native_id=need_guid(sp, "appId", where),
        description=opt_text(sp, "description", where) or opt_text(sp, "notes", where),
        created=time(sp, "createdDateTime", where)
        or (time(app, "createdDateTime", "application") if app is not None else None),
        owner=owner,
        is_human=False,
        human_reason=f"Entra service principal ({sp_type or 'type not given'})",
        policies=tuple(policies),
        trust_policy=trust,
        service_linked=is_microsoft(sp, where),
        disabled=None if enabled is None else not enabled,
        subtype=sp_type,
        home_account=home_tenant,
        resource=managed_resource(sp, where) if sp_type == MANAGED else None,
        audience=audience,
    )


def is_microsoft(sp: Mapping[str, Any], where: str) -> bool:
    """A Microsoft first-party application's service principal (run by Microsoft)."""
    home = sp.get("appOwnerOrganizationId")
    home_tenant = guid(home, f"{where}.appOwnerOrganizationId") if home else None
    return home_tenant in MICROSOFT_TENANTS


def lone_application(
    app: Mapping[str, Any], where: str, *, tenant: str, owner: str | None
) -> Identity:
    """An application with no service principal in this tenant: what its credentials belong to."""
    return Identity(
        provider=AZ,
        id=need_guid(app, "id", where),
        name=opt_text(app, "displayName", where) or need_guid(app, "appId", where),
        kind=IdentityKind.ENTRA_APPLICATION,
        account=tenant,
        native_id=need_guid(app, "appId", where),
        description=opt_text(app, "description", where) or opt_text(app, "notes", where),
        created=time(app, "createdDateTime", where),
        owner=owner,
        is_human=False,
        human_reason="Entra application with no service principal in this tenant",
        audience=opt_text(app, "signInAudience", where),
    )


def managed_resource(sp: Mapping[str, Any], where: str) -> str | None:
    """The ARM id among a managed identity's alternativeNames: the user-assigned identity
    (beside ``isExplicit=True``) or the resource a system-assigned one belongs to."""
    written = managed_resource_written(sp, where)
    return None if written is None else arm_id(written, f"{where}.alternativeNames")


def managed_resource_written(sp: Mapping[str, Any], where: str) -> str | None:
    """That ARM id as written (for its name)."""
    return next((n for n in strings(sp, "alternativeNames", where) if n.startswith("/")), None)


def is_user_assigned(resource: str | None) -> bool:
    return resource is not None and resource_type(resource) == USER_ASSIGNED


def credentials(
    holder: Mapping[str, Any], where: str, *, identity: str, tenant: str, app_id: str,
    held_by: str | None, now: datetime,
) -> Iterator[Credential]:  # fmt: skip
    """The client secrets and certificates on an application or service principal. A secret's
    fingerprint joins a secret found in code by the client id and the secret's first three
    characters (``fingerprint.azure_secret_hint``); the hint itself is never kept."""
    for index, entry in enumerate(
        items(holder.get("passwordCredentials") or [], f"{where}.passwordCredentials")
    ):
        at = f"{where}.passwordCredentials[{index}]"
        entry = obj(entry, at)
        hint = opt_text(entry, "hint", at)
        yield _credential(
            entry, at, kind=CredentialKind.CLIENT_SECRET, identity=identity, tenant=tenant,
            held_by=held_by, now=now,
            join=fingerprint.azure_secret_hint(app_id, hint) if hint else None,
        )  # fmt: skip
    for index, entry in enumerate(
        items(holder.get("keyCredentials") or [], f"{where}.keyCredentials")
    ):
        at = f"{where}.keyCredentials[{index}]"
        entry = obj(entry, at)
        if opt_text(entry, "usage", at) != "Verify":
            continue  # a signing key (SAML tokens): it signs, it does not sign in
        yield _credential(
            entry, at, kind=CredentialKind.CERTIFICATE, identity=identity, tenant=tenant,
            held_by=held_by, now=now, join=None,
        )  # fmt: skip


def signing_keys(holder: Mapping[str, Any]) -> int:
    """How many of its keyCredentials only sign (not recorded: they are no sign-in credential)."""
    keys = holder.get("keyCredentials") or []
    return sum(1 for k in keys if isinstance(k, Mapping) and k.get("usage") != "Verify")


def _credential(
    entry: Mapping[str, Any], at: str, *, kind: CredentialKind, identity: str, tenant: str,
    held_by: str | None, now: datetime, join: str | None,
) -> Credential:  # fmt: skip
    expires = time(entry, "endDateTime", at)
    return Credential(
        provider=AZ,
        id=need_guid(entry, "keyId", at),
        identity=identity,
        kind=kind,
        account=tenant,
        status=CredentialStatus.EXPIRED
        if expires is not None and expires <= now
        else CredentialStatus.ACTIVE,
        created=time(entry, "startDateTime", at),
        expires=expires,
        fingerprint=join,
        holder=held_by,
    )


def owners_policy(object_id: str, owners: Sequence[Any], where: str, *, tenant: str) -> Policy:
    """The owners of an application or service principal (``az ad app owner list``): each
    may add a credential to it. An empty list is "no owner", known."""
    for index, owner in enumerate(owners):
        need_guid(obj(owner, f"{where}[{index}]"), "id", f"{where}[{index}]")
    return Policy(
        provider=AZ, id=owners_id(object_id), name=f"owners of {object_id}",
        kind=PolicyKind.ENTRA_OWNERS, account=tenant, document={"value": list(owners)},
        attached_to=(object_id,),
    )  # fmt: skip


def owner_name(owners: Sequence[Mapping[str, Any]]) -> str | None:
    """The first owner, as a person reads it (user principal name, else display name, else id)."""
    for owner in owners:
        for key in ("userPrincipalName", "displayName", "id"):
            if isinstance(owner.get(key), str) and owner[key]:
                return str(owner[key])
    return None


def federated_policy(
    app_object_id: str, found: Sequence[Any], where: str, *, tenant: str
) -> Policy:
    """An application's federated identity credentials: which issuer and subject may sign in
    as it (a trust, not a secret)."""
    for index, entry in enumerate(found):
        at = f"{where}[{index}]"
        entry = obj(entry, at)
        if not isinstance(entry.get("issuer"), str):
            raise ShapeError(f"{at}.issuer: missing or not a string")
        # A flexible credential has claimsMatchingExpression and a null subject ("Flexible
        # federated identity credentials", learn.microsoft.com/entra/workload-id/
        # workload-identities-flexible-federated-identity-credentials): one of the two.
        if not isinstance(entry.get("subject"), str) and not isinstance(
            entry.get("claimsMatchingExpression"), Mapping
        ):
            raise ShapeError(
                f"{at}.subject: missing or not a string (and no claimsMatchingExpression)"
            )
    return Policy(
        provider=AZ, id=federated_id(app_object_id),
        name=f"federated credentials of {app_object_id}",
        kind=PolicyKind.ENTRA_FEDERATED_CREDENTIALS, account=tenant,
        document={"value": list(found)}, attached_to=(app_object_id,),
    )  # fmt: skip


def app_roles_policy(sp_id: str, found: Sequence[Any], where: str, *, tenant: str) -> Policy:
    """The app roles granted to a service principal (Microsoft Graph application permissions)."""
    for index, entry in enumerate(found):
        at = f"{where}[{index}]"
        entry = obj(entry, at)
        for key in ("appRoleId", "resourceId", "principalId"):
            need_guid(entry, key, at)
    return Policy(
        provider=AZ, id=app_roles_id(sp_id), name=f"app roles of {sp_id}",
        kind=PolicyKind.ENTRA_APP_ROLE_ASSIGNMENTS, account=tenant,
        document={"value": list(found)}, attached_to=(sp_id,),
    )  # fmt: skip


def directory_roles(
    found: Sequence[Any], where: str, *, kind: PolicyKind, tenant: str
) -> dict[str, Policy]:
    """Directory role assignments (or eligibilities) by principal: one policy per principal
    holding its entries as returned (roleDefinitionId, directoryScopeId: ``/`` the tenant,
    ``/administrativeUnits/<id>`` an administrative unit's members, ``/<objectId>`` one object
    such as an application: docs/dev/azure-plan.md reads the three forms)."""
    by_principal: dict[str, list[Any]] = {}
    for index, entry in enumerate(found):
        at = f"{where}[{index}]"
        entry = obj(entry, at)
        principal = need_guid(entry, "principalId", at)
        need_guid(entry, "roleDefinitionId", at)
        by_principal.setdefault(principal, []).append(entry)
    word = "directory roles" if kind is PolicyKind.ENTRA_DIRECTORY_ROLES else "eligible roles"
    return {
        principal: Policy(
            provider=AZ,
            id=directory_roles_id(principal, kind),
            name=f"{word} of {principal}",
            kind=kind,
            account=tenant,
            document={"value": entries},
            attached_to=(principal,),
        )
        for principal, entries in by_principal.items()
    }


_ORIGIN: dict[bool | None, str] = {True: "built-in ", False: "custom "}


def role_definitions(found: Sequence[Any], where: str, *, tenant: str) -> list[Policy]:
    """The tenant's directory role definitions (Graph ``unifiedRoleDefinition``, as ``GET
    /roleManagement/directory/roleDefinitions`` returns them: microsoft-graph-docs-contrib
    ``api-reference/v1.0/resources/unifiedroledefinition.md``), one policy each holding the
    definition as returned. Checked: ``id`` a GUID, ``templateId`` a string if present,
    ``isBuiltIn`` a flag, ``rolePermissions`` a list of objects whose
    ``allowedResourceActions`` is a list of strings (``microsoft.directory/applications/
    credentials/update``). Built-in and custom alike: the provider prefers its own table for
    built-in roles and reads a custom role's actions from here."""
    policies: list[Policy] = []
    for index, entry in enumerate(found):
        at = f"{where}[{index}]"
        entry = obj(entry, at)
        role_id = need_guid(entry, "id", at)
        opt_text(entry, "templateId", at)  # a built-in role's template id; a custom role's choice
        builtin = flag(entry, "isBuiltIn", at)
        for n, permission in enumerate(
            items(entry.get("rolePermissions") or [], f"{at}.rolePermissions")
        ):
            strings(obj(permission, f"{at}.rolePermissions[{n}]"), "allowedResourceActions",
                    f"{at}.rolePermissions[{n}]")  # fmt: skip
        name = opt_text(entry, "displayName", at) or role_id
        policies.append(Policy(
            provider=AZ, id=role_definition_id(role_id),
            name=f"{_ORIGIN.get(builtin, '')}directory role {name}",
            kind=PolicyKind.ENTRA_ROLE_DEFINITION, account=tenant, document=dict(entry),
        ))  # fmt: skip
    return policies

"""The tenant half of live Azure collection: Microsoft Graph (docs/dev/azure-plan.md 2c, 6.2),
``fetch_*`` doing I/O only, the mapping left to ``entra.py``.

Lists, every page through ``@odata.nextLink`` (``calls.Caller.pages``):

- applications with their credentials (``$select`` of plan 2c plus what ``records.py`` reads),
  their owners and federated identity credentials each in one more list with ``$expand`` (plan
  2c: an expanded directory relationship holds at most 20 items and has no nextLink, so an
  application showing 20 owners has them listed one by one; 20 is also the most federated
  credentials an application may have, so that list is complete);
- service principals, their owners the same way, and per service principal (not Microsoft's
  own: the export leaves those out too) its app role assignments, one call each under an
  ``asyncio.Semaphore`` (``concurrency``);
- directory role assignments and PIM eligibility schedules (v1.0);
- the two beta sign-in reports, ``servicePrincipalSignInActivities`` and
  ``appCredentialSignInActivities``, through the v1.0 client's adapter (plan 0.1).

- directory role definitions (``unifiedRoleDefinition``, built-in and custom, with their
  ``rolePermissions[].allowedResourceActions``: microsoft-graph-docs-contrib
  ``api-reference/v1.0/api/rbacapplication-list-roledefinitions.md``,
  RoleManagement.Read.Directory): a custom role is known only from here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.connectors.azure import errors as op
from nhiscan.connectors.azure.calls import Answer, Caller
from nhiscan.connectors.azure.ids import MICROSOFT_TENANTS
from nhiscan.scanner.model import CollectionGap

TOP = 999  # the largest page of directory objects (plan 2b)
EXPAND_CAP = 20  # an expanded directory relationship is cut at 20 items (plan 2c)
APPLICATION_FIELDS = (
    "id", "appId", "displayName", "description", "notes", "signInAudience", "publisherDomain",
    "createdDateTime", "passwordCredentials", "keyCredentials",
    "servicePrincipalLockConfiguration", "requiredResourceAccess",
)  # fmt: skip
SERVICE_PRINCIPAL_FIELDS = (
    "id", "appId", "displayName", "description", "notes", "servicePrincipalType",
    "appOwnerOrganizationId", "accountEnabled", "alternativeNames", "signInAudience",
    "passwordCredentials", "keyCredentials",
)  # fmt: skip


def _quiet(message: str) -> None:
    del message


@dataclass(slots=True)
class TenantData:
    """What Graph answered for one tenant: JSON as Graph sends it; None where the call did
    not answer (its gap is in ``gaps``); per-object maps keyed by the lower-case id the export
    names its files by (appId for owners and federated credentials of applications, the
    service principal's object id for its owners and app roles)."""

    applications: list[Any] | None = None
    service_principals: list[Any] | None = None
    app_owners: dict[str, list[Any]] = field(default_factory=dict)
    federated: dict[str, list[Any]] = field(default_factory=dict)
    sp_owners: dict[str, list[Any]] = field(default_factory=dict)
    app_roles: dict[str, list[Any]] = field(default_factory=dict)
    directory_roles: list[Any] | None = None
    eligibilities: list[Any] | None = None
    role_definitions: list[Any] | None = None
    sp_sign_ins: list[Any] | None = None
    credential_sign_ins: list[Any] | None = None
    gaps: list[CollectionGap] = field(default_factory=list)


def _query(*pairs: tuple[str, str]) -> str:
    return "&".join(f"{k}={v}" for k, v in pairs)


class Graph:
    def __init__(
        self, caller: Caller, *, v1: str, beta: str, concurrency: int = 4,
        progress: Callable[[str], None] = _quiet,
    ) -> None:  # fmt: skip
        self.caller, self.v1, self.beta, self.progress = caller, v1, beta, progress
        self.limit = asyncio.Semaphore(max(1, concurrency))
        self.data = TenantData()

    async def _list(self, url: str, operation: str, subject: str | None = None) -> list[Any] | None:
        async with self.limit:
            answer: Answer = await self.caller.pages(url, operation=operation, subject=subject)
        if answer.gap is not None:
            self.data.gaps.append(answer.gap)
            return None
        found: list[Any] = answer.value
        return found

    async def collect(self) -> TenantData:
        d, tenant = self.data, self.caller.tenant
        d.applications = await self.fetch_applications()
        d.service_principals = await self.fetch_service_principals()
        self.progress(f"azure {tenant}: {len(d.applications or [])} applications, "
                      f"{len(d.service_principals or [])} service principals")  # fmt: skip
        await asyncio.gather(
            self.fetch_application_owners(), self.fetch_federated(), self.fetch_sp_owners(),
            self.fetch_app_roles(), self.fetch_directory_roles(), self.fetch_sign_ins(),
        )  # fmt: skip
        self.progress(f"azure {tenant}: Microsoft Graph done, {len(d.gaps)} gaps")
        return d

    async def fetch_applications(self) -> list[Any] | None:
        q = _query(("$select", ",".join(APPLICATION_FIELDS)), ("$top", str(TOP)))
        return await self._list(f"{self.v1}/applications?{q}", op.APPLICATIONS)

    async def fetch_service_principals(self) -> list[Any] | None:
        q = _query(("$select", ",".join(SERVICE_PRINCIPAL_FIELDS)), ("$top", str(TOP)))
        return await self._list(f"{self.v1}/servicePrincipals?{q}", op.SERVICE_PRINCIPALS)

    async def _expanded(
        self, collection: str, relation: str, operation: str, key: str
    ) -> dict[str, list[Any]]:
        """``relation`` of every object of ``collection`` in one list, keyed by ``key``.
        Listed one by one (``operation``): an object showing ``EXPAND_CAP`` items (maybe cut),
        and one of the objects' own list the expanded list did not show (created between the
        two, or not expanded), so none is left without its list or its gap."""
        select = "id,appId" if key == "appId" else "id"
        q = _query(("$select", select), ("$expand", relation), ("$top", str(TOP)))
        found = await self._list(f"{self.v1}/{collection}?{q}", operation)
        if found is None:
            return {}  # the list's gap stands for every object's
        by_key: dict[str, list[Any]] = {}
        for entry in found:
            if isinstance(entry, Mapping) and isinstance(entry.get(key), str):
                items = entry.get(relation)
                if isinstance(items, list) and len(items) < EXPAND_CAP:
                    by_key[entry[key].lower()] = items
        apps = collection == "applications"
        objects = self.data.applications if apps else self.data.service_principals
        one_by_one = [
            (o[key].lower(), o["id"])
            for o in objects or []
            if isinstance(o, Mapping) and isinstance(o.get(key), str)
            and isinstance(o.get("id"), str) and o[key].lower() not in by_key
        ]  # fmt: skip
        lists = await asyncio.gather(*(
            self._list(f"{self.v1}/{collection}/{object_id}/{relation}", operation, subject=k)
            for k, object_id in one_by_one
        ))  # fmt: skip
        for (k, _), items_or_none in zip(one_by_one, lists, strict=True):
            if items_or_none is not None:
                by_key[k] = items_or_none  # else its gap says why
        return by_key

    async def fetch_application_owners(self) -> None:
        found = await self._expanded("applications", "owners", op.APPLICATION_OWNERS, "appId")
        self.data.app_owners = found

    async def fetch_federated(self) -> None:
        found = await self._expanded(
            "applications", "federatedIdentityCredentials", op.FEDERATED, "appId"
        )
        self.data.federated = found

    async def fetch_sp_owners(self) -> None:
        found = await self._expanded("servicePrincipals", "owners", op.SP_OWNERS, "id")
        self.data.sp_owners = found

    async def fetch_app_roles(self) -> None:
        sps = [
            sp["id"].lower()
            for sp in self.data.service_principals or []
            if isinstance(sp, Mapping) and isinstance(sp.get("id"), str)
            and not _microsoft(sp)
        ]  # fmt: skip
        lists = await asyncio.gather(*(
            self._list(f"{self.v1}/servicePrincipals/{sp}/appRoleAssignments", op.APP_ROLES,
                       subject=sp)
            for sp in sps
        ))  # fmt: skip
        self.data.app_roles = {
            sp: found for sp, found in zip(sps, lists, strict=True) if found is not None
        }

    async def fetch_directory_roles(self) -> None:
        d = self.data
        d.directory_roles, d.eligibilities, d.role_definitions = await asyncio.gather(
            self._list(f"{self.v1}/roleManagement/directory/roleAssignments",
                       op.ROLE_ASSIGNMENTS),
            self._list(f"{self.v1}/roleManagement/directory/roleEligibilitySchedules",
                       op.ROLE_ELIGIBILITIES),
            self._list(f"{self.v1}/roleManagement/directory/roleDefinitions",
                       op.ROLE_DEFINITIONS),
        )  # fmt: skip

    async def fetch_sign_ins(self) -> None:
        self.data.sp_sign_ins, self.data.credential_sign_ins = await asyncio.gather(
            self._list(f"{self.beta}/reports/servicePrincipalSignInActivities", op.SP_SIGN_INS),
            self._list(f"{self.beta}/reports/appCredentialSignInActivities",
                       op.CREDENTIAL_SIGN_INS),
        )  # fmt: skip


def _microsoft(sp: Mapping[str, Any]) -> bool:
    home = sp.get("appOwnerOrganizationId")
    return isinstance(home, str) and home.lower() in MICROSOFT_TENANTS

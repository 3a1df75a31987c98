"""What Graph answered for a tenant (``graph.TenantData``), to records: pure.

One mapping, two sources (the GCP rule, docs/dev/azure-plan.md 6.1): the answers are laid out
as the export folder of the same tenant would hold them (``offline/folder.Export``: the az CLI
prints Graph's JSON unmodified) and mapped by the offline reader's own ``assemble.Entra`` and
``records.py``. A call that did not answer leaves its part out, so nothing is read as "none";
its gap (``errors.gap_for``) is recorded instead of the export's ``not-in-export`` one.

The sign-in reports (beta; learn.microsoft.com/graph/api/resources/serviceprincipalsigninactivity
and .../appcredentialsigninactivity) then give ``last_used``: a service principal's is
``lastSignInActivity.lastSignInDateTime`` of its appId's entry (Microsoft warns the preview may
count attempts, so it is "last seen", plan 2c); a credential's is its ``keyId`` entry's
``signInActivity.lastSignInDateTime`` whose ``credentialOrigin`` matches where it is held
(``application``: on the application object, ``servicePrincipal``: the SP's own).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from nhiscan.connectors.azure import rbac
from nhiscan.connectors.azure import records as to
from nhiscan.connectors.azure.errors import CREDENTIAL_SIGN_INS, SP_SIGN_INS
from nhiscan.connectors.azure.graph import TenantData
from nhiscan.connectors.azure.offline.assemble import Entra
from nhiscan.connectors.azure.offline.folder import Export
from nhiscan.connectors.azure.offline.gaps import Gaps
from nhiscan.connectors.azure.shape import ShapeError, obj, time
from nhiscan.scanner.model import (
    CollectionGap,
    Credential,
    GapReason,
    Identity,
    PolicyKind,
    Provider,
    Record,
)

_K = TypeVar("_K")
FOLDERS = {
    "app-owners/": "app_owners",
    "federated-credentials/": "federated",
    "sp-owners/": "sp_owners",
    "app-role-assignments/": "app_roles",
}
SOURCES = {
    "app-owners/": "GET /applications/{}/owners",
    "federated-credentials/": "GET /applications(appId='{}')/federatedIdentityCredentials",
    "sp-owners/": "GET /servicePrincipals/{}/owners",
    "app-role-assignments/": "GET /servicePrincipals/{}/appRoleAssignments",
}


def _quiet(message: str) -> None:
    del message


def as_export(data: TenantData, tenant: str) -> Export:
    """The answers laid out as an export folder of the tenant would hold them."""
    export = Export(folder=Path(f"graph:{tenant}"))
    export.files["applications.json"] = list(data.applications or [])
    export.files["service-principals.json"] = list(data.service_principals or [])
    for part, attribute in FOLDERS.items():
        found: Mapping[str, list[Any]] = getattr(data, attribute)
        export.folders[part] = {
            key: (Path(SOURCES[part].format(key)), value) for key, value in found.items()
        }
    return export


def to_records(data: TenantData, tenant: str, now: datetime) -> Iterator[Record]:
    """The tenant, its directory roles and role definitions, applications, service
    principals, credentials, owners, app roles and federated credentials; then the gaps of
    what did not answer."""
    yield rbac.tenant_account({"tenantId": tenant}, f"--azure-tenant {tenant}")
    try:
        records = list(_entra(data, tenant, now))
    except ShapeError as exc:
        yield CollectionGap(
            provider=Provider.AZURE,
            scope=tenant,
            operation="graph:mapping",
            reason=GapReason.FAILED,
            detail=f"malformed response: {exc}: the tenant's Entra objects are not recorded",
        )
        records = []
    yield from records
    # in a stable order: the calls finish in any order
    yield from sorted(data.gaps, key=lambda g: (g.operation, g.subject or ""))


def _entra(data: TenantData, tenant: str, now: datetime) -> Iterator[Record]:
    policies: dict[str, list[str]] = {}
    for found, kind, operation in (
        (data.directory_roles, PolicyKind.ENTRA_DIRECTORY_ROLES, "roleAssignments"),
        (data.eligibilities, PolicyKind.ENTRA_ROLE_ELIGIBILITIES, "roleEligibilitySchedules"),
    ):
        if found is None:
            continue  # its gap is in data.gaps
        where = f"GET /roleManagement/directory/{operation}: $.value"
        for principal, policy in to.directory_roles(found, where, kind=kind, tenant=tenant).items():
            policies.setdefault(principal, []).append(policy.id)
            yield policy
    if data.role_definitions is not None:  # else its gap is in data.gaps
        where = "GET /roleManagement/directory/roleDefinitions: $.value"
        yield from to.role_definitions(data.role_definitions, where, tenant=tenant)
    export = as_export(data, tenant)
    sp_seen = yield from _report(_sp_sign_ins, data.sp_sign_ins, tenant, SP_SIGN_INS)
    key_seen = yield from _report(
        _key_sign_ins, data.credential_sign_ins, tenant, CREDENTIAL_SIGN_INS
    )
    entra = Entra(export, tenant, now, Gaps(export, tenant), policies, _quiet)
    for record in entra.records():
        if isinstance(record, Identity) and record.native_id in sp_seen:
            record = replace(record, last_used=sp_seen[record.native_id])
        elif isinstance(record, Credential):
            origin = "application" if record.holder is not None else "serviceprincipal"
            seen = key_seen.get((record.id, origin), key_seen.get((record.id, "")))
            if seen is not None:
                record = replace(record, last_used=seen)
        yield record


def _report(
    parse: Callable[[Sequence[Any] | None], dict[_K, datetime]], found: Sequence[Any] | None,
    tenant: str, operation: str,
) -> Generator[Record, None, dict[_K, datetime]]:  # fmt: skip
    """A beta report parsed; one not in its documented shape is a gap on its operation (the
    beta may change: plan 0.1), and nothing is read from it."""
    try:
        return parse(found)
    except ShapeError as exc:
        yield CollectionGap(
            provider=Provider.AZURE, scope=tenant, operation=operation, reason=GapReason.FAILED,
            detail=f"malformed response: {exc}: no last use read from it",
        )  # fmt: skip
        return {}


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((t for t in (a, b) if t is not None), default=None)


def _sp_sign_ins(found: Sequence[Any] | None) -> dict[str, datetime]:
    """appId → last sign-in of ``servicePrincipalSignInActivities``."""
    seen: dict[str, datetime] = {}
    for index, entry in enumerate(found or []):
        at = f"GET /beta/reports/servicePrincipalSignInActivities: $.value[{index}]"
        entry = obj(entry, at)
        app_id = entry.get("appId")
        activity = entry.get("lastSignInActivity")
        if not isinstance(app_id, str) or not isinstance(activity, Mapping):
            continue  # no appId or no activity: nothing seen for it
        last = _latest(
            seen.get(app_id.lower()),
            time(activity, "lastSignInDateTime", f"{at}.lastSignInActivity"),
        )
        if last is not None:
            seen[app_id.lower()] = last
    return seen


def _key_sign_ins(found: Sequence[Any] | None) -> dict[tuple[str, str], datetime]:
    """(keyId, credentialOrigin lower-cased) → last use of ``appCredentialSignInActivities``;
    an entry without origin is keyed ``(keyId, "")``."""
    seen: dict[tuple[str, str], datetime] = {}
    for index, entry in enumerate(found or []):
        at = f"GET /beta/reports/appCredentialSignInActivities: $.value[{index}]"
        entry = obj(entry, at)
        key_id, activity = entry.get("keyId"), entry.get("signInActivity")
        if not isinstance(key_id, str) or not isinstance(activity, Mapping):
            continue
        origin = entry.get("credentialOrigin")
        key = (key_id.lower(), origin.lower() if isinstance(origin, str) else "")
        last = _latest(seen.get(key), time(activity, "lastSignInDateTime", f"{at}.signInActivity"))
        if last is not None:
            seen[key] = last
    return seen

"""What an AzureHound file does not hold, as ``not-in-export`` gaps under the operations the
export reader uses (``offline/gaps.py``; the provider's rules and facts name them), worded for
AzureHound. The mapping's own gaps (``assemble.py``'s, worded for an az CLI folder) are replaced
by these, except the role-definition gaps, which are reworded and keep their subjects.

What AzureHound collects is BloodHound's published list (bloodhound.specterops.io/collect-data/
azurehound-data-permissions): sign-in activity of users only (not of service principals or
credentials); federated identity credentials of applications (no kind in BloodHound's
ingest carries them, so none is read here); no deny assignments; no Azure RBAC role
definitions. nhiscan does not yet read group memberships or the compute kinds' identity blocks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from nhiscan.connectors.azure import records as to
from nhiscan.connectors.azure.hound.layout import COMPLETE_RBAC, Layout
from nhiscan.connectors.azure.offline.layout import BY_PATH, operation
from nhiscan.scanner.model import CollectionGap, GapReason, Provider, Record

SOURCE = "bloodhound.specterops.io/collect-data/azurehound-data-permissions"
HINT = "collect live (--azure-tenant) or export with tools/azure-export.sh to include them"
# the kinds that would fill each part of the export
KINDS = {
    "management-groups.json": "AZManagementGroup/AZManagementGroupDescendant",
    "directory-role-assignments.json": "AZRoleAssignment",
    "directory-role-eligibilities.json": "AZRoleEligibilityScheduleInstance",
    "app-owners/": "AZAppOwner",
    "sp-owners/": "AZServicePrincipalOwner",
    "app-role-assignments/": "AZAppRoleAssignment",
}
TENANT: tuple[tuple[str, str], ...] = (
    ("servicePrincipalSignInActivities",
     f"AzureHound collects the sign-in activity of users, not of service principals ({SOURCE})"),
    ("appCredentialSignInActivities",
     f"AzureHound collects no last use of application credentials ({SOURCE})"),
    ("azure-export:group-members",
     "nhiscan does not read AzureHound's group memberships (AZGroupMember) yet: members of the "
     "groups that hold roles are unknown"),
)  # fmt: skip
ATTACHMENTS = "azure-export:managed-identity-attachments"
NO_FILE = "the AzureHound file"
ATTACHED = (
    "the compute kinds the file holds name the identities each resource runs as; compute "
    "AzureHound could not list is not in the file, without an error (its documentation: a "
    "resource outside the scope of its role is invisible to it), nor are kinds it does not "
    "collect (container apps)"
)
SUBSCRIPTION: tuple[tuple[str, str], ...] = (
    ("azure-export:deny-assignments",
     f"AzureHound collects no deny assignments ({SOURCE})"),
    (ATTACHMENTS,
     f"{NO_FILE} holds no compute kind (AZVM, AZWebApp, ...): which compute carries a "
     "user-assigned identity is unknown (a system-assigned identity names its own resource)"),
    ("azure-export:managed-identity-federated-credentials",
     "AzureHound's output holds no federated credentials of user-assigned managed identities"),
)  # fmt: skip
FEDERATED = (
    "no kind of AzureHound's output that BloodHound ingests carries federated identity "
    "credentials: who may sign in as each application through a federation is unknown"
)


def reworded(records: Sequence[Record], path: Path) -> Iterator[Record]:
    """The mapping's records without its export-worded gaps; role-definition gaps reworded."""
    for record in records:
        if not isinstance(record, CollectionGap) or record.reason is not GapReason.NOT_IN_EXPORT:
            yield record
        elif record.operation.endswith("role-definitions"):
            yield replace(record, detail=(
                f"{record.detail.split(', which ')[0]}: {path} holds no Azure role definitions "
                "(AzureHound collects none): a built-in role is known from nhiscan's catalog, a "
                "custom role is not"
            ))  # fmt: skip


def hound_gaps(layout: Layout, path: Path) -> Iterator[CollectionGap]:
    export, tenant = layout.export, layout.tenant
    found: dict[tuple[str, str, str | None], CollectionGap] = {}

    def add(scope: str, op: str, detail: str, subject: str | None = None) -> None:
        found.setdefault((scope, op, subject), CollectionGap(
            provider=Provider.AZURE, scope=scope, operation=op, reason=GapReason.NOT_IN_EXPORT,
            detail=detail, subject=subject,
        ))  # fmt: skip

    for op, what in TENANT:
        add(tenant, op, f"{what}; {HINT}")
    for sub in layout.subscriptions:
        for op, what in SUBSCRIPTION:
            if op == ATTACHMENTS and layout.compute:
                what = ATTACHED
            add(sub, op, f"{what}; {HINT}")
        if sub not in export.folders.get("role-assignments/", {}):
            kinds = ", ".join(sorted(layout.rbac_kinds)) or "none"
            add(sub, operation(BY_PATH["role-assignments/"]),
                f"{path} lists only some roles' assignments (its RBAC kinds: {kinds}); without "
                f"{'/'.join(sorted(COMPLETE_RBAC))} the subscription's other role assignments "
                f"are unknown; {HINT}", subject=None)  # fmt: skip
    for part, kind in KINDS.items():
        if part not in export.files and part not in export.folders:
            add(
                tenant,
                operation(BY_PATH[part]),
                f"{path} holds no {kind} entry: no {BY_PATH[part].what or part}; {HINT}",
            )
    add(tenant, operation(BY_PATH["federated-credentials/"]), f"{FEDERATED}; {HINT}")
    yield from found.values()
    yield from _per_object(layout, path)
    for object_id, at in layout.no_credentials:
        yield CollectionGap(
            provider=Provider.AZURE, scope=tenant, operation="azurehound:credentials",
            reason=GapReason.NOT_IN_EXPORT, subject=object_id,
            detail=f"{at}: no passwordCredentials or keyCredentials: its client secrets and "
            "certificates are unknown (not none)",
        )  # fmt: skip


def _per_object(layout: Layout, path: Path) -> Iterator[CollectionGap]:
    """Owners not listed for one object (its owner unknown, never "none")."""
    export, tenant = layout.export, layout.tenant
    gaps: list[CollectionGap] = []
    owners = export.folders.get("app-owners/")
    if owners is not None:
        for app in export.files["applications.json"]:
            app_id = str(app["appId"]).lower()
            if app_id not in owners:
                gaps.append(_object_gap(tenant, "app-owners/", app_id, path))
    sp_owners = export.folders.get("sp-owners/")
    if sp_owners is not None:
        for sp in export.files["service-principals.json"]:
            sp_id = str(sp["id"]).lower()
            managed = sp.get("servicePrincipalType") == to.MANAGED
            if sp_id not in sp_owners and not managed and not to.is_microsoft(sp, ""):
                gaps.append(_object_gap(tenant, "sp-owners/", sp_id, path))
    yield from gaps


def _object_gap(tenant: str, part: str, subject: str, path: Path) -> CollectionGap:
    return CollectionGap(
        provider=Provider.AZURE, scope=tenant, operation=operation(BY_PATH[part]),
        reason=GapReason.NOT_IN_EXPORT, subject=subject,
        detail=f"{path} holds no {KINDS[part]} entry for {subject}: its "
        f"{BY_PATH[part].what.split(' (')[0]} are unknown",
    )  # fmt: skip

"""The compute AzureHound lists, and the managed identities it runs as: what no az CLI export
in the export's layout holds (which compute carries a user-assigned identity).

The compute kinds (``AZVM``, ``AZVMScaleSet``, ``AZWebApp``, ``AZFunctionApp``, ``AZLogicApp``,
``AZAutomationAccount``, ``AZContainerRegistry``, ``AZManagedCluster``) carry the ARM resource
(BloodHound's ingest reads its ``id``, ``name`` and ``identity``: ``packages/go/ein/azure.go``),
whose ``identity`` block ARM documents as ``principalId`` (the system-assigned identity) and
``userAssignedIdentities``, a map from each user-assigned identity's ARM id to its
``principalId`` and ``clientId`` (learn.microsoft.com/rest/api/compute/virtual-machines/get,
``VirtualMachineIdentity``; the same block on every resource type). A resource with an identity
becomes a ``Resource`` that runs as the system-assigned one (else the first user-assigned one)
and ``also_runs_as`` the others; it replaces the resource the mapping made from a
system-assigned identity's ``alternativeNames`` (which knows that identity alone).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nhiscan.connectors.azure import ids, rbac
from nhiscan.connectors.azure.hound.envelope import Entry, where
from nhiscan.connectors.azure.records import AZ
from nhiscan.connectors.azure.shape import arm_id, guid, obj, opt_text, text
from nhiscan.scanner.model import Resource

COMPUTE_KINDS = frozenset({
    "AZVM", "AZVMScaleSet", "AZWebApp", "AZFunctionApp", "AZLogicApp", "AZAutomationAccount",
    "AZContainerRegistry", "AZManagedCluster",
})  # fmt: skip


def resources(path: Path, entries: list[Entry]) -> Iterator[Resource]:
    """Each compute resource with a managed identity, and its resource group."""
    for entry in entries:
        at = where(path, entry.index)
        identity = entry.data.get("identity")
        if identity is None:
            continue  # no managed identity: nothing it runs as
        identity = obj(identity, f"{at}.identity")
        principals: list[str] = []
        if identity.get("principalId"):
            principals.append(guid(identity["principalId"], f"{at}.identity.principalId"))
        assigned = identity.get("userAssignedIdentities") or {}
        for key, value in obj(assigned, f"{at}.identity.userAssignedIdentities").items():
            inner = f"{at}.identity.userAssignedIdentities[{key!r}]"
            value = obj(value, inner)
            if value.get("principalId"):
                principals.append(guid(value["principalId"], f"{inner}.principalId"))
        if not principals:
            continue
        written = text(entry.data.get("id"), f"{at}.id")
        resource = arm_id(written, f"{at}.id")
        principals = list(dict.fromkeys(principals))
        yield Resource(
            provider=AZ, id=resource,
            name=opt_text(entry.data, "name", at) or ids.last_segment(written),
            kind=ids.kind_of(resource), account=ids.subscription_of(resource) or "",
            runs_as=principals[0], also_runs_as=tuple(principals[1:]),
        )  # fmt: skip
        group = ids.resource_group_of(resource)
        if group is not None:
            yield rbac.resource_group(group, written)

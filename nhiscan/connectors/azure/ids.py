"""ARM ids and the tenants that publish Microsoft's own applications, read from the id alone.

ARM ids here are lower-cased (``shape.arm_id``): ``/subscriptions/<id>``,
``/subscriptions/<id>/resourcegroups/<name>``, ``/providers/microsoft.management/
managementgroups/<name>``, a resource ``.../providers/<namespace>/<type>/<name>``.
"""

from __future__ import annotations

from nhiscan.scanner.model import ResourceKind

# The tenants that own Microsoft's first-party applications (appOwnerOrganizationId): the
# "Microsoft Services" tenant and Microsoft's corporate tenant. Their service principals in a
# customer tenant are run by Microsoft, not the customer (provider-managed).
MICROSOFT_TENANTS = frozenset(
    {"f8cdef31-a31e-4b4a-93e4-5f571e91255a", "72f988bf-86f1-41af-91ab-2d7cd011db47"}
)

MANAGEMENT_GROUP_PREFIX = "/providers/microsoft.management/managementgroups/"
ROLE_DEFINITION_PREFIX = "/providers/microsoft.authorization/roledefinitions/"
USER_ASSIGNED = "microsoft.managedidentity/userassignedidentities"

# ARM resource types (namespace/type, lower-cased) of compute that runs as a managed identity.
COMPUTE_KINDS: dict[str, ResourceKind] = {
    "microsoft.compute/virtualmachines": ResourceKind.AZURE_VM,
    "microsoft.compute/virtualmachinescalesets": ResourceKind.AZURE_VM_SCALE_SET,
    "microsoft.web/sites": ResourceKind.AZURE_WEB_APP,
    "microsoft.app/containerapps": ResourceKind.AZURE_CONTAINER_APP,
    "microsoft.containerservice/managedclusters": ResourceKind.AZURE_AKS_CLUSTER,
    "microsoft.automation/automationaccounts": ResourceKind.AZURE_AUTOMATION_ACCOUNT,
    "microsoft.logic/workflows": ResourceKind.AZURE_LOGIC_APP,
    USER_ASSIGNED: ResourceKind.AZURE_USER_ASSIGNED_IDENTITY,
}


def management_group(name: str) -> str:
    return f"{MANAGEMENT_GROUP_PREFIX}{name.lower()}"


def role_definition(role_guid: str) -> str:
    """The one id of a role definition, whatever scope an answer names it under: ARM shows a
    built-in role as ``/subscriptions/<s>/providers/Microsoft.Authorization/roleDefinitions/<g>``
    in each subscription, and a role's GUID is unique in the tenant."""
    return f"{ROLE_DEFINITION_PREFIX}{role_guid.lower()}"


def subscription_of(arm: str) -> str | None:
    parts = arm.split("/")
    return parts[2] if len(parts) > 2 and parts[1] == "subscriptions" else None


def resource_group_of(arm: str) -> str | None:
    """The resource group's id of an id at or under it."""
    parts = arm.split("/")
    if len(parts) > 4 and parts[1] == "subscriptions" and parts[3] == "resourcegroups":
        return "/".join(parts[:5])
    return None


def resource_type(arm: str) -> str | None:
    """``namespace/type`` of a top-level resource id (``.../providers/<ns>/<type>/<name>``)."""
    parts = arm.split("/")
    if "providers" not in parts:
        return None
    at = len(parts) - 1 - parts[::-1].index("providers")
    rest = parts[at + 1 :]
    return f"{rest[0]}/{rest[1]}" if len(rest) == 3 else None


def kind_of(arm: str) -> ResourceKind:
    """The resource kind of a resource that carries a managed identity."""
    return COMPUTE_KINDS.get(resource_type(arm) or "", ResourceKind.AZURE_RESOURCE)


def in_case(original: str, lowered: str) -> str:
    """``lowered`` (an id, or the id of a scope above it, lower-cased) in the case ``original``
    writes it, for names: ids compare lower-cased, people read names as written."""
    text = original.strip()
    return text[: len(lowered)] if text.lower().startswith(lowered) else lowered


def last_segment(original: str) -> str:
    """The name at the end of an id, in the case it was written."""
    return original.rstrip("/").rsplit("/", 1)[-1]

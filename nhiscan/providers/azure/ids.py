"""``AzureIds``: Azure's stable ids read offline (docs/dev/azure-records.md section 2): Entra
objects by lower-case object id (a GUID), ARM resources and scopes by lower-case ARM id
(``/subscriptions/<id>/resourcegroups/<name>/providers/…``,
``/providers/microsoft.management/managementgroups/<name>``). The scope of an ARM id is its
subscription; an Entra object names no scope (None: the id does not say)."""

from __future__ import annotations

import re

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
SUBSCRIPTION = re.compile(r"^/subscriptions/([0-9a-f-]{36})(?:/|$)", re.I)
PROVIDER = re.compile(r"/providers/([a-z0-9.]+)/", re.I)
MANAGEMENT_GROUP = "/providers/microsoft.management/managementgroups/"
SUB_RESOURCES = ("/blobservices/", "/containers/", "/secrets/", "/keys/", "/queues/", "/topics/")


class AzureIds:
    def owns(self, value: str, /) -> bool:
        low = value.lower()
        return (
            GUID.match(value) is not None
            or SUBSCRIPTION.match(value) is not None
            or low.startswith(MANAGEMENT_GROUP)
            or low.startswith("/providers/microsoft.")
        )

    def scope_of(self, value: str, /) -> str | None:
        """The subscription id of an ARM id (a management group's id for the group)."""
        found = SUBSCRIPTION.match(value)
        if found is not None:
            return found.group(1).lower()
        low = value.lower()
        if low.startswith(MANAGEMENT_GROUP):
            return low.rstrip("/")
        return None

    def service_of(self, value: str, /) -> str:
        """The resource provider namespace of an ARM id (the last one: an extension
        resource's), else ``Microsoft.Resources`` for scopes and ``Microsoft.Directory``
        for Entra objects."""
        found = PROVIDER.findall(value + "/")
        if found:
            return str(found[-1])
        return "Microsoft.Directory" if GUID.match(value) else "Microsoft.Resources"

    def container_of(self, value: str, /) -> str | None:
        """A child resource's parent resource (a blob container's storage account, a Key Vault
        secret's vault)."""
        low = value.lower()
        for marker in SUB_RESOURCES:
            at = low.find(marker, low.find("/providers/") if "/providers/" in low else 0)
            if at > 0 and "/providers/" in low[:at]:
                return value[:at]
        return None

    def short(self, value: str, /) -> str:
        return value.rstrip("/").rsplit("/", 1)[-1] or value

    def is_broad(self, value: str, /) -> bool:
        """``*``, ``/``, a management group or a subscription, or a whole resource group."""
        low = value.lower().rstrip("/")
        if value in ("*", "/") or low.startswith(MANAGEMENT_GROUP):
            return True
        parts = low.split("/")
        return len(parts) in (3, 5) and parts[1] == "subscriptions"

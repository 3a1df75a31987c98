"""ARM's JSON as the az CLI prints it: what the offline reader's mapping expects of the ARM parts
(``properties`` merged into the object; a role definition's ``properties.type`` is the CLI's
``roleType``; a subscription's ``subscriptionId``/``displayName`` the CLI's ``id``/``name``)."""

from __future__ import annotations

from typing import Any

from nhiscan.connectors.azure.shape import obj, text


def flat(entry: Any, where: str) -> dict[str, Any]:
    """An ARM object as the az CLI prints it: ``properties`` merged into it."""
    entry = obj(entry, where)
    found = {k: v for k, v in entry.items() if k != "properties"}
    props = entry.get("properties")
    if props is not None:
        found.update(obj(props, f"{where}.properties"))
    return found


def flat_definition(entry: Any, where: str) -> dict[str, Any]:
    """A role definition as ``az role definition list`` prints it (``roleType``, and the
    resource ``type``)."""
    entry = obj(entry, where)
    props = obj(entry.get("properties") or {}, f"{where}.properties")
    found = {k: v for k, v in entry.items() if k != "properties"}
    found.update({k: v for k, v in props.items() if k != "type"})
    if "type" in props:
        found["roleType"] = props["type"]
    return found


def cli_subscription(sub: Any, where: str) -> dict[str, Any]:
    """A subscription as ``az account list`` prints it."""
    sub = obj(sub, where)
    found: dict[str, Any] = {"id": text(sub.get("subscriptionId"), f"{where}.subscriptionId")}
    for ours, theirs in (("name", "displayName"), ("state", "state"), ("tenantId", "tenantId"),
                         ("managedByTenants", "managedByTenants")):  # fmt: skip
        if sub.get(theirs) is not None:
            found[ours] = sub[theirs]
    return found

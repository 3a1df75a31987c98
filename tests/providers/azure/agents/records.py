"""Hand-built Azure records for the gap tests, in the shapes of docs/dev/azure-records.md: a
service principal whose ``policies`` name its role assignments (``az role assignment list``
entries), and role definitions as ``az role definition list`` prints them."""

from __future__ import annotations

import gzip
import json
import uuid
from functools import cache
from importlib import resources
from typing import Any

from nhiscan.scanner.model import Identity, IdentityKind, Policy, PolicyKind, Provider
from tests import factories as f
from tests.providers.azure.agents.helpers import PRINCIPAL, SUBSCRIPTION

TENANT = "4c1a7a3e-0f8e-4d4b-9a51-3b0f2f6a1c22"
SUB = f"/subscriptions/{SUBSCRIPTION}"
RG = f"{SUB}/resourcegroups/docs"
ACCOUNT = f"{RG}/providers/microsoft.storage/storageaccounts/acmedocs"
CONTAINER = f"{ACCOUNT}/blobservices/default/containers/drafts"
QUEUE = f"{RG}/providers/microsoft.servicebus/namespaces/acme-bus/queues/intake"
SECRET = f"{RG}/providers/microsoft.keyvault/vaults/acme-kv/secrets/api"


@cache
def _built_in() -> dict[str, dict[str, Any]]:
    raw = resources.files("nhiscan.providers.azure").joinpath(
        "data", "azure-built-in-roles.json.gz").read_bytes()  # fmt: skip
    return {r["roleName"]: r for r in json.loads(gzip.decompress(raw))}


def built_in(name: str) -> dict[str, Any]:
    """A built-in role definition as ``az role definition list`` prints it."""
    return _built_in()[name]


def definition(document: dict[str, Any]) -> Policy:
    ident = f"/providers/microsoft.authorization/roledefinitions/{document['name']}"
    return f.policy(provider=Provider.AZURE, id=ident, name=document["roleName"],
                    kind=PolicyKind.AZURE_ROLE_DEFINITION, account=None,
                    document=document)  # fmt: skip


def assignment(scope: str, role: str, *, principal: str = PRINCIPAL,
               condition: str | None = None) -> Policy:  # fmt: skip
    """A role assignment of ``role`` (a GUID) at ``scope``, as ``az role assignment list``."""
    name = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{scope}|{role}|{principal}|{condition}"))
    ident = f"{scope}/providers/microsoft.authorization/roleassignments/{name}"
    document: dict[str, Any] = {
        "id": ident, "name": name, "scope": scope, "principalId": principal,
        "principalType": "ServicePrincipal",
        "roleDefinitionId": f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}",
        "condition": condition, "conditionVersion": "2.0" if condition else None,
    }  # fmt: skip
    return f.policy(provider=Provider.AZURE, id=ident, name=name,
                    kind=PolicyKind.AZURE_ROLE_ASSIGNMENT, account=SUBSCRIPTION,
                    document=document, attached_to=(scope,))  # fmt: skip


def principal(*policies: Policy, kind: IdentityKind = IdentityKind.SERVICE_PRINCIPAL) -> Identity:
    return f.identity(provider=Provider.AZURE, id=PRINCIPAL, name="reviewer", kind=kind,
                      account=TENANT, is_human=False,
                      policies=tuple(p.id for p in policies))  # fmt: skip

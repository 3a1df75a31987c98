"""Where an Azure need is granted: the scope a role assignment goes on (in ARM's spelling), the
ABAC condition narrowing it, and for Cosmos DB the account and the Cosmos DB scope.

A blob need (``…/containers/C/blobs/PREFIX*``) is granted on the container, narrowed to the
prefix by a condition on ``@Resource[…/blobs:path]`` (reads, writes, deletes) and, for the
``Blob.List`` suboperation of read, on ``@Request[…/blobs:prefix]``: "Actions and attributes for
Azure role assignment conditions for Azure Blob Storage" and "Example Azure role assignment
conditions for Blob Storage" (learn.microsoft.com/azure/storage/blobs/storage-auth-abac-
attributes, …/storage-auth-abac-examples); the path excludes the container name. Key Vault
objects and Service Bus entities are granted on themselves (role assignments at a secret, key,
certificate, queue, topic or subscription: Key Vault RBAC guide, Service Bus
authenticate-application). Anything else written as an ARM id is granted on that id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nhiscan.providers.azure.agents.schemes import ANY
from nhiscan.providers.azure.agents.verbs import BLOBS

SUBSCRIPTION_PLACEHOLDER = "SUBSCRIPTION_ID"
GROUP_PLACEHOLDER = "RESOURCE_GROUP"
CONDITION_VERSION = "2.0"
_HEAD = r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/"
_BLOBS = re.compile(
    _HEAD + r"microsoft\.storage/storageaccounts/([^/]+)/blobservices/default"
    r"/containers/([^/]+)/blobs/(.*)$"
)
_COSMOS = re.compile(_HEAD + r"microsoft\.documentdb/databaseaccounts/([^/]+)(/dbs/.*)$")
# Lower-cased ARM path segments written back in ARM's spelling.
SPELLING = {
    "resourcegroups": "resourceGroups",
    "microsoft.storage": "Microsoft.Storage",
    "storageaccounts": "storageAccounts",
    "blobservices": "blobServices",
    "microsoft.keyvault": "Microsoft.KeyVault",
    "microsoft.servicebus": "Microsoft.ServiceBus",
    "microsoft.documentdb": "Microsoft.DocumentDB",
    "databaseaccounts": "databaseAccounts",
}
PATH = f"@Resource[{BLOBS}:path]"
PREFIX = f"@Request[{BLOBS}:prefix]"


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    scope: str  # the ARM id the assignment goes on (Cosmos DB: the account)
    prefix: str | None = None  # blobs: the path prefix a condition narrows to
    cosmos_scope: str | None = None  # Cosmos DB: /dbs/D[/colls/C]
    note: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.scope, self.prefix or "", self.cosmos_scope or "")

    @property
    def namespace(self) -> str | None:
        """The resource provider of the scope, lower case (None: not a resource)."""
        _, found, tail = self.scope.partition("/providers/")
        return tail.split("/", 1)[0].lower() if found and "/" in tail else None

    @property
    def group_scope(self) -> str:
        """The resource group (or subscription) holding it: a custom role's assignable scope."""
        parts = self.scope.split("/")
        return "/".join(parts[:5]) if len(parts) > 5 else self.scope


def spelled(resource: str, subscription: str) -> str:
    """A lower-cased ARM id in ARM's spelling, ``*`` placeholders named."""
    parts = resource.split("/")
    out = [SPELLING.get(p, p) for p in parts]
    if len(out) > 2 and out[1] == "subscriptions" and out[2] == ANY:
        out[2] = subscription if subscription != ANY else SUBSCRIPTION_PLACEHOLDER
    if len(out) > 4 and out[3] == "resourceGroups" and out[4] == ANY:
        out[4] = GROUP_PLACEHOLDER
    return "/".join(out)


def target_of(resource: str, subscription: str) -> Target:
    found = _BLOBS.match(resource)
    if found is not None:
        container, _, _ = resource.partition("/blobs/")
        path = found.group(5)
        glob = re.search(r"[*?\[]", path)
        prefix = path[: glob.start()] if glob is not None else path
        return Target(scope=spelled(container, subscription), prefix=prefix or None)
    found = _COSMOS.match(resource)
    if found is not None:
        account = resource[: found.end(3)]
        return Target(scope=spelled(account, subscription), cosmos_scope=found.group(4))
    if resource.startswith("/subscriptions/"):
        return Target(scope=spelled(resource.removesuffix("/*"), subscription))
    note = f"{resource}: not an ARM id, granted on the subscription"
    return Target(scope=f"/subscriptions/{_sub(subscription)}", note=note)


def _sub(subscription: str) -> str:
    return subscription if subscription != ANY else SUBSCRIPTION_PLACEHOLDER


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def blob_condition(prefix: str, actions: frozenset[str]) -> str:
    """The ABAC condition (version 2.0) letting ``actions`` on blobs act under ``prefix`` only:
    each action is allowed when it is not the request's, or when the blob's path starts with
    the prefix; read's List Blobs suboperation on the request's prefix instead."""
    value = _quote(prefix)
    clauses = []
    for action in sorted(actions):
        if action == f"{BLOBS}/read":
            clauses.append(
                f"(!(ActionMatches{{'{action}'}} AND NOT SubOperationMatches"
                f"{{'Blob.List'}}) OR {PATH} StringStartsWith '{value}')"
            )
            clauses.append(
                f"(!(ActionMatches{{'{action}'}} AND SubOperationMatches"
                f"{{'Blob.List'}}) OR {PREFIX} StringStartsWith '{value}')"
            )
        else:
            clauses.append(f"(!(ActionMatches{{'{action}'}}) OR {PATH} StringStartsWith '{value}')")
    return " AND ".join(clauses)

"""What Azure references name: resource *kinds*, each with the ARM ids of its *parts*.

A verb acts on parts: reading blobs acts on ``…/containers/C/blobs/PREFIX*`` (the container is
where the role assignment goes, the prefix an ABAC condition on ``blobs:path``); sending to a
Service Bus queue acts on the queue. ``{subscription}`` and ``{group}`` are the reference's
(an ARM id names them), else the agent's ``azure.subscription`` and ``azure.resource_group``,
else ``*``: wherever the identity running the step is granted it (``Requirement.
account_implicit``), bound by the gap analysis (``gaps.bind``).

Needs name resources by lower-cased ARM ids (``docs/dev/azure-records.md`` section 2: role
assignment scopes are kept lower-cased, so a need and a grant compare as text); a blob path
after ``/blobs/`` and Cosmos DB names after ``/dbs/`` keep their case (they are
case-sensitive). ``render.py`` writes the
scopes back in ARM's own spelling.

Cosmos DB's data plane is not Azure RBAC: its role definitions and assignments are the
account's own (``sqlRoleDefinitions``/``sqlRoleAssignments``, scopes ``/``, ``/dbs/D``,
``/dbs/D/colls/C``; learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac). Its parts are the
database and the container, named by their ARM-style ids
(``…/databaseAccounts/A/dbs/D/colls/C``, the form Cosmos DB's role assignment scopes take).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

ANY = "*"  # an implicit subscription or resource group, until bound
RG = "/subscriptions/{subscription}/resourceGroups/{group}/providers/"
STORAGE = RG + "Microsoft.Storage/storageAccounts/{account}"
CONTAINER = STORAGE + "/blobServices/default/containers/{container}"
VAULT = RG + "Microsoft.KeyVault/vaults/{vault}"
NAMESPACE = RG + "Microsoft.ServiceBus/namespaces/{namespace}"
COSMOS = RG + "Microsoft.DocumentDB/databaseAccounts/{account}"


class Kind(StrEnum):
    CONTAINER = "container"  # blob container (and a prefix of its blobs)
    SECRET = "secret"
    KEY = "key"
    CERTIFICATE = "certificate"
    QUEUE = "queue"
    TOPIC = "topic"
    SUBSCRIPTION = "subscription"  # a Service Bus topic's subscription
    DATABASE = "database"  # Cosmos DB (NoSQL) database
    COSMOS_CONTAINER = "cosmos-container"


@dataclass(frozen=True, slots=True, kw_only=True)
class KindInfo:
    scheme: str  # the scheme:// that names it
    noun: str  # for messages and the README
    parts: Mapping[str, str]  # part -> ARM id template
    examples: tuple[str, ...]  # references, for the docs and meta-tests
    cosmos: bool = False  # its data plane is Cosmos DB's own RBAC, not Azure RBAC


KINDS: Mapping[Kind, KindInfo] = {
    Kind.CONTAINER: KindInfo(
        scheme="blob",
        noun="blob container",
        parts={"blobs": CONTAINER + "/blobs/{prefix}"},
        examples=(
            "blob://acmedocs/drafts/2026/",
            "blob://acmedocs/drafts",
            "/subscriptions/00000000-0000-0000-0000-00000000000a/resourceGroups/docs/providers/"
            "Microsoft.Storage/storageAccounts/acmedocs/blobServices/default/containers/drafts",
        ),
    ),
    Kind.SECRET: KindInfo(
        scheme="keyvault",
        noun="Key Vault secret",
        parts={"secret": VAULT + "/secrets/{name}"},
        examples=(
            "keyvault://acme-kv/secrets/bureau-api",
            "/subscriptions/00000000-0000-0000-0000-00000000000a/resourceGroups/sec/providers/"
            "Microsoft.KeyVault/vaults/acme-kv/secrets/bureau-api",
        ),
    ),
    Kind.KEY: KindInfo(
        scheme="keyvault",
        noun="Key Vault key",
        parts={"key": VAULT + "/keys/{name}"},
        examples=("keyvault://acme-kv/keys/signing",),
    ),
    Kind.CERTIFICATE: KindInfo(
        scheme="keyvault",
        noun="Key Vault certificate",
        parts={"certificate": VAULT + "/certificates/{name}"},
        examples=("keyvault://acme-kv/certificates/tls",),
    ),
    Kind.QUEUE: KindInfo(
        scheme="servicebus",
        noun="Service Bus queue",
        parts={"queue": NAMESPACE + "/queues/{queue}"},
        examples=(
            "servicebus://acme-bus/queues/intake",
            "/subscriptions/00000000-0000-0000-0000-00000000000a/resourceGroups/msg/providers/"
            "Microsoft.ServiceBus/namespaces/acme-bus/queues/intake",
        ),
    ),
    Kind.TOPIC: KindInfo(
        scheme="servicebus",
        noun="Service Bus topic",
        parts={"topic": NAMESPACE + "/topics/{topic}"},
        examples=("servicebus://acme-bus/topics/reviews",),
    ),
    Kind.SUBSCRIPTION: KindInfo(
        scheme="servicebus",
        noun="Service Bus subscription",
        parts={"subscription": NAMESPACE + "/topics/{topic}/subscriptions/{name}"},
        examples=("servicebus://acme-bus/topics/reviews/subscriptions/audit",),
    ),
    Kind.DATABASE: KindInfo(
        scheme="cosmos",
        noun="Cosmos DB database",
        parts={"database": COSMOS + "/dbs/{database}"},
        examples=("cosmos://acme-db/databases/lending",),
        cosmos=True,
    ),
    Kind.COSMOS_CONTAINER: KindInfo(
        scheme="cosmos",
        noun="Cosmos DB container",
        parts={"container": COSMOS + "/dbs/{database}/colls/{container}"},
        examples=("cosmos://acme-db/databases/lending/containers/draws",),
        cosmos=True,
    ),
}

SCHEMES: frozenset[str] = frozenset(info.scheme for info in KINDS.values())


def arm_key(resource: str) -> str:
    """An ARM id as needs and records compare it: lower case, but a blob path after
    ``/blobs/`` and Cosmos DB names after ``/dbs/`` as written (both are case-sensitive)."""
    for marker in ("/blobs/", "/dbs/"):
        head, found, tail = resource.partition(marker)
        if found:
            return head.lower() + found + tail
    return resource.lower()

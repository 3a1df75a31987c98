"""The verb-by-kind table: the smallest set of Azure operations that makes each verb work on
each kind of Azure resource, and on which part of it. Every pair is here, either with its
operations or as an explicit error saying what to write instead. Meta-tests
(tests/providers/azure/agents/test_verbs.py) check each operation against the plane it belongs
to: Azure RBAC data actions known to the bundled built-in roles (``catalog.py``), Service Bus's
two data actions that the built-in roles grant only through wildcards, and Cosmos DB's own
data actions.

Sources (what each operation does): "Azure permissions for Storage", "… for Security" (Key
Vault) and "… for Integration" (Service Bus), learn.microsoft.com/azure/role-based-access-
control/permissions/; "Authorize with Microsoft Entra ID" for Blob Storage
(learn.microsoft.com/rest/api/storageservices/authorize-with-azure-active-directory: List Blobs
and Get Blob are ``…/containers/blobs/read``, Put Blob ``…/blobs/write``); "Azure Key Vault
RBAC guide" (learn.microsoft.com/azure/key-vault/general/rbac-guide); "Authenticate and
authorize an application with Microsoft Entra ID to access Azure Service Bus entities"
(learn.microsoft.com/azure/service-bus-messaging/authenticate-application); Cosmos DB's
permission model (learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac).

Choices worth knowing:
- list on a container is ``…/blobs/read`` too: Azure has no separate list data action (List
  Blobs is the ``Blob.List`` suboperation of read). nhiscan grants it under the same prefix, by
  the ``@Request[…blobs:prefix]`` condition (``render.py``).
- write on a container is ``…/blobs/write`` (Put Blob creates or replaces).
- read and get-secret on a secret are ``getSecret/action``; listing a vault's secrets is
  ``readMetadata/action`` on the vault: use ``actions:`` for that.
- publish on a queue or topic is ``Microsoft.ServiceBus/namespaces/messages/send/action``;
  consume on a queue or a topic's subscription is ``…/messages/receive/action`` (receive,
  peek, complete).
- Cosmos DB needs ``readMetadata`` for every data request (its SDKs read the account's and the
  container's metadata first), with the item operations, on the database or container (a
  Cosmos DB role assigned there allows the metadata requests of that scope: how-to-setup-rbac,
  "Metadata requests").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from nhiscan.providers.azure.agents.schemes import Kind
from nhiscan.scanner.agents.vocabulary import Verb

BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
SECRETS = "Microsoft.KeyVault/vaults/secrets"
KEYS = "Microsoft.KeyVault/vaults/keys"
SEND = "Microsoft.ServiceBus/namespaces/messages/send/action"
RECEIVE = "Microsoft.ServiceBus/namespaces/messages/receive/action"
COSMOS = "Microsoft.DocumentDB/databaseAccounts"
METADATA = f"{COSMOS}/readMetadata"
ITEMS = f"{COSMOS}/sqlDatabases/containers/items"
QUERY = f"{COSMOS}/sqlDatabases/containers/executeQuery"

# Service Bus's data actions, documented (Azure permissions for Integration; authenticate-
# application) but granted by the built-in roles only as ``Microsoft.ServiceBus/*/send/action``
# and ``…/*/receive/action``: the bundled catalogue lists literal operations, so it lacks them.
SERVICE_BUS_DATA_ACTIONS = (SEND, RECEIVE)
# Cosmos DB's own data actions (how-to-setup-rbac, "Permission model"): granted by Cosmos DB
# role definitions on the account, never by an Azure RBAC role assignment.
COSMOS_DATA_ACTIONS = (
    METADATA, f"{ITEMS}/read", f"{ITEMS}/create", f"{ITEMS}/replace", f"{ITEMS}/upsert",
    f"{ITEMS}/delete", QUERY, f"{COSMOS}/sqlDatabases/containers/readChangeFeed",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Access:
    """What a verb needs: data actions on parts of the resource."""

    on: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Unsupported:
    reason: str  # what to write instead


Entry = Access | Unsupported
_ASSUME = (
    "Azure has no role assumption: name the managed identity or service principal that runs "
    "the step in `identities:`"
)
_KEY = "name the Key Vault key: decrypt: keyvault://VAULT/keys/NAME"


def _no(reason: str) -> Unsupported:
    return Unsupported(reason=reason)


def _only(kind: Kind, verbs: Mapping[Verb, Entry], other: str) -> dict[tuple[Verb, Kind], Entry]:
    """``verbs`` for ``kind``; every other verb refused with ``other`` (assume: with _ASSUME)."""
    found: dict[tuple[Verb, Kind], Entry] = {}
    for verb in Verb:
        default = _no(_ASSUME) if verb is Verb.ASSUME else _no(other)
        found[(verb, kind)] = verbs.get(verb, default)
    return found


def _cosmos(part: str) -> Mapping[Verb, Entry]:
    return {
        Verb.READ: Access(on={part: (METADATA, f"{ITEMS}/read", QUERY)}),
        Verb.WRITE: Access(on={part: (METADATA, f"{ITEMS}/create", f"{ITEMS}/replace",
                                      f"{ITEMS}/upsert")}),
        Verb.DELETE: Access(on={part: (METADATA, f"{ITEMS}/delete")}),
        Verb.LIST: _no("listing is reading the container's metadata: say read"),
        Verb.GET_SECRET: _no("get-secret is for keyvault://VAULT/secrets/NAME: say read"),
    }  # fmt: skip


TABLE: Mapping[tuple[Verb, Kind], Entry] = {
    **_only(Kind.CONTAINER, {
        Verb.READ: Access(on={"blobs": (f"{BLOBS}/read",)}),
        Verb.LIST: Access(on={"blobs": (f"{BLOBS}/read",)}),
        Verb.WRITE: Access(on={"blobs": (f"{BLOBS}/write",)}),
        Verb.DELETE: Access(on={"blobs": (f"{BLOBS}/delete",)}),
        Verb.PUBLISH: _no("to put blobs in a container say write"),
        Verb.CONSUME: _no("to read blobs say read"),
        Verb.DECRYPT: _no(_KEY),
        Verb.ENCRYPT: _no(_KEY),
        Verb.GET_SECRET: _no("get-secret is for keyvault://VAULT/secrets/NAME: say read"),
    }, "a container's blobs are read, listed, written or deleted"),
    **_only(Kind.SECRET, {
        Verb.READ: Access(on={"secret": (f"{SECRETS}/getSecret/action",)}),
        Verb.GET_SECRET: Access(on={"secret": (f"{SECRETS}/getSecret/action",)}),
        Verb.WRITE: Access(on={"secret": (f"{SECRETS}/setSecret/action",)}),
        Verb.LIST: _no("listing a vault's secrets is vault-wide: use actions: "
                       f"[{SECRETS}/readMetadata/action] with the vault's ARM id"),
        Verb.DELETE: _no("deleting a secret is administration: use actions:"),
        Verb.DECRYPT: _no("get-secret returns the value decrypted; for a key say decrypt: "
                          "keyvault://VAULT/keys/NAME"),
    }, "a secret's value is read (get-secret) or written"),
    **_only(Kind.KEY, {
        Verb.DECRYPT: Access(on={"key": (f"{KEYS}/decrypt/action",)}),
        Verb.ENCRYPT: Access(on={"key": (f"{KEYS}/encrypt/action",)}),
        Verb.READ: Access(on={"key": (f"{KEYS}/read",)}),
        Verb.DELETE: _no("deleting a key is administration: use actions:"),
    }, "a key is used, not written: say decrypt, encrypt or read (its public part)"),
    **_only(Kind.CERTIFICATE, {
        Verb.READ: Access(on={"certificate": ("Microsoft.KeyVault/vaults/certificates/read",)}),
        Verb.GET_SECRET: _no("a certificate's private key is its secret: get-secret: "
                             "keyvault://VAULT/secrets/NAME"),
    }, "a certificate is read (its public part and metadata)"),
    **_only(Kind.QUEUE, {
        Verb.PUBLISH: Access(on={"queue": (SEND,)}),
        Verb.WRITE: Access(on={"queue": (SEND,)}),
        Verb.CONSUME: Access(on={"queue": (RECEIVE,)}),
        Verb.READ: Access(on={"queue": (RECEIVE,)}),
    }, "a queue is sent to (publish) or received from (consume)"),
    **_only(Kind.TOPIC, {
        Verb.PUBLISH: Access(on={"topic": (SEND,)}),
        Verb.WRITE: Access(on={"topic": (SEND,)}),
        Verb.CONSUME: _no("messages are received from a subscription: "
                          "servicebus://NAMESPACE/topics/TOPIC/subscriptions/NAME"),
        Verb.READ: _no("messages are received from a subscription: "
                       "servicebus://NAMESPACE/topics/TOPIC/subscriptions/NAME"),
    }, "to send to a topic say publish"),
    **_only(Kind.SUBSCRIPTION, {
        Verb.CONSUME: Access(on={"subscription": (RECEIVE,)}),
        Verb.READ: Access(on={"subscription": (RECEIVE,)}),
        Verb.PUBLISH: _no("publish to the topic: servicebus://NAMESPACE/topics/TOPIC"),
        Verb.WRITE: _no("publish to the topic: servicebus://NAMESPACE/topics/TOPIC"),
    }, "to receive a subscription's messages say consume"),
    **_only(Kind.DATABASE, _cosmos("database"), "a database's items are read, written or deleted"),
    **_only(Kind.COSMOS_CONTAINER, _cosmos("container"),
            "a container's items are read, written or deleted"),
}  # fmt: skip


def entry(verb: Verb, kind: Kind) -> Entry:
    """The table's answer; a pair missing from the table is an explicit error too."""
    found = TABLE.get((verb, kind))
    if found is None:
        return Unsupported(reason=f"nhiscan has no mapping for {verb} on a {kind}")
    return found

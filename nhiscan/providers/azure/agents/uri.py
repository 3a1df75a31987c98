"""Azure resource references in agent files: ``scheme://…`` or an ARM resource id.

- ``blob://ACCOUNT/CONTAINER[/PREFIX]``: the container's blobs whose names start with PREFIX
  (every blob without one); a PREFIX holding ``*`` is a glob (the part before it the prefix).
- ``keyvault://VAULT/secrets/NAME``, ``keyvault://VAULT/keys/NAME``,
  ``keyvault://VAULT/certificates/NAME``: one Key Vault object.
- ``servicebus://NAMESPACE/queues/Q``, ``servicebus://NAMESPACE/topics/T`` and
  ``servicebus://NAMESPACE/topics/T/subscriptions/S``.
- ``cosmos://ACCOUNT/databases/DB[/containers/C]``: a Cosmos DB (NoSQL) database or container.
- ``/subscriptions/S/resourceGroups/RG/providers/…``: the ARM id of any of these (a blob
  container's names no prefix: every blob), which names the subscription and resource group.

A scheme names neither: they come from the agent's ``azure:`` defaults, else they are those of
whichever identity runs the step. Names are checked against Azure's naming rules
(learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules: storage
accounts 3-24 lower-case letters and digits; containers 3-63 lower-case letters, digits and
single hyphens; vaults 3-24 alphanumerics and hyphens starting with a letter; Service Bus
namespaces 6-50 alphanumerics and hyphens starting with a letter; Cosmos DB accounts 3-44
lower-case letters, digits and hyphens).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from nhiscan.providers.azure.agents.schemes import SCHEMES, Kind
from nhiscan.scanner.agents.language import BadReference

ARM_PREFIX = "/subscriptions/"
_URI = re.compile(r"^(?P<scheme>[a-z][a-z0-9-]*)://(?P<rest>.*)$")
SUBSCRIPTION = re.compile(r"^[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
RESOURCE_GROUP = re.compile(r"^[-\w._()]{1,90}$")
STORAGE_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
CONTAINER = re.compile(r"^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$|^\$root$")
VAULT = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|-(?!-)){1,22}[A-Za-z0-9]$")
VAULT_OBJECT = re.compile(r"^[A-Za-z0-9-]{1,127}$")
NAMESPACE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]$")
ENTITY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~/-]{0,259}$")
COSMOS_ACCOUNT = re.compile(r"^[a-z0-9][a-z0-9-]{1,42}[a-z0-9]$")
COSMOS_NAME = re.compile(r"^[^/\\#?\s]{1,255}$")
VAULT_KINDS = {"secrets": Kind.SECRET, "keys": Kind.KEY, "certificates": Kind.CERTIFICATE}


@dataclass(frozen=True, slots=True, kw_only=True)
class AzureRef:
    text: str  # as written
    kind: Kind
    subscription: str | None = None  # None: the agent's default, else the identity's
    group: str | None = None  # the resource group, likewise
    names: Mapping[str, str] = field(default_factory=dict)  # template fields but the two above


def parse_reference(text: str) -> AzureRef:
    """Read one reference; raises BadReference naming the problem and what to write."""
    text = text.strip()
    if text.lower().startswith(ARM_PREFIX):
        return _arm(text)
    match = _URI.match(text)
    if match is None or match["scheme"] not in SCHEMES:
        known = ", ".join(sorted(SCHEMES))
        raise BadReference(
            f"{text!r} is not an Azure reference: write scheme://… ({known}) "
            "or an ARM id (/subscriptions/…)"
        )
    return READERS[match["scheme"]](text, match["rest"])


def _fail(text: str, message: str) -> BadReference:
    return BadReference(f"{text!r}: {message}")


def _check(text: str, pattern: re.Pattern[str], value: str, what: str) -> str:
    if not pattern.match(value):
        raise _fail(text, f"{value!r} is not a valid {what}")
    return value


def _blob(text: str, rest: str) -> AzureRef:
    account, _, tail = rest.partition("/")
    container, _, prefix = tail.partition("/")
    if not account or not container:
        raise _fail(text, "write blob://ACCOUNT/CONTAINER[/PREFIX]")
    names = {
        "account": _check(text, STORAGE_ACCOUNT, account, "storage account name"),
        "container": _check(text, CONTAINER, container, "container name"),
        "prefix": prefix if "*" in prefix else f"{prefix}*",  # a glob as written, else a prefix
    }
    return AzureRef(text=text, kind=Kind.CONTAINER, names=names)


def _keyvault(text: str, rest: str) -> AzureRef:
    parts = rest.split("/")
    if len(parts) != 3 or parts[1] not in VAULT_KINDS or not parts[2]:
        raise _fail(text, "write keyvault://VAULT/secrets/NAME (or keys/NAME, certificates/NAME)")
    names = {
        "vault": _check(text, VAULT, parts[0], "key vault name"),
        "name": _check(text, VAULT_OBJECT, parts[2], f"{parts[1].removesuffix('s')} name"),
    }
    return AzureRef(text=text, kind=VAULT_KINDS[parts[1]], names=names)


def _servicebus(text: str, rest: str) -> AzureRef:
    parts = rest.split("/")
    shapes = {3: ("queues", Kind.QUEUE), 5: ("topics", Kind.SUBSCRIPTION)}
    if len(parts) == 3 and parts[1] == "topics":
        shapes[3] = ("topics", Kind.TOPIC)
    shape = shapes.get(len(parts))
    if (shape is None or parts[1] != shape[0] or not all(parts)
            or (len(parts) == 5 and parts[3] != "subscriptions")):  # fmt: skip
        raise _fail(
            text,
            "write servicebus://NAMESPACE/queues/QUEUE, servicebus://NAMESPACE/"
            "topics/TOPIC or servicebus://NAMESPACE/topics/TOPIC/subscriptions/NAME",
        )
    names = {"namespace": _check(text, NAMESPACE, parts[0], "Service Bus namespace name")}
    kind = shape[1]
    if kind is Kind.QUEUE:
        names["queue"] = _check(text, ENTITY, parts[2], "queue name")
    else:
        names["topic"] = _check(text, ENTITY, parts[2], "topic name")
    if kind is Kind.SUBSCRIPTION:
        names["name"] = _check(text, ENTITY, parts[4], "subscription name")
    return AzureRef(text=text, kind=kind, names=names)


def _cosmos(text: str, rest: str) -> AzureRef:
    parts = rest.split("/")
    if (len(parts) not in (3, 5) or parts[1] != "databases" or not all(parts)
            or (len(parts) == 5 and parts[3] != "containers")):  # fmt: skip
        raise _fail(text, "write cosmos://ACCOUNT/databases/DATABASE[/containers/CONTAINER]")
    names = {
        "account": _check(text, COSMOS_ACCOUNT, parts[0], "Cosmos DB account name"),
        "database": _check(text, COSMOS_NAME, parts[2], "database name"),
    }
    if len(parts) == 3:
        return AzureRef(text=text, kind=Kind.DATABASE, names=names)
    names["container"] = _check(text, COSMOS_NAME, parts[4], "container name")
    return AzureRef(text=text, kind=Kind.COSMOS_CONTAINER, names=names)


READERS: Mapping[str, Callable[[str, str], AzureRef]] = {
    "blob": _blob, "keyvault": _keyvault, "servicebus": _servicebus, "cosmos": _cosmos,
}  # fmt: skip

_HEAD = r"^/subscriptions/(?P<subscription>[^/]+)/resourceGroups/(?P<group>[^/]+)/providers/"
# ARM ids: (pattern, kind, scheme reference built from the groups); any case, as ARM compares.
ARM_IDS: tuple[tuple[re.Pattern[str], Kind], ...] = tuple(
    (re.compile(_HEAD + body + "$", re.IGNORECASE), kind)
    for body, kind in (
        (r"Microsoft\.Storage/storageAccounts/(?P<account>[^/]+)/blobServices/default"
         r"/containers/(?P<container>[^/]+)", Kind.CONTAINER),
        (r"Microsoft\.KeyVault/vaults/(?P<vault>[^/]+)/secrets/(?P<name>[^/]+)", Kind.SECRET),
        (r"Microsoft\.KeyVault/vaults/(?P<vault>[^/]+)/keys/(?P<name>[^/]+)", Kind.KEY),
        (r"Microsoft\.KeyVault/vaults/(?P<vault>[^/]+)/certificates/(?P<name>[^/]+)",
         Kind.CERTIFICATE),
        (r"Microsoft\.ServiceBus/namespaces/(?P<namespace>[^/]+)/queues/(?P<queue>[^/]+)",
         Kind.QUEUE),
        (r"Microsoft\.ServiceBus/namespaces/(?P<namespace>[^/]+)/topics/(?P<topic>[^/]+)",
         Kind.TOPIC),
        (r"Microsoft\.ServiceBus/namespaces/(?P<namespace>[^/]+)/topics/(?P<topic>[^/]+)"
         r"/subscriptions/(?P<name>[^/]+)", Kind.SUBSCRIPTION),
        (r"Microsoft\.DocumentDB/databaseAccounts/(?P<account>[^/]+)/sqlDatabases"
         r"/(?P<database>[^/]+)", Kind.DATABASE),
        (r"Microsoft\.DocumentDB/databaseAccounts/(?P<account>[^/]+)/sqlDatabases"
         r"/(?P<database>[^/]+)/containers/(?P<container>[^/]+)", Kind.COSMOS_CONTAINER),
    )
)  # fmt: skip


def _arm(text: str) -> AzureRef:
    for pattern, kind in ARM_IDS:
        found = pattern.match(text.rstrip("/"))
        if found is None:
            continue
        names = dict(found.groupdict())
        subscription, group = names.pop("subscription"), names.pop("group")
        _check(text, SUBSCRIPTION, subscription, "subscription id")
        _check(text, RESOURCE_GROUP, group, "resource group name")
        if kind is Kind.CONTAINER:
            names["prefix"] = "*"
        return AzureRef(text=text, kind=kind, subscription=subscription.lower(),
                        group=group.lower(), names=names)  # fmt: skip
    raise _fail(
        text,
        "nhiscan has verbs for the ARM ids of blob containers, Key Vault secrets, "
        "keys and certificates, Service Bus queues, topics and subscriptions, and Cosmos "
        "DB SQL databases and containers; use `actions:` with `resources:` for others",
    )

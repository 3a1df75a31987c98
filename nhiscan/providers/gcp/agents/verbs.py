"""The verb-by-kind table: the smallest set of permissions that makes each verb work on each
kind of GCP resource, and on which part of it. Every pair is here, either with its permissions
or as an explicit error saying what to write instead; a meta-test checks every permission is in
the bundled role catalogue and acts on the full name of its part
(tests/providers/gcp/agents/test_verbs.py).

Choices worth knowing:
- read on a bucket is ``storage.objects.get`` on the objects only; listing is its own verb
  (``storage.objects.list`` is granted on the whole bucket: a prefix is a request parameter IAM
  cannot narrow).
- write on a bucket is ``storage.objects.create``: replacing an existing object also needs
  ``storage.objects.delete`` (Cloud Storage's documented rule); say ``delete`` too for that.
- read and write on BigQuery include ``bigquery.jobs.create`` on the project: queries and load
  jobs run as jobs billed there. Reading rows with tabledata.list alone needs only
  ``bigquery.tables.getData``; use ``actions:`` for that.
- consume on a subscription is ``pubsub.subscriptions.consume`` (pull, acknowledge, modify the
  ack deadline); a topic is published to, never consumed.
- assume on a service account is ``iam.serviceAccounts.getAccessToken`` (an OAuth token as it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from nhiscan.providers.gcp.agents.schemes import Kind
from nhiscan.scanner.agents.vocabulary import Verb


@dataclass(frozen=True, slots=True, kw_only=True)
class Access:
    """What a verb needs: permissions on parts of the resource."""

    on: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Unsupported:
    reason: str  # what to write instead


Entry = Access | Unsupported
JOBS = "bigquery.jobs.create"
_ASSUME = "only service accounts (sa://EMAIL) can be acted as"
_KMS = "name the Cloud KMS key: decrypt: cloudkms://LOCATION/RING/KEY"
_SECRET = "get-secret is for secret://"


def _no(reason: str) -> Unsupported:
    return Unsupported(reason=reason)


def _only(kind: Kind, verbs: Mapping[Verb, Entry], other: str) -> dict[tuple[Verb, Kind], Entry]:
    """``verbs`` for ``kind``; every other verb refused with ``other`` (assume: with _ASSUME)."""
    found: dict[tuple[Verb, Kind], Entry] = {}
    for verb in Verb:
        default = _no(_ASSUME) if verb is Verb.ASSUME else _no(other)
        found[(verb, kind)] = verbs.get(verb, default)
    return found


TABLE: Mapping[tuple[Verb, Kind], Entry] = {
    **_only(Kind.BUCKET, {
        Verb.READ: Access(on={"objects": ("storage.objects.get",)}),
        Verb.LIST: Access(on={"bucket's objects": ("storage.objects.list",)}),
        Verb.WRITE: Access(on={"objects": ("storage.objects.create",)}),
        Verb.DELETE: Access(on={"objects": ("storage.objects.delete",)}),
        Verb.PUBLISH: _no("to put objects in a bucket say write"),
        Verb.CONSUME: _no("to read objects say read"),
        Verb.DECRYPT: _no(_KMS),
        Verb.ENCRYPT: _no(_KMS),
        Verb.GET_SECRET: _no(f"{_SECRET}: say read"),
    }, "a bucket's objects are read, listed, written or deleted"),
    **_only(Kind.DATASET, {
        Verb.READ: Access(on={"tables": ("bigquery.tables.getData",), "project": (JOBS,)}),
        Verb.LIST: Access(on={"tables": ("bigquery.tables.list",)}),
        Verb.WRITE: Access(on={"tables": ("bigquery.tables.create", "bigquery.tables.updateData"),
                               "project": (JOBS,)}),
        Verb.DELETE: Access(on={"tables": ("bigquery.tables.delete",)}),
        Verb.GET_SECRET: _no(f"{_SECRET}: say read"),
    }, "a dataset's tables are read, listed, written or deleted"),
    **_only(Kind.TABLE, {
        Verb.READ: Access(on={"table": ("bigquery.tables.getData",), "project": (JOBS,)}),
        Verb.LIST: _no("to list a dataset's tables name the dataset: bq://PROJECT/DATASET"),
        Verb.WRITE: Access(on={"table": ("bigquery.tables.updateData",), "project": (JOBS,)}),
        Verb.DELETE: Access(on={"table": ("bigquery.tables.delete",)}),
        Verb.GET_SECRET: _no(f"{_SECRET}: say read"),
    }, "a table is read, written or deleted"),
    **_only(Kind.TOPIC, {
        Verb.PUBLISH: Access(on={"topic": ("pubsub.topics.publish",)}),
        Verb.CONSUME: _no("messages are consumed from a subscription: "
                          "pubsub://PROJECT/subscriptions/NAME"),
        Verb.READ: _no("messages are consumed from a subscription: "
                       "pubsub://PROJECT/subscriptions/NAME"),
    }, "to send to a topic say publish"),
    **_only(Kind.SUBSCRIPTION, {
        Verb.CONSUME: Access(on={"subscription": ("pubsub.subscriptions.consume",)}),
        Verb.PUBLISH: _no("publish to the topic: pubsub://PROJECT/topics/NAME"),
        Verb.WRITE: _no("publish to the topic: pubsub://PROJECT/topics/NAME"),
    }, "to receive a subscription's messages say consume"),
    **_only(Kind.SECRET, {
        Verb.READ: Access(on={"secret": ("secretmanager.versions.access",)}),
        Verb.GET_SECRET: Access(on={"secret": ("secretmanager.versions.access",)}),
        Verb.WRITE: Access(on={"secret": ("secretmanager.versions.add",)}),
        Verb.LIST: _no("listing secrets is project-wide: "
                       "use actions: [secretmanager.secrets.list]"),
        Verb.DELETE: _no("deleting a secret is administration: use actions:"),
        Verb.DECRYPT: _no("get-secret decrypts with the secret's key; name a customer key with "
                          "decrypt: cloudkms://…"),
    }, "a secret's value is read (get-secret) or written"),
    **_only(Kind.KEY, {
        Verb.DECRYPT: Access(on={"key": ("cloudkms.cryptoKeyVersions.useToDecrypt",)}),
        Verb.ENCRYPT: Access(on={"key": ("cloudkms.cryptoKeyVersions.useToEncrypt",)}),
        Verb.DELETE: _no("destroying key versions is administration: use actions:"),
    }, "a key is used, not read or written: say decrypt or encrypt"),
    **_only(Kind.SERVICE_ACCOUNT, {
        Verb.ASSUME: Access(on={"account": ("iam.serviceAccounts.getAccessToken",)}),
    }, "a service account is acted as: say assume (changing IAM is administration)"),
}  # fmt: skip


def entry(verb: Verb, kind: Kind) -> Entry:
    """The table's answer; a pair missing from the table is an explicit error too."""
    found = TABLE.get((verb, kind))
    if found is None:
        return Unsupported(reason=f"nhiscan has no mapping for {verb} on a {kind}")
    return found

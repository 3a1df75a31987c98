"""Azure references in agent files: each scheme and ARM id read into its kind, and every bad
reference refused with what is wrong (and, through the loader, where)."""

from __future__ import annotations

import pytest

from nhiscan.errors import PolicyFileError
from nhiscan.providers.azure.agents import VOCABULARY
from nhiscan.providers.azure.agents.defaults import AzureDefaults
from nhiscan.providers.azure.agents.schemes import Kind
from nhiscan.providers.azure.agents.uri import parse_reference
from nhiscan.scanner.agents.language import BadReference
from tests.providers.azure.agents.helpers import PRINCIPAL, SUBSCRIPTION, parse, vocabularies

RG = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/Docs-RG/providers/"


@pytest.mark.parametrize(
    ("text", "kind", "names"),
    [
        ("blob://acmedocs/drafts", Kind.CONTAINER,
         {"account": "acmedocs", "container": "drafts", "prefix": "*"}),
        ("blob://acmedocs/drafts/2026/", Kind.CONTAINER,
         {"account": "acmedocs", "container": "drafts", "prefix": "2026/*"}),
        ("blob://acmedocs/drafts/a/*.pdf", Kind.CONTAINER,
         {"account": "acmedocs", "container": "drafts", "prefix": "a/*.pdf"}),
        ("keyvault://acme-kv/secrets/api-key", Kind.SECRET,
         {"vault": "acme-kv", "name": "api-key"}),
        ("keyvault://acme-kv/keys/signing", Kind.KEY, {"vault": "acme-kv", "name": "signing"}),
        ("keyvault://acme-kv/certificates/tls", Kind.CERTIFICATE,
         {"vault": "acme-kv", "name": "tls"}),
        ("servicebus://acme-bus/queues/intake", Kind.QUEUE,
         {"namespace": "acme-bus", "queue": "intake"}),
        ("servicebus://acme-bus/topics/reviews", Kind.TOPIC,
         {"namespace": "acme-bus", "topic": "reviews"}),
        ("servicebus://acme-bus/topics/reviews/subscriptions/audit", Kind.SUBSCRIPTION,
         {"namespace": "acme-bus", "topic": "reviews", "name": "audit"}),
        ("cosmos://acme-db/databases/Lending", Kind.DATABASE,
         {"account": "acme-db", "database": "Lending"}),
        ("cosmos://acme-db/databases/Lending/containers/Draws", Kind.COSMOS_CONTAINER,
         {"account": "acme-db", "database": "Lending", "container": "Draws"}),
    ],
)  # fmt: skip
def test_each_scheme_reads_into_its_kind_without_a_scope(
    text: str, kind: Kind, names: dict[str, str]
) -> None:
    ref = parse_reference(text)
    assert (ref.kind, ref.subscription, ref.group, dict(ref.names)) == (kind, None, None, names)


@pytest.mark.parametrize(
    ("text", "kind", "names"),
    [
        (f"{RG}Microsoft.Storage/storageAccounts/acmedocs/blobServices/default/containers/drafts",
         Kind.CONTAINER, {"account": "acmedocs", "container": "drafts", "prefix": "*"}),
        (f"{RG}microsoft.keyvault/VAULTS/acme-kv/secrets/api", Kind.SECRET,
         {"vault": "acme-kv", "name": "api"}),
        (f"{RG}Microsoft.ServiceBus/namespaces/acme-bus/topics/t/subscriptions/s",
         Kind.SUBSCRIPTION, {"namespace": "acme-bus", "topic": "t", "name": "s"}),
        (f"{RG}Microsoft.DocumentDB/databaseAccounts/acme-db/sqlDatabases/L/containers/D",
         Kind.COSMOS_CONTAINER, {"account": "acme-db", "database": "L", "container": "D"}),
    ],
)  # fmt: skip
def test_an_arm_id_names_its_subscription_and_resource_group(
    text: str, kind: Kind, names: dict[str, str]
) -> None:
    ref = parse_reference(text)
    assert (ref.kind, ref.subscription, ref.group, dict(ref.names)) == (
        kind, SUBSCRIPTION, "docs-rg", names)  # fmt: skip
    assert VOCABULARY.owns_reference(text) and vocabularies().owner(text) is VOCABULARY


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("blob://acmedocs", r"write blob://ACCOUNT/CONTAINER\[/PREFIX\]"),
        ("blob://Acme_Docs/drafts", "'Acme_Docs' is not a valid storage account name"),
        ("blob://acmedocs/Drafts", "'Drafts' is not a valid container name"),
        ("blob://acmedocs/a--b", "'a--b' is not a valid container name"),
        ("keyvault://acme-kv/api-key", r"write keyvault://VAULT/secrets/NAME"),
        ("keyvault://acme-kv/passwords/x", r"write keyvault://VAULT/secrets/NAME"),
        ("keyvault://1kv/secrets/x", "'1kv' is not a valid key vault name"),
        ("keyvault://acme-kv/secrets/a_b", "'a_b' is not a valid secret name"),
        ("servicebus://acme-bus/intake", r"write servicebus://NAMESPACE/queues/QUEUE"),
        ("servicebus://acme-bus/queues/q/subscriptions/s", r"write servicebus://NAMESPACE/"),
        ("servicebus://bus/queues/q", "'bus' is not a valid Service Bus namespace name"),
        ("cosmos://acme-db/lending", r"write cosmos://ACCOUNT/databases/DATABASE"),
        ("cosmos://Acme/databases/x", "'Acme' is not a valid Cosmos DB account name"),
        (f"{RG}Microsoft.Compute/virtualMachines/vm", "nhiscan has verbs for the ARM ids of"),
        ("/subscriptions/not-a-guid/resourceGroups/r/providers/Microsoft.KeyVault/vaults/v/"
         "secrets/s", "'not-a-guid' is not a valid subscription id"),
        ("ftp://host/x", "is not an Azure reference"),
    ],
)  # fmt: skip
def test_bad_references_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(BadReference, match=message):
        parse_reference(text)


def _file(step: str, defaults: str = "") -> str:
    head = f"defaults:\n  azure: {defaults}\n" if defaults else ""
    return (
        f"{head}agents:\n  - name: a\n    owner: t\n"
        f"    identities: [{PRINCIPAL}]\n    steps:\n      - {step}\n"
    )


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("'read: blob://Acme/x'", r"a\.yaml:6: 'blob://Acme/x': 'Acme' is not a valid storage"),
        ("'consume: servicebus://acme-bus/topics/t'",
         r"a\.yaml:6: consume on servicebus://acme-bus/topics/t: messages are received from a "
         r"subscription"),
        ("'assume: keyvault://acme-kv/secrets/s'", r"a\.yaml:6: assume on .*no role assumption"),
        ("'list: keyvault://acme-kv/secrets/s'", r"a\.yaml:6: list on .*readMetadata/action"),
    ],
)  # fmt: skip
def test_the_loader_refuses_them_with_the_line(step: str, message: str) -> None:
    with pytest.raises(PolicyFileError, match=message):
        parse(_file(step))


def test_a_sentence_names_azure_and_other_clouds_resources() -> None:
    step = ("Read the drafts in blob://acmedocs/drafts/2026/ and gs://docs/in/ and send them "
            "to servicebus://acme-bus/queues/intake")  # fmt: skip
    (agent,) = parse(_file(step))
    assert [(p.verb.value, p.resource) for p in agent.steps[0].phrases] == [
        ("read", "blob://acmedocs/drafts/2026/"),
        ("read", "gs://docs/in/"),
        ("publish", "servicebus://acme-bus/queues/intake"),
    ]


def test_the_azure_defaults_are_read_and_checked_with_their_line() -> None:
    given = f"{{subscription: {SUBSCRIPTION.upper()}, resource_group: Docs}}"
    (agent,) = parse(_file("'read: blob://acmedocs/drafts'", given))
    assert agent.defaults["azure"] == AzureDefaults(
        subscription=SUBSCRIPTION, resource_group="Docs"
    )
    with pytest.raises(PolicyFileError, match=r"a\.yaml:2: `azure.subscription` 'acme' is not"):
        parse(_file("'read: blob://acmedocs/drafts'", "{subscription: acme}"))
    with pytest.raises(PolicyFileError, match=r"a\.yaml:2: `azure.resource_group` 'a/b' is not"):
        parse(_file("'read: blob://acmedocs/drafts'", "{resource_group: a/b}"))
    with pytest.raises(PolicyFileError, match=r"a\.yaml:2: `azure`: unknown key 'region'"):
        parse(_file("'read: blob://acmedocs/drafts'", "{region: x}"))


def test_object_ids_are_azure_identities_and_name_no_subscription() -> None:
    assert VOCABULARY.owns_identity(PRINCIPAL)
    assert not VOCABULARY.owns_identity("arn:aws:iam::123456789012:role/r")
    assert not VOCABULARY.owns_identity("a@p.iam.gserviceaccount.com")
    assert VOCABULARY.scope_of_identity(PRINCIPAL) is None
    assert vocabularies().owner_of_identity(PRINCIPAL) is VOCABULARY

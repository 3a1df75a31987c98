"""Meta-tests over Azure's verb-by-kind table: every pair is either operations of the right
plane (data actions the bundled built-in roles know; Service Bus's two, which the roles grant
by wildcard only; Cosmos DB's own, which Azure RBAC never grants), each acting on its part, or
an explicit error saying what to write instead; and the smallest sets, pair by pair."""

from __future__ import annotations

import pytest

from nhiscan.providers.aws.provider import PROVIDER as AWS
from nhiscan.providers.azure.actions import any_matches
from nhiscan.providers.azure.agents import VOCABULARY
from nhiscan.providers.azure.agents.defaults import AzureDefaults, phrase_needs
from nhiscan.providers.azure.agents.schemes import KINDS, SCHEMES, Kind
from nhiscan.providers.azure.agents.uri import parse_reference
from nhiscan.providers.azure.agents.verbs import (
    COSMOS_DATA_ACTIONS,
    SERVICE_BUS_DATA_ACTIONS,
    TABLE,
    Unsupported,
    entry,
)
from nhiscan.providers.azure.catalog import (
    DOCUMENTED_DATA_OPERATIONS,
    Plane,
    arm_resource_type,
    built_in_roles,
    default_catalog,
)
from nhiscan.providers.gcp.provider import PROVIDER as GCP
from nhiscan.scanner.agents.vocabulary import Verb
from tests.providers.azure.agents.helpers import SUBSCRIPTION

PAIRS = [(verb, kind) for verb in Verb for kind in Kind]
DEFAULTS = AzureDefaults(subscription=SUBSCRIPTION, resource_group="data")
RG = f"/subscriptions/{SUBSCRIPTION}/resourcegroups/data/providers/"
BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
CONTAINER = f"{RG}microsoft.storage/storageaccounts/acmedocs/blobservices/default/containers/"
BUS = f"{RG}microsoft.servicebus/namespaces/acme-bus/"
COSMOS = f"{RG}microsoft.documentdb/databaseaccounts/acme-db/dbs/"


def test_every_verb_and_kind_pair_is_in_the_table() -> None:
    assert set(TABLE) == set(PAIRS)


def _built_in_data_patterns() -> list[str]:
    return [p for r in built_in_roles() for b in r.permissions for p in b.data_actions]


def _acts_on(action: str, resource: str) -> bool:
    """Whether ``action`` is an operation of the resource provider ``resource`` belongs to, on
    the resource's type or below it (Service Bus's messages act on every entity)."""
    resource_type = arm_resource_type(resource.split("/blobs/", 1)[0].split("/dbs/", 1)[0])
    assert resource_type is not None, resource
    if action in SERVICE_BUS_DATA_ACTIONS:
        return resource_type.lower().startswith("microsoft.servicebus/namespaces")
    if action in COSMOS_DATA_ACTIONS:
        return resource_type.lower() == "microsoft.documentdb/databaseaccounts"
    return action.lower().startswith(resource_type.lower() + "/")


@pytest.mark.parametrize(("verb", "kind"), PAIRS, ids=str)
def test_each_pair_is_operations_of_their_plane_on_their_part_or_says_what_to_do(
    verb: Verb, kind: Kind
) -> None:
    found = entry(verb, kind)
    if isinstance(found, Unsupported):
        assert found.reason.strip() and "{" not in found.reason
        return
    catalog = default_catalog()
    examples = [e for e in KINDS[kind].examples if parse_reference(e).kind is kind]
    assert examples, kind
    for example in examples:
        needs = list(phrase_needs(verb, parse_reference(example), DEFAULTS))
        assert {n.action for n in needs} == {a for acts in found.on.values() for a in acts}
        for need in needs:
            assert _acts_on(need.action, need.resource), (need.action, need.resource)
            if KINDS[kind].cosmos:  # Cosmos DB's own RBAC: no Azure role names it
                assert need.action in COSMOS_DATA_ACTIONS and not catalog.known(need.action)
            elif need.action in SERVICE_BUS_DATA_ACTIONS:  # granted by a built-in wildcard
                info = catalog.info(need.action)  # catalogued from the documentation
                assert need.action in DOCUMENTED_DATA_OPERATIONS
                assert info is not None and info.planes == {Plane.DATA}
                assert any_matches(_built_in_data_patterns(), need.action)
            else:
                info = catalog.info(need.action)
                assert info is not None, f"{need.action} is not in the catalogue"
                assert info.planes == {Plane.DATA}, f"{need.action} is not a data action"
                assert info.name == need.action  # the catalogue's own spelling


def test_every_kind_has_examples_that_parse_back_to_it() -> None:
    for kind, info in KINDS.items():
        assert info.examples, kind
        for example in info.examples:
            assert parse_reference(example).kind is kind, example


def test_schemes_are_unique_across_the_providers_vocabularies() -> None:
    assert AWS.agents is not None and GCP.agents is not None
    others = set(AWS.agents.schemes) | set(GCP.agents.schemes)
    assert not set(VOCABULARY.schemes) & others
    assert VOCABULARY.schemes == SCHEMES == {"blob", "keyvault", "servicebus", "cosmos"}


@pytest.mark.parametrize(
    ("verb", "reference", "expected"),
    [
        (Verb.READ, "blob://acmedocs/drafts/2026/", {
            (f"{BLOBS}/read", f"{CONTAINER}drafts/blobs/2026/*")}),
        (Verb.LIST, "blob://acmedocs/drafts", {  # List Blobs is the read data action
            (f"{BLOBS}/read", f"{CONTAINER}drafts/blobs/*")}),
        (Verb.WRITE, "blob://acmedocs/out/Reports/", {  # a blob path keeps its case
            (f"{BLOBS}/write", f"{CONTAINER}out/blobs/Reports/*")}),
        (Verb.DELETE, "blob://acmedocs/tmp/*.part", {
            (f"{BLOBS}/delete", f"{CONTAINER}tmp/blobs/*.part")}),
        (Verb.GET_SECRET, "keyvault://acme-kv/secrets/bureau-api", {
            ("Microsoft.KeyVault/vaults/secrets/getSecret/action",
             f"{RG}microsoft.keyvault/vaults/acme-kv/secrets/bureau-api")}),
        (Verb.WRITE, "keyvault://acme-kv/secrets/bureau-api", {
            ("Microsoft.KeyVault/vaults/secrets/setSecret/action",
             f"{RG}microsoft.keyvault/vaults/acme-kv/secrets/bureau-api")}),
        (Verb.DECRYPT, "keyvault://acme-kv/keys/signing", {
            ("Microsoft.KeyVault/vaults/keys/decrypt/action",
             f"{RG}microsoft.keyvault/vaults/acme-kv/keys/signing")}),
        (Verb.PUBLISH, "servicebus://acme-bus/queues/intake", {
            ("Microsoft.ServiceBus/namespaces/messages/send/action", f"{BUS}queues/intake")}),
        (Verb.PUBLISH, "servicebus://acme-bus/topics/reviews", {
            ("Microsoft.ServiceBus/namespaces/messages/send/action", f"{BUS}topics/reviews")}),
        (Verb.CONSUME, "servicebus://acme-bus/topics/reviews/subscriptions/audit", {
            ("Microsoft.ServiceBus/namespaces/messages/receive/action",
             f"{BUS}topics/reviews/subscriptions/audit")}),
        (Verb.READ, "cosmos://acme-db/databases/Lending/containers/Draws", {
            ("Microsoft.DocumentDB/databaseAccounts/readMetadata", f"{COSMOS}Lending/colls/Draws"),
            ("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/read",
             f"{COSMOS}Lending/colls/Draws"),
            ("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/executeQuery",
             f"{COSMOS}Lending/colls/Draws")}),
        (Verb.DELETE, "cosmos://acme-db/databases/Lending", {
            ("Microsoft.DocumentDB/databaseAccounts/readMetadata", f"{COSMOS}Lending"),
            ("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/delete",
             f"{COSMOS}Lending")}),
        (Verb.READ, f"/subscriptions/{SUBSCRIPTION}/resourceGroups/Other/providers/"
         "Microsoft.Storage/storageAccounts/acmedocs/blobServices/default/containers/certs", {
            (f"{BLOBS}/read", f"/subscriptions/{SUBSCRIPTION}/resourcegroups/other/providers/"
             "microsoft.storage/storageaccounts/acmedocs/blobservices/default/containers/certs"
             "/blobs/*")}),
    ],
)  # fmt: skip
def test_the_smallest_operation_sets(
    verb: Verb, reference: str, expected: set[tuple[str, str]]
) -> None:
    needs = list(phrase_needs(verb, parse_reference(reference), DEFAULTS))
    assert {(n.action, n.resource) for n in needs} == expected
    assert not any(n.account_implicit for n in needs)


def test_without_defaults_the_scope_is_the_identity_s() -> None:
    (need,) = phrase_needs(Verb.PUBLISH, parse_reference("servicebus://acme-bus/queues/q"),
                           AzureDefaults())  # fmt: skip
    assert need.account_implicit
    assert need.resource == (
        "/subscriptions/*/resourcegroups/*/providers/microsoft.servicebus/namespaces/acme-bus/"
        "queues/q"
    )


def test_an_unsupported_pair_is_an_explicit_error_with_advice() -> None:
    found = entry(Verb.CONSUME, Kind.TOPIC)
    assert isinstance(found, Unsupported) and "subscription" in found.reason
    assert isinstance(entry(Verb.ASSUME, Kind.SECRET), Unsupported)
    with pytest.raises(ValueError, match="consume on servicebus://acme-bus/topics/t is not"):
        list(phrase_needs(Verb.CONSUME, parse_reference("servicebus://acme-bus/topics/t"),
                          DEFAULTS))  # fmt: skip

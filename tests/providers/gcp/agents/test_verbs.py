"""Meta-tests over GCP's verb-by-kind table: every pair is either a permission set the bundled
role catalogue knows, each acting on the full name of its part, or an explicit error saying
what to write instead; and the smallest sets, pair by pair."""

from __future__ import annotations

import pytest

from nhiscan.providers.aws.provider import PROVIDER as AWS
from nhiscan.providers.gcp.agents.defaults import GcpDefaults, phrase_needs
from nhiscan.providers.gcp.agents.schemes import KINDS, SCHEMES, Kind
from nhiscan.providers.gcp.agents.uri import parse_reference
from nhiscan.providers.gcp.agents.verbs import TABLE, Access, Unsupported, entry
from nhiscan.providers.gcp.catalog import default_catalog
from nhiscan.providers.gcp.provider import PROVIDER as GCP
from nhiscan.scanner.agents.vocabulary import Verb

PAIRS = [(verb, kind) for verb in Verb for kind in Kind]
DEFAULTS = GcpDefaults(project="acme-data")
CRM = "//cloudresourcemanager.googleapis.com/projects/"
GS = "//storage.googleapis.com/projects/_/buckets/"
PUBSUB = "//pubsub.googleapis.com/projects/"


def test_every_verb_and_kind_pair_is_in_the_table() -> None:
    assert set(TABLE) == set(PAIRS)


@pytest.mark.parametrize(("verb", "kind"), PAIRS, ids=str)
def test_each_pair_is_catalogued_permissions_on_their_part_or_says_what_to_do(
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
            assert catalog.known(need.action), f"{need.action} is not in the catalogue"
            acting = catalog.actions_for_resource(need.resource.replace("*", "x"))
            assert need.action in acting, f"{need.action} does not act on {need.resource}"


def test_every_kind_has_examples_that_parse_back_to_its_scheme() -> None:
    for kind, info in KINDS.items():
        assert info.examples, kind
        for example in info.examples:
            ref = parse_reference(example)
            assert ref.kind is kind or KINDS[ref.kind].scheme == info.scheme, example


def test_schemes_are_unique_across_the_providers_vocabularies() -> None:
    assert AWS.agents is not None and GCP.agents is not None
    assert not set(AWS.agents.schemes) & set(GCP.agents.schemes)
    assert GCP.agents.schemes == SCHEMES == {"gs", "bq", "pubsub", "secret", "cloudkms", "sa"}


@pytest.mark.parametrize(
    ("verb", "reference", "expected"),
    [
        (Verb.READ, "gs://docs/drafts/", {
            ("storage.objects.get", f"{GS}docs/objects/drafts/*")}),
        (Verb.READ, "gs://docs", {
            ("storage.objects.get", f"{GS}docs/objects/*")}),
        (Verb.LIST, "gs://docs/drafts/", {  # listing is bucket-wide
            ("storage.objects.list", f"{GS}docs/objects/*")}),
        (Verb.WRITE, "gs://out/2026/*", {
            ("storage.objects.create", f"{GS}out/objects/2026/*")}),
        (Verb.READ, "bq://acme-data/lending/draws", {
            ("bigquery.tables.getData",
             "//bigquery.googleapis.com/projects/acme-data/datasets/lending/tables/draws"),
            ("bigquery.jobs.create", f"{CRM}acme-data")}),
        (Verb.LIST, "bq://_/lending", {
            ("bigquery.tables.list",
             "//bigquery.googleapis.com/projects/acme-data/datasets/lending/tables/*")}),
        (Verb.WRITE, "bq://other-proj/lending", {
            ("bigquery.tables.create",
             "//bigquery.googleapis.com/projects/other-proj/datasets/lending/tables/*"),
            ("bigquery.tables.updateData",
             "//bigquery.googleapis.com/projects/other-proj/datasets/lending/tables/*"),
            ("bigquery.jobs.create", f"{CRM}other-proj")}),
        (Verb.PUBLISH, "pubsub://topics/reviews", {
            ("pubsub.topics.publish", f"{PUBSUB}acme-data/topics/reviews")}),
        (Verb.CONSUME, "pubsub://acme-prod/subscriptions/intake", {
            ("pubsub.subscriptions.consume",
             "//pubsub.googleapis.com/projects/acme-prod/subscriptions/intake")}),
        (Verb.GET_SECRET, "secret://api-key", {
            ("secretmanager.versions.access",
             "//secretmanager.googleapis.com/projects/acme-data/secrets/api-key")}),
        (Verb.DECRYPT, "cloudkms://europe-west1/docs/signing", {
            ("cloudkms.cryptoKeyVersions.useToDecrypt",
             "//cloudkms.googleapis.com/projects/acme-data/locations/europe-west1/keyRings/docs"
             "/cryptoKeys/signing")}),
        (Verb.ASSUME, "sa://deployer@acme-prod.iam.gserviceaccount.com", {
            ("iam.serviceAccounts.getAccessToken",
             "//iam.googleapis.com/projects/acme-prod/serviceAccounts/"
             "deployer@acme-prod.iam.gserviceaccount.com")}),
        (Verb.READ, "//storage.googleapis.com/projects/_/buckets/certs/objects/ca.pem", {
            ("storage.objects.get",  # a full name is exact, not a prefix
             "//storage.googleapis.com/projects/_/buckets/certs/objects/ca.pem")}),
    ],
)  # fmt: skip
def test_the_smallest_permission_sets(
    verb: Verb, reference: str, expected: set[tuple[str, str]]
) -> None:
    needs = phrase_needs(verb, parse_reference(reference), DEFAULTS)
    assert {(n.action, n.resource) for n in needs} == expected


def test_without_a_project_the_need_is_in_the_identity_s_project() -> None:
    (topic,) = phrase_needs(Verb.PUBLISH, parse_reference("pubsub://topics/alerts"), GcpDefaults())
    assert topic.resource == f"{PUBSUB}*/topics/alerts"
    assert topic.account_implicit
    (objects,) = phrase_needs(Verb.READ, parse_reference("gs://docs/x/"), GcpDefaults())
    assert not objects.account_implicit  # a bucket's full name names no project
    (sa,) = phrase_needs(
        Verb.ASSUME, parse_reference("sa://x@acme-prod.iam.gserviceaccount.com"), GcpDefaults()
    )
    assert not sa.account_implicit and "/projects/acme-prod/" in sa.resource


def test_an_unsupported_pair_is_an_explicit_error_with_advice() -> None:
    found = entry(Verb.CONSUME, Kind.TOPIC)
    assert isinstance(found, Unsupported) and "subscription" in found.reason
    assert isinstance(entry(Verb.READ, Kind.BUCKET), Access)
    assert isinstance(entry(Verb.ASSUME, Kind.SECRET), Unsupported)
    with pytest.raises(ValueError, match="consume on pubsub://topics/alerts is not supported"):
        list(phrase_needs(Verb.CONSUME, parse_reference("pubsub://topics/alerts"), DEFAULTS))

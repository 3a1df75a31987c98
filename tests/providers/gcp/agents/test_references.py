"""GCP references in agent files: each scheme and full resource name read into its kind, and
every bad reference refused with what is wrong (and, through the loader, where)."""

from __future__ import annotations

import pytest

from nhiscan.errors import PolicyFileError
from nhiscan.providers.gcp.agents.schemes import Kind
from nhiscan.providers.gcp.agents.uri import parse_reference
from nhiscan.scanner.agents.language import BadReference
from tests.factories import parse_agents


@pytest.mark.parametrize(
    ("text", "kind", "project", "names"),
    [
        ("gs://docs", Kind.BUCKET, None, {"bucket": "docs", "objects": "*"}),
        ("gs://docs/drafts/", Kind.BUCKET, None, {"bucket": "docs", "objects": "drafts/*"}),
        ("gs://my.docs_2/a/*.pdf", Kind.BUCKET, None,
         {"bucket": "my.docs_2", "objects": "a/*.pdf"}),
        ("bq://acme-data/lending", Kind.DATASET, "acme-data", {"dataset": "lending"}),
        ("bq://_/lending/draws", Kind.TABLE, None, {"dataset": "lending", "table": "draws"}),
        ("pubsub://acme-prod/topics/reviews", Kind.TOPIC, "acme-prod", {"topic": "reviews"}),
        ("pubsub://subscriptions/intake", Kind.SUBSCRIPTION, None, {"subscription": "intake"}),
        ("secret://acme-prod/api-key", Kind.SECRET, "acme-prod", {"secret": "api-key"}),
        ("secret://api-key", Kind.SECRET, None, {"secret": "api-key"}),
        ("cloudkms://global/ring/key", Kind.KEY, None,
         {"location": "global", "ring": "ring", "key": "key"}),
        ("sa://d@acme-prod.iam.gserviceaccount.com", Kind.SERVICE_ACCOUNT, "acme-prod",
         {"email": "d@acme-prod.iam.gserviceaccount.com"}),
        ("sa://123-compute@developer.gserviceaccount.com", Kind.SERVICE_ACCOUNT, "-",
         {"email": "123-compute@developer.gserviceaccount.com"}),
        ("//storage.googleapis.com/projects/_/buckets/certs", Kind.BUCKET, None,
         {"bucket": "certs", "objects": "*"}),
        ("//bigquery.googleapis.com/projects/acme-data/datasets/lending/tables/draws", Kind.TABLE,
         "acme-data", {"dataset": "lending", "table": "draws"}),
        ("//pubsub.googleapis.com/projects/acme-prod/subscriptions/intake", Kind.SUBSCRIPTION,
         "acme-prod", {"subscription": "intake"}),
        ("//secretmanager.googleapis.com/projects/acme-prod/secrets/api", Kind.SECRET,
         "acme-prod", {"secret": "api"}),
        ("//cloudkms.googleapis.com/projects/acme-prod/locations/global/keyRings/r/cryptoKeys/k",
         Kind.KEY, "acme-prod", {"location": "global", "ring": "r", "key": "k"}),
    ],
)  # fmt: skip
def test_each_scheme_and_full_name_reads_into_its_kind(
    text: str, kind: Kind, project: str | None, names: dict[str, str]
) -> None:
    ref = parse_reference(text)
    assert (ref.kind, ref.project, dict(ref.names)) == (kind, project, names)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gs://", "names no bucket"),
        ("gs://Bad_Bucket", "'Bad_Bucket' is not a valid bucket name"),
        ("gs://-docs/x", "'-docs' is not a valid bucket name"),
        ("gs://ab", "'ab' is not a valid bucket name"),
        ("bq://lending", r"write bq://PROJECT/DATASET or bq://PROJECT/DATASET/TABLE"),
        ("bq://Acme/lending", "'Acme' is not a valid project id"),
        ("bq://acme-data/lend-ing", "'lend-ing' is not a valid dataset id"),
        ("pubsub://acme-prod/queues/x", r"write pubsub://\[PROJECT/\]topics/TOPIC"),
        ("secret://acme-prod/a/b", r"write secret://\[PROJECT/\]NAME"),
        ("cloudkms://ring/key", r"write cloudkms://\[PROJECT/\]LOCATION/KEY_RING/KEY"),
        ("sa://deployer", r"write sa://NAME@PROJECT\.iam\.gserviceaccount\.com"),
        ("//bigquery.googleapis.com/projects/_/datasets/lending",
         "a full resource name names its project"),
        ("//compute.googleapis.com/projects/p/zones/z/instances/i", "has verbs for these full"),
        ("ftp://host/x", "is not a GCP reference"),
    ],
)  # fmt: skip
def test_bad_references_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(BadReference, match=message):
        parse_reference(text)


def _file(step: str, defaults: str = "") -> str:
    head = f"defaults:\n  gcp: {defaults}\n" if defaults else ""
    return (
        f"{head}agents:\n  - name: a\n    owner: t\n"
        f"    identities: [a@acme-prod.iam.gserviceaccount.com]\n    steps:\n      - {step}\n"
    )


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("'read: gs://Bad_Bucket/x'", r"a\.yaml:6: 'gs://Bad_Bucket/x': 'Bad_Bucket' is not"),
        ("'read: gcs://docs'", r"a\.yaml:6: unknown resource scheme 'gcs' in 'gcs://docs' \(known: "
         r"bedrock, blob, bq, cloudkms, cosmos, dynamodb, events, gs, iam"),
        ("'consume: pubsub://topics/alerts'",
         r"a\.yaml:6: consume on pubsub://topics/alerts: messages are consumed from a subscr"),
        ("'invoke: bq://_/lending'", r"a\.yaml:6: invoke on bq://_/lending: a dataset's tables"),
        ("Read the drafts in gs://docs/drafts/ and publish them to sns://x", None),
    ],
)  # fmt: skip
def test_the_loader_refuses_them_with_the_line(step: str, message: str | None) -> None:
    if message is None:  # a sentence naming GCP and AWS resources reads both
        (agent,) = parse_agents(_file(step), file="a.yaml")
        assert [(p.verb.value, p.resource) for p in agent.steps[0].phrases] == [
            ("read", "gs://docs/drafts/"),
            ("publish", "sns://x"),
        ]
        return
    with pytest.raises(PolicyFileError, match=message):
        parse_agents(_file(step), file="a.yaml")


def test_the_gcp_defaults_are_checked_with_their_line() -> None:
    with pytest.raises(PolicyFileError, match=r"a\.yaml:2: `gcp.project` 'Acme' is not a proj"):
        parse_agents(_file("'read: gs://docs'", "{project: Acme}"), file="a.yaml")
    with pytest.raises(PolicyFileError, match=r"a\.yaml:2: `gcp`: unknown key 'region'"):
        parse_agents(_file("'read: gs://docs'", "{region: x}"), file="a.yaml")

"""What GCP references name: resource *kinds*, each with the full resource names of its *parts*.

A verb acts on parts: reading a BigQuery table needs ``bigquery.tables.getData`` on the table
and ``bigquery.jobs.create`` on the project (queries run as jobs there). ``{project}`` is the
reference's project, else the agent's ``gcp.project``, else ``*``: the project of whichever
service account runs the step (``Requirement.account_implicit``), bound per identity. Full
resource names are the forms Cloud Asset Inventory and IAM use
(cloud.google.com/asset-inventory/docs/asset-names); a bucket's is ``projects/_/buckets/B``
(bucket names are global).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

CRM_PROJECT = "//cloudresourcemanager.googleapis.com/projects/{project}"
STORAGE = "//storage.googleapis.com/projects/_/buckets/{bucket}"
BIGQUERY = "//bigquery.googleapis.com/projects/{project}/datasets/{dataset}"
PUBSUB = "//pubsub.googleapis.com/projects/{project}"
ANY_PROJECT = "*"  # an implicit project, until bound to the identity's


class Kind(StrEnum):
    BUCKET = "bucket"
    DATASET = "dataset"
    TABLE = "table"
    TOPIC = "topic"
    SUBSCRIPTION = "subscription"
    SECRET = "secret"
    KEY = "key"
    SERVICE_ACCOUNT = "service-account"


@dataclass(frozen=True, slots=True, kw_only=True)
class KindInfo:
    scheme: str  # the scheme:// that names it
    noun: str  # for messages: "bucket"
    parts: Mapping[str, str]  # part -> full resource name template
    examples: tuple[str, ...]  # references, for the docs and meta-tests


KINDS: Mapping[Kind, KindInfo] = {
    Kind.BUCKET: KindInfo(
        scheme="gs",
        noun="bucket",
        parts={
            "objects": STORAGE + "/objects/{objects}",  # the prefix's objects
            "bucket's objects": STORAGE + "/objects/*",  # listing is bucket-wide
        },
        examples=(
            "gs://construction-docs/drafts/",
            "gs://construction-docs",
            "//storage.googleapis.com/projects/_/buckets/certs/objects/ca.pem",
        ),
    ),
    Kind.DATASET: KindInfo(
        scheme="bq",
        noun="dataset",
        parts={"tables": BIGQUERY + "/tables/*", "project": CRM_PROJECT},
        examples=(
            "bq://acme-data/lending",
            "bq://_/lending",
            "//bigquery.googleapis.com/projects/acme-data/datasets/lending",
        ),
    ),
    Kind.TABLE: KindInfo(
        scheme="bq",
        noun="table",
        parts={"table": BIGQUERY + "/tables/{table}", "project": CRM_PROJECT},
        examples=("bq://acme-data/lending/draws", "bq://_/lending/draws"),
    ),
    Kind.TOPIC: KindInfo(
        scheme="pubsub",
        noun="topic",
        parts={"topic": PUBSUB + "/topics/{topic}"},
        examples=("pubsub://acme-prod/topics/reviews", "pubsub://topics/reviews"),
    ),
    Kind.SUBSCRIPTION: KindInfo(
        scheme="pubsub",
        noun="subscription",
        parts={"subscription": PUBSUB + "/subscriptions/{subscription}"},
        examples=("pubsub://acme-prod/subscriptions/intake", "pubsub://subscriptions/intake"),
    ),
    Kind.SECRET: KindInfo(
        scheme="secret",
        noun="secret",
        parts={"secret": "//secretmanager.googleapis.com/projects/{project}/secrets/{secret}"},
        examples=("secret://acme-prod/credit-bureau-api", "secret://credit-bureau-api"),
    ),
    Kind.KEY: KindInfo(
        scheme="cloudkms",
        noun="key",
        parts={
            "key": "//cloudkms.googleapis.com/projects/{project}/locations/{location}"
            "/keyRings/{ring}/cryptoKeys/{key}"
        },
        examples=("cloudkms://acme-prod/europe-west1/docs/signing", "cloudkms://global/docs/k"),
    ),
    Kind.SERVICE_ACCOUNT: KindInfo(
        scheme="sa",
        noun="service account",
        parts={"account": "//iam.googleapis.com/projects/{project}/serviceAccounts/{email}"},
        examples=("sa://deployer@acme-prod.iam.gserviceaccount.com",),
    ),
}

SCHEMES: frozenset[str] = frozenset(info.scheme for info in KINDS.values())

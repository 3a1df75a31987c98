"""Asset types nhiscan reads, the older names that mean the same, and the key spellings.

The older names (``google.iam.ServiceAccount``, ``google.cloud.resourcemanager.Project``) map
through a table, never by string surgery; a type not in it is skipped and counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhiscan.scanner.model import ResourceKind

ORGANIZATION = "cloudresourcemanager.googleapis.com/Organization"
FOLDER = "cloudresourcemanager.googleapis.com/Folder"
PROJECT = "cloudresourcemanager.googleapis.com/Project"
SERVICE_ACCOUNT = "iam.googleapis.com/ServiceAccount"
SERVICE_ACCOUNT_KEY = "iam.googleapis.com/ServiceAccountKey"
ROLE = "iam.googleapis.com/Role"
# Workload identity federation (issue #20): the IAM v1 resources as ``resource.data``.
WORKLOAD_POOL = "iam.googleapis.com/WorkloadIdentityPool"
WORKLOAD_PROVIDER = "iam.googleapis.com/WorkloadIdentityPoolProvider"

# The types whose resource data nhiscan reads (an iam-policy line of any type is read).
READ_TYPES = frozenset({
    ORGANIZATION, FOLDER, PROJECT, SERVICE_ACCOUNT, SERVICE_ACCOUNT_KEY, ROLE, WORKLOAD_POOL,
    WORKLOAD_PROVIDER,
})  # fmt: skip

ASSET_TYPE_ALIASES: Mapping[str, str] = {
    "google.cloud.resourcemanager.Organization": ORGANIZATION,
    "google.cloud.resourcemanager.Folder": FOLDER,
    "google.cloud.resourcemanager.Project": PROJECT,
    "google.iam.ServiceAccount": SERVICE_ACCOUNT,
    "google.iam.ServiceAccountKey": SERVICE_ACCOUNT_KEY,
    "google.iam.Role": ROLE,
    "google.cloud.storage.Bucket": "storage.googleapis.com/Bucket",
    "google.cloud.bigquery.Dataset": "bigquery.googleapis.com/Dataset",
    "google.cloud.bigquery.Table": "bigquery.googleapis.com/Table",
    "google.pubsub.Topic": "pubsub.googleapis.com/Topic",
    "google.pubsub.Subscription": "pubsub.googleapis.com/Subscription",
    "google.compute.Instance": "compute.googleapis.com/Instance",
}

# Resources that carry an allow policy of their own, by asset type.
POLICY_RESOURCE_KINDS: Mapping[str, ResourceKind] = {
    "storage.googleapis.com/Bucket": ResourceKind.GCS_BUCKET,
    "bigquery.googleapis.com/Dataset": ResourceKind.BIGQUERY_DATASET,
    "bigquery.googleapis.com/Table": ResourceKind.BIGQUERY_TABLE,
    "pubsub.googleapis.com/Topic": ResourceKind.PUBSUB_TOPIC,
    "pubsub.googleapis.com/Subscription": ResourceKind.PUBSUB_SUBSCRIPTION,
    "secretmanager.googleapis.com/Secret": ResourceKind.SECRETMANAGER_SECRET,
    "cloudkms.googleapis.com/CryptoKey": ResourceKind.KMS_CRYPTO_KEY,
    "compute.googleapis.com/Instance": ResourceKind.COMPUTE_INSTANCE,
    "cloudfunctions.googleapis.com/CloudFunction": ResourceKind.CLOUD_FUNCTION,
    "run.googleapis.com/Service": ResourceKind.CLOUD_RUN_SERVICE,
}

# Proto field names (forseti's recorded dumps) and their JSON names (the export's own).
KEY_SPELLINGS: Mapping[str, str] = {
    "asset_type": "assetType",
    "iam_policy": "iamPolicy",
    "update_time": "updateTime",
    "discovery_name": "discoveryName",
    "discovery_document_uri": "discoveryDocumentUri",
    "resource_url": "resourceUrl",
}


def canonical_type(asset_type: str) -> str:
    return ASSET_TYPE_ALIASES.get(asset_type, asset_type)


def camel_keys(value: Mapping[str, Any]) -> dict[str, Any]:
    """``value`` with the proto spellings of the asset's own keys in their JSON form."""
    return {KEY_SPELLINGS.get(key, key): item for key, item in value.items()}

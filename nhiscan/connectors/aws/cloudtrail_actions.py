"""CloudTrail event -> the IAM action the call needed, by table, checked against the catalogue.

A CloudTrail record names the call (``eventSource`` "s3.amazonaws.com", ``eventName``
"ListObjectsV2"), not the permission. For most services the event name is the action's name
under the service's prefix (``iam:CreateRole``, ``kms:Decrypt``); where it is not, the service
authorization reference says which action the operation needs, and this table holds it:

- S3 operations whose permission has another name (ListObjectsV2 needs s3:ListBucket, HeadObject
  s3:GetObject, the multipart calls s3:PutObject):
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html and
  https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
- Lambda records its API version in the event name ("UpdateFunctionCode20150331v2"), and
  ``Invoke`` needs lambda:InvokeFunction:
  https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html
- CloudFront records its API version the same way ("CreateDistribution2020_05_31").
- Bedrock's Converse needs bedrock:InvokeModel, ConverseStream
  bedrock:InvokeModelWithResponseStream:
  https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
- Batch calls of SQS need the single call's permission:
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
- Service endpoints whose prefix is not the endpoint's first label (monitoring -> cloudwatch,
  email -> ses, tagging -> tag):
  https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html

The rule "prefix:eventName" is only taken when the pinned catalogue lists that action, so a
name that is not an action is never guessed into one: it is unmapped, counted and listed
(``ActivityScope.unmapped``). tests/connectors/aws/test_cloudtrail_actions.py checks that every
action named here is in the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# eventSource -> IAM service prefix, where the prefix is not the endpoint's first label.
SOURCE_PREFIX: dict[str, str] = {
    "monitoring.amazonaws.com": "cloudwatch",
    "email.amazonaws.com": "ses",
    "tagging.amazonaws.com": "tag",
    "runtime.sagemaker.amazonaws.com": "sagemaker",
    "api.sagemaker.amazonaws.com": "sagemaker",
    "bedrock-runtime.amazonaws.com": "bedrock",
    "bedrock-agent-runtime.amazonaws.com": "bedrock",
    "api.ecr.amazonaws.com": "ecr",
    "streams.dynamodb.amazonaws.com": "dynamodb",
    "data.iot.amazonaws.com": "iot",
}

# (service prefix, eventName) -> the action, where the event name is not the action's name.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "ListObjectVersions"): "s3:ListBucketVersions",
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "ListMultipartUploads"): "s3:ListBucketMultipartUploads",
    ("s3", "ListParts"): "s3:ListMultipartUploadParts",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "SelectObjectContent"): "s3:GetObject",
    ("s3", "CopyObject"): "s3:PutObject",
    ("s3", "CreateMultipartUpload"): "s3:PutObject",
    ("s3", "UploadPart"): "s3:PutObject",
    ("s3", "UploadPartCopy"): "s3:PutObject",
    ("s3", "CompleteMultipartUpload"): "s3:PutObject",
    ("s3", "DeleteObjects"): "s3:DeleteObject",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "PutBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "DeleteBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "GetBucketLifecycle"): "s3:GetLifecycleConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "PutBucketLifecycle"): "s3:PutLifecycleConfiguration",
    ("s3", "PutBucketLifecycleConfiguration"): "s3:PutLifecycleConfiguration",
    ("s3", "DeleteBucketLifecycle"): "s3:PutLifecycleConfiguration",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3", "PutBucketReplication"): "s3:PutReplicationConfiguration",
    ("s3", "DeleteBucketReplication"): "s3:PutReplicationConfiguration",
    ("s3", "DeleteBucketCors"): "s3:PutBucketCORS",
    ("s3", "DeleteBucketTagging"): "s3:PutBucketTagging",
    ("s3", "GetBucketAccelerateConfiguration"): "s3:GetAccelerateConfiguration",
    ("s3", "PutBucketAccelerateConfiguration"): "s3:PutAccelerateConfiguration",
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3", "PutObjectLockConfiguration"): "s3:PutBucketObjectLockConfiguration",
    ("s3", "GetBucketNotificationConfiguration"): "s3:GetBucketNotification",
    ("s3", "PutBucketNotificationConfiguration"): "s3:PutBucketNotification",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "PutPublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3", "DeletePublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("lambda", "Invoke"): "lambda:InvokeFunction",
    ("bedrock", "Converse"): "bedrock:InvokeModel",
    ("bedrock", "ConverseStream"): "bedrock:InvokeModelWithResponseStream",
    ("sqs", "SendMessageBatch"): "sqs:SendMessage",
    ("sqs", "DeleteMessageBatch"): "sqs:DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "sqs:ChangeMessageVisibility",
}

# Services that write their API version into the event name, and the suffix to take off.
VERSION_SUFFIX: dict[str, re.Pattern[str]] = {
    "lambda": re.compile(r"20\d{6}(?:v\d+)?$"),
    "cloudfront": re.compile(r"20\d{2}_\d{2}_\d{2}$"),
}

_AMAZONAWS = ".amazonaws.com"


def service_prefix(event_source: str) -> str | None:
    """The IAM service prefix of a CloudTrail ``eventSource``; None for a source that is not an
    AWS service endpoint."""
    prefix = SOURCE_PREFIX.get(event_source)
    if prefix is not None:
        return prefix
    if not event_source.endswith(_AMAZONAWS):
        return None
    return event_source[: -len(_AMAZONAWS)].split(".", 1)[0] or None


class ActionTable:
    """Event -> action, each distinct (source, name) answered once. ``lookup`` is the
    catalogue's canonical spelling of an action, or None when it lists no such action."""

    def __init__(self, lookup: Callable[[str], str | None]) -> None:
        self._lookup = lookup
        self._cache: dict[tuple[str, str], str | None] = {}

    def action(self, event_source: str, event_name: str) -> str | None:
        key = (event_source, event_name)
        try:
            return self._cache[key]
        except KeyError:
            found = self._cache[key] = self._map(event_source, event_name)
            return found

    def _map(self, event_source: str, event_name: str) -> str | None:
        prefix = service_prefix(event_source)
        if prefix is None or not event_name:
            return None
        suffix = VERSION_SUFFIX.get(prefix)
        name = suffix.sub("", event_name) if suffix is not None else event_name
        mapped = EXCEPTIONS.get((prefix, name))
        if mapped is not None:
            return mapped
        return self._lookup(f"{prefix}:{name}")


def catalogue_table() -> ActionTable:
    """The table over the pinned action catalogue."""
    from nhiscan.providers.aws.catalog import default_catalog

    catalog = default_catalog()

    def lookup(action: str) -> str | None:
        info = catalog.info(action)
        return info.name if info is not None else None

    return ActionTable(lookup)

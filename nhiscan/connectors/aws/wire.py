"""Values as AWS puts them on the wire, decoded: policy documents, dates, ARNs, tags.

Pure functions, shared by the live connector and the GAAD file reader.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote


class DocumentError(ValueError):
    """A policy document that is neither a JSON object nor a (URL-encoded) JSON string."""


def decode_document(value: Any) -> dict[str, Any]:
    """A policy document as a dict, from a dict, a JSON string or a URL-encoded JSON string.

    boto3 and the AWS CLI decode IAM documents already; raw API answers, S3 bucket policies,
    KMS key policies and SCP contents are JSON strings; IAM's own wire format URL-encodes them.
    """
    if isinstance(value, dict):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, str):
        raise DocumentError(f"expected a JSON object or string, got {type(value).__name__}")
    text = value.strip()
    if not text.startswith("{"):
        text = unquote(text).strip()
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"not JSON ({exc.msg} at column {exc.colno}): {value[:60]!r}") from exc
    if not isinstance(decoded, dict):
        raise DocumentError(f"a policy document must be a JSON object, got {value[:60]!r}")
    return decoded


def to_utc(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime from a datetime or an ISO 8601 string; None stays None.

    A datetime or string without a zone is taken as UTC. ``json.dumps(default=str)`` writes
    "2024-01-02 03:04:05+00:00", the AWS CLI "2024-01-02T03:04:05+00:00"; both parse.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    else:
        raise ValueError(f"expected a date, got {type(value).__name__}: {value!r:.40}")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def arn_parts(arn: str) -> tuple[str, str, str, str, str]:
    """(partition, service, region, account, resource) of an ARN; ValueError if not one."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise ValueError(f"not an ARN: {arn!r:.80}")
    return parts[1], parts[2], parts[3], parts[4], parts[5]


def arn_account(arn: str) -> str:
    return arn_parts(arn)[3]


def arn_partition(arn: str) -> str:
    return arn_parts(arn)[0]


def region_partition(region: str) -> str:
    """The partition a region belongs to ("aws", "aws-cn", "aws-us-gov", ...)."""
    for prefix, partition in _REGION_PARTITIONS:
        if region.startswith(prefix):
            return partition
    return "aws"


_REGION_PARTITIONS = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-isof-", "aws-iso-f"),
)


def to_tags(items: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    """AWS's [{"Key": k, "Value": v}] as {k: v}."""
    return {str(item["Key"]): str(item.get("Value", "")) for item in items or ()}


def absent_if_na(value: Any) -> str | None:
    """AWS says "N/A" for a service or region a key was never used with: that is None."""
    if value is None or value in ("N/A", ""):
        return None
    return str(value)

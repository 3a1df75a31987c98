"""Where a trail's log files are: a local folder (or one file) or ``s3://bucket/prefix``.

CloudTrail delivers to ``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`` and, for an
organization trail, ``AWSLogs/<org-id>/<account>/CloudTrail/<region>/YYYY/MM/DD/``; file names
are ``<account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<unique>.json.gz``, the time being the
delivery's (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-find-log-files.html,
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html).
Digest files (``CloudTrail-Digest/``) hold hashes, Insights files (``CloudTrail-Insight/``) no
API calls: both are skipped. A file delivered on a day holds events of that day or before,
delivered up to some minutes late, so a file is skipped by its path's date when that day is
before the window, or more than a day after it.

Files are read oldest delivery first, so that a session's AssumeRole call is usually read before
the session's events (the summary joins them in either order).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from nhiscan.errors import ConnectorError

# The account a log file (or a location's prefix) belongs to: AWSLogs/<account>/ or, for an
# organization trail, AWSLogs/<org-id>/<account>/ (the pages cited above).
_ACCOUNT = re.compile(r"(?:^|/)AWSLogs/(?:o-[a-z0-9]+/)?(\d{12})(?:/|$)")
_DAY = re.compile(r"/CloudTrail/[^/]+/(\d{4})/(\d{2})/(\d{2})/[^/]+$")
_DELIVERED = re.compile(r"_(\d{8}T\d{4}Z)_")
_SKIPPED_PARTS = ("/CloudTrail-Digest/", "/CloudTrail-Insight/")
SUFFIX = ".json.gz"


@dataclass(frozen=True, slots=True)
class TrailFile:
    name: str  # the path, or s3://bucket/key
    day: date | None  # the delivery day its path says (None: not in CloudTrail's layout)
    read: Callable[[], bytes]

    @property
    def order(self) -> tuple[str, str]:
        delivered = _DELIVERED.search(self.name.rsplit("/", 1)[-1])
        return (delivered[1] if delivered else "", self.name)


@dataclass(frozen=True, slots=True)
class Window:
    first: date  # the first delivery day that may hold an event of the window
    last: date

    @classmethod
    def of(cls, since: date, until: date) -> Window:
        return cls(first=since, last=until + timedelta(days=1))

    def holds(self, day: date | None) -> bool:
        return day is None or self.first <= day <= self.last


def classify(name: str) -> str:
    """ "read", "skip" (a digest or Insights file) or "ignore" (not a log file)."""
    if not name.endswith(SUFFIX):
        return "ignore"
    normalised = "/" + name.replace(os.sep, "/")
    if any(part in normalised for part in _SKIPPED_PARTS) or "_CloudTrail-Digest_" in name:
        return "skip"
    return "read"


def day_of(name: str) -> date | None:
    found = _DAY.search(name.replace(os.sep, "/"))
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def account_of(name: str) -> str | None:
    """The account whose logs ``name`` (a file, or a location ending in its folder) holds."""
    found = _ACCOUNT.search(name.replace(os.sep, "/"))
    return found[1] if found else None


def local_files(location: str) -> Iterator[str]:
    """Every file under ``location`` (or the file itself), in no particular order."""
    root = Path(location)
    if root.is_file():
        yield str(root)
        return
    if not root.is_dir():
        raise ConnectorError(
            f"--aws-cloudtrail {location}: no such file or folder; give a folder holding the "
            "trail's AWSLogs/ tree, one .json.gz file, or s3://bucket/prefix"
        )
    for folder, _, names in os.walk(root):
        for name in names:
            yield os.path.join(folder, name)


def read_local(path: str) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            raise ConnectorError(f"{path}: cannot read: {exc.strerror}") from None

    return read


def split_s3(location: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` -> (bucket, prefix)."""
    rest = location[len("s3://") :]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise ConnectorError(f"--aws-cloudtrail {location}: expected s3://bucket/prefix")
    return bucket, prefix


def s3_keys(client: Any, bucket: str, prefix: str) -> Iterator[str]:
    """Every key under the prefix (botocore's ClientError propagates: a gap for the caller)."""
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    for page in pages:
        for item in page.get("Contents", ()):
            yield item["Key"]


def read_s3(client: Any, bucket: str, key: str) -> Callable[[], bytes]:
    def read() -> bytes:
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
        try:
            data: bytes = body.read()
        finally:
            body.close()
        return data

    return read

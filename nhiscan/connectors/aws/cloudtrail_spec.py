"""The CloudTrail reader's options (``--aws-cloudtrail``, the activity window) and its
``[aws-cloudtrail]`` table.

It stands alone: ``nhiscan scan --aws-cloudtrail DIR`` summarises what the trail's identities
did even when no other source names them (the report says which are not in the inventory);
with ``--aws-profile`` or ``--aws-gaad`` the same summaries join the identities collected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.connectors import connector_class
from nhiscan.connectors.activity_window import check_window, parse_day, window_options
from nhiscan.connectors.base import Connector, ConnectorSpec, OptionSpec
from nhiscan.errors import ConfigError


@dataclass(frozen=True, slots=True, kw_only=True)
class CloudTrailSettings:
    # The window read when --activity-since is not given: this many days before the scan.
    window_days: int = field(default=90, metadata={"max": 3650})
    samples: int = field(default=3, metadata={"max": 100})  # sample events per action use
    set_limit: int = field(default=20, metadata={"max": 1000})  # source IPs, user agents kept


def check(values: Mapping[str, Any]) -> None:
    check_window(values)
    for location in values.get("aws_cloudtrail") or ():
        if location.startswith("s3://") and not location[len("s3://") :].split("/", 1)[0]:
            raise ConfigError(f"--aws-cloudtrail {location}: expected s3://bucket/prefix")


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    cls = connector_class("aws-cloudtrail")
    from nhiscan.connectors.aws.cloudtrail import CloudTrailConfig

    settings: CloudTrailSettings = sections["aws-cloudtrail"]
    config = CloudTrailConfig(
        locations=tuple(values["aws_cloudtrail"]),
        since=parse_day("--activity-since", values["activity_since"]),
        until=parse_day("--activity-until", values["activity_until"]),
        window_days=settings.window_days or 90,
        samples=settings.samples,
        set_limit=settings.set_limit,
    )
    connector: Connector = cls(config)
    return connector


SPEC = ConnectorSpec(
    name="aws-cloudtrail",
    options=(
        OptionSpec(
            flag="--aws-cloudtrail",
            dest="aws_cloudtrail",
            multiple=True,
            metavar="PATH|URL",
            help="Read what identities did from CloudTrail log files: a folder, a file or "
            "s3://bucket/prefix (repeat).",
        ),
        *window_options("aws_cloudtrail"),
    ),
    section=CloudTrailSettings,
    build=build,
    identities=False,
    asked=lambda values: bool(values.get("aws_cloudtrail")),
    check=check,
    order=28,  # after the AWS identities, before git
)

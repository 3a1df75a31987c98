"""The live AWS connector's options and its ``[aws]`` table; it is the default source (no
source given: live AWS through the default credential chain).

Besides the inventory it reads, unless turned off, each region's CloudTrail event history
(LookupEvents: the last 90 days of management events, when no ``--aws-cloudtrail`` files are
given) and IAM's service last-accessed data of every user and role."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.connectors import connector_class
from nhiscan.connectors.base import Connector, ConnectorSpec, OptionKind, OptionSpec

_SOURCE_DESTS = ("aws_profiles", "aws_regions", "aws_assume_role", "aws_org_role")


@dataclass(frozen=True, slots=True, kw_only=True)
class AwsSettings:
    profiles: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    assume_role: str | None = None
    org_role: str | None = None
    max_workers: int = field(default=4, metadata={"max": 256})
    # Read each region's CloudTrail event history when no trail's files are given.
    lookup_events: bool = True
    # At most this many events per account and region (newest first; 50 a request, 2 requests
    # a second: 5,000 take under a minute per region).
    lookup_events_max: int = field(default=5_000, metadata={"max": 1_000_000})
    # Ask IAM's service last-accessed data of every user and role.
    last_accessed: bool = True
    # Seconds the last-accessed jobs of one account are waited for, in all.
    last_accessed_wait: int = field(default=300, metadata={"max": 3600})


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    cls = connector_class("aws")
    from nhiscan.connectors.aws.last_accessed import AccessAdvisorConfig
    from nhiscan.connectors.aws.live import AwsConfig
    from nhiscan.connectors.aws.lookup_events import LookupConfig

    aws: AwsSettings = sections["aws"]
    trail = sections.get("aws-cloudtrail")
    lookup = aws.lookup_events and not values.get("no_lookup_events")
    advisor = aws.last_accessed and not values.get("no_last_accessed")
    config = AwsConfig(
        profiles=values["aws_profiles"] or aws.profiles,
        regions=values["aws_regions"] or aws.regions,
        assume_role=values["aws_assume_role"] or aws.assume_role,
        org_role=values["aws_org_role"] or aws.org_role,
        max_workers=aws.max_workers,
        lookup_events=LookupConfig(
            max_events=aws.lookup_events_max or 1,
            window_days=getattr(trail, "window_days", 90) or 90,
            samples=getattr(trail, "samples", 3),
            set_limit=getattr(trail, "set_limit", 20),
        )
        if lookup and not values.get("aws_cloudtrail")
        else None,
        last_accessed=AccessAdvisorConfig(max_wait=float(aws.last_accessed_wait))
        if advisor
        else None,
    )
    connector: Connector = cls(config)
    return connector


SPEC = ConnectorSpec(
    name="aws",
    options=(
        OptionSpec(flag="--aws-profile", dest="aws_profiles", multiple=True,
                   help="AWS profile (repeat)."),
        OptionSpec(flag="--aws-region", dest="aws_regions", multiple=True,
                   help="AWS region (repeat)."),
        OptionSpec(flag="--aws-assume-role", dest="aws_assume_role", metavar="ARN",
                   help="Assume this role first."),
        OptionSpec(flag="--aws-org-role", dest="aws_org_role", metavar="NAME",
                   help="Assume NAME in every Organization account."),
        OptionSpec(flag="--no-aws-lookup-events", dest="no_lookup_events",
                   kind=OptionKind.FLAG,
                   help="Do not read CloudTrail's event history (LookupEvents) when no "
                   "--aws-cloudtrail files are given."),
        OptionSpec(flag="--no-aws-last-accessed", dest="no_last_accessed",
                   kind=OptionKind.FLAG,
                   help="Do not ask IAM's service last-accessed data of users and roles."),
    ),
    section=AwsSettings,
    build=build,
    default=True,
    # The two switches alone do not ask for a live collection: they tune the default one.
    asked=lambda values: any(values.get(dest) for dest in _SOURCE_DESTS),
    sees=("aws_cloudtrail",),
    order=20,
)  # fmt: skip

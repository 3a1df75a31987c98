"""The live AWS connector's options and its ``[aws]`` table; it is the default source (no
source given: live AWS through the default credential chain)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.connectors import connector_class
from nhiscan.connectors.base import Connector, ConnectorSpec, OptionSpec


@dataclass(frozen=True, slots=True, kw_only=True)
class AwsSettings:
    profiles: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    assume_role: str | None = None
    org_role: str | None = None
    max_workers: int = field(default=4, metadata={"max": 256})


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    cls = connector_class("aws")
    from nhiscan.connectors.aws.live import AwsConfig

    aws: AwsSettings = sections["aws"]
    config = AwsConfig(
        profiles=values["aws_profiles"] or aws.profiles,
        regions=values["aws_regions"] or aws.regions,
        assume_role=values["aws_assume_role"] or aws.assume_role,
        org_role=values["aws_org_role"] or aws.org_role,
        max_workers=aws.max_workers,
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
    ),
    section=AwsSettings,
    build=build,
    default=True,
    order=20,
)  # fmt: skip

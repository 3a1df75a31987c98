"""The demo's option: ``--demo`` scans the built-in estate, alone among the AWS sources."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhiscan.connectors import connector_class
from nhiscan.connectors.base import Connector, ConnectorSpec, OptionKind, OptionSpec


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    # the regions of [aws] in nhiscan.toml (--aws-region conflicts with --demo)
    regions: tuple[str, ...] = getattr(sections.get("aws"), "regions", ())
    connector: Connector = connector_class("demo")(regions=regions)
    return connector


SPEC = ConnectorSpec(
    name="demo",
    options=(
        OptionSpec(
            flag="--demo",
            dest="demo",
            kind=OptionKind.FLAG,
            help="Use the built-in demo estate (no account, no network).",
        ),
    ),
    build=build,
    conflicts=("aws", "aws-gaad"),
    conflict_hint="--demo scans the built-in estate: drop the --aws-* options",
    order=0,
)

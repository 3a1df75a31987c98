"""The offline AWS connector's option: ``--aws-gaad`` reads an
``aws iam get-account-authorization-details`` export."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhiscan.connectors import connector_class
from nhiscan.connectors.base import Connector, ConnectorSpec, OptionKind, OptionSpec


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    connector: Connector = connector_class("aws-gaad")(values["aws_gaad"])
    return connector


SPEC = ConnectorSpec(
    name="aws-gaad",
    options=(
        OptionSpec(
            flag="--aws-gaad",
            dest="aws_gaad",
            kind=OptionKind.FILE,
            multiple=True,
            help="Read an `aws iam get-account-authorization-details` export (repeat).",
        ),
    ),
    build=build,
    order=10,  # before live AWS when both are asked for, as they always were
)

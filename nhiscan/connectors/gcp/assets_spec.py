"""The offline GCP connector's option: ``--gcp-assets`` reads Cloud Asset Inventory exports
(``gcloud asset export`` newline-delimited JSON, or ``gcloud asset search-all-iam-policies
--format=json``). It needs no Google SDK."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhiscan.connectors import connector_class
from nhiscan.connectors.base import Connector, ConnectorSpec, OptionKind, OptionSpec


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    connector: Connector = connector_class("gcp-assets")(values["gcp_assets"])
    return connector


SPEC = ConnectorSpec(
    name="gcp-assets",
    options=(
        OptionSpec(
            flag="--gcp-assets",
            dest="gcp_assets",
            kind=OptionKind.FILE,
            multiple=True,
            help="Read a Cloud Asset Inventory export or IAM policy search results (repeat).",
        ),
    ),
    build=build,
    order=25,
)

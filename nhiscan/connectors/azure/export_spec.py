"""The offline Azure connector's option: ``--azure-export DIR`` reads a folder of az CLI
outputs (``tools/azure-export.sh`` writes it; README "Azure offline"). It needs no Azure SDK."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nhiscan.connectors import connector_class
from nhiscan.connectors.base import Connector, ConnectorSpec, OptionSpec


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    folders = tuple(Path(v) for v in values["azure_export"])
    connector: Connector = connector_class("azure-export")(folders)
    return connector


SPEC = ConnectorSpec(
    name="azure-export",
    options=(
        OptionSpec(
            flag="--azure-export",
            dest="azure_export",
            multiple=True,
            metavar="DIR",
            help="Read a folder of az CLI outputs written by tools/azure-export.sh (repeat).",
        ),
    ),
    build=build,
    order=35,  # after the GCP export, before git
)

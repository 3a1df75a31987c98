"""The AzureHound reader's option: ``--azure-hound FILE`` reads an AzureHound JSON output file
(``azurehound list ... -o FILE``; docs/dev/azure-records.md, "AzureHound input"). It needs no
Azure SDK."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nhiscan.connectors import connector_class
from nhiscan.connectors.base import Connector, ConnectorSpec, OptionSpec


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    files = tuple(Path(v) for v in values["azure_hound"])
    connector: Connector = connector_class("azure-hound")(files)
    return connector


SPEC = ConnectorSpec(
    name="azure-hound",
    options=(
        OptionSpec(
            flag="--azure-hound",
            dest="azure_hound",
            multiple=True,
            metavar="FILE",
            help="Read an AzureHound JSON output file (azurehound list -o FILE) (repeat).",
        ),
    ),
    build=build,
    order=36,  # after the Azure export, before git
)

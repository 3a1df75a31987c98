"""Connector registry. Imports are lazy so that ``nhiscan`` starts fast and a missing SDK is a
clear error naming the extra to install, raised only when that connector is asked for.

Each entry names its spec module (``SPEC``, a ``base.ConnectorSpec``: its options, its
nhiscan.toml section, how it is built), which imports no SDK. The registry's order is the
order of the options in ``--help``; with no source given, the ``default`` specs are collected.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nhiscan.errors import ConnectorError
from nhiscan.plugins import load_attribute

if TYPE_CHECKING:
    from nhiscan.connectors.base import ConnectorSpec


@dataclass(frozen=True, slots=True)
class ConnectorEntry:
    module: str
    attribute: str
    install_hint: str  # the command that installs what it needs
    spec: str  # the module holding its SPEC (imports no SDK)


REGISTRY: dict[str, ConnectorEntry] = {
    "demo": ConnectorEntry(
        "nhiscan.connectors.demo.connector",
        "DemoConnector",
        "pip install 'nhiscan[demo]'",
        "nhiscan.connectors.demo.spec",
    ),
    "aws": ConnectorEntry(
        "nhiscan.connectors.aws.live",
        "AwsConnector",
        "pip install nhiscan",
        "nhiscan.connectors.aws.spec",
    ),
    "aws-gaad": ConnectorEntry(
        "nhiscan.connectors.aws.gaad_file",
        "GaadFileConnector",
        "pip install nhiscan",
        "nhiscan.connectors.aws.gaad_spec",
    ),
    "aws-cloudtrail": ConnectorEntry(
        "nhiscan.connectors.aws.cloudtrail",
        "CloudTrailConnector",
        "pip install nhiscan",
        "nhiscan.connectors.aws.cloudtrail_spec",
    ),
    "gcp": ConnectorEntry(
        "nhiscan.connectors.gcp.live",
        "GcpConnector",
        "pip install 'nhiscan[gcp]'",
        "nhiscan.connectors.gcp.spec",
    ),
    "gcp-assets": ConnectorEntry(
        "nhiscan.connectors.gcp.offline.reader",
        "GcpAssetsConnector",
        "pip install nhiscan",
        "nhiscan.connectors.gcp.assets_spec",
    ),
    "gcp-audit-log": ConnectorEntry(
        "nhiscan.connectors.gcp.audit_log",
        "GcpAuditLogConnector",
        "pip install nhiscan",
        "nhiscan.connectors.gcp.audit_log_spec",
    ),
    "azure": ConnectorEntry(
        "nhiscan.connectors.azure.live",
        "AzureConnector",
        "pip install 'nhiscan[azure]'",
        "nhiscan.connectors.azure.spec",
    ),
    "azure-export": ConnectorEntry(
        "nhiscan.connectors.azure.offline.reader",
        "AzureExportConnector",
        "pip install nhiscan",
        "nhiscan.connectors.azure.export_spec",
    ),
    "azure-hound": ConnectorEntry(
        "nhiscan.connectors.azure.hound.reader",
        "AzureHoundConnector",
        "pip install nhiscan",
        "nhiscan.connectors.azure.hound_spec",
    ),
    "azure-activity-log": ConnectorEntry(
        "nhiscan.connectors.azure.activity_log",
        "AzureActivityLogConnector",
        "pip install nhiscan",
        "nhiscan.connectors.azure.activity_log_spec",
    ),
    "git": ConnectorEntry(
        "nhiscan.connectors.git.connector",
        "GitConnector",
        "pip install nhiscan",
        "nhiscan.connectors.git.spec",
    ),
}


def register(name: str, entry: ConnectorEntry) -> None:
    """Add a connector (after the built-in ones: its options come last in ``--help``)."""
    REGISTRY[name] = entry


def connector_specs() -> tuple[ConnectorSpec, ...]:
    """Every registered connector's spec, in registry order."""
    specs = []
    for name, entry in REGISTRY.items():
        spec: ConnectorSpec = importlib.import_module(entry.spec).SPEC
        if spec.name != name:
            raise ConnectorError(
                f"{entry.spec}: SPEC is named {spec.name!r}, registered as {name!r}"
            )
        specs.append(spec)
    return tuple(specs)


def connector_class(name: str) -> Any:
    """The class registered as ``name``; ConnectorError when its dependencies are missing."""
    entry = REGISTRY.get(name)
    if entry is None:
        raise ConnectorError(f"unknown connector {name!r} (known: {', '.join(sorted(REGISTRY))})")
    return load_attribute(
        "connector", name, module=entry.module, attribute=entry.attribute,
        install_hint=entry.install_hint, error=ConnectorError,
    )  # fmt: skip

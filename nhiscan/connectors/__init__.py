"""Connector registry. Imports are lazy so that ``nhiscan`` starts fast and a missing SDK is a
clear error naming the extra to install, raised only when that connector is asked for.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from nhiscan.errors import ConnectorError


@dataclass(frozen=True, slots=True)
class ConnectorEntry:
    module: str
    attribute: str
    install_hint: str  # the command that installs what it needs


REGISTRY: dict[str, ConnectorEntry] = {
    "aws": ConnectorEntry("nhiscan.connectors.aws.live", "AwsConnector", "pip install nhiscan"),
    "aws-gaad": ConnectorEntry(
        "nhiscan.connectors.aws.gaad_file", "GaadFileConnector", "pip install nhiscan"
    ),
    "git": ConnectorEntry("nhiscan.connectors.git", "GitConnector", "pip install nhiscan"),
    "demo": ConnectorEntry(
        "nhiscan.connectors.demo", "DemoConnector", "pip install 'nhiscan[demo]'"
    ),
}


def connector_class(name: str) -> Any:
    """The class registered as ``name``; ConnectorError when its dependencies are missing."""
    entry = REGISTRY.get(name)
    if entry is None:
        raise ConnectorError(f"unknown connector {name!r} (known: {', '.join(sorted(REGISTRY))})")
    try:
        module = importlib.import_module(entry.module)
    except ImportError as exc:
        raise ConnectorError(
            f"the {name} connector needs a package that is not installed ({exc.name}): "
            f"run {entry.install_hint}"
        ) from exc
    return getattr(module, entry.attribute)

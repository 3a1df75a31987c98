"""The toy cloud registered for one test: its provider (``nhiscan.providers.register``) and its
connector (``nhiscan.connectors``), both registries restored afterwards; and the CLI that
knows it (``cli``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nhiscan import connectors, providers
from nhiscan.scanner.provider import CloudProvider
from tests.toy.provider import PROVIDER

CONNECTOR = connectors.ConnectorEntry(
    "tests.toy.connector", "ToyConnector", "pip install nhiscan-toy", "tests.toy.connector"
)


@pytest.fixture
def toy_cloud() -> Iterator[CloudProvider]:
    saved, loaded = dict(providers.REGISTRY), dict(providers._LOADED)
    rules = dict(providers._RULES)
    saved_connectors = dict(connectors.REGISTRY)
    providers.register("toy", PROVIDER)
    connectors.register("toy", CONNECTOR)
    try:
        yield providers.provider("toy")
    finally:
        providers.REGISTRY.clear()
        providers.REGISTRY.update(saved)
        providers._LOADED.clear()
        providers._LOADED.update(loaded)
        providers._RULES.clear()
        providers._RULES.update(rules)
        connectors.REGISTRY.clear()
        connectors.REGISTRY.update(saved_connectors)


@pytest.fixture
def cli(toy_cloud: CloudProvider, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """The CLI imported afresh with the toy registered (its commands take their source options
    from the connector registry when defined), run in an empty folder (no nhiscan.toml, no
    agents.yaml); the modules are put back afterwards."""
    import nhiscan.cli

    monkeypatch.setattr(nhiscan, "cli", sys.modules["nhiscan.cli"])
    for name in list(sys.modules):
        if name == "nhiscan.cli" or name.startswith("nhiscan.cli."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.chdir(tmp_path)
    from nhiscan.cli import cli as fresh

    return fresh

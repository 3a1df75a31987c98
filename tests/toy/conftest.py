"""The toy cloud registered for one test: its provider (``nhiscan.providers.register``) and its
connector (``nhiscan.connectors``), both registries restored afterwards."""

from __future__ import annotations

from collections.abc import Iterator

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

"""Lazy loading for the plug-in registries (connectors, providers): a plug-in's module is
imported on first use, so ``nhiscan`` starts fast, and a missing package is an error naming
what to install. A shared leaf, like ``errors.py``: any layer may import it."""

from __future__ import annotations

import importlib
from typing import Any

from nhiscan.errors import NhiError


def load_attribute(
    kind: str, name: str, *, module: str, attribute: str, install_hint: str, error: type[NhiError]
) -> Any:
    """``module.attribute`` of the ``kind`` (connector, provider) registered as ``name``."""
    try:
        loaded = importlib.import_module(module)
    except ImportError as exc:
        raise error(
            f"the {name} {kind} needs a package that is not installed ({exc.name}): "
            f"run {install_hint}"
        ) from exc
    return getattr(loaded, attribute)

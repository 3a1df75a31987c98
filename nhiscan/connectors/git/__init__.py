"""The git connector: secrets in repositories (working tree, full history, a commit range for
CI, the index for pre-commit), each distinct secret one Exposure attributed to the commit
that introduced it. See GitConfig for the options, history.py for the attribution, and
``secrets/`` for the detection it runs.

The names below are imported on first use, so that importing ``spec`` (what the command line
reads at start-up) or a ``secrets`` module does not load the whole connector."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nhiscan.connectors.git.config import GitConfig, ScanMode, Verifier
    from nhiscan.connectors.git.connector import GitConnector

__all__ = ["GitConfig", "GitConnector", "ScanMode", "Verifier"]

_HOMES = {
    "GitConfig": "config",
    "ScanMode": "config",
    "Verifier": "config",
    "GitConnector": "connector",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)

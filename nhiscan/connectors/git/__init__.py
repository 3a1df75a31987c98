"""The git connector: secrets in repositories (working tree, full history, a commit range for
CI, the index for pre-commit), each distinct secret one Exposure attributed to the commit
that introduced it. See GitConfig for the options, history.py for the attribution."""

from __future__ import annotations

from nhiscan.connectors.git.config import GitConfig, ScanMode, Verifier
from nhiscan.connectors.git.connector import GitConnector

__all__ = ["GitConfig", "GitConnector", "ScanMode", "Verifier"]

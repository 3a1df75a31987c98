"""The built-in demo estate: moto's AWS server in-process on a loopback port, a small realistic
estate of AI agents' identities built through boto3, and the real AWS connector run against it.
No network and no credentials are needed.
"""

from __future__ import annotations

from nhiscan.connectors.demo.connector import DemoConnector

__all__ = ["DemoConnector"]

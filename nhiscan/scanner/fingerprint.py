"""Fingerprints that join a credential in the inventory with a secret found in code.

Both sides compute the same value from the same non-secret id, so the join never needs the
secret itself, and a report can show the fingerprint without revealing anything.
"""

from __future__ import annotations

import hashlib


def _digest(namespace: str, value: str) -> str:
    return f"{namespace}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def aws_access_key(key_id: str) -> str:
    """For an AWS access key id (AKIA…/ASIA…)."""
    return _digest("aws-access-key", key_id.strip().upper())


def gcp_sa_key(private_key_id: str) -> str:
    """For a GCP service-account key's ``private_key_id``."""
    return _digest("gcp-sa-key", private_key_id.strip().lower())


def azure_client_secret(key_id: str) -> str:
    """For an Azure application password credential's keyId."""
    return _digest("azure-secret", key_id.strip().lower())


def azure_secret_hint(client_id: str, hint: str) -> str:
    """For an Entra ID application password: the application (client) id and the secret's
    first three characters, which Microsoft Graph returns as ``passwordCredentials[].hint``.
    Not unique on its own (two secrets of one app may share a hint), so a join on it names the
    application's credentials, and says so."""
    return _digest("azure-secret-hint", f"{client_id.strip().lower()}:{hint[:3]}")

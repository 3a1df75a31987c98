"""A ``Match`` (which holds the secret) into an ``Exposure`` record (which never does)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime

from nhiscan.connectors.git.secrets.match import Match
from nhiscan.connectors.git.secrets.redact import secret_hash, shown
from nhiscan.scanner import fingerprint
from nhiscan.scanner.model import Exposure, Provider

_AWS_KEY_PREFIXES = ("AKIA", "ASIA")


def aws_account_of_key(key_id: str) -> str | None:
    """The AWS account an access key id belongs to, decoded offline.

    Key ids carry the account in bits 1..40 of the base32 part (after the four-letter
    prefix), offset by 2**39 then halved; AWS has issued ids this way since 2019 (older ids
    decode to nonsense, which is why callers treat the result as a hint and prefer the
    inventory). Returns None for anything that does not decode to a 12-digit account.
    """
    if len(key_id) != 20 or not key_id.startswith(_AWS_KEY_PREFIXES):
        return None
    try:
        raw = base64.b32decode(key_id[4:])
    except (binascii.Error, ValueError):
        return None
    value = (int.from_bytes(raw[:6], "big") & 0x7FFFFFFFFF80) >> 7
    account = f"{value:012d}"
    return account if len(account) == 12 else None


def exposure_of(
    match: Match,
    *,
    repository: str,
    path: str,
    line: int,
    commit: str | None = None,
    author: str | None = None,
    committed_at: datetime | None = None,
    at_head: bool | None = None,
    locations: Sequence[str] = (),
) -> Exposure:
    digest = secret_hash(match.secret)
    credential_id = match.credential_id
    join: str | None = None
    account: str | None = None
    if match.provider is Provider.AWS:
        credential_id = credential_id or _aws_key_id(match.secret)
        if credential_id is not None:
            join = fingerprint.aws_access_key(credential_id)
            account = aws_account_of_key(credential_id)
    elif match.provider is Provider.GCP and credential_id is not None:
        join = fingerprint.gcp_sa_key(credential_id)
    elif match.provider is Provider.AZURE and credential_id is not None:
        join = fingerprint.azure_client_secret(credential_id)
    elif match.provider is Provider.AZURE and (client := _client_id(match.hint)) is not None:
        join = fingerprint.azure_secret_hint(client, match.secret)
    return Exposure(
        id=f"{repository}#{digest[:16]}",
        repository=repository,
        detector=match.detector,
        detectors=match.detectors,
        secret_hash=digest,
        redacted=shown(match.secret, credential_id),
        provider=match.provider,
        path=path,
        line=line,
        commit=commit,
        author=author,
        committed_at=committed_at,
        at_head=at_head,
        locations=tuple(locations),
        credential_id=credential_id,
        fingerprint=join,
        account=account,
        principal_hint=match.hint,
        secret_paired=(match.paired_secret is not None) if match.provider is Provider.AWS else None,
        traits=match.traits,
    )


def _aws_key_id(secret: str) -> str | None:
    return secret if secret.startswith(_AWS_KEY_PREFIXES) and len(secret) == 20 else None


def _client_id(hint: str | None) -> str | None:
    """The application id from an Azure client secret's hint ("client_id=<guid>")."""
    if hint is None or not hint.startswith("client_id="):
        return None
    return hint.removeprefix("client_id=")

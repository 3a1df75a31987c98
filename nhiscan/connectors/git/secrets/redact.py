"""How a secret appears in output: a short prefix, its length and a hash. Never in clear.

Key ids are identifiers, not secrets (AWS prints access key ids in CloudTrail; the inventory
lists every credential by its id), so the one rule of every report is: a credential's id is
shown in full wherever it appears, a secret never is. A match that is a key id alone (the "AWS
Access Key ID" detector) is therefore shown whole (``shown``), exactly as the inventory and the
findings name the same key; the secret access key beside it, a token, a private key or a client
secret are shown redacted."""

from __future__ import annotations

import hashlib

# Prefixes that name the kind of credential and carry no entropy: shown in full so a reader
# knows what leaked ("AKIA", "ghp_", "sk-ant-"). Anything else shows at most four characters.
_SHOWN = 4


def secret_hash(secret: str) -> str:
    """sha256 of the secret, hex: the key of baselines and of "same secret elsewhere"."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def redact(secret: str) -> str:
    """``"AKIA…(20 chars)"``: enough to recognise, never enough to use.

    Short secrets show less: at most a quarter of the characters, so a 12-character password
    shows 3 and a 6-character one shows 1.
    """
    shown = min(_SHOWN, len(secret) // 4)
    return f"{secret[:shown]}…({len(secret)} chars)"


def shown(secret: str, credential_id: str | None) -> str:
    """What reports show for a match: the match whole when it is the credential's id itself
    (an identifier), else ``redact``."""
    return secret if credential_id is not None and secret == credential_id else redact(secret)

"""How a secret appears in output: a short prefix, its length and a hash. Never in clear."""

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

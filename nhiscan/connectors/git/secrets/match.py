"""What a detector found. Holds the secret in memory only: never printed, never serialised."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from nhiscan.scanner.model import Provider

# How specific a detector is; when several find one secret, the highest names it.
RANK_GENERIC = 0  # detect-secrets' keyword and entropy plugins
RANK_SPECIFIC = 10  # detect-secrets' other plugins
RANK_NHISCAN = 20  # nhiscan's detectors: they also decide what the secret is


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    detector: str  # the most specific detector's type ("AWS Access Key ID")
    detectors: tuple[str, ...]  # every detector that found this secret on this line
    provider: Provider | None  # whose credential, when a cloud's
    secret: str = field(repr=False)
    line: int  # 1-based
    rank: int = 0  # specificity of ``detector``: higher is more specific
    credential_id: str | None = None  # a public identifier: AWS key id, GCP private_key_id, ...
    hint: str | None = None  # a non-secret clue to the owner: GCP client_email, Azure client id
    # AWS: the secret access key found in the same file, kept for --verify only.
    paired_secret: str | None = field(default=None, repr=False)
    # (detector, secret) of matches on the same line whose secret is part of this one (a
    # plugin that reports a token's prefix, "ghp", beside the whole token): one finding, not two.
    absorbed: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    # What the password, user and host around it look like (scanner/secrets_judge.py): names only.
    traits: tuple[str, ...] = ()


def combined(best: Match, other: Match) -> Match:
    """``best`` (the more specific finding of one secret), knowing what ``other`` knew: every
    detector, and the provider and join fields it lacks."""
    return replace(
        best,
        detectors=tuple(dict.fromkeys(best.detectors + other.detectors)),
        provider=best.provider or other.provider,
        credential_id=best.credential_id or other.credential_id,
        hint=best.hint or other.hint,
        paired_secret=best.paired_secret or other.paired_secret,
        absorbed=tuple(dict.fromkeys(best.absorbed + other.absorbed)),
        traits=best.traits or other.traits,
    )

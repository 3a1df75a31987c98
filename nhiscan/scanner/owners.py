"""Who answers for an identity: its native owner, else an owner tag (keys from settings)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nhiscan.scanner.model import Identity


@dataclass(frozen=True, slots=True)
class Owner:
    name: str
    tag_key: str | None  # the tag it was read from; None for a native owner


def owner_of(identity: Identity, tag_keys: Iterable[str]) -> Owner | None:
    """The native owner, else the first non-blank tag whose key is one of ``tag_keys`` (in
    ``tag_keys`` order, keys compared without regard to case)."""
    if identity.owner is not None and identity.owner.strip():
        return Owner(identity.owner, None)
    by_key: dict[str, tuple[str, str]] = {}
    for key, value in sorted(identity.tags.items()):
        if value.strip():
            by_key.setdefault(key.lower(), (key, value))
    for wanted in tag_keys:
        found = by_key.get(wanted.lower())
        if found is not None:
            return Owner(found[1], found[0])
    return None

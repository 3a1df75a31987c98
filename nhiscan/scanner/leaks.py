"""Secrets found in repositories, joined to the inventory credentials they unlock.

The join is by fingerprint (scanner/fingerprint.py): both sides hash the same public id (an
AWS access key id, a GCP private_key_id, an Azure secret's key id), so no secret is needed.
Pure: the estate in, joins out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Credential, Exposure, Provider


@dataclass(frozen=True, slots=True, kw_only=True)
class Leak:
    """One distinct secret (by detector and hash) wherever it was found, and the inventory
    credential it unlocks when the join succeeds."""

    detector: str
    secret_hash: str
    exposures: tuple[Exposure, ...]  # every repository and place it was found, sorted
    credential: Credential | None = None

    @property
    def first(self) -> Exposure:
        """The earliest exposure: by commit date when known, else by repository and path."""
        dated = [e for e in self.exposures if e.committed_at is not None]
        if dated:
            return min(dated, key=lambda e: (e.committed_at, e.repository, e.path))
        return self.exposures[0]

    @property
    def repositories(self) -> tuple[str, ...]:
        return tuple(sorted({e.repository for e in self.exposures}))

    @property
    def at_head(self) -> bool | None:
        values = [e.at_head for e in self.exposures]
        if any(v is True for v in values):
            return True
        return None if any(v is None for v in values) else False

    @property
    def provider(self) -> Provider | None:
        return next((e.provider for e in self.exposures if e.provider is not None), None)

    @property
    def verification(self) -> Exposure | None:
        """The exposure carrying a verification result, "valid" first."""
        checked = [e for e in self.exposures if e.verification is not None]
        checked.sort(key=lambda e: (e.verification != "valid", e.repository, e.path))
        return checked[0] if checked else None


def credentials_by_fingerprint(credentials: Iterable[Credential]) -> Mapping[str, Credential]:
    index: dict[str, Credential] = {}
    for credential in credentials:  # old snapshots: filled by the provider (app/estates.py)
        if credential.fingerprint is not None:
            index.setdefault(credential.fingerprint, credential)
    return index


def leaks(estate: Estate) -> Sequence[Leak]:
    """Every distinct secret found, with the credential it unlocks; sorted, joined first."""
    index = credentials_by_fingerprint(estate.snapshot.credentials)
    groups: defaultdict[tuple[str, str], list[Exposure]] = defaultdict(list)
    for exposure in estate.snapshot.exposures:
        groups[(exposure.detector, exposure.secret_hash)].append(exposure)
    found = []
    for (detector, digest), exposures in groups.items():
        exposures.sort(key=lambda e: (e.repository, e.path, e.line))
        keys = [e.fingerprint for e in exposures if e.fingerprint is not None]
        credential = next((index[k] for k in keys if k in index), None)
        found.append(
            Leak(
                detector=detector,
                secret_hash=digest,
                exposures=tuple(exposures),
                credential=credential,
            )
        )
    found.sort(key=lambda k: (k.credential is None, k.detector, k.secret_hash))
    return found

"""The estate of a snapshot, as every command builds it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from nhiscan import providers
from nhiscan.scanner.estate import Estate, build_estate
from nhiscan.scanner.provider import CloudProvider
from nhiscan.scanner.snapshot import Snapshot


def estate_of(snap: Snapshot) -> Estate:
    """People told from machines by the classifiers of the providers that analyse the snapshot
    (``providers.analysed``: the default one when it names no registered cloud), over its
    credentials as their providers complete them (``normalise_credential``)."""
    found = providers.analysed(snap)
    return build_estate(normalised(snap, found), tuple(p.classifier for p in found))


def normalised(snap: Snapshot, found: Sequence[CloudProvider]) -> Snapshot:
    """``snap`` with each credential as its provider completes it (fingerprints that an older
    nhiscan did not record); the same object when nothing changes."""
    by_name = {p.name: p for p in found}
    credentials = tuple(
        by_name[str(c.provider)].normalise_credential(c) if str(c.provider) in by_name else c
        for c in snap.credentials
    )
    if all(new is old for new, old in zip(credentials, snap.credentials, strict=True)):
        return snap
    return replace(snap, credentials=credentials)

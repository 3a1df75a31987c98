"""The estate of a snapshot, as every command builds it."""

from __future__ import annotations

from nhiscan import providers
from nhiscan.scanner.estate import Estate, build_estate
from nhiscan.scanner.snapshot import Snapshot


def estate_of(snap: Snapshot) -> Estate:
    """People told from machines by the classifiers of the providers that analyse the snapshot
    (``providers.analysed``: the default one when it names no registered cloud)."""
    return build_estate(snap, tuple(p.classifier for p in providers.analysed(snap)))

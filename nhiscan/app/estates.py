"""The estate of a snapshot, as every command builds it."""

from __future__ import annotations

from nhiscan import providers
from nhiscan.scanner.estate import Estate, build_estate
from nhiscan.scanner.snapshot import Snapshot


def estate_of(snap: Snapshot) -> Estate:
    """People told from machines with the AWS provider's classifier whatever the snapshot
    holds, as before the registry (#13 P4: the classifiers of ``providers.for_snapshot``)."""
    return build_estate(snap, (providers.provider("aws").classifier,))

"""Reading a snapshot file a person hands in: checked with what the installed providers add
(the provider names a record may carry, the calls whose gap excuses a credential without its
identity, and each provider's own checks of its records)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nhiscan import providers
from nhiscan.scanner import snapshot
from nhiscan.scanner.facts import ProviderFacts
from nhiscan.scanner.model import Provider
from nhiscan.scanner.provider import NEUTRAL_FACTS
from nhiscan.scanner.snapshot import Snapshot
from nhiscan.scanner.snapshot_check import ProviderChecks
from nhiscan.scanner.snapshot_check import Snapshot as SnapshotView


def load(path: Path) -> Snapshot:
    return snapshot.load(path, providers=checks())


def checks() -> ProviderChecks:
    """The listed clouds and the installed providers; a provider's facts and checks are read
    only when a snapshot names it (so reading one imports no other provider)."""
    known = frozenset({str(member.value) for member in Provider} | set(providers.REGISTRY))
    return ProviderChecks(known=known, facts=_facts, checks=(_their_checks,))


def _facts(name: str) -> ProviderFacts:
    return providers.provider(name).facts if name in providers.REGISTRY else NEUTRAL_FACTS


def _their_checks(snap: SnapshotView) -> Iterator[str]:
    for found in providers.for_snapshot(snap):
        yield from found.check(snap)


def from_json(text: str, *, source: str) -> Snapshot:
    return snapshot.from_json(text, source=source, providers=checks())

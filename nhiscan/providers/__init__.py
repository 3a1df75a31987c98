"""Provider registry: one entry per cloud whose analysis nhiscan knows. Imports are lazy, like
the connector registry's, so ``nhiscan`` starts fast and a missing package is a clear error
naming what to install. Only the orchestration (``nhiscan.app``) imports this package; the core
sees providers through the protocols of ``nhiscan.scanner.provider``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nhiscan.errors import ConfigError
from nhiscan.plugins import load_attribute

if TYPE_CHECKING:  # imported by the orchestration at start-up: keep this one light
    from nhiscan.rules.base import Rule
    from nhiscan.scanner.provider import CloudProvider
    from nhiscan.scanner.snapshot_check import Snapshot


@dataclass(frozen=True, slots=True)
class ProviderEntry:
    module: str
    attribute: str
    install_hint: str  # the command that installs what it needs
    rules: str | None = None  # the module of its rules' RULES (nhiscan.rules.provider)


REGISTRY: dict[str, ProviderEntry] = {
    "aws": ProviderEntry(
        "nhiscan.providers.aws.provider", "PROVIDER", "pip install nhiscan",
        rules="nhiscan.providers.aws.rules",
    ),
    "gcp": ProviderEntry(
        "nhiscan.providers.gcp.provider", "PROVIDER", "pip install nhiscan",
        rules="nhiscan.providers.gcp.rules",
    ),
    "azure": ProviderEntry(
        "nhiscan.providers.azure.provider", "PROVIDER", "pip install nhiscan",
        rules="nhiscan.providers.azure.rules",
    ),
}  # fmt: skip
_LOADED: dict[str, CloudProvider] = {}
DEFAULT = "aws"  # analysed when a snapshot names no registered cloud (its catalogue dates reports)
_RULES: dict[str, tuple[Rule, ...]] = {}
NOT_CLOUDS = frozenset({"git"})  # exposures found in repositories need no provider


def provider(name: str) -> CloudProvider:
    """The provider registered as ``name``, imported on first use."""
    loaded = _LOADED.get(name)
    if loaded is not None:
        return loaded
    entry = REGISTRY.get(name)
    if entry is None:
        raise ConfigError(
            f"no provider is registered for {name!r} (known: {', '.join(sorted(REGISTRY))}): "
            "install the nhiscan extra for that cloud, or analyse the snapshot with the "
            "nhiscan version that wrote it"
        )
    found: CloudProvider = load_attribute(
        "provider", name, module=entry.module, attribute=entry.attribute,
        install_hint=entry.install_hint, error=ConfigError,
    )  # fmt: skip
    _LOADED[name] = found
    return found


def register(name: str, entry: ProviderEntry | CloudProvider) -> None:
    """Add (or replace) a provider: an entry to import lazily, or a ready object (tests)."""
    _LOADED.pop(name, None)
    _RULES.pop(name, None)
    if isinstance(entry, ProviderEntry):
        REGISTRY[name] = entry
        return
    REGISTRY[name] = ProviderEntry(type(entry).__module__, "", "")
    _LOADED[name] = entry


def rules_of(name: str) -> tuple[Rule, ...]:
    """The rules the provider registered as ``name`` adds to the neutral ones (its entry's
    rules module), imported on first use; none when its entry names no rules module."""
    loaded = _RULES.get(name)
    if loaded is not None:
        return loaded
    if name not in REGISTRY:
        provider(name)  # raises the error naming the registered providers
    entry = REGISTRY[name]
    found: tuple[Rule, ...] = ()
    if entry.rules is not None:
        from nhiscan.rules.provider import RULES_ATTRIBUTE

        found = tuple(
            load_attribute(
                "provider", name, module=entry.rules, attribute=RULES_ATTRIBUTE,
                install_hint=entry.install_hint, error=ConfigError,
            )
        )  # fmt: skip
    _RULES[name] = found
    return found


def names_in(snap: Snapshot) -> tuple[str, ...]:
    """The cloud providers the snapshot's records name, sorted ("git" is not a cloud)."""
    found = {str(r.provider) for r in snap.accounts}
    for records in (snap.identities, snap.credentials, snap.groups, snap.policies, snap.resources):
        found.update(str(r.provider) for r in records)
    return tuple(sorted(found - NOT_CLOUDS))


def for_snapshot(snap: Snapshot) -> tuple[CloudProvider, ...]:
    """The registered providers of the snapshot's records, sorted by name. A name with no
    registry entry is skipped (its records get no analysis, only the neutral defaults); a
    registered provider whose package fails to import is a ``ConfigError``."""
    return tuple(provider(name) for name in names_in(snap) if name in REGISTRY)


def unregistered(snap: Snapshot) -> tuple[str, ...]:
    """The clouds the snapshot's records name that no registered provider analyses."""
    return tuple(name for name in names_in(snap) if name not in REGISTRY)


def analysed(snap: Snapshot) -> tuple[CloudProvider, ...]:
    """The providers that analyse ``snap``: those of its records, or the default provider when
    it names no registered cloud (a scan of repositories only: reports still name the default
    provider's catalogue, and its tables read the secrets found)."""
    return for_snapshot(snap) or (provider(DEFAULT),)

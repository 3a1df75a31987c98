"""Identity references in agent files: a stable id (the registered providers' ids, a service
account e-mail, an object id), or a selector (``{tag: key=value}``, ``{name: glob}``) with an
optional provider and account."""

from __future__ import annotations

import re

import yaml

from nhiscan.scanner.agents import yamlnodes as y
from nhiscan.scanner.agents.language import Vocabularies
from nhiscan.scanner.agents.model import IdentityRef, RefKind
from nhiscan.scanner.model import Provider

IDENTITY_KEYS = ("id", "tag", "name", "provider", "account")
CLOUDS = ("aws", "azure", "gcp")  # a selector may name these before their provider is installed


def selector_providers(vocabularies: Vocabularies) -> tuple[str, ...]:
    """The ``provider`` a selector may name: the listed clouds and every registered one's."""
    return tuple(sorted({*CLOUDS, *(str(v.provider) for v in vocabularies)}))


def identities(
    node: y.Node, file: str, agent: str, vocabularies: Vocabularies
) -> tuple[IdentityRef, ...]:
    items = y.sequence(node, file, "`identities`")
    refs = [_identity(item, file, agent, vocabularies) for item in items]
    if not refs:
        raise y.fail(node, file, f"agent {agent!r}: `identities` lists no identity")
    return tuple(refs)


def _identity(node: y.Node, file: str, agent: str, vocabularies: Vocabularies) -> IdentityRef:
    where = y.where(node, file)
    if isinstance(node, yaml.ScalarNode):
        value = y.text(node, file, "an identity")
        return IdentityRef(
            kind=RefKind.ID, value=value, where=where, provider=provider_of_id(value, vocabularies)
        )
    entries = y.mapping(node, file, "an identity")
    y.check_keys(entries, IDENTITY_KEYS, file, "an identity")
    chosen = [k for k in ("id", "tag", "name") if k in entries]
    if len(chosen) != 1:
        raise y.fail(node, file, f"agent {agent!r}: an identity has exactly one of id, tag, name")
    kind = RefKind(chosen[0])
    value = y.text(entries[chosen[0]][1], file, f"`{chosen[0]}`")
    given = _provider(entries, file, vocabularies)
    implied = provider_of_id(value, vocabularies) if kind is RefKind.ID else None
    provider = given or implied
    account = y.text(entries["account"][1], file, "`account`") if "account" in entries else None
    key = None
    if kind is RefKind.TAG:
        key, sep, value = value.partition("=")
        if not sep or not key.strip():
            raise y.fail(
                entries["tag"][1], file, "`tag` is key=value (a glob may stand for the value)"
            )
        key, value = key.strip(), value.strip()
    return IdentityRef(
        kind=kind, value=value, where=where, key=key, provider=provider, account=account
    )


def _provider(
    entries: dict[str, tuple[y.Node, y.Node]], file: str, vocabularies: Vocabularies
) -> Provider | None:
    if "provider" not in entries:
        return None
    raw = y.text(entries["provider"][1], file, "`provider`")
    known = selector_providers(vocabularies)
    if raw not in known:
        names = f"{', '.join(known[:-1])} or {known[-1]}"
        raise y.fail(entries["provider"][1], file, f"`provider` is {names}")
    return Provider(raw)


_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def provider_of_id(value: str, vocabularies: Vocabularies) -> Provider | None:
    """The provider a stable id belongs to: the registered vocabulary that owns it, else the
    id shapes of clouds with no registered provider yet (a GCP service account e-mail, an
    Azure object id or ARM id); None when the id does not say."""
    owner = vocabularies.owner_of_identity(value)
    if owner is not None:
        return owner.provider
    if value.endswith(".gserviceaccount.com"):
        return Provider.GCP
    if _GUID.match(value) or value.startswith("/subscriptions/"):
        return Provider.AZURE
    return None

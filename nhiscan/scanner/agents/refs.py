"""Identity references in agent files: a stable id (ARN, service account e-mail, object id),
or a selector (``{tag: key=value}``, ``{name: glob}``) with an optional provider and account."""

from __future__ import annotations

import re

import yaml

from nhiscan.scanner.agents import yamlnodes as y
from nhiscan.scanner.agents.model import IdentityRef, RefKind
from nhiscan.scanner.model import Provider

IDENTITY_KEYS = ("id", "tag", "name", "provider", "account")


def identities(node: y.Node, file: str, agent: str) -> tuple[IdentityRef, ...]:
    refs = [_identity(item, file, agent) for item in y.sequence(node, file, "`identities`")]
    if not refs:
        raise y.fail(node, file, f"agent {agent!r}: `identities` lists no identity")
    return tuple(refs)


def _identity(node: y.Node, file: str, agent: str) -> IdentityRef:
    where = y.where(node, file)
    if isinstance(node, yaml.ScalarNode):
        value = y.text(node, file, "an identity")
        return IdentityRef(
            kind=RefKind.ID, value=value, where=where, provider=provider_of_id(value)
        )
    entries = y.mapping(node, file, "an identity")
    y.check_keys(entries, IDENTITY_KEYS, file, "an identity")
    chosen = [k for k in ("id", "tag", "name") if k in entries]
    if len(chosen) != 1:
        raise y.fail(node, file, f"agent {agent!r}: an identity has exactly one of id, tag, name")
    kind = RefKind(chosen[0])
    value = y.text(entries[chosen[0]][1], file, f"`{chosen[0]}`")
    provider = _provider(entries, file) or (provider_of_id(value) if kind is RefKind.ID else None)
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


def _provider(entries: dict[str, tuple[y.Node, y.Node]], file: str) -> Provider | None:
    if "provider" not in entries:
        return None
    raw = y.text(entries["provider"][1], file, "`provider`")
    if raw not in ("aws", "azure", "gcp"):
        raise y.fail(entries["provider"][1], file, "`provider` is aws, azure or gcp")
    return Provider(raw)


_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def provider_of_id(value: str) -> Provider | None:
    """The provider a stable id belongs to: an AWS ARN, a GCP service account e-mail, an Azure
    object id (a GUID); None when the id does not say."""
    if value.startswith("arn:aws"):
        return Provider.AWS
    if value.endswith(".gserviceaccount.com"):
        return Provider.GCP
    if _GUID.match(value) or value.startswith("/subscriptions/"):
        return Provider.AZURE
    return None

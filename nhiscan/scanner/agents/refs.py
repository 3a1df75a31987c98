"""Identity references in agent files: a stable id (the registered providers' ids, a service
account e-mail, an object id), a selector (``{tag: key=value}``, ``{name: glob}``) with an
optional provider and account, or a principal outside the clouds (``{external: github,
repository: owner/name, ...}``: the identities whose keyless trusts admit it, issue #20)."""

from __future__ import annotations

import re

import yaml

from nhiscan.scanner.agents import yamlnodes as y
from nhiscan.scanner.agents.language import Vocabularies
from nhiscan.scanner.agents.model import (
    ExternalRef,
    IdentityRef,
    RefKind,
    SessionSelector,
    Where,
)
from nhiscan.scanner.model import Provider

IDENTITY_KEYS = ("id", "tag", "name", "provider", "account")
# Which sessions of the identity are the agent's (a role several agents assume; issue #19).
SESSION_KEYS = ("source_identity", "session_name", "session_tags")
EXTERNAL_KEYS = ("external", "repository", "workflow", "ref", "environment", "event")
EXTERNAL_PLATFORMS = ("github",)
_SLUG = re.compile(r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$")
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
    if "external" in entries:
        return _external(entries, where, file, agent)
    y.check_keys(entries, IDENTITY_KEYS + SESSION_KEYS, file, "an identity")
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
        kind=kind,
        value=value,
        where=where,
        key=key,
        provider=provider,
        account=account,
        session=_session(entries, file),
    )


def _session(entries: dict[str, tuple[y.Node, y.Node]], file: str) -> SessionSelector | None:
    """``source_identity``, ``session_name`` (a glob) and ``session_tags`` (a mapping of text
    to text), each optional; None when none is given."""
    if not any(k in entries for k in SESSION_KEYS):
        return None
    source = entries.get("source_identity")
    name = entries.get("session_name")
    tags: dict[str, str] = {}
    if "session_tags" in entries:
        node = entries["session_tags"][1]
        for key, (key_node, value) in y.mapping(node, file, "`session_tags`").items():
            tags[y.text(key_node, file, "a session tag's key")] = y.text(
                value, file, f"session tag {key!r}"
            )
        if not tags:
            raise y.fail(node, file, "`session_tags` names no tag")
    return SessionSelector(
        source_identity=None if source is None else y.text(source[1], file, "`source_identity`"),
        session_name=None if name is None else y.text(name[1], file, "`session_name`"),
        session_tags=tags,
    )


def _external(
    entries: dict[str, tuple[y.Node, y.Node]], where: Where, file: str, agent: str
) -> IdentityRef:
    """``{external: github, repository: owner/name, workflow, ref, environment, event}``."""
    y.check_keys(entries, EXTERNAL_KEYS, file, "an external identity")
    values = {k: y.text(entries[k][1], file, f"`{k}`") for k in EXTERNAL_KEYS if k in entries}
    node_of = {k: entries[k][1] for k in values}
    if values["external"] not in EXTERNAL_PLATFORMS:
        raise y.fail(node_of["external"], file, f"`external` is {' or '.join(EXTERNAL_PLATFORMS)}")
    if "repository" not in values:
        raise y.fail(node_of["external"], file,
                     f"agent {agent!r}: an external identity names its `repository`")  # fmt: skip
    if not _SLUG.match(values["repository"]):
        raise y.fail(node_of["repository"], file,
                     "`repository` is owner/name, without wildcards")  # fmt: skip
    if "ref" in values and not values["ref"].startswith("refs/"):
        raise y.fail(node_of["ref"], file, "`ref` is a full ref: refs/heads/main, refs/tags/v1")
    if "workflow" in values and not values["workflow"].startswith(".github/workflows/"):
        raise y.fail(node_of["workflow"], file, "`workflow` is a path in .github/workflows/")
    if not {"ref", "environment"} & values.keys() and values.get("event") != "pull_request":
        raise y.fail(node_of["external"], file, f"agent {agent!r}: an external identity names "
                     "the `ref`, `environment` or `event: pull_request` it runs on (its token's "
                     "subject)")  # fmt: skip
    external = ExternalRef(
        platform=values["external"],
        repository=values["repository"],
        workflow=values.get("workflow"),
        ref=values.get("ref"),
        environment=values.get("environment"),
        event=values.get("event"),
    )
    return IdentityRef(kind=RefKind.EXTERNAL, value=external.repository, where=where,
                       external=external)  # fmt: skip


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

"""Agents as declared (``Agent``, ``Step``, ``IdentityRef``) and as compiled (``Need``,
``AgentPlan``). Frozen records; every declared thing keeps where it was written
(``Where``: file and line) so errors and findings can point at it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol

from nhiscan.scanner.agents.vocabulary import Verb
from nhiscan.scanner.model import Provider

RECORD = dict(frozen=True, slots=True, kw_only=True)


@dataclass(**RECORD)
class Where:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class AgentStatus(StrEnum):
    ACTIVE = "active"
    DECOMMISSIONED = "decommissioned"


class RefKind(StrEnum):
    ID = "id"  # a stable id (ARN, SA email, object id), globs allowed
    TAG = "tag"  # tag key=value (value globs allowed)
    NAME = "name"  # the identity's name, globs allowed
    # A principal outside the scanned clouds (issue #20): the identities whose keyless trusts
    # admit the token it presents
    EXTERNAL = "external"


@dataclass(**RECORD)
class ExternalRef:
    """What an agent runs as outside the clouds: a GitHub Actions workflow of ``repository``,
    on ``ref`` or in ``environment`` or for ``event`` (``pull_request``); the token it
    presents has the claims GitHub issues such a run (``scanner/workflows.py``)."""

    platform: str  # "github"
    repository: str  # owner/name
    workflow: str | None = None  # .github/workflows/deploy.yml
    ref: str | None = None  # refs/heads/main, refs/tags/v1
    environment: str | None = None
    event: str | None = None  # push, pull_request, workflow_dispatch, ...

    def describe(self) -> str:
        parts = [f"{self.platform} {self.repository}"]
        parts += [self.workflow] if self.workflow else []
        parts += [f"on {self.ref}"] if self.ref else []
        parts += [f"in environment {self.environment}"] if self.environment else []
        parts += [f"for {self.event}"] if self.event else []
        return " ".join(parts)


@dataclass(**RECORD)
class SessionSelector:
    """Which sessions of a shared role are this agent's (issue #19): the session's source
    identity, its name (a glob: ``intake-b-*``) and tags, each required when given. Two agents
    that assume one role are told apart in the audit trail by these; without them the trail
    cannot say which of the two acted."""

    source_identity: str | None = None
    session_name: str | None = None
    session_tags: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        parts = [f"source identity {self.source_identity}"] if self.source_identity else []
        parts += [f"session name {self.session_name}"] if self.session_name else []
        parts += [f"session tag {k}={v}" for k, v in sorted(self.session_tags.items())]
        return ", ".join(parts)


@dataclass(**RECORD)
class IdentityRef:
    kind: RefKind
    value: str  # the id or name pattern; for TAG the value pattern
    where: Where
    key: str | None = None  # TAG: the tag key
    provider: Provider | None = None  # None: any provider (ids imply theirs)
    account: str | None = None  # only identities of this account
    external: ExternalRef | None = None  # EXTERNAL: the principal
    # Only these sessions of the identity are the agent's (a role several agents assume).
    session: SessionSelector | None = None

    def describe(self) -> str:
        if self.external is not None:
            return f"external {self.external.describe()}"
        if self.kind is RefKind.TAG:
            text = f"tag {self.key}={self.value}"
        else:
            text = f"{self.kind.value} {self.value}"
        return text if self.session is None else f"{text} ({self.session.describe()})"


@dataclass(**RECORD)
class Phrase:
    """One thing a step asks for: a verb on a resource reference."""

    verb: Verb
    resource: str  # the reference as written


@dataclass(**RECORD)
class Step:
    index: int  # 1-based position in the agent's steps
    where: Where
    text: str  # as written, for people: "read: scheme://x" or the sentence
    phrases: tuple[Phrase, ...] = ()
    # The escape hatch: raw provider actions on raw resources.
    actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()


Conditions = tuple[tuple[str, str, tuple[str, ...]], ...]  # (operator, key, values)


@dataclass(**RECORD)
class Requirement:
    """One (action, resource) a verb on a reference needs, before the steps are merged.
    ``account_implicit``: the reference named no scope (account, project, subscription), so
    the resource's scope is whichever the identity using it is in (``*`` until bound)."""

    provider: Provider
    action: str
    resource: str
    conditions: Conditions = ()
    account_implicit: bool = False


class ProviderDefaults(Protocol):
    """An agent's defaults for one provider (its section of ``defaults:``, or the provider's
    own when none is written), which compile the references that provider reads: the
    provider's ``AgentVocabulary.parse_defaults`` makes them (``language.py``)."""

    @property
    def provider(self) -> Provider: ...
    def owns(self, reference: str, /) -> bool: ...  # its scheme://, or its own id form
    def needs(self, verb: Verb, reference: str, /) -> Iterator[Requirement]: ...


@dataclass(**RECORD)
class Agent:
    name: str
    owner: str
    where: Where
    description: str | None = None
    status: AgentStatus = AgentStatus.ACTIVE
    decommissioned_at: date | None = None
    identities: tuple[IdentityRef, ...] = ()
    max_key_age_days: int | None = None  # None: the global rotation policy
    steps: tuple[Step, ...] = ()
    # Keyed by the vocabulary's defaults_key ("aws"); one entry per registered vocabulary.
    defaults: Mapping[str, ProviderDefaults] = field(default_factory=dict)


@dataclass(**RECORD)
class AgentFile:
    """Every agent of one or more files, and a hash of their text (for the plan)."""

    agents: tuple[Agent, ...]
    sources: tuple[str, ...]  # the files read, in order
    source_hash: str  # sha256 over the files' names and bytes


@dataclass(**RECORD)
class Need:
    """One (action, resource) an agent needs. ``account_implicit``: the reference named no
    account, so the resource id's account is whichever account the identity using it is in
    (``*`` here)."""

    provider: Provider
    action: str  # canonical, as the provider's catalogue spells it
    resource: str  # the provider's resource id or id pattern
    steps: tuple[int, ...]  # the steps that need it (1-based)
    conditions: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    account_implicit: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.provider.value, self.action, self.resource)


@dataclass(**RECORD)
class AgentPlan:
    name: str
    owner: str
    status: AgentStatus
    needs: tuple[Need, ...]
    max_key_age_days: int | None
    identities: tuple[IdentityRef, ...]
    where: Where

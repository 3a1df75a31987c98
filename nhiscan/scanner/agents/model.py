"""Agents as declared (``Agent``, ``Step``, ``IdentityRef``) and as compiled (``Need``,
``AgentPlan``). Frozen records; every declared thing keeps where it was written
(``Where``: file and line) so errors and findings can point at it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

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


@dataclass(**RECORD)
class IdentityRef:
    kind: RefKind
    value: str  # the id or name pattern; for TAG the value pattern
    where: Where
    key: str | None = None  # TAG: the tag key
    provider: Provider | None = None  # None: any provider (ids imply theirs)
    account: str | None = None  # only identities of this account

    def describe(self) -> str:
        if self.kind is RefKind.TAG:
            return f"tag {self.key}={self.value}"
        return f"{self.kind.value} {self.value}"


@dataclass(**RECORD)
class Phrase:
    """One thing a step asks for: a verb on a resource reference."""

    verb: Verb
    resource: str  # the reference as written


@dataclass(**RECORD)
class Step:
    index: int  # 1-based position in the agent's steps
    where: Where
    text: str  # as written, for people: "read: s3://x" or the sentence
    phrases: tuple[Phrase, ...] = ()
    # The escape hatch: raw provider actions on raw resources.
    actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()


@dataclass(**RECORD)
class AwsDefaults:
    account: str | None = None
    region: str | None = None
    partition: str = "aws"


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
    aws: AwsDefaults = field(default_factory=AwsDefaults)


@dataclass(**RECORD)
class AgentFile:
    """Every agent of one or more files, and a hash of their text (for the plan)."""

    agents: tuple[Agent, ...]
    sources: tuple[str, ...]  # the files read, in order
    source_hash: str  # sha256 over the files' names and bytes


@dataclass(**RECORD)
class Need:
    """One (action, resource) an agent needs. ``account_implicit``: the reference named no
    account, so the ARN's account is whichever account the identity using it is in (``*``
    here)."""

    provider: Provider
    action: str  # canonical: "s3:GetObject"
    resource: str  # ARN or ARN pattern
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

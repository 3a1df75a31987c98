"""The judge's answers (issue #20, ``federation_judge``): how far an admission reaches
(:class:`Wildcard`), one admission's :class:`Verdict` and a trust's :class:`Judgement`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from nhiscan.scanner.federation import FederatedTrust


class Wildcard(StrEnum):
    """How far an admission reaches past what it names, from nothing to everyone."""

    NONE = "none"  # the repositories and contexts it names
    CONTEXT = "context"  # any branch of the repositories it names
    PATTERN = "pattern"  # subjects matching a glob (an issuer with no known grammar)
    REPOSITORY = "repository"  # any repository of an owner it names
    OWNER = "owner"  # owners it does not name: anyone may register such a name
    ANY = "any"  # no test on who: every token of the issuer


RANK = {kind: rank for rank, kind in enumerate(Wildcard)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """One admission judged. ``example`` is a subject it admits that its author likely did
    not mean (an owner, repository or branch it does not name), when there is one."""

    index: int
    principal: str  # what it tests, readable: "repo:acme/*", "any"
    wildcard: Wildcard
    owners: tuple[str, ...]
    repositories: tuple[str, ...]
    contexts: tuple[str, ...]
    pull_requests: bool | None  # None: only under conditions nhiscan could not read
    undecided: tuple[str, ...]
    example: str | None
    words: str

    @property
    def maybe(self) -> bool:
        return bool(self.undecided)


@dataclass(frozen=True, slots=True, kw_only=True)
class Judgement:
    trust: FederatedTrust
    verdicts: tuple[Verdict, ...]
    wildcard: Wildcard  # the widest of the verdicts
    owners: tuple[str, ...]
    repositories: tuple[str, ...]
    contexts: tuple[str, ...]
    pull_requests: bool | None
    audience_pinned: bool | None  # None: the registration's audiences were not collected
    audiences: tuple[str, ...]  # the audiences the admissions accept ("*": any)
    words: str

    def to_json(self) -> dict[str, Any]:
        trust = self.trust
        return {
            "provider": str(trust.provider),
            "target": trust.target,
            "account": trust.account,
            "issuer": trust.issuer,
            "platform": trust.platform.value,
            "registration": trust.registration,
            "source": trust.source,
            "via": trust.via,
            "wildcard": self.wildcard.value,
            "owners": list(self.owners),
            "repositories": list(self.repositories),
            "contexts": list(self.contexts),
            "pull_requests": self.pull_requests,
            "audience_pinned": self.audience_pinned,
            "audiences": list(self.audiences),
            "words": self.words,
            "admissions": [
                {
                    "principal": v.principal,
                    "wildcard": v.wildcard.value,
                    "words": v.words,
                    "pull_requests": v.pull_requests,
                    "example": v.example,
                    "undecided": list(v.undecided),
                }
                for v in self.verdicts
            ],
        }

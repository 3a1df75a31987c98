"""Which recorded sessions are an agent's (issue #19): the snapshot's activity indexed once by
identity, what the activity sources covered, and each session of an agent's identities
attributed with its identity references' session selectors (``agents/sessions.py``).

A session two agents' selectors both admit, or one a selector cannot decide (the trail did not
record what it tests), is the agent's ``UNKNOWN``: listed, said to be indistinguishable, never
counted as one agent's doing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from nhiscan.scanner.activity import ActivityScope, ActivitySummary
from nhiscan.scanner.agents.claims import Claims
from nhiscan.scanner.agents.model import Agent
from nhiscan.scanner.agents.sessions import Verdict, selects
from nhiscan.scanner.model import Identity
from nhiscan.scanner.snapshot import Snapshot
from nhiscan.scanner.usage import AttributedSession

_RANK = {Verdict.NOT_MINE: 0, Verdict.UNKNOWN: 1, Verdict.MINE: 2}


@dataclass(frozen=True, slots=True)
class ActivityIndex:
    """The snapshot's activity, indexed once per analysis (a trail's summaries are read per
    identity by every agent claiming it)."""

    sessions: Mapping[str, tuple[ActivitySummary, ...]]  # identity id -> its summaries
    scopes: tuple[ActivityScope, ...]
    # The sources whose silence means something: not one of management events only (the
    # event history has no data events: an unread s3:GetObject is not an unused one), not one a
    # collection gap names (a file it could not read).
    covering: tuple[ActivityScope, ...]
    since: datetime  # the earliest start of the sources' windows
    until: datetime  # the latest end

    @classmethod
    def of(cls, snapshot: Snapshot) -> ActivityIndex | None:
        """None when no activity source was read: nothing is known of use, not "unused"."""
        scopes = snapshot.activity_sources
        if not scopes:
            return None
        gapped = {gap.scope for gap in snapshot.gaps}
        found: dict[str, list[ActivitySummary]] = {}
        for summary in snapshot.activity:
            found.setdefault(summary.identity, []).append(summary)
        return cls(
            sessions={k: tuple(v) for k, v in found.items()},
            scopes=scopes,
            covering=tuple(s for s in scopes if not s.management_only and s.source not in gapped),
            since=min(s.since for s in scopes),
            until=max(s.until for s in scopes),
        )

    def of_identity(self, identity_id: str) -> tuple[ActivitySummary, ...]:
        return self.sessions.get(identity_id, ())

    def covers(self, identity_id: str, identity: Identity | None) -> bool:
        """Whether a source read the logs of the identity's account (``covering``). A source
        that cannot tell its accounts covers only the identities it saw."""
        for scope in self.covering:
            if identity is not None and scope.provider != identity.provider:
                continue
            if scope.accounts:
                if identity is not None and identity.account in scope.accounts:
                    return True
            elif identity_id in self.sessions:
                return True
        return False


@dataclass(frozen=True, slots=True)
class Attribution:
    """The agents and their claims, for telling whose a session is."""

    agents: Mapping[str, Agent]
    claims: Claims

    def sessions(
        self, agent: str, identities: tuple[str, ...], index: ActivityIndex
    ) -> Iterator[AttributedSession]:
        """The sessions of the agent's identities its selectors admit; those another agent's
        selectors also admit, or that a selector cannot decide, are ``UNKNOWN``."""
        for identity in identities:
            for summary in index.of_identity(identity):
                mine = self.verdict(agent, identity, summary)
                if mine is Verdict.NOT_MINE:
                    continue
                others = tuple(
                    other
                    for other in self.claims.agents_of.get(identity, ())
                    if other != agent and self.admits(other, identity, summary)
                )
                verdict = Verdict.MINE if mine is Verdict.MINE and not others else Verdict.UNKNOWN
                yield AttributedSession(summary=summary, verdict=verdict, shared_with=others)

    def admits(self, agent: str, identity: str, summary: ActivitySummary) -> bool:
        return self.verdict(agent, identity, summary) is not Verdict.NOT_MINE

    def verdict(self, agent: str, identity: str, summary: ActivitySummary) -> Verdict:
        """The most favourable verdict of the agent's references that matched the identity
        (an identity claimed twice is the agent's when either reference admits the session)."""
        declared = self.agents.get(agent)
        refs = declared.identities if declared is not None else ()
        verdicts = [
            selects(ref.session, summary)
            for index, ref in enumerate(refs)
            if identity in self.claims.matched.get((agent, index), ())
        ]
        return max(verdicts, key=_RANK.__getitem__, default=Verdict.MINE)

"""Outcomes into Exposures: one per distinct secret (its hash) per repository.

A secret's origin is its earliest occurrence (the item first seen, then the line); its
locations are every "path:line" where it is now (HEAD's tree, the index, the files). Secrets
found in ``prior`` items (content from before the scanned range) are not new: they are dropped.
The secret itself stays in memory here only until the Exposures are built.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from nhiscan.connectors.git.config import Verifier
from nhiscan.connectors.git.secrets.exposure import exposure_of
from nhiscan.connectors.git.secrets.match import Match, combined
from nhiscan.connectors.git.secrets.redact import secret_hash
from nhiscan.connectors.git.work import Outcome
from nhiscan.rules.secrets_meta import severity_of
from nhiscan.scanner.model import Exposure, Provider
from nhiscan.scanner.secrets_judge import Verdict, judged


@dataclass(frozen=True, slots=True)
class CommitInfo:
    commit: str
    author: str | None
    committed_at: datetime | None


@dataclass(slots=True)
class _Found:
    match: Match
    first: tuple[int, int]  # (item seq, line)
    path: str
    line: int
    commit: int | None
    here: set[tuple[str, int]] = field(default_factory=set)


class Findings:
    def __init__(self) -> None:
        self._found: dict[str, _Found] = {}
        self._prior: set[str] = set()

    def add(self, outcome: Outcome, here: Sequence[str]) -> None:
        """Record an outcome's matches; ``here``: the paths its content has now."""
        item = outcome.item
        for match in outcome.matches:
            digest = secret_hash(match.secret)
            if item.prior:
                self._prior.add(digest)
                continue
            first = (item.seq, match.line)
            found = self._found.get(digest)
            if found is None:
                found = _Found(match, first, item.path, match.line, item.commit)
                self._found[digest] = found
            else:
                found.match = merged(found.match, match)
                if first < found.first:
                    found.first, found.path, found.line = first, item.path, match.line
                    found.commit = item.commit
            found.here.update((path, match.line) for path in here)

    def commits(self) -> set[int]:
        """The commits (indexes) that introduced a new secret."""
        return {
            f.commit
            for digest, f in self._found.items()
            if f.commit is not None and digest not in self._prior
        }

    def exposures(
        self,
        repository: str,
        commits: Mapping[int, CommitInfo],
        verifier: Verifier | None,
    ) -> Iterable[Exposure]:
        fresh = [f for digest, f in self._found.items() if digest not in self._prior]
        for found in sorted(fresh, key=lambda f: f.first):
            info = commits.get(found.commit) if found.commit is not None else None
            exposure = exposure_of(
                found.match,
                repository=repository,
                path=found.path,
                line=found.line,
                commit=info.commit if info else None,
                author=info.author if info else None,
                committed_at=info.committed_at if info else None,
                at_head=bool(found.here),
                locations=[f"{path}:{line}" for path, line in sorted(found.here)],
            )
            yield verified(exposure, found.match, verifier)
        self._found.clear()  # the secrets go as soon as their exposures exist


def merged(kept: Match, other: Match) -> Match:
    """One secret found by several detectors or in several places: the most specific detector
    names it (of two as specific, the first by name, so the result never depends on which
    place a worker reported first), every detector is listed, what one occurrence knew is
    kept. Its traits are those of the place where the naming detector's judgement is the most
    severe: a judgement that lowers a finding (a placeholder user, a loopback host, a format
    rejected where it is written) must hold wherever that detector saw the secret, so one
    place where it does not keeps the finding severe; two places judged as severe share what
    they both hold. A place where only a less specific detector found it (the same password
    after ``PASSWORD =``, without the URL's user and host) says nothing about what the naming
    detector judged, and is judged lower anyway."""
    ahead = (other.rank, kept.detector) > (kept.rank, other.detector)
    best, rest = (other, kept) if ahead else (kept, other)
    detectors = tuple(dict.fromkeys(best.detectors + rest.detectors))
    if rest.detector == best.detector:
        traits = severest(best.detector, best.traits, rest.traits)
    else:
        traits = best.traits
    if (
        detectors == best.detectors
        and (best.paired_secret or not rest.paired_secret)
        and traits == best.traits
    ):
        return best
    return replace(combined(best, rest), traits=traits)


def severest(detector: str, one: tuple[str, ...], other: tuple[str, ...]) -> tuple[str, ...]:
    """Of two places' traits, those the detector's judgement (paths aside) is more severe by:
    a place whose password is a sample everyone knows (dropped) and one where the same word
    sits on a deployed host (lowered to low) are judged by the second. As severe: what both
    hold, if that is judged as severe too, else the first in order (never which place a
    worker reported first)."""
    if one == other:
        return one
    base = severity_of(detector)
    shared = tuple(t for t in one if t in other)
    ranks = [_rank(judged(detector, base, t, ())) for t in (one, other, shared)]
    if ranks[0] != ranks[1]:
        return one if ranks[0] > ranks[1] else other
    return shared if ranks[2] == ranks[0] else min(one, other)


def _rank(verdict: Verdict) -> int:
    return -1 if verdict.severity is None else verdict.severity.rank


def verified(exposure: Exposure, match: Match, verifier: Verifier | None) -> Exposure:
    """Ask ``verifier`` about an AWS key found with its secret key; a verifier that raises
    gives "error" with the exception's type (never its message: it might quote the key)."""
    if verifier is None or match.provider is not Provider.AWS or not match.paired_secret:
        return exposure
    try:
        status, identity, detail = verifier(match)
    except Exception as exc:  # the verifier is another component: it must not end the scan
        status, identity, detail = "error", None, f"verifier failed: {type(exc).__name__}"
    return replace(
        exposure, verification=status, verified_identity=identity, verification_detail=detail
    )

"""Which sessions of an identity are an agent's (issue #19): an agent file's session selector
(``source_identity``, ``session_name``, ``session_tags`` on an identity reference) against the
sessions the audit trail recorded (``scanner/activity.py``). Two agents that assume one role are
told apart where the trail carries what the selectors test, and said to be indistinguishable
where it does not (``Verdict.UNKNOWN``: the session carries none of the tested values)."""

from __future__ import annotations

from enum import StrEnum

from nhiscan.scanner.activity import ActivitySummary
from nhiscan.scanner.agents.model import SessionSelector
from nhiscan.scanner.glob import glob_match


class Verdict(StrEnum):
    MINE = "mine"  # every tested value is recorded and matches
    NOT_MINE = "not-mine"  # a recorded value differs
    UNKNOWN = "unknown"  # nothing refutes it, but a tested value was not recorded


def selects(selector: SessionSelector | None, session: ActivitySummary) -> Verdict:
    """Whether ``session`` is the agent's. No selector: every session of the identity is.

    The recorded session name is a pattern (run-specific parts already ``*``: "intake-b-*"),
    so the selector's glob is matched against it as text: ``intake-b-*`` matches the recorded
    ``intake-b-*`` and not ``intake-a-*``. A value the session did not record (no source
    identity set, no tags) is unknown, never a match: the trail cannot say whose it is."""
    if selector is None:
        return Verdict.MINE
    answers: list[bool | None] = []
    if selector.source_identity is not None:
        answers.append(_equal(selector.source_identity, session.source_identity))
    if selector.session_name is not None:
        name = session.session_name
        answers.append(None if name is None else glob_match(selector.session_name, name))
    for key, value in selector.session_tags.items():
        answers.append(_equal(value, session.session_tags.get(key)))
    if False in answers:
        return Verdict.NOT_MINE
    return Verdict.UNKNOWN if None in answers else Verdict.MINE


def _equal(wanted: str, recorded: str | None) -> bool | None:
    return None if recorded is None else wanted == recorded

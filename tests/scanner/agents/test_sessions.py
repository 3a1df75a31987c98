"""Session selectors on an agent's identity (issue #19): which sessions of a role that several
agents assume are this agent's. Read with their line, refused like every other key (and by the
JSON Schema), and matched against the sessions the audit trail recorded: a recorded value that
differs says "not mine"; one the trail did not record says "unknown", never "mine"."""

from __future__ import annotations

from datetime import UTC, datetime

import jsonschema
import pytest
import yaml

from nhiscan.scanner.activity import ActivitySummary
from nhiscan.scanner.agents.model import SessionSelector
from nhiscan.scanner.agents.schema import agents_schema
from nhiscan.scanner.agents.sessions import Verdict, selects
from nhiscan.scanner.model import Provider
from tests.factories import parse_agents, vocabularies
from tests.scanner.agents.test_external import agent_with, assert_refused

ROLE = "arn:aws:iam::123456789012:role/intake"
VALIDATOR = jsonschema.Draft202012Validator(agents_schema(vocabularies()))
WHEN = datetime(2026, 11, 1, tzinfo=UTC)


def test_the_three_selectors_are_read_with_the_identity() -> None:
    text = agent_with(
        f"{{id: '{ROLE}', source_identity: intake-b, session_name: 'intake-b-*', "
        "session_tags: {agent: intake-b, team: lending}}"
    )
    (agent,) = parse_agents(text, file="agents.yaml")
    (ref,) = agent.identities
    assert ref.value == ROLE and ref.where.line == 5
    assert ref.session == SessionSelector(
        source_identity="intake-b",
        session_name="intake-b-*",
        session_tags={"agent": "intake-b", "team": "lending"},
    )
    assert ref.describe() == (
        f"id {ROLE} (source identity intake-b, session name intake-b-*, session tag "
        "agent=intake-b, session tag team=lending)"
    )
    assert VALIDATOR.is_valid(yaml.safe_load(text))
    (plain,) = parse_agents(agent_with(ROLE), file="agents.yaml")[0].identities
    assert plain.session is None


BAD = [
    (f"{{id: '{ROLE}', source_identity: [a, b]}}", "`source_identity` must be text"),
    (f"{{id: '{ROLE}', session_name: ''}}", "`session_name` must not be empty"),
    (f"{{id: '{ROLE}', session_tags: intake-b}}", "`session_tags` must be a mapping"),
    (f"{{id: '{ROLE}', session_tags: {{}}}}", "`session_tags` names no tag"),
    (f"{{id: '{ROLE}', session_tag: {{agent: b}}}}", "unknown key 'session_tag'"),
]


@pytest.mark.parametrize(("identity", "message"), BAD)
def test_a_bad_selector_is_refused_at_its_line_and_by_the_schema(
    identity: str, message: str
) -> None:
    assert_refused(identity, message)


def session(**kw: object) -> ActivitySummary:
    return ActivitySummary(
        provider=Provider.AWS,
        identity=ROLE,
        principal=f"{ROLE}/session",
        account="123456789012",
        first_seen=WHEN,
        last_seen=WHEN,
        count=1,
        **kw,  # type: ignore[arg-type]
    )


B = SessionSelector(source_identity="intake-b")
NAMED = SessionSelector(session_name="intake-b-*")
TAGGED = SessionSelector(session_tags={"agent": "b"})


@pytest.mark.parametrize(
    ("selector", "recorded", "verdict"),
    [
        (None, {}, Verdict.MINE),
        (B, {"source_identity": "intake-b"}, Verdict.MINE),
        (B, {"source_identity": "intake-a"}, Verdict.NOT_MINE),
        (B, {}, Verdict.UNKNOWN),
        (NAMED, {"session_name": "intake-b-*"}, Verdict.MINE),
        (NAMED, {"session_name": "intake-a-*"}, Verdict.NOT_MINE),
        (TAGGED, {"session_tags": {"agent": "b"}}, Verdict.MINE),
        (TAGGED, {"session_tags": {"agent": "a"}}, Verdict.NOT_MINE),
        (TAGGED, {"session_tags": {"team": "x"}}, Verdict.UNKNOWN),
        # every tested value must hold: one that differs refutes the rest
        (SessionSelector(source_identity="intake-b", session_name="intake-b-*"),
         {"source_identity": "intake-b", "session_name": "intake-a-*"}, Verdict.NOT_MINE),
        (SessionSelector(source_identity="intake-b", session_tags={"agent": "b"}),
         {"source_identity": "intake-b"}, Verdict.UNKNOWN),
    ],
)  # fmt: skip
def test_a_session_is_the_agents_only_when_every_recorded_value_matches(
    selector: SessionSelector | None, recorded: dict[str, object], verdict: Verdict
) -> None:
    assert selects(selector, session(**recorded)) is verdict

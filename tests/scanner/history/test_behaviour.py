"""Behaviour drift, pure: what is new between two stored runs of an agent, what a plan change
explains, what cannot be compared; which sessions are the agent's; NHI706 over it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from nhiscan.rules.agent_behaviour import AgentBehaviourChanged
from nhiscan.scanner.agents.model import SessionSelector
from nhiscan.scanner.history.behaviour import ItemKind, PreviousBehaviour, agent_sessions, compare
from nhiscan.scanner.model import Finding, Severity
from tests.factories import days_ago
from tests.rules.behaviour_fixtures import (
    DELETE,
    DELETES,
    HOME_IP,
    NEW_IP,
    READ,
    USUAL,
    WithBehaviour,
    session,
    use,
    with_behaviour,
)

DOCS = "arn:aws:s3:::docs/*"
LEDGER = "arn:aws:s3:::ledger/*"


def stored(uses: list[str], *, plan: str = "p1", needs: tuple[str, ...] = (),
           ips: tuple[str, ...] = (), flagged: tuple[str, ...] = ()) -> dict[str, Any]:  # fmt: skip
    return {
        "name": "a",
        "plan_hash": plan,
        "needs": list(needs),
        "behaviour": {"uses": uses, "source_ips": list(ips), "user_agents": []},
        "flagged": list(flagged),
    }


def items(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, bool, bool]]:
    change = compare(before, after, name="a")
    assert change is not None
    return [(i.kind.value, i.value, i.explained, i.carried) for i in change.items]


def test_new_actions_resources_and_addresses_are_found_and_nothing_else() -> None:
    before = stored([f"s3:GetObject {DOCS}"], ips=(HOME_IP,))
    after = stored([f"s3:GetObject {DOCS}", f"s3:GetObject {LEDGER}", f"s3:PutObject {DOCS}"],
                   ips=(HOME_IP, NEW_IP))  # fmt: skip
    assert items(before, after) == [
        ("action", "s3:PutObject", False, False),
        ("resource", LEDGER, False, False),
        ("source-ip", NEW_IP, False, False),
    ]
    assert items(after, after) == []


def test_a_plan_change_explains_only_what_the_new_plan_needs() -> None:
    before = stored([f"s3:GetObject {DOCS}"], plan="p1")
    uses = [f"s3:GetObject {DOCS}", f"s3:PutObject {DOCS}", f"s3:GetObject {LEDGER}"]
    after = stored(uses, plan="p2", needs=("s3:GetObject arn:aws:s3:::docs/*", f"s3:Put* {DOCS}"))
    assert items(before, after) == [
        ("action", "s3:PutObject", True, False),
        ("resource", LEDGER, False, False),
    ]
    # The same needs without a plan change explain nothing: the plan did not change to allow it.
    assert [i[2] for i in items(before, {**after, "plan_hash": "p1"})] == [False, False]


def test_flagged_items_are_carried_while_seen_and_not_explained() -> None:
    before = stored(
        [f"s3:PutObject {DOCS}"],
        ips=(NEW_IP,),
        flagged=("action s3:PutObject", f"source-ip {NEW_IP}", "action s3:Gone"),
    )
    after = stored([f"s3:PutObject {DOCS}"], ips=(NEW_IP,))
    assert items(before, after) == [
        ("action", "s3:PutObject", False, True),
        ("source-ip", NEW_IP, False, True),
    ]
    planned = {**after, "plan_hash": "p2", "needs": [f"s3:PutObject {DOCS}"]}
    assert items(before, planned) == [("source-ip", NEW_IP, False, True)]


def test_a_run_without_behaviour_is_not_comparable() -> None:
    old_format = {"name": "a", "identities": [], "granted": None, "score": None}
    no_trail = {**stored([]), "behaviour": None}
    for before in (None, old_format, no_trail):
        assert compare(before, stored([f"s3:GetObject {DOCS}"]), name="a") is None
    assert compare(stored([]), old_format, name="a") is None


def test_the_agents_sessions_are_those_its_selectors_admit() -> None:
    fixture = with_behaviour(USUAL, DELETES)
    ctx = fixture.context()
    assert ctx.agents is not None
    (result,) = ctx.agents.results
    activity = fixture.estate.snapshot.activity
    matched = ctx.agents.claims.matched
    assert len(agent_sessions(result, activity, matched)) == 2
    ref = replace(result.agent.identities[0], session=SessionSelector(session_name="bh-loan-cli-*"))
    narrowed = replace(result, agent=replace(result.agent, identities=(ref,)))
    assert agent_sessions(narrowed, activity, matched) == [DELETES]


def _findings(fixture: WithBehaviour, previous: PreviousBehaviour | None = None) -> list[Finding]:
    ctx = fixture.context()
    if previous is not None:
        ctx = replace(ctx, previous_behaviour=previous)
    return list(AgentBehaviourChanged().evaluate(fixture.estate, ctx))


def test_a_new_write_is_high_and_names_its_events() -> None:
    (finding,) = _findings(with_behaviour(USUAL, DELETES))
    assert finding.severity is Severity.HIGH
    assert finding.evidence["writes_or_permissions"] == ["s3:DeleteObject"]
    assert [e["id"] for e in finding.evidence["events"]] == ["ev-delete"]
    assert finding.evidence["previous_run"] == 1


def test_a_read_from_a_new_address_alone_is_medium() -> None:
    elsewhere = session(
        use("s3:GetObject", event_id="ev-away", when=days_ago(1)),
        ips=(NEW_IP,),
        agents=("loan-review/1.4 Boto3/1.34.0",),
        name="x-*",
    )
    (finding,) = _findings(with_behaviour(USUAL, elsewhere))
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["flagged"] == [f"source-ip {NEW_IP}"]
    assert [e["id"] for e in finding.evidence["events"]] == ["ev-away"]


def test_a_standing_deviation_keeps_its_fingerprint() -> None:
    (first,) = _findings(with_behaviour(USUAL, DELETES))
    carried = with_behaviour(USUAL, DELETES, before=(USUAL, DELETES),
                             flagged=tuple(first.evidence["flagged"]))  # fmt: skip
    (again,) = _findings(carried)
    assert again.fingerprint == first.fingerprint
    assert all(i["since_before"] for i in again.evidence["unexplained"])
    assert _findings(with_behaviour(USUAL, DELETES, before=(USUAL, DELETES))) == []


def test_nothing_is_judged_without_a_comparable_previous_run() -> None:
    fixture = with_behaviour(USUAL, DELETES)
    assert _findings(fixture, PreviousBehaviour(note="no previous run")) == []
    assert _findings(with_behaviour(USUAL, DELETES, before=None)) == []
    explained = with_behaviour(USUAL, DELETES, steps=(READ, DELETE), steps_before=(READ,))
    (finding,) = _findings(explained)
    assert {i["kind"] for i in finding.evidence["unexplained"]} == {
        ItemKind.SOURCE_IP.value,
        ItemKind.USER_AGENT.value,
    }
    assert finding.evidence["explained_by_plan_change"][0]["value"] == "s3:DeleteObject"
    assert finding.severity is Severity.MEDIUM


def test_the_drift_carries_what_is_new_and_says_what_is_not_comparable() -> None:
    from nhiscan.app.history import holdings
    from nhiscan.scanner.history.drift import drift
    from tests.scanner.history.test_drift import _run

    old_format = {"name": "a", "identities": [], "granted": None, "score": None}
    before, after = stored([f"s3:GetObject {DOCS}"]), stored([f"s3:PutObject {DOCS}"])
    change = drift(_run(1, agents=[before]), _run(2, agents=[after]), held=holdings())
    assert not change.empty
    assert [(i.kind, i.value) for i in change.behaviour[0].items] == [
        (ItemKind.ACTION, "s3:PutObject")
    ]
    unknown = drift(_run(1, agents=[old_format]), _run(2, agents=[after]), held=holdings())
    assert unknown.empty and unknown.behaviour_not_comparable == ("a",)
    neither = drift(_run(1, agents=[old_format]), _run(2, agents=[old_format]), held=holdings())
    assert neither.empty and neither.behaviour_not_comparable == ()
    carried = stored([f"s3:PutObject {DOCS}"], flagged=("action s3:PutObject",))
    standing = drift(_run(1, agents=[carried]), _run(2, agents=[after]), held=holdings())
    assert standing.empty

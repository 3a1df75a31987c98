"""Behaviour drift between two runs recorded in a real store (SQLite and PostgreSQL): the
previous run's stored behaviour read before the rules (NHI706), and the drift the reports show.

Run 1: the agent reads its documents from its usual address. Run 2: it also deletes them from a
new address with a new client."""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from datetime import timedelta
from html import escape as html_escape

import sqlalchemy as sa

from nhiscan.app.config import Settings
from nhiscan.app.history import record_scan
from nhiscan.app.pipeline import analyze
from nhiscan.reports.html import HtmlReporter
from nhiscan.reports.json import report_document
from nhiscan.scanner.activity import ActivitySummary
from nhiscan.scanner.agents.model import AgentFile
from nhiscan.scanner.history.view import HistoryView
from nhiscan.store import open_store
from nhiscan.store.history import previous_behaviour
from nhiscan.store.store import Store
from nhiscan.store.tables import runs
from tests.factories import NOW, snapshot
from tests.factories import days_ago as ago
from tests.rules.behaviour_fixtures import (
    DELETE,
    DELETES,
    GRANT,
    HOME_IP,
    HOME_UA,
    NEW_IP,
    READ,
    ROLE,
    SCOPE,
    USUAL,
    agents,
    session,
    use,
)


def _scan(
    store: Store,
    *activity: ActivitySummary,
    plan: AgentFile,
    run: int,
    trail: bool = True,
) -> tuple[list[str], HistoryView, str | None]:
    """One scan recorded in ``store``: the NHI706 findings' titles, the history view, and the
    note on what the behaviour was compared with."""
    records = [ROLE, GRANT, *activity, *([SCOPE] if trail else [])]
    snap = snapshot(*records, collected_at=NOW + timedelta(days=run))
    previous = previous_behaviour(store, snap)
    report = analyze(snap, settings=Settings(), now=snap.collected_at, agents=plan,
                     previous=previous)  # fmt: skip
    at = snap.collected_at
    view = record_scan(store, report, started_at=at, finished_at=at + timedelta(minutes=1))
    titles = [f"{f.fingerprint} {f.title}" for f in report.findings if f.rule_id == "NHI706"]
    html = HtmlReporter().render(report, history=view).decode()
    document = report_document(report, view)["history"]["behaviour"]
    if previous.note is not None:  # the report says why nothing was judged (the HTML: when
        # there was a trail to judge; a scan without one says nothing of behaviour)
        assert (html_escape(previous.note, quote=True) in html) == trail
        assert document == {"compared_with": None, "note": previous.note}
    else:
        assert document == {"compared_with": previous.run, "note": None}
    return titles, view, previous.note


def test_a_new_write_from_a_new_address_with_the_plan_unchanged_is_flagged(store_url: str) -> None:
    store = open_store(store_url)
    try:
        first, view, note = _scan(store, USUAL, plan=agents(READ), run=1)
        assert first == [] and view.drift is None
        assert note is not None and "no previous run" in note
        second, view, note = _scan(store, USUAL, DELETES, plan=agents(READ), run=2)
        third, later, _ = _scan(store, USUAL, DELETES, plan=agents(READ), run=3)
    finally:
        store.close()
    assert note is None
    assert len(second) == 1 and "new action s3:DeleteObject" in second[0]
    assert f"new source IP {NEW_IP}" in second[0]
    assert view.drift is not None
    (change,) = view.drift.behaviour
    assert {(i.kind.value, i.value, i.explained) for i in change.items} == {
        ("action", "s3:DeleteObject", False),
        ("source-ip", NEW_IP, False),
        ("user-agent", "python-requests/2.31", False),
    }
    assert any("high" in line and "NHI706" in line for line in _lines(view))
    assert "agent behaviour (1 agents):" in _lines(view)
    # The deviation stands in the next run (the same finding, carried), and nothing is new.
    assert third == second
    assert later.drift is not None and later.drift.empty


def test_a_new_action_the_changed_plan_needs_is_explained(store_url: str) -> None:
    deletes_at_home = session(
        use("s3:DeleteObject", event_id="ev-d", when=ago(1)),
        ips=(HOME_IP,),
        agents=(HOME_UA,),
        name="bh-loan-cleanup-*",
    )
    store = open_store(store_url)
    try:
        _scan(store, USUAL, plan=agents(READ), run=1)
        found, view, _ = _scan(store, USUAL, deletes_at_home, plan=agents(READ, DELETE), run=2)
    finally:
        store.close()
    assert found == []
    assert view.drift is not None
    (change,) = view.drift.behaviour
    assert change.plan_changed
    assert [(i.kind.value, i.value, i.explained) for i in change.items] == [
        ("action", "s3:DeleteObject", True)
    ]


def test_the_same_new_action_without_the_plan_change_is_flagged(store_url: str) -> None:
    deletes_at_home = session(
        use("s3:DeleteObject", event_id="ev-d", when=ago(1)),
        ips=(HOME_IP,),
        agents=(HOME_UA,),
        name="bh-loan-cleanup-*",
    )
    store = open_store(store_url)
    try:
        _scan(store, USUAL, plan=agents(READ, DELETE), run=1)
        found, view, _ = _scan(store, USUAL, deletes_at_home, plan=agents(READ, DELETE), run=2)
    finally:
        store.close()
    assert len(found) == 1 and "new action s3:DeleteObject" in found[0]
    assert view.drift is not None
    assert [i.explained for i in view.drift.behaviour[0].items] == [False]


def test_a_run_recorded_before_behaviour_was_kept_is_not_comparable(store_url: str) -> None:
    store = open_store(store_url)
    try:
        _, first, _ = _scan(store, USUAL, plan=agents(READ), run=1)
        _forget_behaviour(store, first.run.id)
        found, view, note = _scan(store, USUAL, DELETES, plan=agents(READ), run=2)
    finally:
        store.close()
    assert found == []
    assert note is not None and "not comparable" in note
    assert view.drift is not None
    assert view.drift.behaviour == () and view.drift.behaviour_not_comparable == ("bh-loan",)
    assert "agent behaviour" not in "\n".join(_lines(view))


def test_a_previous_run_without_a_trail_is_not_comparable(store_url: str) -> None:
    store = open_store(store_url)
    try:
        _scan(store, USUAL, plan=agents(READ), run=1, trail=False)
        found, view, note = _scan(store, USUAL, DELETES, plan=agents(READ), run=2)
    finally:
        store.close()
    assert found == []
    assert note is not None and "not comparable" in note
    assert view.drift is not None and view.drift.behaviour_not_comparable == ("bh-loan",)


def _forget_behaviour(store: Store, run_id: int) -> None:
    """Rewrite a run's agents as nhiscan wrote them before it kept behaviour."""
    stored = store.agents(run_id) or []
    old = [{k: a[k] for k in ("name", "identities", "granted", "score")} for a in stored]
    with store.engine.begin() as db:
        db.execute(
            sa.update(runs)
            .where(runs.c.id == run_id)
            .values(agents=zlib.compress(json.dumps(old).encode()))
        )


def _lines(view: HistoryView) -> Sequence[str]:
    from nhiscan.reports.history import drift_text

    assert view.drift is not None
    return drift_text(view.drift).splitlines()

"""The history commands: recording a scan in the store and alerting on its new findings,
``nhiscan history`` (and ``prune``), and ``nhiscan diff`` (``watch`` is in ``app/watch``)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Set
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

import click

from nhiscan.app import notify
from nhiscan.app.options import Gate
from nhiscan.app.schedule import parse_every
from nhiscan.errors import ConfigError
from nhiscan.reports.history import drift_json, drift_text, history_json, history_text
from nhiscan.reports.model import Report
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.history.drift import Held, HeldIn, neutral_held
from nhiscan.scanner.history.view import HistoryView
from nhiscan.scanner.model import Identity
from nhiscan.scanner.provider import ProviderSet
from nhiscan.scanner.snapshot import Snapshot
from nhiscan.store.history import compare, recording
from nhiscan.store.record import run_record
from nhiscan.store.store import ENV_STORE, Store, open_store, redact


def open_history(gate: Gate) -> Store | None:
    """The store a scan will be recorded in, opened (and migrated) before it collects
    anything, so that a bad --store fails at once; None: the scan is not recorded.

    A store asked for (--store, $NHISCAN_STORE) that cannot be opened is an error. The default
    one (the user's data directory) that cannot be written, in a read-only container say, is
    not: the scan goes on unrecorded and says so, since its findings matter more than its
    history (a webhook, which needs the store, then makes it an error)."""
    if not gate.record:
        return None
    asked = gate.store is not None or bool(os.environ.get(ENV_STORE))
    try:
        return open_store(gate.store)
    except ConfigError as exc:
        if asked or gate.notify_webhook:
            raise
        click.echo(f"history: not recorded: {exc}", err=True)
        return None


@contextmanager
def recorded(
    store: Store,
    report: Report,
    gate: Gate,
    *,
    started: datetime,
    snapshot_json: str | None = None,
) -> Iterator[HistoryView]:
    """The report's history, for the block to write with it; the run is committed when the
    block ends normally, so a scan whose reports could not all be written, or that was
    interrupted, is never recorded. New findings are posted (--notify-webhook) after that.
    ``snapshot_json``: the report's snapshot as compact JSON, when the caller encoded it."""
    finished = datetime.now(UTC)
    with _recording(
        store, report, started_at=started, finished_at=finished, snapshot_json=snapshot_json
    ) as view:
        yield view
    click.echo(f"recorded run {view.run.id} in {redact(store.url)}", err=True)
    if gate.notify_webhook:
        _notify(store, view, report, gate)


def record_scan(
    store: Store, report: Report, *, started_at: datetime, finished_at: datetime
) -> HistoryView:
    """Record ``report``'s run at once; its history view."""
    with _recording(store, report, started_at=started_at, finished_at=finished_at) as view:
        return view


def _recording(
    store: Store,
    report: Report,
    *,
    started_at: datetime,
    finished_at: datetime,
    snapshot_json: str | None = None,
) -> AbstractContextManager[HistoryView]:
    record = run_record(
        report.snapshot,
        tool=report.tool,
        findings=report.findings,
        agents=report.agents,
        started_at=started_at,
        finished_at=finished_at,
        snapshot_json=snapshot_json,
    )
    return recording(store, record, report.snapshot, held=holdings(report.estate))


def holdings(current: Estate | None = None) -> HeldIn:
    """What drift compares per identity of a run: its provider's ``held``, asked of that
    provider's analysis of the run's estate (``current`` when it is this snapshot's, else built
    on the first question); an identity no analysis answers for holds its policies and groups."""

    def held_in(snap: Snapshot) -> Held:
        found: list[ProviderSet] = []

        def held(identity: Identity) -> Set[str]:
            if not found:
                found.append(_providers_of(snap, current))
            analysis = found[0].analysis(identity.provider)
            return analysis.held(identity) if analysis is not None else neutral_held(identity)

        return held

    return held_in


def _providers_of(snap: Snapshot, current: Estate | None) -> ProviderSet:
    """The providers of ``snap`` with their analyses (imported here: the history commands
    that compare nothing load no provider)."""
    from nhiscan.app.estates import estate_of
    from nhiscan.app.pipeline import provider_set

    estate = current if current is not None and current.snapshot is snap else estate_of(snap)
    return provider_set(estate)


def _notify(store: Store, view: HistoryView, report: Report, gate: Gate) -> None:
    """Post the run's new findings (since the previous run of its scope; all of them on the
    first run), not accepted in a baseline, at or above ``notify_on``. Never fails the scan."""
    assert gate.notify_webhook
    known = {f.fingerprint for f in report.baselined}
    if view.drift is not None:
        candidates = list(view.drift.new_findings)
    else:
        candidates = store.findings(view.run.id)
    new = [f for f in notify.at_least(candidates, gate.notify_on) if f.fingerprint not in known]
    if not new:
        click.echo(f"notify: no new finding at or above {gate.notify_on.value}", err=True)
        return
    target = notify.redacted_target(gate.notify_webhook)
    body = notify.payload(view.run, new, gate.notify_on, None)
    delivery = notify.post(gate.notify_webhook, body)
    store.record_delivery(
        view.run.id,
        target=target,
        attempts=delivery.attempts,
        status=delivery.status,
        detail=delivery.detail,
        findings=len(new),
    )
    verb = "posted" if delivery.status == "delivered" else "FAILED to post"
    click.echo(
        f"notify: {verb} {len(new)} new finding(s) to {target} ({delivery.detail}, "
        f"{delivery.attempts} attempt(s))",
        err=True,
    )


def run_history(store_url: str | None, *, scope: str | None, limit: int | None, fmt: str) -> str:
    store = open_store(store_url)
    try:
        runs = store.runs(scope=scope, limit=limit)
    finally:
        store.close()
    return history_json(runs) if fmt == "json" else history_text(runs)


def run_prune(store_url: str | None, *, keep: int | None, older_than: str | None) -> str:
    if keep is None and older_than is None:
        raise ConfigError("history prune: give --keep N or --older-than 30d (or both)")
    cutoff = None
    if older_than is not None:
        cutoff = datetime.now(UTC) - parse_every(older_than, option="--older-than").interval
    store = open_store(store_url)
    try:
        deleted = store.prune(keep=keep, older_than=cutoff)
    finally:
        store.close()
    return f"deleted {deleted} run(s) from {redact(store.url)}\n"


def run_diff(store_url: str | None, first: int | None, second: int | None, *, fmt: str) -> str:
    import json

    store = open_store(store_url)
    try:
        change = compare(store, first, second, held=holdings())
    finally:
        store.close()
    return json.dumps(drift_json(change), indent=2) + "\n" if fmt == "json" else drift_text(change)


__all__ = ["open_history", "record_scan", "recorded", "run_diff", "run_history", "run_prune"]

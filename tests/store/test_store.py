"""The history store on SQLite and on a real PostgreSQL server: runs written whole or not at
all, read back exactly, concurrent writers, retention, migrations."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze
from nhiscan.errors import ConfigError
from nhiscan.scanner import snapshot as snapshots
from nhiscan.store import open_store
from nhiscan.store.record import run_record, scope_of
from nhiscan.store.store import RunRecord
from nhiscan.store.tables import metadata
from tests.factories import NOW, access_key, days_ago, gap, role, snapshot, user


def _record(scope_suffix: str = "", *, users: int = 2) -> RunRecord:
    bots = [user(f"bot-{n}") for n in range(users)]
    keys = [access_key(b, created=days_ago(200)) for b in bots]
    snap = snapshot(*bots, *keys, role("orphan"), gap())
    if scope_suffix:
        snap = replace(snap, sources=(f"test{scope_suffix}",))
    report = analyze(snap, settings=Settings(), now=NOW)
    return run_record(
        report.snapshot,
        tool=report.tool,
        findings=report.findings,
        agents=report.agents,
        started_at=NOW - timedelta(minutes=1),
        finished_at=NOW,
    )


def test_a_run_reads_back_exactly(store_url: str) -> None:
    store = open_store(store_url)
    record = _record()
    run_id = store.record(record)
    summary = store.run(run_id)
    assert (summary.scope, summary.identities, summary.credentials) == (record.scope, 3, 2)
    assert summary.findings == len(record.findings) > 0
    assert summary.gaps == 1 and summary.finished_at == NOW
    assert dict(summary.by_severity) == dict(record.by_severity)
    assert sorted(store.findings(run_id), key=lambda f: f.fingerprint) == sorted(
        record.findings, key=lambda f: f.fingerprint
    )
    assert snapshots.from_json(store.snapshot_json(run_id)) == snapshots.from_json(
        record.snapshot_json
    )
    assert store.agents(run_id) is None
    store.close()


def test_runs_are_listed_newest_first_and_previous_is_per_scope(store_url: str) -> None:
    store = open_store(store_url)
    first = store.record(_record())
    other = store.record(_record("-other"))
    second = store.record(_record())
    assert [r.id for r in store.runs()] == [second, other, first]
    scope = _record().scope
    assert [r.id for r in store.runs(scope=scope)] == [second, first]
    previous = store.previous(scope, before=second)
    assert previous is not None and previous.id == first
    assert store.previous(scope, before=first) is None
    store.close()


def test_a_run_that_fails_midway_leaves_nothing(store_url: str) -> None:
    store = open_store(store_url)
    good = _record()
    broken = replace(good, findings=[*good.findings, good.findings[0]])  # a duplicate row
    with pytest.raises(sa.exc.IntegrityError):
        store.record(broken)
    assert store.runs() == []  # no half-written run
    with store.engine.connect() as db:
        assert db.execute(sa.text("SELECT count(*) FROM nhiscan_findings")).scalar() == 0
    store.close()


def _writer(url: str, count: int) -> None:
    store = open_store(url)
    for _ in range(count):
        store.record(_record())
    store.close()


def test_concurrent_writers_each_commit_whole_runs(store_url: str) -> None:
    open_store(store_url).close()  # migrated once; the writers race on the data, not the DDL
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(store_url, 5)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    store = open_store(store_url)
    runs = store.runs()
    assert len(runs) == 15
    assert all(len(store.findings(r.id)) == r.findings for r in runs)
    store.close()


def test_two_processes_creating_a_new_store_at_once_do_not_race(store_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(store_url, 1)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    assert len(open_store(store_url).runs()) == 2


def test_prune_keeps_the_newest_runs_of_each_scope_or_drops_old_ones(store_url: str) -> None:
    store = open_store(store_url)
    ids = [store.record(_record()) for _ in range(4)]
    other = store.record(_record("-other"))
    assert store.prune(keep=2) == 2
    assert sorted(r.id for r in store.runs()) == sorted([ids[2], ids[3], other])
    with store.engine.connect() as db:
        orphans = db.execute(
            sa.text("SELECT count(*) FROM nhiscan_findings WHERE run_id IN (:a, :b)"),
            {"a": ids[0], "b": ids[1]},
        ).scalar()
    assert orphans == 0
    assert store.prune(older_than=NOW - timedelta(days=1)) == 0
    assert store.prune(older_than=NOW + timedelta(days=1)) == 3
    assert store.runs() == []
    store.close()


def test_the_migrated_schema_is_the_declared_one(store_url: str) -> None:
    store = open_store(store_url)
    inspector = sa.inspect(store.engine)
    for table in metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name
    open_store(store_url).close()  # opening again migrates nothing and fails nothing
    assert "alembic_version" in inspector.get_table_names()
    store.close()


def test_deliveries_are_recorded_per_run(store_url: str) -> None:
    store = open_store(store_url)
    run_id = store.record(_record())
    store.record_delivery(run_id, target="https://hooks.example/…#ab", attempts=3,
                          status="failed", detail="HTTP 500", findings=2)  # fmt: skip
    (delivery,) = store.deliveries(run_id)
    assert (delivery["status"], delivery["attempts"], delivery["findings"]) == ("failed", 3, 2)
    store.close()


def test_a_bad_url_or_a_missing_run_is_a_clear_error(tmp_path: object) -> None:
    with pytest.raises(ConfigError, match="not a database URL"):
        open_store("no-such-scheme:/x")
    store = open_store("sqlite://")
    with pytest.raises(ConfigError, match="no run 42"):
        store.run(42)


def test_the_scope_is_the_accounts_and_repositories_covered() -> None:
    from tests.factories import account

    def scope(*sources: str, accounts: tuple[str, ...] = ()) -> str:
        snap = snapshot(*(account(a) for a in accounts))
        return scope_of(replace(snap, sources=sources))

    # The same account reached through a profile or an export is the same estate.
    by_profile = scope("aws:profile/prod", accounts=("111122223333",))
    by_export = scope("aws-gaad:/tmp/x.json", accounts=("111122223333",))
    assert by_profile == by_export == "aws:111122223333"
    assert scope("aws:default-chain", "git:/src/app", accounts=("2" * 12, "1" * 12)) == (
        "aws:111111111111,aws:222222222222,git:/src/app"
    )
    assert scope("aws-gaad:b.json", "aws-gaad:a.json") == "aws-gaad:a.json,aws-gaad:b.json"


def test_an_unwritable_default_store_leaves_the_scan_unrecorded_not_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from click.testing import CliRunner

    from nhiscan.cli import cli

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.delenv("NHISCAN_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "data"))  # cannot be created
    gaad = Path(__file__).parents[1] / "data" / "aws" / "gaad-small.json"
    out = tmp_path / "out"
    args = ["scan", "--aws-gaad", str(gaad), "--no-agents", "-o", str(out), "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "history: not recorded" in result.output
    assert json.loads((out / "report.json").read_text())["history"] is None
    # A store asked for explicitly is an error when it cannot be opened.
    asked = CliRunner().invoke(cli, [*args, "--store", f"sqlite:///{blocker / 'h.db'}"])
    assert asked.exit_code == 2 and "cannot open the store" in asked.output


def test_a_run_being_recorded_is_kept_only_when_its_block_ends(store_url: str) -> None:
    """``recording``: the block (a scan writing its reports) reads its own run through the
    store; nobody else sees it before the block ends, and a block that raises leaves none."""
    store, other = open_store(store_url), open_store(store_url)
    try:
        first = store.record(_record())
        with pytest.raises(OSError), store.recording(_record()) as pending:
            assert [run.id for run in store.runs()] == [pending, first]
            assert store.run(pending).findings > 0
            assert [run.id for run in other.runs()] == [first]
            raise OSError("the reports could not be written")
        assert [run.id for run in other.runs()] == [first]
        with store.recording(_record()) as kept:
            pass
        assert [run.id for run in other.runs()] == [kept, first]
    finally:
        store.close()
        other.close()

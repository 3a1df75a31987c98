"""``Store``: the scan history in a database, SQLite by default, PostgreSQL by URL.

A run is written in one transaction (its row, findings and gaps), so a scan that crashes leaves
no half-written run visible, and concurrent scans each commit whole runs: SQLite waits for the
writer lock (WAL journal, busy timeout), PostgreSQL isolates transactions. The schema is kept by
Alembic migrations, applied on open under a lock (a file lock for SQLite, an advisory lock for
PostgreSQL) so two processes opening a new store do not race.
"""

from __future__ import annotations

import fcntl
import json
import os
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from nhiscan.errors import ConfigError
from nhiscan.scanner.history.records import RunSummary, StoredFinding
from nhiscan.store import tables as t

ENV_STORE = "NHISCAN_STORE"
SQLITE_TIMEOUT_S = 60
ADVISORY_LOCK = 0x6E686973  # "nhis": serialises migrations on PostgreSQL


def default_store_url() -> str:
    """$NHISCAN_STORE, else a SQLite file in the user's data directory
    ($XDG_DATA_HOME/nhiscan/history.db, by default ~/.local/share/nhiscan/history.db)."""
    if os.environ.get(ENV_STORE):
        return os.environ[ENV_STORE]
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'nhiscan' / 'history.db'}"


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRecord:
    """What ``record`` writes: a finished scan, shaped by ``nhiscan.store.record``."""

    scope: str
    sources: tuple[str, ...]
    started_at: datetime
    finished_at: datetime
    tool_version: str
    catalog_date: str | None
    identities: int
    credentials: int
    by_severity: Mapping[str, int]
    snapshot_json: str
    agents: Sequence[Mapping[str, Any]] | None
    findings: Sequence[StoredFinding]
    gaps: Sequence[Mapping[str, str]]


class Store:
    def __init__(self, engine: sa.Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._pending: sa.Connection | None = None  # the transaction of ``recording``

    # --- writing ---------------------------------------------------------------------------

    def record(self, run: RunRecord) -> int:
        """Write a whole run in one transaction; returns its id."""
        with self.recording(run) as ident:
            return ident

    @contextmanager
    def recording(self, run: RunRecord) -> Iterator[int]:
        """Write a whole run in a transaction that commits when the block ends normally and
        rolls back when it raises (reports that could not be written, an interrupt): no one
        else sees the run before then, while this store's reads in the block do. A scan writes
        its reports in the block. SQLite writers wait meanwhile (the readers do not)."""
        with self.engine.begin() as db:
            run_id = db.execute(sa.insert(t.runs).values(**_run_row(run))).inserted_primary_key
            assert run_id is not None
            ident = int(run_id[0])
            if run.findings:
                db.execute(sa.insert(t.findings), [_finding_row(ident, f) for f in run.findings])
            if run.gaps:
                db.execute(sa.insert(t.gaps), [{"run_id": ident, **g} for g in run.gaps])
            self._pending = db
            try:
                yield ident
            finally:
                self._pending = None

    @contextmanager
    def _connect(self) -> Iterator[sa.Connection]:
        """The open ``recording`` transaction, else a new connection."""
        if self._pending is not None:
            yield self._pending
            return
        with self.engine.connect() as db:
            yield db

    def record_delivery(
        self, run_id: int, *, target: str, attempts: int, status: str, detail: str, findings: int
    ) -> None:
        with self.engine.begin() as db:
            db.execute(
                sa.insert(t.deliveries).values(
                    run_id=run_id,
                    target=target,
                    at=datetime.now(UTC),
                    attempts=attempts,
                    status=status,
                    detail=detail,
                    findings=findings,
                )
            )

    def prune(self, *, keep: int | None = None, older_than: datetime | None = None) -> int:
        """Delete runs beyond the newest ``keep`` of each scope, or started before
        ``older_than``; returns how many runs were deleted (with their findings and gaps)."""
        doomed: set[int] = set()
        with self.engine.begin() as db:
            rows = db.execute(sa.select(t.runs.c.id, t.runs.c.scope, t.runs.c.started_at)
                              .order_by(t.runs.c.id.desc())).all()  # fmt: skip
            seen: dict[str, int] = {}
            for run_id, scope, started in rows:
                seen[scope] = seen.get(scope, 0) + 1
                if keep is not None and seen[scope] > keep:
                    doomed.add(run_id)
                if older_than is not None and _aware(started) < older_than:
                    doomed.add(run_id)
            for table in (t.findings, t.gaps, t.deliveries):
                db.execute(sa.delete(table).where(table.c.run_id.in_(doomed)))
            db.execute(sa.delete(t.runs).where(t.runs.c.id.in_(doomed)))
        return len(doomed)

    # --- reading ---------------------------------------------------------------------------

    def runs(self, *, scope: str | None = None, limit: int | None = None) -> list[RunSummary]:
        """Runs, newest first."""
        query = sa.select(*_SUMMARY_COLUMNS).order_by(t.runs.c.id.desc())
        if scope is not None:
            query = query.where(t.runs.c.scope == scope)
        if limit is not None:
            query = query.limit(limit)
        with self._connect() as db:
            return [_summary(row) for row in db.execute(query)]

    def run(self, run_id: int) -> RunSummary:
        with self._connect() as db:
            row = db.execute(sa.select(*_SUMMARY_COLUMNS).where(t.runs.c.id == run_id)).first()
        if row is None:
            raise ConfigError(f"{redact(self.url)}: no run {run_id} in the store")
        return _summary(row)

    def snapshot_json(self, run_id: int) -> str:
        with self._connect() as db:
            blob = db.execute(sa.select(t.runs.c.snapshot).where(t.runs.c.id == run_id)).scalar()
        if blob is None:
            raise ConfigError(f"{redact(self.url)}: no run {run_id} in the store")
        return zlib.decompress(blob).decode()

    def agents(self, run_id: int) -> list[dict[str, Any]] | None:
        with self._connect() as db:
            blob = db.execute(sa.select(t.runs.c.agents).where(t.runs.c.id == run_id)).scalar()
        return None if blob is None else list(json.loads(zlib.decompress(blob)))

    def findings(self, run_id: int) -> list[StoredFinding]:
        columns = [t.findings.c[n] for n in ("fingerprint", "rule_id", "severity", "subject",
                                              "title", "agent")]  # fmt: skip
        query = sa.select(*columns).where(t.findings.c.run_id == run_id)
        with self._connect() as db:
            return [StoredFinding(**row._mapping) for row in db.execute(query)]

    def deliveries(self, run_id: int) -> list[dict[str, Any]]:
        query = sa.select(t.deliveries).where(t.deliveries.c.run_id == run_id)
        with self._connect() as db:
            return [dict(row._mapping) for row in db.execute(query.order_by(t.deliveries.c.id))]

    def previous(self, scope: str, before: int | None = None) -> RunSummary | None:
        """The latest run of ``scope`` (before run ``before`` when given)."""
        query = sa.select(*_SUMMARY_COLUMNS).where(t.runs.c.scope == scope)
        if before is not None:
            query = query.where(t.runs.c.id < before)
        with self._connect() as db:
            row = db.execute(query.order_by(t.runs.c.id.desc()).limit(1)).first()
        return None if row is None else _summary(row)

    def close(self) -> None:
        self.engine.dispose()


_SUMMARY_COLUMNS = [c for c in t.runs.c if c.name not in ("snapshot", "agents")]


def _summary(row: Any) -> RunSummary:
    data = dict(row._mapping)
    return RunSummary(
        id=int(data["id"]),
        scope=data["scope"],
        sources=tuple(json.loads(data["sources"])),
        started_at=_aware(data["started_at"]),
        finished_at=_aware(data["finished_at"]),
        tool_version=data["tool_version"],
        catalog_date=data["catalog_date"],
        identities=data["identities"],
        credentials=data["credentials"],
        findings=data["findings"],
        gaps=data["gaps"],
        by_severity=json.loads(data["by_severity"]),
    )


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; the store writes UTC only."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _run_row(run: RunRecord) -> dict[str, Any]:
    agents = None
    if run.agents is not None:
        agents = zlib.compress(json.dumps(list(run.agents), separators=(",", ":")).encode())
    return {
        "scope": run.scope,
        "sources": json.dumps(list(run.sources)),
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "tool_version": run.tool_version,
        "catalog_date": run.catalog_date,
        "identities": run.identities,
        "credentials": run.credentials,
        "findings": len(run.findings),
        "gaps": len(run.gaps),
        "by_severity": json.dumps(dict(run.by_severity), sort_keys=True),
        "snapshot": zlib.compress(run.snapshot_json.encode(), 6),
        "agents": agents,
    }


def _finding_row(run_id: int, finding: StoredFinding) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "fingerprint": finding.fingerprint,
        "rule_id": finding.rule_id,
        "severity": finding.severity,
        "subject": finding.subject,
        "title": finding.title,
        "agent": finding.agent,
    }


# --- opening -------------------------------------------------------------------------------


def open_store(url: str | None = None) -> Store:
    """Open (creating and migrating when needed) the store at ``url``."""
    url = url or default_store_url()
    try:
        engine = _engine(url)
        with _migration_lock(engine, url), engine.begin() as db:
            migrate(db)
    except sa.exc.ArgumentError as exc:
        raise ConfigError(f"--store {redact(url)}: not a database URL ({exc})") from exc
    except sa.exc.OperationalError as exc:
        raise ConfigError(f"--store {redact(url)}: cannot open the store: {exc.orig}") from exc
    except OSError as exc:  # the store's folder cannot be created or written
        raise ConfigError(f"--store {redact(url)}: cannot open the store: {exc}") from exc
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"--store {redact(url)}: the database driver {exc.name!r} is not installed "
            "(pip install 'nhiscan[postgres]' for PostgreSQL)"
        ) from exc
    return Store(engine, url)


def _engine(url: str) -> sa.Engine:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_TIMEOUT_S})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    return sa.create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_TIMEOUT_S * 1000}")
    cursor.close()


@contextmanager
def _migration_lock(engine: sa.Engine, url: str) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as db:
            db.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK})
            try:
                yield
            finally:
                db.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK})
                db.commit()
        return
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate(connection: sa.Connection) -> None:
    """Bring the schema to the newest migration (Alembic, on this connection)."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("nhiscan.store") / "migrations"))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def redact(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparsable store URL>"

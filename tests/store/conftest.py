"""Stores for the store tests: a SQLite file, and a database on a real PostgreSQL server.

The server is the one `.ci/run` starts (its URL in NHISCAN_TEST_POSTGRES_URL), else one this
session starts from Debian's packages (tests/pg_server.py). Without PostgreSQL installed the
PostgreSQL cases are skipped, unless NHISCAN_POSTGRES_TESTS=1 (CI) makes that a failure.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import pg_server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    given = os.environ.get("NHISCAN_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    if pg_server.binaries() is None:
        if os.environ.get("NHISCAN_POSTGRES_TESTS") == "1":
            pytest.fail("PostgreSQL is not installed and NHISCAN_POSTGRES_TESTS=1")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="nhiscan-pg-"))
    try:
        yield pg_server.start(root)
    finally:
        pg_server.stop(root)


def _fresh_database(server: str) -> str:
    """A new, empty database on the server, for one test."""
    name = f"nhiscan_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")  # fmt: skip
    with admin.connect() as db:
        db.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    server: str = request.getfixturevalue("postgres_server")
    return _fresh_database(server)

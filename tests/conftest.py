"""Fixtures shared across test modules."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from nhiscan.cli import cli

# Every scan records a run in the history store: never the user's own, one per test session
# (tests that look at the store pass --store to a store of their own).
_SESSION_STORE = tempfile.mkdtemp(prefix="nhiscan-test-store-")
os.environ["NHISCAN_STORE"] = f"sqlite:///{_SESSION_STORE}/h.db"
# Dask's clusters the tests start themselves keep their workers' scratch space in the temporary
# folder ("dask-scratch-space"): one of the session's own (read by dask when it is imported,
# after this), removed with it.
_DASK_SCRATCH = tempfile.mkdtemp(prefix="nhiscan-test-dask-")
os.environ["DASK_TEMPORARY_DIRECTORY"] = _DASK_SCRATCH


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The session's store goes with the session: a test run leaves nothing in /tmp."""
    shutil.rmtree(_SESSION_STORE, ignore_errors=True)
    shutil.rmtree(_DASK_SCRATCH, ignore_errors=True)


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One `nhiscan scan --demo` for the whole run (it starts moto, builds the estate and its
    repository): the directory holding report.json, report.html and snapshot.json. Tests read
    it; none may change it."""
    out = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
            mp.delenv(name, raising=False)
        mp.setenv("AWS_CONFIG_FILE", str(out / "none"))
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(out / "none"))
        # a store of its own: the demo's first run into a store records last week's scan first
        # (behaviour drift), so its report must not depend on what other tests recorded before
        store = f"sqlite:///{out / 'history.db'}"
        result = CliRunner().invoke(cli, ["scan", "--demo", "-o", str(out / "report"),
                                          "--store", store], catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    yield out / "report"

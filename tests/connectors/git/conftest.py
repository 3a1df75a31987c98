"""The git connector tests run with no system or user git configuration and a private HOME
(``isolated_git``, used by every test module of the connector through ``pytestmark``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.connectors.git.helpers import Repo, make_repo


@pytest.fixture
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_AUTHOR_DATE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def repo(isolated_git: None, tmp_path: Path) -> Repo:
    return make_repo(tmp_path / "repo")

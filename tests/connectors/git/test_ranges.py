"""Since mode (the commits after a revision, for CI) and staged mode (the index, for
pre-commit): only secrets they bring in, not those already there."""

from __future__ import annotations

import pytest

from nhiscan.errors import ConfigError, ConnectorError
from tests.connectors.git.helpers import (
    Repo,
    aws_key_id,
    collect,
    exposures,
    exposures_of,
    repository,
    slack_token,
)

pytestmark = pytest.mark.usefixtures("isolated_git")


def test_since_sees_only_secrets_introduced_after_the_revision(repo: Repo) -> None:
    old, new, newer = aws_key_id(), slack_token(), aws_key_id()
    repo.write("config.env", f"OLD={old}\n")
    repo.commit("old")
    repo.git("tag", "v1")
    repo.write("config.env", f"OLD={old}\nNEW={new}\n")  # the old key is still in this file
    first = repo.commit("new")
    repo.write("moved/config.env", f"OLD={old}\nNEW={new}\n")
    repo.git("rm", "-q", "config.env")
    repo.write("other.txt", f"{newer}\n")
    repo.commit("move, and another")

    records = collect(repo.path, mode="since", since="v1")

    assert exposures_of(records, old) == []
    (found,) = exposures_of(records, new)
    assert (found.commit, found.path, found.line) == (first, "config.env", 2)
    assert found.locations == ("moved/config.env:2",)
    assert len(exposures_of(records, newer)) == 1
    summary = repository(records)
    assert (summary.mode, summary.commits) == ("since v1", 2)


def test_since_an_unknown_revision_is_refused_before_anything_is_scanned(repo: Repo) -> None:
    repo.commit("empty")
    with pytest.raises(ConnectorError, match="no-such-tag"):
        collect(repo.path, mode="since", since="no-such-tag")
    with pytest.raises(ConfigError):
        collect(repo.path, mode="since")


def test_staged_sees_the_index_not_the_commits_or_the_work_tree(repo: Repo) -> None:
    committed, staged, unstaged, also_staged = (
        aws_key_id(),
        slack_token(),
        aws_key_id(),
        aws_key_id(),
    )
    repo.write("settings.py", f'A = "{committed}"\n')
    repo.commit("committed")
    repo.write("settings.py", f'A = "{committed}"\nB = "{staged}"\n')
    repo.write("new.py", f'C = "{also_staged}"\n')
    repo.git("add", "settings.py", "new.py")
    repo.write("draft.py", f'D = "{unstaged}"\n')

    records = collect(repo.path, mode="staged")

    assert exposures_of(records, committed) == []
    assert exposures_of(records, unstaged) == []
    (found,) = exposures_of(records, staged)
    assert (found.path, found.line, found.commit) == ("settings.py", 2, None)
    assert found.locations == ("settings.py:2",)
    assert len(exposures_of(records, also_staged)) == 1
    summary = repository(records)
    assert (summary.mode, summary.commits, summary.blobs) == ("staged", None, 2)


def test_staged_in_a_repository_without_commits(repo: Repo) -> None:
    key = aws_key_id()
    repo.write("first.txt", f"{key}\n")
    repo.git("add", "first.txt")

    records = collect(repo.path, mode="staged")

    assert [e.path for e in exposures(records)] == ["first.txt"]
    assert repository(records).head is None


def test_staged_needs_a_work_tree(isolated_git: None, repo: Repo, tmp_path: object) -> None:
    plain = repo.path.parent / "plain"
    plain.mkdir()
    with pytest.raises(ConnectorError, match="not a git repository"):
        collect(plain, mode="staged")
    with pytest.raises(ConnectorError, match="staged mode needs a local work tree"):
        collect("https://example.com/x.git", mode="staged")

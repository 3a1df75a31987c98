"""Worktree mode: the files as they are, in a git work tree or any directory, and a clone URL
(cloned to a temporary directory that is removed afterwards)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from nhiscan.scanner.model import SkipReason
from tests.connectors.git.helpers import (
    Repo,
    aws_key_id,
    collect,
    exposures,
    exposures_of,
    gaps,
    repository,
    skipped,
    slack_token,
)

pytestmark = pytest.mark.usefixtures("isolated_git")


def test_tracked_and_untracked_files_are_scanned_ignored_ones_are_not(repo: Repo) -> None:
    tracked, untracked, ignored = aws_key_id(), slack_token(), aws_key_id()
    repo.write(".gitignore", "*.log\n")
    repo.write("src/app.py", f'KEY = "{tracked}"\n')
    repo.commit("app")
    repo.write("notes.txt", f"{untracked}\n")
    repo.write("debug.log", f"{ignored}\n")

    records = collect(repo.path)

    (found,) = exposures_of(records, tracked)
    assert (found.path, found.line, found.commit, found.at_head) == ("src/app.py", 1, None, True)
    assert found.locations == ("src/app.py:1",)
    assert len(exposures_of(records, untracked)) == 1
    assert exposures_of(records, ignored) == []
    summary = repository(records)
    assert (summary.mode, summary.blobs, summary.commits) == ("worktree", 3, None)
    assert summary.head == repo.git("rev-parse", "HEAD")


def test_a_repository_given_twice_is_scanned_once(repo: Repo) -> None:
    repo.write("a.txt", f"{aws_key_id()}\n")
    records = collect(repo.path, repo.path)
    assert len(exposures(records)) == 1


def test_one_secret_in_two_files_is_one_exposure_with_both_places(repo: Repo) -> None:
    key = aws_key_id()
    repo.write("b.cfg", f"x = 1\nkey = {key}\n")
    repo.write("a.cfg", f"key = {key}\n")

    (found,) = exposures_of(collect(repo.path), key)

    assert (found.path, found.line) == ("a.cfg", 1)
    assert found.locations == ("a.cfg:1", "b.cfg:2")


def test_binary_and_oversized_files_are_skipped_and_recorded(repo: Repo) -> None:
    key = aws_key_id()
    image = b"GIF89a\0\0\0" + key.encode()
    repo.write("pic.gif", image)
    repo.write("dump.sql", "y" * 3000)
    repo.write("ok.txt", f"{key}\n")

    records = collect(repo.path, max_file_size=1000)

    found = {(s.path, s.reason, s.size, s.blob) for s in skipped(records)}
    assert found == {
        ("pic.gif", SkipReason.BINARY, len(image), None),
        ("dump.sql", SkipReason.TOO_LARGE, 3000, None),
    }
    assert repository(records).skipped == 2
    assert len(exposures(records)) == 1


def test_a_plain_directory_is_walked_without_git(isolated_git: None, tmp_path: Path) -> None:
    key, hidden = aws_key_id(), slack_token()
    root = tmp_path / "site-packages" / "pkg"
    (root / "data").mkdir(parents=True)
    (root / "data" / "conf.ini").write_text(f"[aws]\nkey_id = {key}\n")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(f"{hidden}\n")  # not a repository: just a folder
    (root / "link.ini").symlink_to(root / "data" / "conf.ini")
    (tmp_path / "outside.txt").write_text(f"{hidden}\n")
    (root / "out").symlink_to(tmp_path, target_is_directory=True)

    records = collect(root)

    (found,) = exposures_of(records, key)
    assert found.locations == ("data/conf.ini:2",)
    assert exposures_of(records, hidden) == []
    summary = repository(records)
    assert (summary.head, summary.blobs) == (None, 1)


def test_an_ignored_directory_inside_a_work_tree_is_walked_as_a_plain_one(repo: Repo) -> None:
    key = aws_key_id()
    repo.write(".gitignore", ".venv/\n")
    repo.commit("ignore")
    repo.write(".venv/lib/pkg/settings.py", f'KEY = "{key}"\n')

    records = collect(repo.path / ".venv" / "lib")

    assert [e.path for e in exposures_of(records, key)] == ["pkg/settings.py"]


def test_a_clone_url_is_cloned_scanned_and_removed(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_head, on_branch = aws_key_id(), slack_token()
    repo.write("a.txt", f"{at_head}\n")
    repo.commit("a")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("b.txt", f"{on_branch}\n")
    side = repo.commit("b")
    repo.git("checkout", "-q", "main")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    url = repo.path.as_uri()

    head_only = collect(url)
    everything = collect(url, mode="history")

    assert [e.repository for e in exposures(head_only)] == [url]
    assert len(exposures_of(head_only, at_head)) == 1 and not exposures_of(head_only, on_branch)
    assert exposures_of(everything, on_branch)[0].commit == side
    assert repository(head_only).mode == "worktree"
    assert os.listdir(scratch) == []


def test_a_clone_that_fails_is_a_gap(isolated_git: None, tmp_path: Path) -> None:
    url = (tmp_path / "nowhere").as_uri()
    records = collect(url)
    (gap,) = gaps(records)
    assert gap.operation == "git clone --mirror"
    assert gap.scope == url

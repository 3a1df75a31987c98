"""Long lines through the git connector: worktree and history modes find each secret of a
huge one-line file once, on its line; the scan of a huge file finishes (a generous timeout, no
speed check); progress moves while one huge file is scanned."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.git import GitConfig, GitConnector, connector, work
from nhiscan.connectors.git.config import ScanMode
from tests.connectors.git.helpers import NOW, Repo, aws_key_id, collect, exposures_of, slack_token
from tests.connectors.git.secrets.test_long_lines import boundary_offsets, planted

pytestmark = pytest.mark.usefixtures("isolated_git")

_SIZE = 3 * 1024 * 1024


def _long_file(secrets: dict[int, str]) -> str:
    return f"// bundle\n{planted(_SIZE, secrets)}\n"


def test_worktree_finds_each_secret_of_a_long_line_once_on_its_line(repo: Repo) -> None:
    secrets = {offset: aws_key_id() for offset in boundary_offsets(_SIZE).values()}
    secrets[_SIZE // 3] = slack_token()
    repo.write("dist/app.min.js", _long_file(secrets))
    repo.commit("bundle")

    records = collect(repo.path, max_file_size=_SIZE * 2, workers=1)

    for secret in secrets.values():
        (found,) = exposures_of(records, secret)
        assert (found.path, found.line, found.locations) == (
            "dist/app.min.js",
            2,
            ("dist/app.min.js:2",),
        )


def test_history_finds_each_secret_of_a_long_line_once_in_the_commit_that_added_it(
    repo: Repo,
) -> None:
    where = boundary_offsets(_SIZE)
    old = {where["first window's end"]: aws_key_id(), where["middle"]: aws_key_id()}
    repo.write("dist/app.min.js", _long_file(old))
    first = repo.commit("bundle")
    new = {**old, where["second window's start"]: aws_key_id(), where["end"]: slack_token()}
    repo.write("dist/app.min.js", _long_file(new))
    second = repo.commit("rebuild")

    records = collect(repo.path, mode=ScanMode.HISTORY, max_file_size=_SIZE * 2)

    for offset, secret in new.items():
        (found,) = exposures_of(records, secret)
        assert (found.path, found.line) == ("dist/app.min.js", 2)
        assert found.commit == (first if offset in old else second)


_HUGE = textwrap.dedent(
    """
    import sys
    from nhiscan.connectors.git.config import ScanMode
    from tests.connectors.git.helpers import collect, exposures

    repo, mode, size = sys.argv[1], ScanMode(sys.argv[2]), int(sys.argv[3])
    found = exposures(collect(repo, mode=mode, max_file_size=size * 2))
    print(sorted((e.path, e.line) for e in found))
    """
)


@pytest.mark.parametrize("mode", [ScanMode.WORKTREE, ScanMode.HISTORY])
def test_a_huge_one_line_file_does_not_hang(repo: Repo, tmp_path: Path, mode: ScanMode) -> None:
    size = 24 * 1024 * 1024
    keys = {size // 5 * (i + 1): aws_key_id() for i in range(4)}
    repo.write("data/blob.txt", planted(size, keys, names=False))
    repo.write("small.py", f'KEY = "{aws_key_id()}"\n')
    repo.commit("data")
    script = tmp_path / "huge.py"
    script.write_text(_HUGE)
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, str(script), str(repo.path), str(mode), str(size)],
        cwd=root,
        env={**_env(), "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,  # a hang fails here instead of blocking CI; not a speed check
    )
    assert done.returncode == 0, done.stderr[-2000:]
    expected = [("data/blob.txt", 1)] * 4 + [("small.py", 1)]
    assert done.stdout.strip() == str(expected)


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k.startswith(("GIT_", "HOME", "XDG", "PATH"))}


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_moves_while_one_huge_file_is_scanned(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr(connector, "_PROGRESS_EVERY", 0.0)
    # The pool's parent looks at the workers' byte count every _POLL seconds: at its 0.5 s, a
    # fast machine scans the big file between two or three looks, too few to see it move.
    monkeypatch.setattr(work, "_POLL", 0.005)
    size = 4 * 1024 * 1024
    repo.write("big.min.js", planted(size, {size // 2: aws_key_id()}))
    repo.write("small.py", "print('hello')\n")
    repo.commit("two files")
    messages: list[str] = []
    config = GitConfig(repos=(str(repo.path),), max_file_size=size * 2, workers=workers)

    list(GitConnector(config).collect(CollectContext(now=NOW, progress=messages.append)))

    scanning = [m.rsplit(": scanning files ", 1)[1] for m in messages if "scanning files" in m]
    assert scanning[0] == "0/2, 0/4 MB" and scanning[-1] == "2/2, 4/4 MB"
    during = {m for m in scanning if not m.startswith("2/2")}  # the big file not done yet
    moved = {m.split(", ")[1] for m in during}
    assert len(moved) >= 3  # bytes moved within the big file, before it was done


def test_progress_of_a_small_tree_counts_kilobytes(repo: Repo) -> None:
    repo.write("a.py", "x = 1\n" * 1000)  # 6,000 bytes: "0/0 MB" would say nothing
    repo.commit("one file")
    messages: list[str] = []
    config = GitConfig(repos=(str(repo.path),), workers=1)

    list(GitConnector(config).collect(CollectContext(now=NOW, progress=messages.append)))

    scanning = [m.rsplit(": scanning files ", 1)[1] for m in messages if "scanning files" in m]
    assert scanning[0] == "0/1, 0/5 KB" and scanning[-1] == "1/1, 5/5 KB"

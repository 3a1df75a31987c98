"""History mode: every blob of every commit on every ref, each distinct secret attributed to
the commit that introduced it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from nhiscan.scanner.model import GapReason, Provider, SkipReason
from tests.connectors.git.helpers import (
    ALICE,
    BOB,
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


def test_a_deleted_secret_is_one_exposure_of_the_commit_that_added_it(repo: Repo) -> None:
    key = aws_key_id()
    repo.write("app/settings.py", f'DEBUG = True\nAWS_KEY_ID = "{key}"\n')
    first = repo.commit("settings", who=BOB)
    repo.write("README.md", "hello\n")
    repo.commit("readme")
    repo.write("app/settings.py", "DEBUG = True\n")
    repo.commit("remove the key")

    records = collect(repo.path, mode="history")

    (found,) = exposures_of(records, key)
    assert found.commit == first
    assert found.author == f"{BOB[0]} <{BOB[1]}>"
    assert found.committed_at == repo.date_of(first)
    assert (found.path, found.line) == ("app/settings.py", 2)
    assert found.at_head is False
    assert found.locations == ()
    assert found.provider is Provider.AWS
    assert found.repository == str(repo.path)
    summary = repository(records)
    assert summary.mode == "history"
    assert summary.commits == 3
    assert summary.head == repo.git("rev-parse", "HEAD")


def test_a_renamed_file_is_one_exposure_at_its_first_path(repo: Repo) -> None:
    token = slack_token()
    repo.write("old/name.txt", f"token: {token}\n")
    first = repo.commit("add")
    repo.git("mv", "old/name.txt", "new.txt")
    repo.commit("rename")

    (found,) = exposures_of(collect(repo.path, mode="history"), token)

    assert found.commit == first
    assert found.path == "old/name.txt"
    assert found.at_head is True
    assert found.locations == ("new.txt:1",)


def test_an_edited_file_keeps_the_first_commit_and_its_line(repo: Repo) -> None:
    token = slack_token()
    repo.write("a.txt", f"t = {token}\n")
    first = repo.commit("add")
    repo.write("a.txt", f"# header\n\nt = {token}\n")
    repo.commit("edit", who=BOB)

    (found,) = exposures_of(collect(repo.path, mode="history"), token)

    assert (found.commit, found.author, found.line) == (first, f"{ALICE[0]} <{ALICE[1]}>", 1)
    assert found.locations == ("a.txt:3",)


def test_one_secret_in_two_files_is_one_exposure_with_both_places(repo: Repo) -> None:
    key = aws_key_id()
    repo.write("a.env", f"KEY={key}\n")
    repo.write("b/c.env", f"X=1\nKEY={key}\n")
    repo.commit("two files")

    (found,) = exposures_of(collect(repo.path, mode="history"), key)

    assert found.locations == ("a.env:1", "b/c.env:2")
    assert found.path == "a.env"


def test_a_secret_only_on_an_unmerged_branch_is_found(repo: Repo) -> None:
    token = slack_token()
    repo.write("README.md", "main\n")
    repo.commit("root")
    repo.git("checkout", "-q", "-b", "experiment")
    repo.write("notes.txt", f"{token}\n")
    side = repo.commit("on the side")
    repo.git("checkout", "-q", "main")

    (found,) = exposures_of(collect(repo.path, mode="history"), token)
    assert found.commit == side
    assert found.at_head is False
    assert exposures_of(collect(repo.path), token) == []  # not in the work tree


def test_merges_and_a_second_root_are_walked(repo: Repo) -> None:
    in_merge, in_orphan = slack_token(), aws_key_id()
    repo.write("a.txt", "base\n")
    repo.commit("root")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("a.txt", "topic\n")
    repo.commit("topic")
    repo.git("checkout", "-q", "main")
    repo.write("a.txt", "main\n")
    repo.commit("main")
    _merge_with_resolution(repo, f"resolved {in_merge}\n")
    merge = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "--orphan", "pages")
    repo.git("rm", "-rfq", ".")
    repo.write("index.html", f"<!-- {in_orphan} -->\n")
    orphan = repo.commit("second root")
    repo.git("checkout", "-q", "main")

    records = collect(repo.path, mode="history")

    assert exposures_of(records, in_merge)[0].commit == merge
    assert exposures_of(records, in_orphan)[0].commit == orphan
    assert repository(records).commits == 5  # root, topic, main, merge, orphan


def _merge_with_resolution(repo: Repo, content: str) -> None:
    """Merge topic into main with a conflict resolved by new content (an "evil" merge)."""
    import subprocess

    subprocess.run(["git", "merge", "-q", "topic"], cwd=repo.path, capture_output=True)
    repo.write("a.txt", content)
    repo.commit("merge")


def test_binary_and_oversized_blobs_are_skipped_and_recorded(repo: Repo) -> None:
    token = slack_token()
    logo = b"\x89PNG\r\n\x1a\n\0\0\0" + token.encode()
    repo.write("logo.png", logo)
    repo.write("big.txt", "x" * 5000 + "\n")
    repo.write("small.txt", f"{token}\n")
    repo.commit("files")

    records = collect(repo.path, mode="history", max_file_size=1000)

    reasons = {s.path: (s.reason, s.size) for s in skipped(records)}
    assert reasons == {
        "logo.png": (SkipReason.BINARY, len(logo)),
        "big.txt": (SkipReason.TOO_LARGE, 5001),
    }
    assert all(s.blob is not None and len(s.blob) == 40 for s in skipped(records))
    assert len(exposures_of(records, token)) == 1
    assert repository(records).skipped == 2
    assert repository(records).blobs == 1


def test_a_missing_object_is_a_gap_and_the_rest_is_still_scanned(repo: Repo) -> None:
    lost, kept = slack_token(), aws_key_id()
    repo.write("lost.txt", f"{lost}\n")
    repo.write("kept.txt", f"{kept}\n")
    repo.commit("two")
    blob = repo.git("rev-parse", "HEAD:lost.txt")
    Path(repo.path, ".git", "objects", blob[:2], blob[2:]).unlink()

    records = collect(repo.path, mode="history")

    (gap,) = gaps(records)
    assert gap.reason is GapReason.FAILED
    assert gap.operation.startswith("git cat-file")
    assert gap.subject == "lost.txt"
    assert blob in gap.detail
    assert gap.scope == str(repo.path)
    assert len(exposures_of(records, kept)) == 1
    assert exposures_of(records, lost) == []


def test_a_corrupt_object_is_a_gap_and_the_rest_is_still_scanned(repo: Repo) -> None:
    lost, kept = slack_token(), aws_key_id()
    repo.write("lost.txt", f"{lost}\n")
    repo.write("kept.txt", f"{kept}\n")
    repo.commit("two")
    blob = repo.git("rev-parse", "HEAD:lost.txt")
    loose = Path(repo.path, ".git", "objects", blob[:2], blob[2:])
    loose.chmod(0o644)
    loose.write_bytes(b"this is not zlib data at all")

    records = collect(repo.path, mode="history")

    assert [g.subject for g in gaps(records)] == ["lost.txt"]
    assert len(exposures_of(records, kept)) == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_a_blob_corrupt_past_its_header_is_a_gap_and_the_blobs_after_it_are_read(
    repo: Repo, workers: int
) -> None:
    """cat-file --batch dies on it mid-batch; the blobs asked after it go to a new one."""
    keys = [aws_key_id() for _ in range(4)]
    rng = random.Random(3)
    filler = "\n".join("".join(rng.choice("abcdefghij") for _ in range(60)) for _ in range(3000))
    repo.write("a-big.txt", filler + "\n")
    for n, key in enumerate(keys):
        repo.write(f"z{n}.txt", f"{key}\n")
    repo.commit("files")
    blob = repo.git("rev-parse", "HEAD:a-big.txt")
    loose = Path(repo.path, ".git", "objects", blob[:2], blob[2:])
    loose.chmod(0o644)
    data = bytearray(loose.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 50] = bytes(b ^ 0xFF for b in data[middle : middle + 50])
    loose.write_bytes(bytes(data))

    records = collect(
        repo.path, mode="history", workers=workers, pool_min_bytes=0, pool_min_files=0
    )

    (gap,) = gaps(records)
    assert (gap.operation, gap.subject) == ("git cat-file --batch", "a-big.txt")
    assert blob in gap.detail
    assert all(len(exposures_of(records, key)) == 1 for key in keys)
    assert repository(records).blobs == 4


def test_an_empty_repository_has_nothing_and_says_so(repo: Repo) -> None:
    records = collect(repo.path, mode="history")
    assert exposures(records) == [] and gaps(records) == []
    summary = repository(records)
    assert (summary.head, summary.commits, summary.blobs) == (None, 0, 0)

"""What every git scan promises: no secret in any record, clear errors for what cannot be
scanned, the same exposures on one process or many, verification only when asked."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from nhiscan.connectors import connector_class
from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.git import GitConfig, GitConnector, ScanMode
from nhiscan.connectors.git.collate import verified
from nhiscan.connectors.git.secrets.exposure import exposure_of
from nhiscan.connectors.git.secrets.match import Match
from nhiscan.connectors.git.source import redact_url
from nhiscan.errors import ConnectorError
from nhiscan.scanner import codec
from nhiscan.scanner.model import Provider
from tests.connectors.git.helpers import (
    NOW,
    Repo,
    aws_key_id,
    aws_secret_key,
    collect,
    exposures,
    skipped,
    slack_token,
)

pytestmark = pytest.mark.usefixtures("isolated_git")


def _busy_repo(repo: Repo, planted: list[str]) -> None:
    """Forty files over three commits, secrets here and there, one binary, one removed.
    ``planted`` gets the secrets (AWS key ids are public identifiers: records keep them)."""
    for n in range(40):
        if n % 3:
            secret = aws_secret_key()
            line = f'aws_key_id = "{aws_key_id()}"\naws_secret_access_key = "{secret}"\n'
        else:
            secret = slack_token()
            line = f'T = "{secret}"\n'
        planted.append(secret)
        repo.write(f"pkg{n % 4}/mod{n}.py", f"# module {n}\n" + "x = 1\n" * n + line)
    repo.write("pkg0/blob.bin", b"\0\1\2" + planted[0].encode())
    repo.commit("many")
    repo.write("pkg1/mod1.py", "gone\n")
    repo.commit("remove one")
    repo.git("mv", "pkg2", "renamed")
    repo.commit("rename")


@pytest.mark.parametrize("mode", [ScanMode.WORKTREE, ScanMode.HISTORY])
def test_no_record_holds_a_secret(repo: Repo, mode: ScanMode) -> None:
    planted: list[str] = []
    _busy_repo(repo, planted)

    records = collect(repo.path, mode=mode, max_file_size=1_000)

    text = repr(records) + json.dumps([codec.encode(r) for r in records])
    assert exposures(records) and skipped(records)
    for secret in planted:
        assert secret not in text
        assert secret[4:12] not in text  # nor a large part of one


@pytest.mark.parametrize("mode", [ScanMode.WORKTREE, ScanMode.HISTORY])
def test_the_process_pool_finds_what_one_process_finds(repo: Repo, mode: ScanMode) -> None:
    planted: list[str] = []
    _busy_repo(repo, planted)
    serial = collect(repo.path, mode=mode, workers=1)
    pooled = collect(repo.path, mode=mode, workers=2, pool_min_bytes=0, pool_min_files=0)

    assert exposures(pooled) == exposures(serial)
    # 40 secrets and 26 key ids; the ones removed from pkg1/mod1.py are in history only
    assert len(exposures(serial)) == 66 - 2 * (mode is ScanMode.WORKTREE)
    assert set(skipped(pooled)) == set(skipped(serial))


def test_a_path_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-repo"
    with pytest.raises(ConnectorError, match=f"{missing} does not exist"):
        collect(missing)


def test_history_of_a_plain_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="not a git repository"):
        collect(tmp_path, mode="history")


def test_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(ConnectorError, match="is a file"):
        collect(tmp_path / "f.txt")


def test_every_path_is_checked_before_any_is_scanned(repo: Repo, tmp_path: Path) -> None:
    config = GitConfig(repos=(str(repo.path), str(tmp_path / "typo")))
    records = GitConnector(config).collect(ctx=_ctx())
    with pytest.raises(ConnectorError):
        next(iter(records))


def test_sources_name_each_repository_without_a_password() -> None:
    config = GitConfig(repos=("/src/app", "https://bot:s3cr3t-t0ken@git.example.com/a.git"))
    assert GitConnector(config).sources == (
        "git:/src/app",
        "git:https://bot:***@git.example.com/a.git",
    )
    assert redact_url("git@github.com:o/r.git") == "git@github.com:o/r.git"


def test_the_registry_names_the_connector() -> None:
    assert connector_class("git") is GitConnector


def _aws_match(paired: bool) -> Match:
    return Match(
        detector="AWS Access Key ID",
        detectors=("AWS Access Key ID",),
        provider=Provider.AWS,
        secret=aws_key_id(),
        line=1,
        paired_secret=aws_secret_key() if paired else None,
    )


def test_the_verifier_is_asked_only_about_aws_keys_with_their_secret_key() -> None:
    asked: list[str] = []

    def verifier(match: Match) -> tuple[str, str | None, str | None]:
        asked.append(match.secret)
        return "valid", "arn:aws:iam::123456789012:user/bot", None

    paired, alone = _aws_match(True), _aws_match(False)
    checked = verified(exposure_of(paired, repository="r", path="p", line=1), paired, verifier)
    assert (checked.verification, checked.verified_identity) == (
        "valid",
        "arn:aws:iam::123456789012:user/bot",
    )
    unchecked = verified(exposure_of(alone, repository="r", path="p", line=1), alone, verifier)
    assert unchecked.verification is None
    assert asked == [paired.secret]


def test_a_verifier_that_raises_is_an_error_without_its_message() -> None:
    match = _aws_match(True)

    def broken(m: Match) -> tuple[str, str | None, str | None]:
        raise RuntimeError(f"bad secret key {m.paired_secret}")

    result = verified(exposure_of(match, repository="r", path="p", line=1), match, broken)
    assert result.verification == "error"
    assert str(match.paired_secret) not in repr(result)
    assert replace(result, verification=None).verification_detail == "verifier failed: RuntimeError"


def _ctx():  # type: ignore[no-untyped-def]

    return CollectContext(now=NOW)

"""Real temporary git repositories for the git connector tests, and fake secrets made fresh
for every test (never a fixed credential-looking string in the repository)."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.git import GitConfig, GitConnector
from nhiscan.connectors.git.secrets.redact import secret_hash
from nhiscan.scanner.model import (
    CollectionGap,
    Exposure,
    Record,
    Repository,
    SkippedFile,
)

NOW = datetime(2025, 1, 1, tzinfo=UTC)
ALICE = ("Alice", "alice@example.com")
BOB = ("Bob", "bob@example.com")


def aws_key_id() -> str:
    """``AKIA`` and 16 random base32 characters: the shape of an AWS access key id."""
    return "AKIA" + "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(16))


def aws_secret_key() -> str:
    """40 random base64 characters: the shape of an AWS secret access key."""
    alphabet = string.ascii_letters + string.digits + "/+"
    return "".join(secrets.choice(alphabet) for _ in range(40))


def slack_token() -> str:
    """``xoxb-`` and random digits and letters: the shape of a Slack bot token."""
    digits = string.digits
    first = "".join(secrets.choice(digits) for _ in range(10))
    second = "".join(secrets.choice(digits) for _ in range(13))
    third = "".join(secrets.choice(string.ascii_letters + digits) for _ in range(24))
    return f"xoxb-{first}-{second}-{third}"


@dataclass
class Repo:
    path: Path
    clock: int = 1_700_000_000  # commit dates: fixed, one day apart

    def git(self, *args: str, stdin: bytes | None = None) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.path, input=stdin, capture_output=True, check=True
        )
        return done.stdout.decode().strip()

    def write(self, name: str, content: str | bytes) -> Path:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        target.write_bytes(data)
        return target

    def commit(self, message: str, *names: str, who: tuple[str, str] = ALICE) -> str:
        """Stage ``names`` (everything when none) and commit at the next fixed date."""
        self.git("add", "-A", *names) if not names else self.git("add", "--", *names)
        self.clock += 86_400
        date = f"@{self.clock} +0000"
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": who[0],
            "GIT_AUTHOR_EMAIL": who[1],
            "GIT_COMMITTER_NAME": who[0],
            "GIT_COMMITTER_EMAIL": who[1],
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
        }
        subprocess.run(
            ["git", "commit", "-q", "--allow-empty", "-m", message],
            cwd=self.path,
            env=env,
            capture_output=True,
            check=True,
        )
        return self.git("rev-parse", "HEAD")

    def date_of(self, commit: str) -> datetime:
        return datetime.fromtimestamp(int(self.git("show", "-s", "--format=%ct", commit)), UTC)


def make_repo(path: Path) -> Repo:
    path.mkdir(parents=True, exist_ok=True)
    repo = Repo(path)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.name", ALICE[0])
    repo.git("config", "user.email", ALICE[1])
    repo.git("config", "commit.gpgsign", "false")
    return repo


def collect(*repos: str | Path, **options: object) -> list[Record]:
    config = GitConfig(repos=tuple(str(r) for r in repos), **options)  # type: ignore[arg-type]
    return list(GitConnector(config).collect(CollectContext(now=NOW)))


def exposures(records: list[Record]) -> list[Exposure]:
    return [r for r in records if isinstance(r, Exposure)]


def skipped(records: list[Record]) -> list[SkippedFile]:
    return [r for r in records if isinstance(r, SkippedFile)]


def gaps(records: list[Record]) -> list[CollectionGap]:
    return [r for r in records if isinstance(r, CollectionGap)]


def repository(records: list[Record]) -> Repository:
    (found,) = [r for r in records if isinstance(r, Repository)]
    return found


def exposures_of(records: list[Record], secret: str) -> list[Exposure]:
    """The exposures of ``secret`` (matched by its hash, never by its value)."""
    digest = secret_hash(secret)
    return [e for e in exposures(records) if e.secret_hash == digest]

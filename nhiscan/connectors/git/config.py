"""What the git connector is asked to scan, and how."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from nhiscan.connectors.git.secrets.engine import DEFAULT_MAX_FILE_SIZE
from nhiscan.connectors.git.secrets.match import Match
from nhiscan.errors import ConfigError

# (status, identity ARN, detail): "valid" / "invalid" / "error", what sts:GetCallerIdentity said.
Verifier = Callable[[Match], tuple[str, str | None, str | None]]


class ScanMode(StrEnum):
    WORKTREE = "worktree"  # the files as they are now (tracked and untracked-not-ignored)
    HISTORY = "history"  # every blob of every commit on every ref
    SINCE = "since"  # the blobs the commits in SINCE..HEAD introduce (CI)
    STAGED = "staged"  # the index's changes against HEAD (pre-commit)


@dataclass(frozen=True, slots=True, kw_only=True)
class GitConfig:
    # Local directories (a git work tree, a bare repository, or any directory) or anything
    # ``git clone`` accepts (https://, ssh://, git@host:path, file://), cloned to a temporary
    # directory that is removed afterwards.
    repos: tuple[str, ...]
    mode: ScanMode = ScanMode.WORKTREE
    since: str | None = None  # the revision SINCE mode starts after
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bigger files and blobs are skipped, recorded
    workers: int | None = None  # scanning processes; None: os.cpu_count()
    # Called once per distinct AWS key found with its secret key beside it (--verify).
    verifier: Verifier | None = None
    # A process pool is worth starting only above this much work (bytes or files).
    pool_min_bytes: int = 2_000_000
    pool_min_files: int = 200

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", ScanMode(self.mode))  # accept "history" as well
        if self.mode is ScanMode.SINCE and not self.since:
            raise ConfigError("git mode 'since' needs a revision to start after (since=REV)")
        if self.mode is not ScanMode.SINCE and self.since is not None:
            raise ConfigError(f"a since revision ({self.since!r}) needs mode 'since'")
        if self.max_file_size <= 0:
            raise ConfigError(f"max_file_size must be positive, not {self.max_file_size}")
        if self.workers is not None and self.workers < 1:
            raise ConfigError(f"workers must be at least 1, not {self.workers}")

    @property
    def label(self) -> str:
        """The mode as a Repository record names it: "history", "since v1.2", ..."""
        return f"since {self.since}" if self.mode is ScanMode.SINCE else str(self.mode)

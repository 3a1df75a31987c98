"""Running git: the command line, the environment and failures, in one place.

Every command gets ``core.fsmonitor`` off (a repository's own config must not run programs
while it is scanned), bounded pack windows (memory) and, except in staged mode, none of the
GIT_DIR / GIT_INDEX_FILE variables a hook or a shell may have set for another repository.
On Linux each git process is told to end when the process that started it dies (``lifetime``),
so a killed scan leaves no git behind.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from nhiscan.connectors.git.lifetime import GIT_CHILD_SETUP
from nhiscan.errors import ConnectorError

_OPTIONS = (
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.quotepath=off",
    # Bounded memory: git maps pack files in windows of up to 1 GiB (8 GiB in all) by default,
    # all of it counted in the process's resident memory on a big history scan.
    "-c",
    "core.packedGitWindowSize=32m",
    "-c",
    "core.packedGitLimit=128m",
    "-c",
    "core.deltaBaseCacheLimit=32m",
)
_FOREIGN = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
)
_STREAM_CHUNK = 1 << 20


class GitCommandError(ConnectorError):
    """A git command failed. Callers turn it into a CollectionGap and go on when they can."""

    def __init__(self, operation: str, detail: str) -> None:
        super().__init__(f"{operation} failed: {detail}")
        self.operation = operation
        self.detail = detail


def git_env(*, keep_index: bool = False) -> dict[str, str]:
    env = dict(os.environ)
    for name in _FOREIGN:
        if not (keep_index and name == "GIT_INDEX_FILE"):
            env.pop(name, None)
    env["GIT_TERMINAL_PROMPT"] = "0"  # a clone that needs a password fails, never waits
    return env


@dataclass(frozen=True, slots=True)
class Git:
    """git run in one directory. Picklable: worker processes get their own."""

    cwd: str
    env: Mapping[str, str] = field(default_factory=git_env)

    def argv(self, *args: str) -> list[str]:
        return ["git", *_OPTIONS, "-C", self.cwd, *args]

    def run(self, *args: str, stdin: bytes | None = None, check: bool = True) -> bytes:
        """stdout of ``git ARGS``; GitCommandError when it fails (and ``check``)."""
        try:
            done = subprocess.run(
                self.argv(*args),
                stdin=subprocess.DEVNULL if stdin is None else None,
                input=stdin,
                capture_output=True,
                env=dict(self.env),
                preexec_fn=GIT_CHILD_SETUP,
                check=False,
            )
        except FileNotFoundError as exc:
            raise ConnectorError(NO_GIT) from exc
        if check and done.returncode != 0:
            raise GitCommandError(operation(*args), _stderr(done.stderr, done.returncode))
        return done.stdout

    def ok(self, *args: str) -> bool:
        """Whether ``git ARGS`` exits 0 (its output ignored)."""
        try:
            done = subprocess.run(
                self.argv(*args),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                env=dict(self.env),
                preexec_fn=GIT_CHILD_SETUP,
                check=False,
            )
        except FileNotFoundError as exc:
            raise ConnectorError(NO_GIT) from exc
        return done.returncode == 0

    def stream(self, *args: str) -> Iterator[bytes]:
        """stdout of ``git ARGS`` in chunks, never all at once; GitCommandError at the end
        when it fails (after the chunks it did write)."""
        with tempfile.TemporaryFile() as errors:
            try:
                proc = subprocess.Popen(
                    self.argv(*args),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=errors,
                    env=dict(self.env),
                    preexec_fn=GIT_CHILD_SETUP,
                )
            except FileNotFoundError as exc:
                raise ConnectorError(NO_GIT) from exc
            assert proc.stdout is not None
            try:
                while chunk := proc.stdout.read(_STREAM_CHUNK):
                    yield chunk
            finally:
                proc.stdout.close()
                code = proc.wait()
            if code != 0:
                errors.seek(0)
                raise GitCommandError(operation(*args), _stderr(errors.read(), code))

    def popen(self, *args: str) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen(
                self.argv(*args),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=dict(self.env),
                preexec_fn=GIT_CHILD_SETUP,
            )
        except FileNotFoundError as exc:
            raise ConnectorError(NO_GIT) from exc


NO_GIT = "git is not installed or not on PATH: install git to scan repositories"


def operation(*args: str) -> str:
    """The command as a gap names it: ``git log --all ...`` (options kept, no paths)."""
    text = " ".join(("git", *args))
    return text if len(text) <= 120 else text[:117] + "..."


def _stderr(raw: bytes, code: int) -> str:
    text = raw.decode("utf-8", "replace").strip()
    return text[-2000:] if text else f"exit status {code}"


def display(path: str) -> str:
    """A path as reports show it: undecodable bytes replaced, never a lone surrogate."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")

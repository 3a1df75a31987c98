"""Reading git objects in bulk: sizes through one ``cat-file --batch-check``, contents through
one long-lived ``cat-file --batch`` per process, trees through ``ls-tree``. Never a process per
blob, never every blob in memory."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from nhiscan.connectors.git.gitcmd import Git, GitCommandError, display

_FOUND = re.compile(rb"^([0-9a-f]{40,64}) (\w+) (\d+)$")
_CHECK_FORMAT = "--batch-check=%(objectname) %(objecttype) %(objectsize)"
CHECK_OPERATION = "git cat-file --batch-check"
READ_OPERATION = "git cat-file --batch"
_PIPELINE = 512  # names sent ahead: 512 x 65 bytes stays well inside a 64 KiB pipe buffer


@dataclass(frozen=True, slots=True)
class Checked:
    name: str  # as asked: a blob id or "REV:path"
    blob: str | None  # None: missing (or not a blob)
    size: int | None
    problem: str | None = None  # why it is None: "missing", "ambiguous", "a tree"


def batch_check(git: Git, names: Iterable[str]) -> Iterator[Checked]:
    """Each name's blob id and size, in order. GitCommandError when cat-file itself fails."""
    proc = git.popen("cat-file", _CHECK_FORMAT)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    asked: list[str] = []
    lock = threading.Lock()
    writer = threading.Thread(target=_feed, args=(proc, names, asked, lock), daemon=True)
    writer.start()
    for index, line in enumerate(proc.stdout):
        with lock:
            name = asked[index]
        yield _checked(name, line.rstrip(b"\n"))
    writer.join()
    errors = proc.stderr.read()
    if proc.wait() != 0:
        raise GitCommandError(CHECK_OPERATION, errors.decode("utf-8", "replace").strip())


def _feed(
    proc: subprocess.Popen[bytes], names: Iterable[str], asked: list[str], lock: threading.Lock
) -> None:
    assert proc.stdin is not None
    try:
        for name in names:
            raw = os.fsencode(name)
            if b"\n" in raw:
                continue  # a path with a newline cannot be asked for by name
            with lock:
                asked.append(name)
            proc.stdin.write(raw + b"\n")
        proc.stdin.close()
    except (BrokenPipeError, ValueError):
        pass


def _checked(name: str, line: bytes) -> Checked:
    found = _FOUND.match(line)
    if found is None:
        problem = line.rsplit(b" ", 1)[-1].decode("ascii", "replace")
        return Checked(name, None, None, problem)
    kind = found.group(2).decode()
    if kind != "blob":
        return Checked(name, None, None, f"a {kind}")
    return Checked(name, found.group(1).decode(), int(found.group(3)))


class CatFile:
    """Blob contents through one ``git cat-file --batch``, started on first use and started
    again after it dies (a corrupt object kills it).

    Names go to git a batch ahead (a batch fits in the pipe's buffer, so writing it never
    waits for the reads), so git looks up and inflates the next objects while the caller
    scans, instead of one round trip per blob."""

    def __init__(self, git: Git) -> None:
        self._git = git
        self._proc: subprocess.Popen[bytes] | None = None

    def read_many(self, names: Sequence[str]) -> Iterator[tuple[str, bytes | str]]:
        """Each name with its content, or why it could not be read, in order."""
        queue = deque(names)
        while queue:
            batch = [queue.popleft() for _ in range(min(_PIPELINE, len(queue)))]
            self._send(batch)
            for index, name in enumerate(batch):
                result = self._receive(name)
                died = self._proc is None
                yield name, result
                if died:  # what was asked after it goes to a new process
                    queue.extendleft(reversed(batch[index + 1 :]))
                    break

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            with contextlib.suppress(OSError, ValueError):
                proc.communicate()  # closes its stdin: it ends

    def _send(self, batch: list[str]) -> None:
        proc = self._proc or self._start()
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError, ValueError):  # it died: _receive says why
            proc.stdin.write(b"".join(os.fsencode(name) + b"\n" for name in batch))
            proc.stdin.flush()

    def _receive(self, name: str) -> bytes | str:
        """The next answer: the content, or why there is none (the process is gone when it
        died)."""
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        parts = proc.stdout.readline().split()
        if len(parts) == 2:
            return f"object {name} is {parts[1].decode('ascii', 'replace')}"
        if len(parts) != 3:
            return self._died()
        size = int(parts[2])
        data = proc.stdout.read(size)
        if len(data) < size or proc.stdout.read(1) != b"\n":
            return self._died()
        return data

    def _start(self) -> subprocess.Popen[bytes]:
        self._proc = self._git.popen("cat-file", "--batch")
        return self._proc

    def _died(self) -> str:
        proc, self._proc = self._proc, None
        assert proc is not None and proc.stdin is not None and proc.stderr is not None
        with contextlib.suppress(OSError):
            proc.stdin.close()
        proc.kill()
        errors = proc.stderr.read().decode("utf-8", "replace").strip()
        code = proc.wait()
        return errors or f"{READ_OPERATION} exited with status {code}"


@dataclass(frozen=True, slots=True)
class Entry:
    blob: str
    path: str  # exact (os.fsdecode): feeds back to git and the filesystem
    mode: str


def is_file_mode(mode: str) -> bool:
    """A regular file's blob (100644, 100755): not a symlink (120000) or submodule (160000)."""
    return mode.startswith("100")


def tree_files(git: Git, rev: str) -> list[Entry]:
    """Every regular file in ``rev``'s tree."""
    args = ("ls-tree", "-r", "-z", "--full-tree", rev)
    out = git.run(*args)
    entries: list[Entry] = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, blob = meta.split(b" ")
        if kind == b"blob" and is_file_mode(mode.decode()):
            entries.append(Entry(blob.decode(), os.fsdecode(path), mode.decode()))
    return entries


def head_paths(entries: Iterable[Entry]) -> dict[str, tuple[str, ...]]:
    """blob id -> the display paths it has in a tree."""
    where: dict[str, list[str]] = {}
    for entry in entries:
        where.setdefault(entry.blob, []).append(display(entry.path))
    return {blob: tuple(paths) for blob, paths in where.items()}


def head_commit(git: Git) -> str | None:
    """HEAD's commit id; None when HEAD is unborn (a repository with no commit yet)."""
    out = git.run("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False).strip()
    return out.decode() if out else None

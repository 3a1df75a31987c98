"""A fan-out runner that shares the parts of an analysis with one forked process.

The parts are taken from both ends: this process takes the first part not yet taken, the
child the last, until they meet (a shared pair of counters under a lock). This process's
parts are yielded as soon as each is done, in order (the caller consumes them meanwhile);
the child pickles each of its parts to a temporary file (never a pipe: a pipe would fill and
stall the child while this process is busy), and once the two meet the child's parts are
read back and yielded in order after this process's. One pickler for all of the child's parts,
one unpickler to read them: an object several parts share (a target set) is written once and
read back as one object.

The child is forked with the analysis built so far (the authorizer, the indexes), so a part
costs there what it costs here. It ends with this process (``die_with_parent``), with
``os._exit`` (none of the parent's exit handlers run twice), and is killed when the caller
stops consuming (an error, Ctrl-C). A child that fails or dies leaves its parts to this
process, which computes them as a serial run would: the result never depends on the child.

``Background`` is the same child for one task whose result is files (the snapshot copy and
the stored graph a scan writes while it runs its rules and writes its reports).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from typing import IO, Any, TypeVar

import click

from nhiscan import interrupts
from nhiscan.connectors.git.lifetime import die_with_parent

T = TypeVar("T")

# Fewer parts than this are run here: a fork costs more than it saves.
MIN_PARTS = 4


def available() -> bool:
    """Whether this process can share the work: a fork, and more than one core it may run
    on (its CPU affinity, where the system tells it: a container's limit, ``taskset``)."""
    if not hasattr(os, "fork"):
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) > 1


def forked(work: Callable[[int], list[T]], count: int) -> Iterator[list[T]]:
    """``work(0)`` to ``work(count - 1)`` in order, shared with one forked process."""
    if count < MIN_PARTS or not available():
        for index in range(count):
            yield work(index)
        return
    import multiprocessing  # here: a scan that shares no work never loads it

    taken = multiprocessing.RawArray("l", [0, count])  # the next front part, the back's end
    lock = multiprocessing.Lock()
    with tempfile.TemporaryFile() as out:
        pid = _fork(lambda: _child(work, taken, lock, out))
        try:
            while True:
                with lock:
                    if taken[0] >= taken[1]:
                        break
                    index = taken[0]
                    taken[0] += 1
                yield work(index)
            done = _wait(pid)
            pid = 0
            if not done:
                _said("its parts are computed here")
            theirs: dict[int, list[T]] = _read(out) if done else {}
            for index in range(taken[0], count):
                found = theirs.pop(index, None)
                yield work(index) if found is None else found
        finally:
            if pid:
                _stop(pid)


def _child(work: Callable[[int], list[T]], taken: Any, lock: Any, out: IO[bytes]) -> None:
    """Take parts from the back until the two ends meet; write each result to ``out``."""
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    while True:
        with lock:
            if taken[1] <= taken[0]:
                break
            taken[1] -= 1
            index = taken[1]
        pickler.dump((index, work(index)))
    out.flush()


def _fork(child: Callable[[], None]) -> int:
    """A forked process that runs ``child`` and ends (exit status 0 when it returned, 1 when
    it raised, its traceback on standard error); the child's pid, here."""
    with interrupts.held():
        pid = os.fork()
    if pid:
        return pid
    interrupts.release()  # pragma: no cover - the child: what it does is checked by the parent
    code = 0
    try:
        die_with_parent()
        child()
    except BaseException:
        traceback.print_exc(file=sys.stderr)
        sys.stderr.flush()  # os._exit flushes nothing
        code = 1
    finally:
        os._exit(code)


def _said(what: str) -> None:
    click.echo(f"a forked worker process failed (see above): {what}", err=True)


def _wait(pid: int) -> bool:
    """Whether the child ended well (its parts are in the file)."""
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _read(out: IO[bytes]) -> dict[int, list[T]]:
    out.seek(0)
    reader = pickle.Unpickler(out)
    found: dict[int, list[T]] = {}
    while True:
        try:
            index, result = reader.load()
        except EOFError:
            return found
        found[index] = result


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    os.waitpid(pid, 0)


class Background:
    """``task`` started in a forked process (a writer of a scan's outputs that shares nothing
    with what this process does meanwhile), done once ``join`` returns. ``task`` must not
    write to the terminal (the order of messages is the caller's). A child that fails (or
    could not be forked) leaves ``task`` to ``join``, run here: its error is raised here, as a
    run without a fork would raise it. ``stop`` (the caller failed) kills the child."""

    def __init__(self, task: Callable[[], None]) -> None:
        self._task = task
        self._pid = _fork(task) if available() else 0

    def join(self) -> None:
        pid, self._pid = self._pid, 0
        if pid and _wait(pid):
            return
        if pid:
            _said("its task is done here")
        self._task()

    def stop(self) -> None:
        pid, self._pid = self._pid, 0
        if pid:
            _stop(pid)

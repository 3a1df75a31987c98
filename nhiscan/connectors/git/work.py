"""Scanning many files or blobs: serially, or on a process pool when there is enough work.

Each worker process builds its own Scanner once (the initializer) and reads its own inputs:
files from the directory, blobs through its own ``git cat-file --batch``. Only item
descriptions go to the workers and only matches come back, so bulk data never crosses a
process pipe. Work is cut into chunks of a few MB and at most a few chunks per worker are in
flight, so memory stays bounded however big the repository. In a history, each file's versions
go together (``in_lineages``): a worker scans a version soon after the one before it, and the
engine pre-filters only the lines that version did not have (``secrets.delta``).

Workers end with the scan. An interrupted scan (SIGTERM, SIGINT, a consumer that stops
reading) terminates them at once instead of waiting for their chunks; a worker ignores SIGINT
(Ctrl-C reaches the whole process group: the scan stops its workers itself) and, on Linux, is
killed by the kernel when the scan dies without running any code (SIGKILL), see ``lifetime``.
"""

from __future__ import annotations

import functools
import gc
import itertools
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from multiprocessing import connection
from multiprocessing.context import BaseContext
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.util import Finalize
from typing import Protocol

from nhiscan import interrupts
from nhiscan.connectors.git.gitcmd import Git
from nhiscan.connectors.git.lifetime import die_with_parent, is_alive
from nhiscan.connectors.git.lineage import Bases
from nhiscan.connectors.git.objects import CatFile
from nhiscan.connectors.git.secrets.engine import EngineOptions, Scanner
from nhiscan.connectors.git.secrets.match import Match
from nhiscan.scanner.model import SkipReason

_CHUNK_MAX = 8 << 20
_CHUNK_MIN = 256 << 10
_CHUNK_ITEMS = 512
_IN_FLIGHT = 4  # chunks per worker
_STOP_WAIT = 5.0  # seconds a terminated worker gets before it is killed
_POLL = 0.5  # seconds between looks at the workers' byte count while waiting for a chunk

# Told each increase of the bytes scanned (a long line reports as it goes, not only when its
# file is done), so progress moves during one huge file.
Meter = Callable[[int], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    key: str  # what the reader reads: a path under the root, or a blob id
    path: str  # the path the engine and the records see
    size: int
    seq: int  # order of first appearance: the earliest occurrence names a secret's origin
    commit: int | None = None  # index of the commit that introduced it
    prior: bool = False  # content from before the scanned range: its secrets are not new
    # The key of an earlier item that is the previous version of this one (same path), and
    # whether a later item names this one so: see ``secrets.delta``.
    base: str | None = None
    named: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    item: Item
    matches: tuple[Match, ...] = ()
    skipped: SkipReason | None = None
    ignored: int = 0
    error: str | None = None  # it could not be read: why


class Reader(Protocol):
    def read_many(self, keys: Sequence[str]) -> Iterator[tuple[str, bytes | str]]:
        """Each key with its content, or why it could not be read, in order."""
        ...

    def close(self) -> None: ...


class FileReader:
    def __init__(self, root: str) -> None:
        self._root = root

    def read_many(self, keys: Sequence[str]) -> Iterator[tuple[str, bytes | str]]:
        for key in keys:
            try:
                with open(os.path.join(self._root, key), "rb") as handle:
                    data: bytes | str = handle.read()
            except OSError as exc:
                data = exc.strerror or type(exc).__name__
            yield key, data

    def close(self) -> None:
        pass


@dataclass(frozen=True, slots=True)
class Reading:
    """How to read items: files under ``root``, or blobs through ``git``. Picklable."""

    root: str | None = None
    git: Git | None = None

    def open(self) -> Reader:
        if self.git is not None:
            return CatFile(self.git)
        assert self.root is not None
        return FileReader(self.root)


@functools.lru_cache(maxsize=4)
def scanner_for(max_file_size: int) -> Scanner:
    """One Scanner per process and size limit (building one imports detect-secrets and loads
    the pre-filter). A pool forked from this process inherits this cache: the scan builds its
    Scanner before forking, so that the workers start ready instead of each building one."""
    return Scanner(EngineOptions(max_file_size=max_file_size))


def scan_all(
    scanner: Scanner,
    reader: Reader,
    items: Sequence[Item],
    meter: Meter | None = None,
    bases: Bases | None = None,
) -> Iterator[Outcome]:
    """Each item's outcome, in order. An item whose base was scanned here, recently enough to
    be in ``bases``, is scanned against it (the same outcome, less work)."""
    bases = bases if bases is not None else Bases()
    contents = reader.read_many([item.key for item in items])
    for item, (_, data) in zip(items, contents, strict=True):
        told = _Told(meter)
        if isinstance(data, str):
            told(item.size)
            yield Outcome(item=item, error=data)
            continue
        found = scanner.scan(
            data,
            item.path,
            progress=told if meter is not None else None,
            base=bases.get(item.base),
            keep=item.named,
        )
        if found.lines is not None:
            bases.keep(item.key, found.lines)
        told(item.size)
        yield Outcome(
            item=item, matches=found.matches, skipped=found.skipped, ignored=found.ignored
        )


class _Told:
    """One item's bytes as the scanner reports them, passed on as increases."""

    def __init__(self, meter: Meter | None) -> None:
        self._meter = meter
        self._done = 0

    def __call__(self, done: int) -> None:
        if self._meter is not None and done > self._done:
            self._meter(done - self._done)
            self._done = done


def scan(
    items: Sequence[Item],
    reading: Reading,
    *,
    max_file_size: int,
    workers: int,
    meter: Meter | None = None,
) -> Iterator[Outcome]:
    """Every item's outcome, in order; on ``workers`` processes when more than one.
    ``meter`` is told the bytes scanned as they are, also while a worker is in one file."""
    items = in_lineages(items)
    if workers <= 1:
        yield from _serial(items, reading, max_file_size, meter)
    else:
        yield from _pooled(items, reading, max_file_size, workers, meter)


def in_lineages(items: Sequence[Item]) -> Sequence[Item]:
    """The items with each file's versions together, oldest first (lineages in the order their
    first version comes), so that a version is scanned soon after its base; an item that a
    later one names as its base is marked ``named``. Unchanged when no item has a base."""
    named = {item.base for item in items if item.base is not None}
    if not named:
        return items
    root: dict[str, int] = {}
    for item in items:  # a base comes before the items naming it
        first = root.get(item.base) if item.base is not None else None
        root[item.key] = item.seq if first is None else first
    ordered = sorted(items, key=lambda item: (root[item.key], item.seq))
    return [replace(item, named=True) if item.key in named else item for item in ordered]


def _serial(
    items: Sequence[Item], reading: Reading, max_file_size: int, meter: Meter | None = None
) -> Iterator[Outcome]:
    reader = reading.open()
    try:
        yield from scan_all(scanner_for(max_file_size), reader, items, meter, Bases())
    finally:
        reader.close()


_Pending = tuple[list[Item], "Future[list[Outcome]]"]


def _pooled(
    items: Sequence[Item],
    reading: Reading,
    max_file_size: int,
    workers: int,
    meter: Meter | None,
) -> Iterator[Outcome]:
    chunks = chunked(items, workers)
    context = _context()
    if context.get_start_method() == "fork":
        scanner_for(max_file_size)  # built once, here: forked workers inherit it ready
    counter: Synchronized[int] = context.Value("q", 0)
    watch = _Watch(counter, meter)
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(reading, max_file_size, os.getpid(), counter),
    )
    pending: deque[_Pending] = deque()
    try:
        for chunk in chunks:
            try:
                with interrupts.held():  # the first submit forks the workers
                    future = pool.submit(_scan_chunk, chunk)
                pending.append((chunk, future))
            except BrokenProcessPool:
                pending.append((chunk, _broken()))
            if len(pending) >= workers * _IN_FLIGHT:
                yield from _results(pending.popleft(), reading, max_file_size, watch)
        while pending:
            yield from _results(pending.popleft(), reading, max_file_size, watch)
    except BaseException:  # interrupted (SIGTERM, Ctrl-C), or the consumer stopped reading
        stop_now(pool)
        raise
    pool.shutdown(wait=True, cancel_futures=True)


def stop_now(pool: ProcessPoolExecutor) -> None:
    """End the pool's workers without waiting for their chunks: terminate them (SIGTERM: their
    default action, see ``_init_worker``), kill any still alive after ``_STOP_WAIT``, then let
    the pool reap them (it alone waits for them: two waiters race for one exit status)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    pending = {process.sentinel: process for process in processes}
    deadline = time.monotonic() + _STOP_WAIT
    while pending and (left := deadline - time.monotonic()) > 0:
        for ended in connection.wait(list(pending), timeout=left):
            pending.pop(ended)
    for process in pending.values():
        process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


class _Watch:
    """The workers' shared byte count, passed on to the meter as increases."""

    def __init__(self, counter: Synchronized[int], meter: Meter | None) -> None:
        self._counter = counter
        self._meter = meter
        self._seen = 0

    def __call__(self) -> None:
        now = self._counter.value
        if self._meter is not None and now > self._seen:
            self._meter(now - self._seen)
        self._seen = max(self._seen, now)

    def local(self, done: int) -> None:
        """Bytes scanned here (a chunk rescanned after its worker died)."""
        with self._counter.get_lock():
            self._counter.value += done
        self()


def _results(
    pending: _Pending, reading: Reading, max_file_size: int, watch: _Watch
) -> Iterator[Outcome]:
    chunk, future = pending
    try:
        while True:
            try:
                outcomes = future.result(timeout=_POLL)
                break
            except TimeoutError:
                watch()
    except BrokenProcessPool:
        # A worker died (killed for memory, most likely): this chunk is scanned here instead.
        yield from _serial(chunk, reading, max_file_size, watch.local)
        return
    watch()
    yield from outcomes


def _broken() -> Future[list[Outcome]]:
    future: Future[list[Outcome]] = Future()
    future.set_exception(BrokenProcessPool("the scanning pool is broken"))
    return future


def chunked(items: Sequence[Item], workers: int) -> Iterator[list[Item]]:
    """Chunks of a few MB: enough per chunk to amortise the round trip, enough chunks for
    every worker to stay busy until the end. Big items go first, biggest first, so that no
    worker is left with one at the end while the others wait; except when items name bases
    (``in_lineages``): their order is kept, and the chunks are small enough to balance."""
    total = sum(item.size for item in items)
    budget = min(_CHUNK_MAX, max(_CHUNK_MIN, total // (workers * 16)))
    if any(item.base is not None for item in items):
        big: list[Item] = []
        rest: Iterable[Item] = items
    else:
        big = sorted((item for item in items if item.size >= _CHUNK_MIN), key=lambda i: -i.size)
        rest = (item for item in items if item.size < _CHUNK_MIN)
    chunk: list[Item] = []
    size = 0
    for item in itertools.chain(big, rest):
        chunk.append(item)
        size += item.size
        if size >= budget or len(chunk) >= _CHUNK_ITEMS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _context() -> BaseContext:
    """fork when this process has no other thread (fast: workers inherit the imports),
    forkserver otherwise (forking a threaded process can copy a held lock)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


# -- in the worker processes -----------------------------------------------------------------

_WORKER: dict[str, tuple[Scanner, Reader, Meter, Bases]] = {}


def _init_worker(
    reading: Reading, max_file_size: int, scan_pid: int, counter: Synchronized[int]
) -> None:
    # A forked worker inherits the scan's handlers: SIGTERM would raise in the worker.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the scan stops its workers on Ctrl-C
    interrupts.release()  # forked while the scan held them back
    die_with_parent()
    if not is_alive(scan_pid):  # the scan died before the line above took effect
        os._exit(1)
    reader = reading.open()
    Finalize(reader, reader.close, exitpriority=10)  # ends this worker's git cat-file

    def meter(done: int) -> None:
        with counter.get_lock():
            counter.value += done

    _WORKER["state"] = (scanner_for(max_file_size), reader, meter, Bases())
    # What the worker holds from here on (modules, the scanner's plugins and database) lives
    # as long as it does: the garbage collector's full passes need not walk it again and again
    # (a tenth of a history scan's time went to them).
    gc.freeze()


def _scan_chunk(items: list[Item]) -> list[Outcome]:
    scanner, reader, meter, bases = _WORKER["state"]
    return list(scan_all(scanner, reader, items, meter, bases))

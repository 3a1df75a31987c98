"""``nhiscan watch``: intervals and cron expressions, the schedule loop (on a fake clock), the
lock that lets one watcher run per store, and the command end to end in real processes."""

from __future__ import annotations

import itertools
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from nhiscan.app.schedule import (
    AlreadyRunning,
    Cron,
    Every,
    exclusive,
    parse_cron,
    parse_every,
    watch,
)
from nhiscan.cli import cli
from nhiscan.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
GAAD = REPO / "tests" / "data" / "aws" / "gaad-small.json"
T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
WAIT_S = 120  # generous: a loaded CI machine, never a hang


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("6h", 21600), ("1d", 86400), ("1h30m", 5400)],
)
def test_parse_every_accepts_durations(text: str, seconds: int) -> None:
    assert parse_every(text) == Every(timedelta(seconds=seconds))


@pytest.mark.parametrize("text", ["", "6", "h", "-1h", "0s", "6 hours", "1000000d", "9" * 30 + "d"])
def test_parse_every_refuses_what_is_not_a_duration(text: str) -> None:
    with pytest.raises(ConfigError, match="--every") as caught:
        parse_every(text)
    assert repr(text) in str(caught.value)


def test_parse_cron_accepts_five_fields() -> None:
    assert parse_cron("0 */6 * * *") == Cron("0 */6 * * *")


@pytest.mark.parametrize("expr", ["0 0 */6 * * *", "every six hours", "61 * * * *", "* * * *", ""])
def test_parse_cron_refuses_six_fields_and_garbage(expr: str) -> None:
    with pytest.raises(ConfigError, match="five-field cron") as caught:
        parse_cron(expr)
    assert repr(expr) in str(caught.value)


# --- schedules on a fake clock ---------------------------------------------------------------


class FakeTime:
    """A list-backed clock; ``stop.wait`` advances it instead of sleeping."""

    def __init__(self) -> None:
        self.now = [T0]
        self.waits: list[float] = []

    def clock(self) -> datetime:
        return self.now[0]

    def advance(self, seconds: float) -> None:
        self.now[0] += timedelta(seconds=seconds)


class FakeStop(threading.Event):
    def __init__(self, time: FakeTime) -> None:
        super().__init__()
        self.time = time

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None and timeout > 0
        self.time.waits.append(timeout)
        self.time.advance(timeout)
        return self.is_set()


def test_every_runs_at_once_then_an_interval_after_each_start() -> None:
    time = FakeTime()
    spans: list[tuple[datetime, datetime]] = []

    def run() -> int:
        start = time.clock()
        time.advance(600)  # a ten-minute scan
        spans.append((start, time.clock()))
        return 0

    logged: list[str] = []
    runs = watch(run, Every(timedelta(hours=6)), stop=FakeStop(time), max_runs=3,
                 log=logged.append, clock=time.clock)  # fmt: skip
    assert runs == 3
    assert [s for s, _ in spans] == [T0, T0 + timedelta(hours=6), T0 + timedelta(hours=12)]
    assert time.waits == [6 * 3600 - 600] * 2
    assert logged[-1] == "watch: done after 3 runs"
    assert "watch: next run at 2024-05-01 16:00:00 UTC" in logged


def test_an_overrunning_run_delays_the_next_and_never_overlaps() -> None:
    time = FakeTime()
    spans: list[tuple[datetime, datetime]] = []
    durations = iter([7 * 3600, 600, 600])  # the first run takes longer than the interval

    def run() -> int:
        start = time.clock()
        time.advance(next(durations))
        spans.append((start, time.clock()))
        return 1

    runs = watch(run, Every(timedelta(hours=6)), stop=FakeStop(time), max_runs=3,
                 log=lambda _m: None, clock=time.clock)  # fmt: skip
    assert runs == 3
    starts = [s for s, _ in spans]
    assert starts == [T0, T0 + timedelta(hours=7), T0 + timedelta(hours=13)]
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end
    assert time.waits == [6 * 3600 - 600]  # no wait after the overrun


def test_every_next_is_the_interval_after_the_start_or_now_when_late() -> None:
    every = Every(timedelta(hours=6))
    assert every.first(T0) == T0
    assert every.next(T0, T0 + timedelta(minutes=5)) == T0 + timedelta(hours=6)
    assert every.next(T0, T0 + timedelta(hours=8)) == T0 + timedelta(hours=8)


def test_cron_next_times_in_utc() -> None:
    cron = Cron("0 */6 * * *")
    at = datetime(2024, 5, 1, 1, 30, tzinfo=UTC)
    assert cron.first(at) == datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
    six = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
    assert cron.next(six, six + timedelta(minutes=3)) == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    # a run that overran past 12:00 makes the next one 18:00, not a backlog
    late = datetime(2024, 5, 1, 13, 10, tzinfo=UTC)
    assert cron.next(six, late) == datetime(2024, 5, 1, 18, 0, tzinfo=UTC)
    night = datetime(2024, 5, 31, 23, 59, tzinfo=UTC)
    assert cron.next(night, night) == datetime(2024, 6, 1, 0, 0, tzinfo=UTC)


# --- the loop in real time (short waits) -----------------------------------------------------


def _in_thread(target: Callable[[], int]) -> tuple[threading.Thread, list[int]]:
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(target()), daemon=True)
    thread.start()
    return thread, result


def test_watch_stops_when_the_stop_event_is_set_during_the_wait() -> None:
    stop = threading.Event()
    logged: list[str] = []
    calls: list[int] = []

    def run() -> int:
        calls.append(1)
        return 0

    thread, result = _in_thread(lambda: watch(run, Every(timedelta(hours=1)), stop=stop,
                                              log=logged.append))  # fmt: skip
    timer = threading.Timer(0.2, stop.set)
    timer.start()
    try:
        thread.join(timeout=10)
        assert not thread.is_alive(), "watch did not stop"
    finally:
        timer.cancel()
        stop.set()
    assert result == [1] and calls == [1]
    assert logged[-1] == "watch: stopped"


def test_watch_finishes_the_run_in_progress_when_stopped_during_it() -> None:
    stop = threading.Event()
    finished: list[bool] = []

    def run() -> int:
        stop.set()  # as a SIGTERM arriving mid-scan would
        finished.append(True)
        return 0

    logged: list[str] = []
    assert watch(run, Every(timedelta(hours=1)), stop=stop, log=logged.append) == 1
    assert finished == [True]
    assert logged[-1] == "watch: stopped"


def test_watch_stops_after_max_runs() -> None:
    stop = threading.Event()
    logged: list[str] = []
    every = Every(timedelta(milliseconds=20))
    thread, result = _in_thread(lambda: watch(lambda: 0, every, stop=stop, max_runs=3,
                                              log=logged.append))  # fmt: skip
    thread.join(timeout=10)
    stop.set()
    assert result == [3]
    assert logged[-1] == "watch: done after 3 runs"


# --- the lock --------------------------------------------------------------------------------

_HOLDER = """
import sys
from pathlib import Path
from nhiscan.app.schedule import exclusive
with exclusive(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """Another process holding the lock until its stdin is closed."""
    lock = tmp_path / "h.db.watch.lock"
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(lock)], cwd=REPO, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        yield proc, lock
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=WAIT_S)


def test_a_second_holder_in_another_process_is_refused(
    holder: tuple[subprocess.Popen[str], Path],
) -> None:
    proc, lock = holder
    refused = rf"another nhiscan watch is running \(pid {proc.pid}\)"
    with pytest.raises(AlreadyRunning, match=refused), exclusive(lock):
        pytest.fail("took a lock another process holds")
    assert isinstance(AlreadyRunning("x"), ConfigError)  # exit 2 in the CLI
    assert proc.stdin is not None
    proc.stdin.close()
    assert proc.wait(timeout=WAIT_S) == 0
    with exclusive(lock):  # released on exit
        assert lock.read_text() == str(os.getpid())
    assert lock.read_text() == ""


def test_the_lock_is_released_when_its_holder_is_killed(
    holder: tuple[subprocess.Popen[str], Path],
) -> None:
    proc, lock = holder
    proc.kill()
    proc.wait(timeout=WAIT_S)
    with exclusive(lock):
        pass


# --- the command, end to end -----------------------------------------------------------------


def _watch_args(tmp_path: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "nhiscan", "watch", *extra, "--aws-gaad", str(GAAD),
            "--store", _store(tmp_path), "-o", str(tmp_path / "out"), "--format", "json",
            "--no-agents"]  # fmt: skip


def _store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'h.db'}"


def _history(tmp_path: Path) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["history", "--store", _store(tmp_path), "--format", "json"],
                                catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    runs: list[dict[str, object]] = json.loads(result.stdout)["runs"]
    return runs


def test_watch_every_second_twice(tmp_path: Path) -> None:
    done = subprocess.run(_watch_args(tmp_path, "--every", "1s", "--max-runs", "2"), cwd=REPO,
                          capture_output=True, text=True, timeout=WAIT_S)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "watch: run 2 finished" in done.stderr
    assert "watch: done after 2 runs" in done.stderr
    assert len(_history(tmp_path)) == 2
    assert (tmp_path / "out" / "report.json").is_file()


class Lines:
    """A process's stderr read line by line in a thread, so waits can time out."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        assert proc.stderr is not None
        stream = proc.stderr

        def pump() -> None:
            for line in stream:
                self._queue.put(line)
            self._queue.put(None)

        threading.Thread(target=pump, daemon=True).start()

    def wait_for(self, text: str, timeout: float = WAIT_S) -> None:
        while not any(text in line for line in self.seen):
            try:
                line = self._queue.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no {text!r} in time; stderr so far:\n{''.join(self.seen)}")
            if line is None:
                pytest.fail(f"the process ended without {text!r}:\n{''.join(self.seen)}")
            self.seen.append(line)

    def rest(self, timeout: float = WAIT_S) -> str:
        while True:
            line = self._queue.get(timeout=timeout)
            if line is None:
                return "".join(self.seen)
            self.seen.append(line)


def test_one_watcher_per_store_and_sigterm_stops_it(tmp_path: Path) -> None:
    first = subprocess.Popen(_watch_args(tmp_path, "--every", "1h"), cwd=REPO, text=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        stderr = Lines(first)
        stderr.wait_for("watch: next run at")  # ran once, now waiting an hour
        assert len(_history(tmp_path)) == 1

        second = subprocess.run(_watch_args(tmp_path, "--every", "1h"), cwd=REPO,
                                capture_output=True, text=True, timeout=WAIT_S)  # fmt: skip
        assert second.returncode == 2, second.stderr
        assert "another nhiscan watch is running" in second.stderr
        assert f"pid {first.pid}" in second.stderr
        assert "recorded run" not in second.stderr
        assert len(_history(tmp_path)) == 1

        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=15) == 0
        assert "watch: stopped" in stderr.rest()
        assert "SIGTERM" in "".join(stderr.seen)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=WAIT_S)

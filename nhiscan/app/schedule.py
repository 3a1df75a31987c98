"""``nhiscan watch``: scans on a schedule in the foreground (a container, a systemd service).

``--every 6h`` runs at once and then every interval after each run started (a run that overruns
delays the next, never overlaps it); ``--cron "EXPR"`` (five fields, as crontab) runs at each
matching minute, UTC. A lock file lets only one watcher run against a store; SIGTERM or SIGINT
ends the watch cleanly: a run in progress is finished and recorded, the wait is cut short.
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from croniter import croniter

from nhiscan.errors import ConfigError

_PART = re.compile(r"(\d+)([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_MAX_DAYS = 36500  # beyond this a wait or a date overflows (threading.TIMEOUT_MAX, datetime)


class Schedule(Protocol):
    def first(self, now: datetime) -> datetime: ...

    def next(self, started: datetime, now: datetime) -> datetime: ...


@dataclass(frozen=True, slots=True)
class Every:
    interval: timedelta

    def first(self, now: datetime) -> datetime:
        return now

    def next(self, started: datetime, now: datetime) -> datetime:
        return max(started + self.interval, now)


@dataclass(frozen=True, slots=True)
class Cron:
    expression: str

    def first(self, now: datetime) -> datetime:
        return self.next(now, now)

    def next(self, started: datetime, now: datetime) -> datetime:
        moment: datetime = croniter(self.expression, max(started, now)).get_next(datetime)
        return moment


def parse_every(text: str, *, option: str = "--every") -> Every:
    """``90s``, ``30m``, ``6h``, ``1d``, ``1h30m``."""
    compact = text.strip().lower().replace(" ", "")
    parts = _PART.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        raise ConfigError(f"{option} {text!r}: write a duration such as 90s, 30m, 6h or 1h30m")
    seconds = sum(int(n) * _UNITS[u] for n, u in parts)
    if seconds < 1:
        raise ConfigError(f"{option} {text!r}: the interval must be at least one second")
    if seconds > _MAX_DAYS * _UNITS["d"]:
        raise ConfigError(f"{option} {text!r}: the interval must be at most {_MAX_DAYS}d")
    return Every(timedelta(seconds=seconds))


def parse_cron(expression: str) -> Cron:
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise ConfigError(
            f"--cron {expression!r}: not a five-field cron expression (minute hour day month "
            "weekday, e.g. '0 */6 * * *')"
        )
    return Cron(expression)


class AlreadyRunning(ConfigError):
    """Another watcher holds the lock."""


@contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Hold ``lock`` for the watch's lifetime; another holder makes this raise at once."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise AlreadyRunning(
                f"{lock}: another nhiscan watch is running (pid {holder}); runs never overlap"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def watch(
    run: Callable[[], int],
    schedule: Schedule,
    *,
    stop: threading.Event,
    max_runs: int | None = None,
    log: Callable[[str], None] = print,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Run ``run`` on ``schedule`` until ``stop`` is set or ``max_runs`` runs are done;
    returns how many runs were made."""
    runs = 0
    due = schedule.first(clock())
    while not stop.is_set() and (max_runs is None or runs < max_runs):
        wait = (due - clock()).total_seconds()
        if wait > 0:
            log(f"watch: next run at {due:%Y-%m-%d %H:%M:%S} UTC")
            if stop.wait(wait):
                break
        started = clock()
        code = run()
        runs += 1
        log(f"watch: run {runs} finished with exit code {code}")
        due = schedule.next(started, clock())
    log("watch: stopped" if stop.is_set() else f"watch: done after {runs} runs")
    return runs

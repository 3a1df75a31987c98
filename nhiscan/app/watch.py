"""``nhiscan watch``: scan on a schedule, one watcher per store."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import click

from nhiscan.app.schedule import Schedule, exclusive, parse_cron, parse_every, watch
from nhiscan.errors import ConfigError
from nhiscan.store.store import default_store_url


def run_watch(
    scan: Callable[[], int],
    *,
    every: str | None,
    cron: str | None,
    max_runs: int | None,
    store_url: str | None,
) -> int:
    schedule = _schedule(every, cron)
    stop = threading.Event()

    received: list[str] = []

    def _stop(signum: int, _frame: FrameType | None) -> None:
        # No I/O here: the signal may have interrupted a write. Say it once the watch ends.
        received.append(signal.Signals(signum).name)
        stop.set()

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        with exclusive(watch_lock(store_url)):
            watch(scan, schedule, stop=stop, max_runs=max_runs, log=_log)
        if received:
            _log(f"watch: {received[0]} received: the run in progress was finished, then stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _log(message: str) -> None:
    click.echo(message, err=True)


def _schedule(every: str | None, cron: str | None) -> Schedule:
    if (every is None) == (cron is None):
        raise ConfigError("watch: give either --every (e.g. 6h) or --cron (e.g. '0 */6 * * *')")
    return parse_every(every) if every is not None else parse_cron(cron or "")


def watch_lock(store_url: str | None) -> Path:
    """One watcher per store: the lock sits beside a SQLite store, or in the user's data
    directory for a server store (keyed by its URL)."""
    import hashlib

    import sqlalchemy as sa

    url = store_url or default_store_url()
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(f"{parsed.database}.watch.lock")
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    base = Path(default_store_url().removeprefix("sqlite:///")).parent
    return base / f"watch-{digest}.lock"


__all__ = ["run_watch", "watch_lock"]

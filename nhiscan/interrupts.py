"""SIGTERM and SIGINT as exceptions, so that an interrupted command unwinds in order: worker
pools stopped, temporary clones removed, the history store's transaction rolled back.

SIGINT already raises ``KeyboardInterrupt``; ``terminate_raises`` makes SIGTERM raise
``Terminated`` in the main thread the same way. Both derive from ``BaseException``, so no
``except Exception`` on the way swallows them. ``cli.py`` turns them into exit codes 130 and
143 (128 + the signal number, as shells report a process killed by it).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGINT_EXIT = 128 + signal.SIGINT  # 130
SIGTERM_EXIT = 128 + signal.SIGTERM  # 143


class Terminated(BaseException):
    """SIGTERM was received: stop, unwinding as for Ctrl-C."""


@contextmanager
def terminate_raises() -> Iterator[None]:
    """While the block runs, SIGTERM raises ``Terminated`` in the main thread (once: a second
    SIGTERM during the unwinding is ignored, so the cleanup finishes). Elsewhere than the main
    thread, where Python cannot install handlers, it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def _raise(signum: int, _frame: FrameType | None) -> None:
        if received:
            return
        received.append(signum)
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

"""SIGTERM and SIGINT as exceptions, so that an interrupted command unwinds in order: worker
pools stopped, temporary clones removed, the history store's transaction rolled back.

SIGINT already raises ``KeyboardInterrupt``; ``signals_raise`` makes SIGTERM raise
``Terminated`` in the main thread the same way. Both derive from ``BaseException``, so no
``except Exception`` on the way swallows them. ``nhiscan.cli`` turns them into exit codes 130 and
143 (128 + the signal number, as shells report a process killed by it).

Python runs a signal handler wherever the main thread is, and an exception raised where
Python cannot propagate it (a ``__del__``, a weakref callback, the at-fork hooks that run
when a worker process is forked) is printed and dropped: the command would go on as if no
signal had come. ``held`` keeps the signals back while worker processes are forked, and while
``signals_raise`` is active an interrupt dropped anyway is sent again a moment later, to be
raised at a place that can propagate it (nothing is printed).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

SIGINT_EXIT = 128 + signal.SIGINT  # 130
SIGTERM_EXIT = 128 + signal.SIGTERM  # 143
_RESEND_AFTER = 0.01  # seconds: a dropped interrupt is sent again once its hook has returned
_INTERRUPTS = {signal.SIGINT, signal.SIGTERM}


class Terminated(BaseException):
    """SIGTERM was received: stop, unwinding as for Ctrl-C."""


def _raise_terminated(_signum: int, _frame: FrameType | None) -> None:
    raise Terminated()


def _raise_interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt()


_SIGNAL_OF: dict[type[BaseException], signal.Signals] = {
    Terminated: signal.SIGTERM,
    KeyboardInterrupt: signal.SIGINT,
}


@contextmanager
def signals_raise() -> Iterator[None]:
    """While the block runs, SIGTERM raises ``Terminated`` and SIGINT ``KeyboardInterrupt`` in
    the main thread, and one that Python drops is raised again (see above). Elsewhere than
    the main thread, where Python cannot install handlers, it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous_hook = sys.unraisablehook

    def _hook(unraisable: Any) -> None:
        sig = _SIGNAL_OF.get(unraisable.exc_type)
        if sig is None:
            previous_hook(unraisable)
            return
        # Not now: the handler would run inside this hook and be dropped again.
        timer = threading.Timer(_RESEND_AFTER, os.kill, args=(os.getpid(), sig))
        timer.daemon = True
        timer.start()

    handlers = {signal.SIGTERM: _raise_terminated, signal.SIGINT: _raise_interrupt}
    previous = {
        sig: signal.signal(sig, handler)
        for sig, handler in handlers.items()
        if signal.getsignal(sig) is not signal.SIG_IGN  # ignored (nohup, `&`): stays so
    }
    sys.unraisablehook = _hook
    try:
        yield
    finally:
        sys.unraisablehook = previous_hook
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def held() -> Iterator[None]:
    """SIGINT and SIGTERM held back in this thread until the block ends (then delivered): for
    starting worker processes by fork, whose at-fork hooks would drop the exception. A child
    forked in the block inherits the mask: it must call ``release`` first thing."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def release() -> None:
    """Undo ``held`` in a forked child (a mask survives fork and exec, so its own children
    would otherwise never see SIGTERM)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _INTERRUPTS)


@contextmanager
def deferred() -> Iterator[None]:
    """SIGINT and SIGTERM noted while the block runs and raised once it has ended: for a step
    that an exception would cut where nothing can clean up after it (a Dask cluster starting
    its worker processes: interrupted then, the half-started cluster cannot be closed and its
    workers are left to the exit). Unlike ``held`` no signal mask is set, so the processes the
    block starts inherit none. Outside the main thread it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[int] = []

    def _note(signum: int, _frame: FrameType | None) -> None:
        noted.append(signum)

    previous = {
        sig: signal.signal(sig, _note)
        for sig in _INTERRUPTS
        if signal.getsignal(sig) is not signal.SIG_IGN
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if noted:
            signal.raise_signal(noted[0])

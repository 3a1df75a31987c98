"""SIGTERM and SIGINT as exceptions in the main thread (``nhiscan.interrupts``), including an
interrupt Python would drop (raised inside a ``__del__``), and signals left ignored."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from nhiscan.interrupts import Terminated, deferred, held, signals_raise

BOUND = 1_000  # 10 ms sleeps: ten seconds, only a lost interrupt waits that long


def _wait_for_the_signal() -> None:
    for _ in range(BOUND):
        time.sleep(0.01)


def test_sigterm_raises_terminated_and_the_handler_is_restored() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated), signals_raise():
        os.kill(os.getpid(), signal.SIGTERM)
        _wait_for_the_signal()
    assert signal.getsignal(signal.SIGTERM) is before


class _Dropper:
    """Receives SIGTERM inside ``__del__``, where Python prints and drops what the handler
    raises (as it does in the at-fork hooks that run when a worker process is forked)."""

    finished: list[bool] = []

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(100):  # the handler runs here, at one of these calls
            time.sleep(0)
        _Dropper.finished.append(True)  # never reached: the handler raised above


def test_an_interrupt_python_drops_is_raised_again_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(Terminated), signals_raise():
        dropper = _Dropper()
        del dropper
        _wait_for_the_signal()
    assert _Dropper.finished == []  # Terminated was raised, and dropped, inside __del__
    assert "Exception ignored" not in capsys.readouterr().err


def test_signals_are_held_back_then_delivered() -> None:
    # Sent to this (the main) thread itself: a signal sent to the process while this thread
    # holds it back goes to any other thread the test session happens to run.
    with pytest.raises(KeyboardInterrupt), signals_raise():
        with held():
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
            time.sleep(0.05)  # nothing is raised in here
            reached = True
        _wait_for_the_signal()
    assert reached


def test_an_ignored_sigint_stays_ignored() -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with signals_raise():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    finally:
        signal.signal(signal.SIGINT, previous)


def test_deferred_signals_are_raised_when_the_block_ends() -> None:
    """A SIGTERM during ``deferred`` cuts nothing in the block; it is raised as it ends."""
    finished = False
    with pytest.raises(Terminated), signals_raise():
        with deferred():
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGTERM)
            _wait_a_little()
            finished = True
        _wait_for_the_signal()
    assert finished
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def _wait_a_little() -> None:
    for _ in range(10):
        time.sleep(0.01)

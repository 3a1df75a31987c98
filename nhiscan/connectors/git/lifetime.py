"""Child processes that end with the scan: worker processes and the git commands they start.

A scan killed by SIGTERM or SIGINT stops its pool in order (``work``), but a parent killed
with SIGKILL runs no code at all: a forked worker then waits forever on a pipe whose write end
it holds itself. On Linux ``prctl(PR_SET_PDEATHSIG)`` asks the kernel to signal a process when
its parent dies, whatever the cause; elsewhere these helpers do nothing and the orderly
shutdown is all there is.

The signal fires when the *thread* that started the child ends: nhiscan starts its workers
and git commands from long-lived threads (the main thread, a worker's main thread).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

_PR_SET_PDEATHSIG = 1


def _load_prctl() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


# Resolved once at import: a child between fork and exec calls it without loading anything.
_PRCTL = _load_prctl()


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Have the kernel send ``sig`` to this process when its parent ends; whether it could."""
    if _PRCTL is None:
        return False
    result: int = _PRCTL(ctypes.c_int(_PR_SET_PDEATHSIG), ctypes.c_ulong(int(sig)), 0, 0, 0)
    return result == 0


def _git_child() -> None:  # pragma: no cover - runs in the child, between fork and exec
    # SIGTERM, not SIGKILL: git removes its lock and temporary files on SIGTERM.
    die_with_parent(signal.SIGTERM)


# For subprocess's preexec_fn: None where the kernel offers nothing (it forces a slower spawn).
GIT_CHILD_SETUP: Callable[[], None] | None = _git_child if _PRCTL is not None else None


def is_alive(pid: int) -> bool:
    """Whether process ``pid`` still exists (a worker checks its scan after asking for the
    signal: a scan that died before that would never send it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

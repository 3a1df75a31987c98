"""Progress on stderr: a bar that redraws in place on a TTY, quiet lines otherwise."""

from __future__ import annotations

import re
import sys
import time
from typing import TextIO

_COUNT = re.compile(r"(\d+)/(\d+)(?: [A-Za-z]+)?\s*$")  # "3/10", or with a unit: "37/200 MB"


class StderrProgress:
    """Callable as ``progress(message)``; a message ending in ``N/M`` (or ``N/M unit``) draws a
    bar on a TTY.

    Off a TTY it prints a line when the step changes, and at most every ``interval`` seconds
    within one step, so CI logs stay short.
    """

    def __init__(self, stream: TextIO | None = None, *, interval: float = 5.0) -> None:
        self._stream = stream or sys.stderr
        self._tty = self._stream.isatty()
        self._interval = interval
        self._last_step: str | None = None
        self._last_time = 0.0
        self._drawn = False

    def __call__(self, message: str) -> None:
        if self._tty:
            self._draw(message)
            return
        step = _COUNT.sub("", message).strip()
        now = time.monotonic()
        if step != self._last_step or now - self._last_time >= self._interval:
            self._stream.write(message + "\n")
            self._stream.flush()
            self._last_step, self._last_time = step, now

    def _draw(self, message: str) -> None:
        match = _COUNT.search(message)
        text = message
        if match and int(match.group(2)) > 0:
            done, total = int(match.group(1)), int(match.group(2))
            filled = min(20, 20 * done // total)
            text = f"[{'#' * filled}{'.' * (20 - filled)}] {message}"
        self._stream.write("\r\033[K" + text[:200])
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._tty and self._drawn:
            self._stream.write("\r\033[K")
            self._stream.flush()

"""A small Chrome DevTools Protocol client over a pipe, so the browser test needs no Python
package: Chromium started with ``--remote-debugging-pipe`` reads JSON commands, each ended by a
NUL byte, on fd 3 and writes responses and events the same way on fd 4.

Every wait has a deadline (``Browser(timeout=...)`` for the whole session): a hung or crashed
browser fails the test with what it was waiting for, instead of hanging CI.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)

Message = dict[str, Any]


class CdpError(RuntimeError):
    """The browser answered a command with an error, died, or did not answer in time."""


# Run in a fresh interpreter between fork and the browser: the pipe ends passed as argv[1] and
# argv[2] become fds 3 and 4 (os.dup2 makes them inheritable), then the browser replaces it.
TRAMPOLINE = """
import os, sys
read_fd, write_fd = int(sys.argv[1]), int(sys.argv[2])
os.dup2(read_fd, 3)
os.dup2(write_fd, 4)
os.close(read_fd)
os.close(write_fd)
os.execv(sys.argv[3], sys.argv[3:])
"""


def pipe_argv(argv: list[str], read_fd: int, write_fd: int) -> list[str]:
    """``argv`` run so that it reads ``read_fd`` as fd 3 and writes ``write_fd`` as fd 4. A small
    Python program moves the two pipe ends (passed with ``pass_fds``) into place and execs the
    browser, which keeps its pid. Unlike a ``preexec_fn``, this is safe with threads, and fds 3
    and 4 survive ``close_fds``; unlike a shell's ``3<&N``, any fd number works."""
    if min(read_fd, write_fd) <= 4:
        raise ValueError("pipe ends must be above fd 4 (see high_pipe)")
    return [sys.executable, "-c", TRAMPOLINE, str(read_fd), str(write_fd), *argv]


def high_pipe() -> tuple[int, int]:
    """``os.pipe()`` with both ends above fd 4, so moving them onto 3 and 4 clobbers neither."""
    ends = []
    for fd in os.pipe():
        ends.append(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 5))
        os.close(fd)
    return ends[0], ends[1]


class Browser:
    """Headless Chromium driven over the DevTools pipe, with one page attached (flattened
    sessions). Collects every event; ``events(method)`` returns those seen so far."""

    def __init__(self, *, timeout: float = 30.0, width: int = 1280, height: int = 900) -> None:
        self.deadline = time.monotonic() + timeout
        self._profile = tempfile.mkdtemp(prefix="nhiscan-chromium-")
        self._log = Path(self._profile) / "stderr.log"
        to_child_r, self._to_child = high_pipe()
        self._from_child, from_child_w = high_pipe()
        argv = [CHROMIUM, *FLAGS, f"--user-data-dir={self._profile}",
                f"--window-size={width},{height}", "about:blank"]  # fmt: skip
        with self._log.open("wb") as log:
            self._proc = subprocess.Popen(
                pipe_argv(argv, to_child_r, from_child_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                pass_fds=(to_child_r, from_child_w),
            )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[Message] = []
        self.session: str | None = None

    # --- the wire ----------------------------------------------------------------------------

    def _left(self, what: str) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise CdpError(f"timed out waiting for {what}")
        return left

    def _read_message(self, what: str) -> Message:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_child], [], [], self._left(what))
            if not ready:
                raise CdpError(f"timed out waiting for {what}")
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise CdpError(
                    f"the browser closed the pipe while waiting for {what}; it said:\n"
                    + self.said()
                )
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: Message = json.loads(raw)
        return message

    def send(self, method: str, params: Message | None = None, *, page: bool = True) -> Message:
        """Send a command (to the attached page unless ``page=False``) and return its result;
        events arriving meanwhile are kept."""
        self._next_id += 1
        command: Message = {"id": self._next_id, "method": method, "params": params or {}}
        if page and self.session is not None:
            command["sessionId"] = self.session
        data = json.dumps(command).encode() + b"\0"
        while data:
            self._left(method)
            data = data[os.write(self._to_child, data) :]
        while True:
            message = self._read_message(method)
            if message.get("id") != command["id"]:
                self._events.append(message)
                continue
            if "error" in message:
                raise CdpError(f"{method}: {message['error']}")
            result: Message = message.get("result", {})
            return result

    def wait_for(self, method: str) -> Message:
        """The first event ``method`` (already seen, or the next to arrive)."""
        for event in self._events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read_message(method)
            self._events.append(event)
            if event.get("method") == method:
                return event

    def forget_events(self) -> None:
        """Start afresh: ``events``, ``problems`` and ``requests`` see only what comes next."""
        self._events = []

    def events(self, method: str) -> list[Message]:
        return [e for e in self._events if e.get("method") == method]

    # --- pages -------------------------------------------------------------------------------

    def open_page(self) -> None:
        """A new page, attached with a flattened session; Runtime, Log, Page and Network on."""
        target = self.send("Target.createTarget", {"url": "about:blank"}, page=False)
        attached = self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, page=False
        )
        self.session = attached["sessionId"]
        for domain in ("Runtime", "Log", "Page", "Network"):
            self.send(f"{domain}.enable")

    def navigate(self, url: str) -> None:
        self._events = [e for e in self._events if e.get("method") != "Page.loadEventFired"]
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise CdpError(f"navigating to {url}: {result['errorText']}")
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (a JSON-able value)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise CdpError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> bytes:
        data = base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])
        path.write_bytes(data)
        return data

    def problems(self) -> list[str]:
        """Errors the page reported: uncaught exceptions, console errors, log entries at error
        level (Content-Security-Policy violations land there) and failed requests."""
        found = [f"exception: {e['params']['exceptionDetails']}"
                 for e in self.events("Runtime.exceptionThrown")]  # fmt: skip
        found += [f"console.{e['params']['type']}: {e['params'].get('args')}"
                  for e in self.events("Runtime.consoleAPICalled")
                  if e["params"]["type"] in ("error", "assert")]  # fmt: skip
        found += [f"log {e['params']['entry'].get('source')}: {e['params']['entry'].get('text')}"
                  for e in self.events("Log.entryAdded")
                  if e["params"]["entry"].get("level") == "error"]  # fmt: skip
        found += [f"request failed: {e['params'].get('errorText')} "
                  f"({e['params'].get('blockedReason') or 'not blocked'})"
                  for e in self.events("Network.loadingFailed")]  # fmt: skip
        return found

    def requests(self) -> list[str]:
        """The URLs the page asked for (the page itself included)."""
        return [e["params"]["request"]["url"] for e in self.events("Network.requestWillBeSent")]

    def said(self, lines: int = 15) -> str:
        """The end of what the browser wrote to stderr, without its D-Bus complaints."""
        try:
            text = self._log.read_text(errors="replace")
        except OSError:
            return "(nothing)"
        kept = [line for line in text.splitlines() if "dbus" not in line.lower()]
        return "\n".join(kept[-lines:]) or "(nothing)"

    # --- lifetime ----------------------------------------------------------------------------

    def close(self) -> None:
        try:
            if self._proc.poll() is None:
                with contextlib.suppress(CdpError, OSError):
                    self.send("Browser.close", page=False)
                try:
                    self._proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait(timeout=5)
        finally:
            for fd in (self._to_child, self._from_child):
                with contextlib.suppress(OSError):
                    os.close(fd)
            shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def chromium_for_tests(*, width: int, height: int, timeout: float) -> Iterator[Browser]:
    """A Chromium with a page open, for a test module's fixture: skipped when Chromium is
    missing, failed instead when NHISCAN_BROWSER_TESTS=1 (CI must not skip the browser tests)."""
    import pytest

    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("NHISCAN_BROWSER_TESTS") == "1":
            pytest.fail(f"NHISCAN_BROWSER_TESTS=1 but {message}")
        pytest.skip(message)
    with Browser(timeout=timeout, width=width, height=height) as chromium:
        chromium.open_page()
        yield chromium

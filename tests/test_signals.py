"""A scan stopped by a signal: exit 130 (SIGINT) or 143 (SIGTERM) with one line and no traceback,
no process of the scan left behind (worker processes, their git commands), even when the scan
itself is killed with SIGKILL (Linux), and nothing recorded in the history store.

Each test starts a real ``nhiscan scan --history`` in its own session on a repository big
enough for a pool of two workers, waits until the workers exist (read from /proc), signals,
and then looks in /proc for any process left in the scan's session.
"""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import string
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nhiscan.store import open_store

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads processes from Linux's /proc"
)

COMMITS = 400  # one new 100 kB file each: a pool of 2 workers takes seconds to scan them
FILE_BYTES = 100_000
WAIT = 60.0  # seconds: a generous bound that only a hang exceeds
# Random base64 made into lowercase words and lines: text with nothing a detector reports.
_WORDS = bytes.maketrans(b"+/01" + string.ascii_uppercase.encode(),
                         b"  \n\n" + string.ascii_lowercase.encode())  # fmt: skip


def _fast_import_stream() -> bytes:
    """``git fast-import`` input: COMMITS commits, each adding a file of random words."""
    parts: list[bytes] = []
    for n in range(COMMITS):
        body = base64.b64encode(os.urandom(FILE_BYTES * 3 // 4)).translate(_WORDS)
        message = b"commit %d" % n
        parts += [
            b"commit refs/heads/main\n",
            b"committer A <a@example.com> %d +0000\n" % (1_700_000_000 + n * 86_400),
            b"data %d\n%s\n" % (len(message), message),
            b"M 100644 inline src/f%d.py\n" % n,
            b"data %d\n%s\n" % (len(body), body),
        ]
    return b"".join(parts)


@pytest.fixture(scope="module")
def big_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "repo"
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(path.parent)}
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, env=env)
    subprocess.run(
        ["git", "-C", str(path), "-c", "core.compression=0", "fast-import", "--quiet"],
        input=_fast_import_stream(),
        check=True,
        env=env,
    )
    return path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "nhiscan.toml"
    path.write_text("[git]\nworkers = 2\n")
    return path


def _session(sid: int) -> list[tuple[int, str]]:
    """(pid, name) of the live (not zombie) processes of session ``sid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # it ended while we looked
        name, _, rest = stat.partition(" (")[2].rpartition(") ")
        fields = rest.split()
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append((int(entry), name))
    return found


def _kill_session(sid: int) -> None:
    for pid, _ in _session(sid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def scans() -> Iterator[list[subprocess.Popen[bytes]]]:
    """The scans a test starts; whatever is left of them is killed afterwards."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        _kill_session(proc.pid)
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _start(
    scans: list[subprocess.Popen[bytes]], repo: Path, config: Path, tmp_path: Path, *store: str
) -> tuple[subprocess.Popen[bytes], Path]:
    """The scan in a session of its own (its id is the scan's pid), stderr to a file: a pipe
    would never close while an orphaned worker holds it."""
    err = tmp_path / "stderr.txt"
    args = [sys.executable, "-m", "nhiscan", "scan", "--repo", str(repo), "--history"]
    args += ["--config", str(config), "-o", str(tmp_path / "out") + "/", *(store or ["--no-store"])]
    with err.open("wb") as handle:
        proc = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=handle, start_new_session=True, cwd=tmp_path
        )
    scans.append(proc)
    return proc, err


def _wait_for_workers(proc: subprocess.Popen[bytes], err: Path) -> list[tuple[int, str]]:
    """The scan's processes once two workers (its Python children) exist."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the scan ended before its workers started:\n{err.read_text()}"
        procs = _session(proc.pid)
        workers = [p for p in procs if p[0] != proc.pid and not p[1].startswith("git")]
        if len(workers) >= 2:
            return procs
        time.sleep(0.01)
    raise AssertionError(f"no worker processes after {WAIT} s:\n{err.read_text()}")


def _assert_nothing_left(sid: int) -> None:
    deadline = time.monotonic() + WAIT
    while (left := _session(sid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == [], f"processes of the scan survived it: {left}"


@pytest.mark.parametrize(
    ("sig", "to_group", "code", "name"),
    [
        (signal.SIGTERM, False, 143, "SIGTERM"),  # kill PID, docker stop, systemd
        (signal.SIGINT, True, 130, "SIGINT"),  # Ctrl-C: the whole foreground group
        (signal.SIGINT, False, 130, "SIGINT"),  # kill -INT PID
    ],
)
def test_a_signalled_scan_exits_by_convention_and_leaves_no_process(
    big_repo: Path,
    config: Path,
    tmp_path: Path,
    scans: list[subprocess.Popen[bytes]],
    sig: signal.Signals,
    to_group: bool,
    code: int,
    name: str,
) -> None:
    proc, err = _start(scans, big_repo, config, tmp_path)
    before = _wait_for_workers(proc, err)
    assert len(before) >= 3  # the scan and its two workers
    (os.killpg if to_group else os.kill)(proc.pid, sig)
    assert proc.wait(timeout=WAIT) == code, err.read_text()
    stderr = err.read_text()
    assert f"nhiscan: interrupted by {name}" in stderr
    assert "Traceback" not in stderr and "Aborted!" not in stderr
    assert not (tmp_path / "out" / "report.json").exists()
    _assert_nothing_left(proc.pid)


def test_workers_die_with_a_scan_killed_outright(
    big_repo: Path, config: Path, tmp_path: Path, scans: list[subprocess.Popen[bytes]]
) -> None:
    """SIGKILL runs no code in the scan: the kernel ends the workers (PR_SET_PDEATHSIG), and
    their git commands with them."""
    proc, err = _start(scans, big_repo, config, tmp_path)
    _wait_for_workers(proc, err)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=WAIT) == -signal.SIGKILL
    _assert_nothing_left(proc.pid)


def test_an_interrupted_scan_is_not_recorded(
    big_repo: Path, config: Path, tmp_path: Path, scans: list[subprocess.Popen[bytes]]
) -> None:
    url = f"sqlite:///{tmp_path / 'history.db'}"
    proc, err = _start(scans, big_repo, config, tmp_path, "--store", url)
    _wait_for_workers(proc, err)
    assert (tmp_path / "history.db").exists()  # the store was opened before collecting
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=WAIT) == 143, err.read_text()
    assert "recorded run" not in err.read_text()
    store = open_store(url)
    try:
        assert store.runs() == []
    finally:
        store.close()
    _assert_nothing_left(proc.pid)

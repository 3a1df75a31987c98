"""A throwaway PostgreSQL server for the store tests: Debian's packages (`postgresql`), a data
directory of its own, trust authentication on a loopback port. Used by the test fixture and by
`.ci/run` (`python tests/pg_server.py start DIR` prints the URL; `stop DIR` stops it).

PostgreSQL refuses to run as root; as root the server runs as the `postgres` user the Debian
package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (the newest Debian version), if installed."""
    found = shutil.which("initdb") or shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]) if versions else None


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(root: Path) -> str:
    """Initialise and start a server under ``root`` (a folder the server user can reach: its
    parents must be traversable, as a fresh ``tempfile.mkdtemp()`` under /tmp is once this
    makes it 0755); returns its URL."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    data, sockets = root / "data", root / "sockets"
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    sockets.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust",
                                    "-U", "postgres", "--no-sync"]),
                   check=True, capture_output=True)  # fmt: skip
    port = _free_port()
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                                    "-l", str(root / "server.log"), "-w", "start"]),
                   check=True, capture_output=True)  # fmt: skip
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def stop(root: Path) -> None:
    """Stop the server and remove its folder (data, sockets and log): nothing is left behind."""
    bin_dir = binaries()
    if bin_dir is not None and (root / "data").exists():
        subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-m",
                                        "immediate", "stop"]), capture_output=True)  # fmt: skip
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2])
    if command == "start":
        print(start(folder))
    else:
        stop(folder)

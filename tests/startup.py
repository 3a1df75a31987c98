"""What a command line imports, asked of a fresh interpreter (no other test has imported
anything in it): start-up cost is what a slow import would add, and nothing else would notice."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

# The modules are said by an exit handler: the command line ends with os._exit once its exit
# handlers have run (cli.main), so nothing after main() would run.
_PROBE = """
import atexit, json, sys
from nhiscan.cli import main
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["nhiscan", *sys.argv[1:]]
main()
"""


def imported(args: list[str], cwd: Path | None = None) -> tuple[list[str], str]:
    """The modules loaded once ``nhiscan ARGS`` has run, and what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, check=True, cwd=cwd
    )
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stdout


def among(loaded: Iterable[str], packages: Iterable[str]) -> list[str]:
    """The loaded modules that are ``packages`` or inside one of them."""
    wanted = tuple(packages)
    return [m for m in loaded if any(m == p or m.startswith(f"{p}.") for p in wanted)]

"""Thin click commands: parse, build options, call the orchestration (``nhiscan.app``), render.
The group and the entry point (``nhiscan.cli:main``) are here, the commands in this package's
modules.

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad usage or input (an output that
cannot be written included), 3 incomplete collection under --strict, 130 interrupted (SIGINT,
Ctrl-C), 143 terminated (SIGTERM). ``NhiError`` is caught here and only here.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from typing import Any

import click

from nhiscan import __version__
from nhiscan.cli.agents import compile_command, schema_command
from nhiscan.cli.history import diff_command, history_group, watch_command
from nhiscan.cli.queries import graph_group, path_command, reach_command, who_can_command
from nhiscan.cli.scan import analyze, baseline_group, collect, inventory, rules, scan
from nhiscan.errors import NhiError
from nhiscan.interrupts import SIGINT_EXIT, SIGTERM_EXIT, Terminated, signals_raise


class _Cli(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            with signals_raise():
                return super().invoke(ctx)
        except NhiError as exc:
            click.echo(f"nhiscan: error: {exc}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            _interrupted("SIGINT")
            ctx.exit(SIGINT_EXIT)
        except Terminated:
            _interrupted("SIGTERM")
            ctx.exit(SIGTERM_EXIT)


def _interrupted(name: str) -> None:
    click.echo(
        f"nhiscan: interrupted by {name}: stopped (a scan stopped before its reports were all "
        "written is not recorded in the history)",
        err=True,
    )


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nhiscan")
def cli() -> None:
    """Inventory non-human identities, what they can reach, and what is stale or unowned."""


def main() -> None:
    """The console entry point. Once the command is done, its exit handlers run and its output
    is flushed, the process ends at once (``os._exit``), without the interpreter's teardown:
    freeing the millions of objects a large scan leaves (and a last collection over them) cost
    the 10,000-role scan about 2 s and served nothing."""
    try:
        cli(prog_name="nhiscan")
    except SystemExit as exc:
        _end(exc.code)


def _end(code: object) -> None:
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # as the interpreter does with sys.exit("message")
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code or 0)


# --- the commands (defined in the modules of this package) ------------------------------------

for command in (
    collect,
    analyze,
    scan,
    inventory,
    rules,
    compile_command,
    schema_command,
    baseline_group,
    reach_command,
    who_can_command,
    path_command,
    graph_group,
    history_group,
    diff_command,
    watch_command,
):
    cli.add_command(command)


if __name__ == "__main__":  # pragma: no cover
    main()

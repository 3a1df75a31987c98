"""Every command's ``--help`` as a golden file (tests/data/golden/help.txt): the options, their
order and their help texts stay as they are when the code that declares them moves (the source
options are generated from the connector specs, for example).

Regenerate after a change that is meant to alter the help, and say why in the commit:
``python -m tests.help_golden``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
from click.testing import CliRunner

from nhiscan.cli import cli

GOLDEN = Path(__file__).parent / "data" / "golden" / "help.txt"


def command_paths(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from command_paths(sub, (*path, name))


def render_help(root: click.Command = cli) -> str:
    """``nhiscan [COMMAND...] --help`` of every command, 80 columns wide, one after the other."""
    parts = []
    for path in command_paths(root):
        result = CliRunner().invoke(root, [*path, "--help"], prog_name="nhiscan", terminal_width=80)
        assert result.exit_code == 0, result.output
        parts.append(f"=== nhiscan {' '.join(path)}\n{result.output}")
    return "\n".join(parts)


if __name__ == "__main__":
    GOLDEN.write_text(render_help(), encoding="utf-8")
    print(f"wrote {GOLDEN}")

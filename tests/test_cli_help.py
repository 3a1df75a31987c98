"""The help tells the truth: every command and option explains itself, and a command offers
only the options it uses."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from nhiscan.cli import cli
from tests.help_golden import GOLDEN, render_help

REPO_OPTIONS = {"--repo", "--history", "--since", "--staged", "--max-file-size", "--verify",
                "--dry-run"}  # fmt: skip


def _commands(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, (*path, name))


ALL = list(_commands(cli))


def _names(command: click.Command) -> set[str]:
    options = [p for p in command.params if isinstance(p, click.Option)]
    return {name for option in options for name in option.opts + option.secondary_opts}


def test_the_tree_is_walked() -> None:
    names = {" ".join(path) for path, _ in ALL}
    assert {"scan", "reach", "graph export", "baseline update", "history prune"} <= names


@pytest.mark.parametrize(("path", "command"), ALL, ids=[" ".join(p) or "nhiscan" for p, _ in ALL])
def test_every_command_and_option_has_help(path: tuple[str, ...], command: click.Command) -> None:
    assert (command.help or "").strip(), f"`nhiscan {' '.join(path)}` has no help text"
    for param in command.params:
        if not isinstance(param, click.Option) or "--help" in param.opts:
            continue
        assert (param.help or "").strip(), f"`nhiscan {' '.join(path)} {param.opts[0]}` has no help"


@pytest.mark.parametrize("name", ["reach", "who-can", "path", "graph export", "inventory"])
def test_commands_that_read_identities_offer_no_repository_options(name: str) -> None:
    command = dict((" ".join(p), c) for p, c in ALL)[name]
    assert not _names(command) & REPO_OPTIONS
    assert "--demo" in _names(command)
    shown = CliRunner().invoke(cli, [*name.split(), "--help"]).output
    assert "--repo" not in shown and "--verify" not in shown


def test_query_commands_refuse_repository_options() -> None:
    result = CliRunner().invoke(cli, ["reach", "--demo", "--repo", ".", "some-role"])
    assert result.exit_code == 2
    assert "No such option '--repo'" in result.output


@pytest.mark.parametrize("name", ["scan", "collect", "baseline create", "baseline update"])
def test_commands_that_scan_repositories_offer_the_repository_options(name: str) -> None:
    command = dict((" ".join(p), c) for p, c in ALL)[name]
    assert _names(command) >= REPO_OPTIONS


def test_fail_on_shows_its_default() -> None:
    shown = " ".join(CliRunner().invoke(cli, ["analyze", "--help"]).output.split())
    assert "[default: (fail_on in nhiscan.toml, else never)]" in shown


def test_baseline_update_names_its_input_as_the_baseline(tmp_path: Path) -> None:
    command = dict((" ".join(p), c) for p, c in ALL)["baseline update"]
    visible = [p for p in command.params if isinstance(p, click.Option) and not p.hidden]
    assert not any("--output" in p.opts for p in visible)
    assert any(p.opts == ["-b", "--baseline"] for p in visible)
    shown = CliRunner().invoke(cli, ["baseline", "update", "--help"]).output
    assert "--output" not in shown and "--baseline" in shown


def test_baseline_update_reads_and_rewrites_the_file_given_with_b(
    demo_report: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    snapshot = str(demo_report / "snapshot.json")
    accepted = tmp_path / "accepted.json"
    created = runner.invoke(cli, ["baseline", "create", snapshot, "-o", str(accepted)])
    assert created.exit_code == 0, created.output
    before = accepted.read_text()
    for flag in ("-b", "--baseline", "-o"):  # -o: the old, hidden spelling still works
        updated = runner.invoke(cli, ["baseline", "update", snapshot, flag, str(accepted)])
        assert updated.exit_code == 0, updated.output
        assert accepted.read_text() == before
    assert "deprecated" in updated.output
    missing = runner.invoke(cli, ["baseline", "update", snapshot, "-b", str(tmp_path / "no.json")])
    assert missing.exit_code == 2
    assert "no.json" in missing.output


def test_collect_offers_no_as_of_it_judges_no_ages() -> None:
    command = dict((" ".join(p), c) for p, c in ALL)["collect"]
    assert "--as-of" not in _names(command)
    assert "--as-of" in _names(dict((" ".join(p), c) for p, c in ALL)["analyze"])


def test_every_help_matches_the_golden_file() -> None:
    actual = render_help()
    expected = GOLDEN.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "golden", "now", n=2, lineterm=""
        )
        shown = "\n".join(line for _, line in zip(range(80), diff, strict=False))
        raise AssertionError(f"a command's --help changed (python -m tests.help_golden):\n{shown}")

"""Every `nhiscan` command shown in a ```sh block of README.md and docs/*.md runs, in order, as
a reader would run it after `nhiscan scan --demo -o out/`, and exits as the documents say: 0,
or 1 where `--fail-on` is shown (unless a baseline accepts what is found).

A line runs unless it needs a live cloud or the network; those are listed here with the reason,
so a new line in the documents is run by default. The demo scan itself comes from the
session's one demo run (tests/conftest.py): the same command, copied instead of run again.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from nhiscan.cli import cli
from tests.test_secrets_cli import token as github_token

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DEMO_SCAN = ("nhiscan", "scan", "--demo", "-o", "out/")

# A token anywhere on the line (an option, or the start of an argument) -> why it is not run.
NEEDS_CLOUD = {
    "--aws-profile": "a profile of a live AWS account",
    "--aws-assume-role": "assumes a role in a live AWS account",
    "--aws-org-role": "the accounts of a live AWS Organization",
    "--aws-gaad": "an export made from a live AWS account",
    "https://": "clones a repository over the network",
}
# Whole commands that name no source: `scan` then collects live AWS (default credentials).
LIVE_AWS = "no source given: live AWS through the default credential chain"
NO_SOURCE = {
    "nhiscan scan": LIVE_AWS,
    "nhiscan scan --agents agents.yaml": LIVE_AWS,
}
# Commands whose documented outcome on the demo is not 0/1 by the rule above, and why.
EXPECTED = {
    # "also refuse identities that match nothing": the demo's agents file declares
    # underwriting-copilot, whose role its estate lacks on purpose, so the refusal is the answer.
    "nhiscan compile agents.yaml --snapshot snapshot.json": 2,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Example:
    document: str
    line: int
    args: tuple[str, ...]  # after "nhiscan"
    redirect: str | None = None  # `> FILE`: standard output goes there

    @property
    def text(self) -> str:
        shown = shlex.join(("nhiscan", *self.args))
        return shown + (f" > {self.redirect}" if self.redirect else "")

    def skip_reason(self) -> str | None:
        for token in self.args:
            for prefix, reason in NEEDS_CLOUD.items():
                if token.startswith(prefix):
                    return reason
        return NO_SOURCE.get(self.text)

    @property
    def expected_exit(self) -> int:
        if self.text in EXPECTED:
            return EXPECTED[self.text]
        return 1 if "--fail-on" in self.args and "--baseline" not in self.args else 0


def examples(document: Path) -> list[Example]:
    """The `nhiscan` commands of the document's ```sh blocks, with their line numbers; a line
    continued with a backslash is one command, `a && b` are two, comments are dropped."""
    found = []
    text = document.read_text(encoding="utf-8")
    for block in re.finditer(r"^```sh\n(.*?)^```", text, flags=re.M | re.S):
        first = text.count("\n", 0, block.start(1)) + 1
        for number, line in _logical_lines(block.group(1), first):
            for command in _commands(shlex.split(line, comments=True)):
                if command and command[0] == "nhiscan":
                    found.append(_example(document, number, command))
    return found


def _logical_lines(block: str, first: int) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    pending = ""
    for offset, raw in enumerate(block.splitlines()):
        start = first + offset if not pending else lines[-1][0]
        if pending:
            lines.pop()
        pending += raw.removesuffix("\\")
        lines.append((start, pending))
        if not raw.endswith("\\"):
            pending = ""
    return lines


def _commands(tokens: list[str]) -> list[list[str]]:
    commands: list[list[str]] = [[]]
    for token in tokens:
        if token in ("&&", "||", ";"):
            commands.append([])
        else:
            commands[-1].append(token)
    return commands


def _example(document: Path, line: int, command: list[str]) -> Example:
    redirect = None
    if ">" in command:
        at = command.index(">")
        command, redirect = command[:at], command[at + 1]
    return Example(
        document=document.relative_to(ROOT).as_posix(),
        line=line,
        args=tuple(command[1:]),
        redirect=redirect,
    )


ALL = {doc.relative_to(ROOT).as_posix(): examples(doc) for doc in DOCUMENTS}


# --- the workspace a reader runs the examples in ------------------------------------------


def _token() -> str:
    return github_token()


def _git(path: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    subprocess.run(["git", *args], cwd=path, env=env, check=True, capture_output=True)


def _workspace(path: Path) -> None:
    """A git repository (the reader's application: `origin/main`, then a branch commit that
    adds a token, which `--since origin/main --fail-on high` must catch; the reports nhiscan
    writes are ignored, as an application would ignore them), with its agent files: the
    demo's, as agents.yaml and in agents/."""
    _git(path, "init", "-q", "-b", "main")
    (path / ".gitignore").write_text("out/\nnhiscan-report/\n")
    (path / "app.py").write_text("print('hello')\n")
    agents = ROOT / "nhiscan" / "connectors" / "demo" / "agents.yaml"
    shutil.copy(agents, path / "agents.yaml")
    (path / "agents").mkdir()
    shutil.copy(agents, path / "agents" / "lending.yaml")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", "app")
    _git(path, "update-ref", "refs/remotes/origin/main", "HEAD")
    (path / "settings.py").write_text(f'GITHUB_TOKEN = "{_token()}"\n')
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", "settings")


def _files_the_document_names(document: str, path: Path, demo: Path) -> None:
    """docs/agents.md also reads a snapshot.json (the demo's); the README makes its own."""
    if document == "docs/agents.md":
        shutil.copy(demo / "snapshot.json", path / "snapshot.json")


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    _workspace(path)
    monkeypatch.chdir(path)
    monkeypatch.setenv("NHISCAN_STORE", f"sqlite:///{tmp_path / 'history.db'}")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    return path


def _run(example: Example, workspace: Path, demo: Path) -> str | None:
    """Run one example; what went wrong, or None."""
    if example.args == DEMO_SCAN[1:]:
        shutil.copytree(demo, workspace / "out", dirs_exist_ok=True)
        return None
    result = CliRunner().invoke(cli, list(example.args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"raised {type(result.exception).__name__}: {result.exception}"
    if example.redirect:
        (workspace / example.redirect).write_text(result.stdout)
    if result.exit_code != example.expected_exit:
        shown = result.output.strip().splitlines()[-3:]
        return f"exit {result.exit_code}, expected {example.expected_exit}: {' | '.join(shown)}"
    return None


@pytest.mark.parametrize("document", [d for d, found in ALL.items() if found])
def test_every_documented_command_runs_and_exits_as_documented(
    document: str, workspace: Path, demo_report: Path
) -> None:
    _files_the_document_names(document, workspace, demo_report)
    failures = []
    ran = 0
    for example in ALL[document]:
        if example.skip_reason() is not None:
            continue
        problem = _run(example, workspace, demo_report)
        ran += 1
        if problem is not None:
            failures.append(f"{example.document}:{example.line}: {example.text}\n    {problem}")
    assert ran, f"{document}: no runnable example found"
    assert not failures, "documented commands that fail:\n" + "\n".join(failures)


def test_the_examples_are_found_and_most_of_them_run() -> None:
    readme = ALL["README.md"]
    texts = [e.text for e in readme]
    assert texts[0] == shlex.join(DEMO_SCAN)  # after `pip install '.[demo]' &&`
    assert "nhiscan who-can out/snapshot.json iam:CreateUser '*'" in texts  # quoting kept
    joined = [e for e in readme if "--notify-on" in e.args]  # a backslash-continued line
    assert joined and joined[0].args[:3] == (
        "scan",
        "--aws-org-role",
        "OrganizationAccountAccessRole",
    )
    assert any(e.redirect == "agents.schema.json" for e in ALL["docs/agents.md"])
    every = [e for found in ALL.values() for e in found]
    runnable = [e for e in every if e.skip_reason() is None]
    assert len(runnable) >= 25 and len(runnable) > len(every) / 2


def test_every_skip_reason_is_still_used() -> None:
    """A skip that matches no line any more is removed, so the list stays the truth."""
    every = [e for found in ALL.values() for e in found]
    used = {e.skip_reason() for e in every}
    for reason in (*NEEDS_CLOUD.values(), *NO_SOURCE.values()):
        assert reason in used, f"no documented command is skipped for: {reason}"
    for text in (*NO_SOURCE, *EXPECTED):
        assert any(e.text == text for e in every), f"{text!r} is no longer documented"

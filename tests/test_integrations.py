"""The GitHub Action and the pre-commit hook, run for real: their scripts and entry commands
against real git repositories, with the installed ``nhiscan``."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.test_secrets_cli import Repo, token

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


def _nhiscan_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment with this interpreter's scripts (where ``nhiscan`` is) first on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    assert shutil.which("nhiscan", path=bin_dir), "nhiscan is not installed beside python"
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"], **extra}


def _step(step_id_or_name: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = ACTION["runs"]["steps"]
    (found,) = [s for s in steps if step_id_or_name in (s.get("id"), s.get("name"))]
    return found


def test_the_action_never_expands_inputs_inside_a_script() -> None:
    assert ACTION["runs"]["using"] == "composite"
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], f"{step.get('name')}: inputs go through env"


def test_the_action_uploads_the_sarif_its_scan_writes() -> None:
    upload = _step("Upload SARIF to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ inputs.output }}/report.sarif"
    assert "--format sarif" in _step("scan")["run"]


def test_the_action_s_scan_and_gate_steps_fail_a_repository_with_a_secret(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "app")
    repo.write("deploy.py", f'GITHUB_TOKEN = "{token()}"\n')
    repo.commit("deploy")
    out, github_output, summary = tmp_path / "reports", tmp_path / "gh-output", tmp_path / "sum"
    env = _nhiscan_env({
        "NHISCAN_ARGS": f"--repo {repo.root} --history", "NHISCAN_FAIL_ON": "high",
        "NHISCAN_BASELINE": "", "NHISCAN_AGENTS": "", "NHISCAN_OUTPUT": str(out),
        "GITHUB_OUTPUT": str(github_output), "GITHUB_STEP_SUMMARY": str(summary),
    })  # fmt: skip
    scanned = subprocess.run(["bash", "-c", _step("scan")["run"]], env=env, capture_output=True,
                             text=True, cwd=tmp_path)  # fmt: skip
    assert scanned.returncode == 0, scanned.stderr  # the gate is a later step
    assert "exit-code=1" in github_output.read_text()
    sarif = json.loads((out / "report.sarif").read_text())
    assert sarif["runs"][0]["results"]
    assert {"report.json", "report.html", "report.md"} <= {p.name for p in out.iterdir()}
    assert "NHI200" in summary.read_text()
    gate = subprocess.run(["bash", "-c", _step("Gate")["run"]], env={**env, "CODE": "1"},
                          capture_output=True, text=True)  # fmt: skip
    assert gate.returncode == 1


def _hook_command() -> list[str]:
    (hook,) = [h for h in HOOKS if h["id"] == "nhiscan-secrets"]
    assert hook["pass_filenames"] is False and hook["language"] == "python"
    return shlex.split(hook["entry"])


@pytest.mark.parametrize("secret", [True, False], ids=["secret-refused", "clean-passes"])
def test_the_pre_commit_hook_refuses_a_staged_secret_only(tmp_path: Path, secret: bool) -> None:
    repo = Repo(tmp_path / "app")
    repo.write("README.md", "hello\n")
    repo.commit("start")
    line = f'TOKEN = "{token()}"\n' if secret else "NAME = 'app'\n"
    repo.write("settings.py", line)
    repo.git("add", "settings.py")
    done = subprocess.run(_hook_command(), cwd=repo.root, env=_nhiscan_env(repo.env),
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == (1 if secret else 0), done.stdout + done.stderr
    if secret:
        assert "NHI200" in done.stdout and "settings.py" in done.stdout
        assert not re.search(r"ghp_[A-Za-z0-9]{36}", done.stdout + done.stderr)  # never in clear
    assert not (repo.root / "nhiscan-report").exists()  # nothing written into the repository

"""Secrets in repositories end to end, as a user runs them: real temporary git repositories,
the gate, baselines through a reformat and a squash merge."""

from __future__ import annotations

import json
import os
import secrets
import string
import subprocess
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nhiscan.cli import cli


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def token() -> str:
    """A random ghp_ token with a valid CRC32 suffix, as GitHub issues them: a token whose
    checksum fails is an impossible body and judged low (scanner/secrets_judge.py)."""
    body = "".join(secrets.choice(BASE62) for _ in range(30))
    crc, suffix = zlib.crc32(body.encode()), ""
    for _ in range(6):
        crc, digit = divmod(crc, 62)
        suffix = BASE62[digit] + suffix
    return f"ghp_{body}{suffix}"


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                    "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
                    "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.root, env=self.env, check=True,
                              capture_output=True, text=True)  # fmt: skip
        return done.stdout

    def write(self, path: str, text: str) -> None:
        (self.root / path).parent.mkdir(parents=True, exist_ok=True)
        (self.root / path).write_text(text)

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "app")


def scan(repo: Repo, out: Path, *extra: str) -> tuple[int, dict[str, object]]:
    result = invoke("scan", "--repo", str(repo.root), "--history", "-o", str(out),
                    "--format", "json", "--fail-on", "high", *extra)  # fmt: skip
    return result.exit_code, json.loads(out.read_text())


def new_findings(report: dict[str, object]) -> list[str]:
    return [f["evidence"]["redacted"] for f in report["findings"]]  # type: ignore[index, union-attr]


def test_the_gate_fails_once_then_only_on_new_secrets_through_reformat_and_squash(
    repo: Repo, tmp_path: Path
) -> None:
    first, second = token(), token()
    repo.write("app/settings.py", f'GITHUB_TOKEN = "{first}"\n')
    repo.commit("settings")
    code, report = scan(repo, tmp_path / "r1.json")
    assert code == 1 and len(new_findings(report)) == 1
    baseline = tmp_path / "baseline.json"
    assert invoke("baseline", "create", "--repo", str(repo.root), "--history", "-o",
                  str(baseline)).exit_code == 0  # fmt: skip
    assert first not in baseline.read_text()
    code, report = scan(repo, tmp_path / "r2.json", "--baseline", str(baseline))
    assert code == 0 and new_findings(report) == []
    # A reformat moves the secret to another line and indentation, on a branch that is
    # squash-merged: new commits, new blobs, the same secret.
    repo.git("checkout", "-q", "-b", "refactor")
    repo.write(
        "app/settings.py",
        f'"""Settings."""\n\nclass S:\n    GITHUB_TOKEN = (\n        "{first}"\n    )\n',
    )
    repo.commit("reformat")
    repo.git("mv", "app/settings.py", "app/config.py")
    repo.commit("rename")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "--squash", "refactor")
    repo.commit("Refactor settings (squashed)")
    code, report = scan(repo, tmp_path / "r3.json", "--baseline", str(baseline))
    assert code == 0 and new_findings(report) == []
    assert report["baseline"]["stale"] == []  # type: ignore[index]
    # A new secret fails the gate again, and only it is reported.
    repo.write("app/notify.py", f'TOKEN = "{second}"\n')
    repo.commit("notify")
    code, report = scan(repo, tmp_path / "r4.json", "--baseline", str(baseline))
    assert code == 1
    (finding,) = report["findings"]  # type: ignore[misc]
    assert finding["evidence"]["exposures"][0]["path"] == "app/notify.py"


def test_an_ignored_line_is_silenced_and_counted(repo: Repo, tmp_path: Path) -> None:
    # Checksummed tokens: detect-secrets' plugin and nhiscan's detector both find each, and
    # a silenced line counts once however many detectors found it.
    fake = [token(), token()]
    repo.write(
        "t.py", f'A = "{fake[0]}"  # nhiscan:ignore\nB = "{fake[1]}"  # pragma: allowlist secret\n'
    )
    repo.commit("fixtures")
    code, report = scan(repo, tmp_path / "r.json")
    assert code == 0 and report["findings"] == []
    assert report["repositories"][0]["ignored_inline"] == 2  # type: ignore[index]


def test_verify_dry_run_lists_the_endpoint_and_contacts_nothing(repo: Repo) -> None:
    result = invoke("scan", "--repo", str(repo.root), "--verify", "--dry-run")
    assert result.exit_code == 0
    assert "sts." in result.stdout and "Nothing was scanned" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--history",), "--history needs --repo"),
        (("--dry-run",), "--dry-run goes with --verify"),
        (("--repo", ".", "--history", "--staged"), "choose one of"),
    ],
)
def test_bad_repository_options_are_usage_errors(args: tuple[str, ...], message: str) -> None:
    result = invoke("scan", *args)
    assert result.exit_code == 2 and message in result.output


def test_a_missing_repository_is_a_clear_error(tmp_path: Path) -> None:
    result = invoke("scan", "--repo", str(tmp_path / "nope"), "--history")
    assert result.exit_code == 2 and "nope" in result.output


def test_verify_checks_a_found_aws_key_against_sts(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    from nhiscan.connectors.demo.connector import moto_server

    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    with moto_server() as endpoint:
        iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x")  # fmt: skip
        iam.create_user(UserName="leaky-bot")
        key = iam.create_access_key(UserName="leaky-bot")["AccessKey"]
        repo.write("ci.env", f"AWS_ACCESS_KEY_ID={key['AccessKeyId']}\n"
                             f"AWS_SECRET_ACCESS_KEY={key['SecretAccessKey']}\n")  # fmt: skip
        repo.commit("ci")
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", endpoint)
        code, report = scan(repo, tmp_path / "r.json", "--verify")
    assert code == 1
    (exposure,) = [e for e in report["exposures"] if e["detector"] == "AWS Access Key ID"]  # type: ignore[union-attr, index]
    assert exposure["verification"] == "valid"
    assert exposure["verified_identity"].endswith(":user/leaky-bot")
    (finding,) = [f for f in report["findings"] if f["evidence"]["detector"] == "AWS Access Key ID"]  # type: ignore[union-attr, index]
    assert finding["severity"] == "critical" and "leaky-bot" in finding["title"]
    assert key["SecretAccessKey"] not in (tmp_path / "r.json").read_text()

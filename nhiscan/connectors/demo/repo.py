"""The demo estate's repository: a small git history in which the agents' team committed
credentials, as teams do. Built in a temporary directory with the real ``git`` and scanned by
the real git connector, so ``nhiscan scan --demo`` shows secrets in code joined to the keys
they unlock:

- the deploy bot's key pair, committed to a settings file and "removed" a week later: gone
  from HEAD, still in history, and the bot can make itself admin (critical);
- the ETL agent's key pair in a script still at HEAD (it reads the construction documents);
- the key file of the GCP organization's CI service account, committed with the deploy settings
  and removed with them: Google found it and disabled the key (``gcp.py``); ``ci@`` can still
  act as the owner of the production project;
- the client secret of the Azure tenant's CI application (``lending-automation``, which holds
  Application Administrator: ``azure.py``) with the client id beside it, at HEAD: Microsoft Graph
  keeps only a secret's first three characters, so the scan joins it to the application's
  credential by those and the client id;
- a third-party token that matches nothing in the inventory;
- a test fixture silenced with ``nhiscan:ignore``, and a binary file that is listed as skipped;
- two GitHub Actions workflows (issue #20) that exchange the workflow's OIDC token for an AWS
  role: ``preview.yml`` runs on pull requests and assumes ``github-preview-deploy``, whose trust
  admits any repository of the organization on any event and which reaches admin;
  ``release.yml`` runs on pushes to main and assumes ``github-release``. The repository's
  ``origin`` is the organization's GitHub repository (``GITHUB_REMOTE``, never fetched), so the
  scan knows whose workflows they are.

Every secret here is made up: moto issues the AWS keys from its seeded random source, and the
tokens, the Azure client secret (in the shape of an Entra ID secret, its first characters the
ones the export's hint records) and the GCP key file's private key (random bytes in PEM armour:
no key at all) come from seeded generators, so the repository (and its commit ids, within a
day) is the same on every run. Nothing real is used.
"""

from __future__ import annotations

import base64
import json
import os
import random
import string
import subprocess
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from nhiscan.connectors.demo.azure import leaked_secret
from nhiscan.connectors.demo.estate import DEMO_ACCOUNT
from nhiscan.connectors.demo.gcp import exposed_key

REPO_LABEL = "demo/lending-agents"
GITHUB_ORG = "acme-lending"
GITHUB_REMOTE = f"https://github.com/{GITHUB_ORG}/agents-platform.git"
PREVIEW_ROLE = "github-preview-deploy"
RELEASE_ROLE = "github-release"
AUTHOR = ("Dana Dev", "dana.dev@example.com")


def demo_key(user: str, index: int = 0) -> tuple[str, str]:
    """The (key id, secret key) moto issued to ``user``: read from moto's in-process backend."""
    from moto.iam.models import iam_backends

    backend: Any = iam_backends[DEMO_ACCOUNT]["aws"]
    key: Any = backend.users[user].access_keys[index]
    return key.access_key_id, key.secret_access_key


TOKEN_SEED = 1206  # the made-up tokens are the same on every run: demo history shows no change
GCP_KEY_SEED = 1214
GCP_KEY_FILE = "deploy/gcp/ci-key.json"
AZURE_SECRET_SEED = 1215
AZURE_SETTINGS = "deploy/azure/pipeline.env"


def _token(rng: random.Random, prefix: str, length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(rng.choice(alphabet) for _ in range(length))


_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def _github_token(rng: random.Random) -> str:
    """A made-up classic GitHub token as GitHub issues them: ``ghp_``, 30 random base62
    characters and their CRC32 in 6 base62 digits (one that fails it is judged impossible)."""
    body = "".join(rng.choice(_BASE62) for _ in range(30))
    crc, suffix = zlib.crc32(body.encode("ascii")), ""
    for _ in range(6):
        crc, digit = divmod(crc, 62)
        suffix = _BASE62[digit] + suffix
    return f"ghp_{body}{suffix}"


def build_demo_repo(root: Path, now: datetime) -> None:
    """A git repository under ``root`` with four commits (60, 53, 20 and 12 days before the start
    of ``now``'s day: commit ids stay the same across the runs of a day) and its GitHub
    ``origin`` remote."""
    rng = random.Random(TOKEN_SEED)
    now = now.replace(hour=0, minute=0, second=0, microsecond=0)
    deploy_id, deploy_secret = demo_key("ci-deploy-bot")
    etl_id, etl_secret = demo_key("etl-sync-agent")
    git = _Git(root)
    git("init", "-q", "-b", "main")
    _write(root / "README.md", "# lending-agents\n\nAgents that review construction loans.\n")
    _write(
        root / "deploy" / "settings.env",
        "# deploy settings\nREGION=us-east-1\n"
        f"AWS_ACCESS_KEY_ID={deploy_id}\nAWS_SECRET_ACCESS_KEY={deploy_secret}\n",
    )
    _write(root / GCP_KEY_FILE, gcp_key_file())
    _write(root / "docs" / "logo.png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + "\0" * 64)
    git.commit("Deploy settings for the review agents", now - timedelta(days=60))
    _write(root / "deploy" / "settings.env", "# deploy settings\nREGION=us-east-1\n")
    (root / GCP_KEY_FILE).unlink()
    git.commit("Move deploy credentials to the secrets manager", now - timedelta(days=53))
    _write(
        root / "agents" / "etl_sync.py",
        '"""Nightly sync of construction documents."""\n\nimport boto3\n\n'
        f'AWS_ACCESS_KEY_ID = "{etl_id}"\n'
        f'aws_secret_access_key = "{etl_secret}"\n\n'
        "def client():\n"
        '    return boto3.client("s3", aws_access_key_id=AWS_ACCESS_KEY_ID,\n'
        "                        aws_secret_access_key=aws_secret_access_key)\n",
    )
    _write(
        root / "agents" / "notify.py",
        f'GITHUB_TOKEN = "{_github_token(rng)}"  # opens review issues\n',
    )
    _write(root / AZURE_SETTINGS, azure_settings())
    _write(
        root / "tests" / "fixtures.py",
        f'FAKE_TOKEN = "{_token(rng, "ghp_", 36)}"  # nhiscan:ignore test fixture\n',
    )
    git.commit("ETL sync, review notifications and Azure pipeline login", now - timedelta(days=20))
    _write(root / ".github" / "workflows" / "preview.yml", preview_workflow())
    _write(root / ".github" / "workflows" / "release.yml", release_workflow())
    git.commit(
        "CI: preview and release deploys with GitHub OIDC, no keys", now - timedelta(days=12)
    )
    git("remote", "add", "origin", GITHUB_REMOTE)


def _role_arn(name: str) -> str:
    return f"arn:aws:iam::{DEMO_ACCOUNT}:role/{name}"


def preview_workflow() -> str:
    """Every pull request deploys a preview with the preview role: the workflow a fork's pull
    request (or any repository of the organization) can run to become the role."""
    return f"""name: Preview deploy
on:
  pull_request:
    branches: [main]
permissions:
  id-token: write
  contents: read
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Assume the preview deploy role
        uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: {_role_arn(PREVIEW_ROLE)}
          aws-region: us-east-1
      - run: ./deploy/preview.sh "pr-${{{{ github.event.number }}}}"
"""


def release_workflow() -> str:
    """Pushes to main release with the release role, whose trust admits main alone."""
    return f"""name: Release
on:
  push:
    branches: [main]
permissions:
  id-token: write
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: {_role_arn(RELEASE_ROLE)}
          aws-region: us-east-1
          audience: sts.amazonaws.com
      - run: ./deploy/release.sh
"""


def azure_client_secret() -> str:
    """The made-up client secret of the Azure CI application, in the shape of an Entra ID
    secret since 2021 (three characters, a digit, ``Q~``, then 34 of ``[A-Za-z0-9_~.-]``: 40 in
    all, as the detector ``AZURE_CLIENT_SECRET`` expects); it starts with the three characters
    the export's ``hint`` holds."""
    rng = random.Random(AZURE_SECRET_SEED)
    alphabet = string.ascii_letters + string.digits
    head = "".join(rng.choice(alphabet) for _ in range(3)) + rng.choice(string.digits) + "Q~"
    tail = "".join(rng.choice(alphabet + "~_.-") for _ in range(34))
    secret = head + tail
    hint = leaked_secret().hint
    if not secret.startswith(hint):
        raise ValueError(f"the demo's Azure secret starts with {secret[:3]!r}, not the export's "
                         f"hint {hint!r}")  # fmt: skip
    return secret


def azure_settings() -> str:
    """The pipeline's Azure login settings, as azure-identity's ``EnvironmentCredential``
    reads them: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET ("service principal with
    secret", learn.microsoft.com/dotnet/api/azure.identity.environmentcredential)."""
    leaked = leaked_secret()
    return (
        "# Azure login for the lending pipeline (app registration lending-automation)\n"
        f"AZURE_TENANT_ID={leaked.tenant}\n"
        f"AZURE_CLIENT_ID={leaked.app_id}\n"
        f"AZURE_CLIENT_SECRET={azure_client_secret()}\n"
    )


def gcp_key_file() -> str:
    """The key file of the key Google disabled as exposed, as ``gcloud iam service-accounts keys
    create`` writes it; its private key is seeded random bytes, not a key."""
    key = exposed_key()
    body = base64.b64encode(random.Random(GCP_KEY_SEED).randbytes(1217)).decode()
    label = "PRIVATE KEY"  # RFC 7468's; written apart, so this source holds no key marker
    pem = "".join(
        [f"-----BEGIN {label}-----\n"]
        + [body[i : i + 64] + "\n" for i in range(0, len(body), 64)]
        + [f"-----END {label}-----\n"]
    )
    certs = "https://www.googleapis.com/robot/v1/metadata/x509/"
    document = {
        "type": "service_account",
        "project_id": key.project,
        "private_key_id": key.key_id,
        "private_key": pem,
        "client_email": key.email,
        "client_id": key.unique_id,
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": certs + key.email.replace("@", "%40"),
        "universe_domain": "googleapis.com",
    }
    return json.dumps(document, indent=2) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


class _Git:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {
            **os.environ,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": AUTHOR[0],
            "GIT_AUTHOR_EMAIL": AUTHOR[1],
            "GIT_COMMITTER_NAME": AUTHOR[0],
            "GIT_COMMITTER_EMAIL": AUTHOR[1],
        }

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> None:
        subprocess.run(
            ["git", *args], cwd=self.root, env=env or self.env, check=True, capture_output=True
        )

    def commit(self, message: str, when: datetime) -> None:
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S+0000")
        env = {**self.env, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        self("add", "-A", env=env)
        self("commit", "-q", "-m", message, env=env)

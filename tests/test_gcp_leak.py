"""A GCP service-account key file committed to a repository joins the live key in an asset
export (issue #14 item 7), end to end as a user runs it: a real git repository with a key file
generated at test time, an export written in Cloud Asset Inventory's shapes, ``nhiscan scan``."""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nhiscan.cli import cli
from nhiscan.connectors.git.secrets.redact import secret_hash
from tests.test_secrets_cli import Repo

PROJECT = "acme-prod"
NUMBER = "411224356"
EMAIL = f"deploy@{PROJECT}.iam.gserviceaccount.com"
UNIQUE_ID = "104216071823740812390"
ANCESTORS = [f"projects/{NUMBER}", "organizations/93422"]
UPDATED = "2026-11-02T10:00:00Z"


def private_key_pem() -> str:
    """A fresh RSA key (never a real one); a PEM-shaped random block without cryptography."""
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
    except ImportError:  # pragma: no cover - cryptography comes with the dev dependencies
        body = base64.b64encode(os.urandom(1200)).decode()
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        return "-----BEGIN PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END PRIVATE KEY-----\n"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def key_file(key_id: str, pem: str) -> str:
    """A service-account key file as ``gcloud iam service-accounts keys create`` writes it."""
    return json.dumps(
        {
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": key_id,
            "private_key": pem,
            "client_email": EMAIL,
            "client_id": UNIQUE_ID,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
            + EMAIL.replace("@", "%40"),
            "universe_domain": "googleapis.com",
        },
        indent=2,
    )


def asset(name: str, asset_type: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "assetType": asset_type, "ancestors": ANCESTORS, "updateTime": UPDATED,
            **fields}  # fmt: skip


def resource(discovery: str, data: dict[str, Any], parent: str | None = None) -> dict[str, Any]:
    out = {"version": "v1", "discoveryName": discovery, "data": data}
    return out if parent is None else {**out, "parent": parent}


def export(tmp_path: Path, key_id: str) -> tuple[Path, Path]:
    """resources.json (project, the account, its user-managed key) and policies.json (the
    project's IAM policy: the account is roles/owner), one asset a line."""
    project = f"//cloudresourcemanager.googleapis.com/projects/{NUMBER}"
    account = f"//iam.googleapis.com/projects/{PROJECT}/serviceAccounts/{UNIQUE_ID}"
    key_name = f"projects/{PROJECT}/serviceAccounts/{EMAIL}/keys/{key_id}"
    resources = [
        asset(project, "cloudresourcemanager.googleapis.com/Project", resource=resource(
            "Project", {"projectNumber": NUMBER, "projectId": PROJECT, "name": "Acme Production",
                        "lifecycleState": "ACTIVE", "createTime": "2024-03-01T08:00:00Z",
                        "parent": {"type": "organization", "id": "93422"}},
        )),
        asset(account, "iam.googleapis.com/ServiceAccount", resource=resource(
            "ServiceAccount", {"name": f"projects/{PROJECT}/serviceAccounts/{EMAIL}",
                               "projectId": PROJECT, "uniqueId": UNIQUE_ID, "email": EMAIL,
                               "displayName": "deploy", "oauth2ClientId": UNIQUE_ID},
            parent=project,
        )),
        asset(f"{account}/keys/{key_id}", "iam.googleapis.com/ServiceAccountKey",
              resource=resource(
            "ServiceAccountKey", {"name": key_name,
                                  "validAfterTime": "2025-01-15T09:30:00Z",
                                  "validBeforeTime": "9999-12-31T23:59:59Z",
                                  "keyAlgorithm": "KEY_ALG_RSA_2048",
                                  "keyOrigin": "GOOGLE_PROVIDED", "keyType": "USER_MANAGED"},
            parent=account,
        )),
    ]  # fmt: skip
    policies = [
        asset(project, "cloudresourcemanager.googleapis.com/Project", iamPolicy={
            "version": 1, "etag": "BwYc",
            "bindings": [{"role": "roles/owner", "members": [f"serviceAccount:{EMAIL}"]}],
        }),
    ]  # fmt: skip
    paths = tmp_path / "resources.json", tmp_path / "policies.json"
    for path, lines in zip(paths, (resources, policies), strict=True):
        path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return paths


class Leaked:
    """A repository with a committed key file, and the key's secrets (to look for in reports)."""

    def __init__(self, tmp_path: Path) -> None:
        self.key_id = secrets.token_hex(20)
        self.pem = private_key_pem()
        self.repo = Repo(tmp_path / "infra")
        self.repo.write("deploy/sa-key.json", key_file(self.key_id, self.pem))
        self.repo.write("README.md", "deploy tooling\n")
        self.repo.commit("add deploy credentials")
        # removed at head: the leak stays in the history, which --history scans
        self.repo.git("rm", "-q", "deploy/sa-key.json")
        self.repo.commit("remove the key")
        body = "".join(line for line in self.pem.splitlines() if not line.startswith("-----"))
        self.body = body

    def scan(self, out: Path, *extra: str) -> dict[str, dict[str, Any]]:
        args = ["scan", *extra, "--repo", str(self.repo.root), "--history", "-o", str(out),
                "--format", "json", "--format", "html", "--format", "sarif"]  # fmt: skip
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code in (0, 1, 2), result.output
        report = json.loads((out / "report.json").read_text())
        return {"json": report, "by_rule": _by_rule(report)}


def _by_rule(report: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, list[dict[str, Any]]] = {}
    for finding in report["findings"]:
        found.setdefault(finding["rule_id"], []).append(finding)
    return found


@pytest.fixture
def leaked(tmp_path: Path) -> Leaked:
    return Leaked(tmp_path)


def test_a_committed_key_file_joins_the_live_key_and_shows_the_accounts_reach(
    leaked: Leaked, tmp_path: Path
) -> None:
    resources, policies = export(tmp_path, leaked.key_id)
    out = tmp_path / "out"
    scanned = leaked.scan(out, "--gcp-assets", str(resources), "--gcp-assets", str(policies))
    joined = scanned["by_rule"]["NHI201"]
    assert len(joined) == 1
    finding = joined[0]
    assert finding["subject"] == EMAIL
    assert finding["provider"] == "gcp"
    assert finding["evidence"]["identity"] == EMAIL
    assert finding["evidence"]["credential"].endswith(leaked.key_id)
    assert finding["evidence"]["credential_status"] == "active"
    assert EMAIL in finding["title"] or "deploy" in finding["title"]
    assert "sa-key.json" in finding["title"]
    # the account owns the project: the reach graph makes the leak critical, and says how
    assert finding["severity"] == "critical"
    assert finding["evidence"]["reach"]["admin"] is True
    assert "administrator" in finding["title"]
    path = finding["path"]
    assert "sa-key.json" in json.dumps(path[0])
    assert len(path) > 1
    assert any(PROJECT in json.dumps(hop) for hop in path[1:])
    assert "gcloud iam service-accounts keys disable" in finding["remediation"]
    # the key id and the private key beside it are one leaked credential: no plain-secret
    # finding for either
    assert finding["evidence"]["detectors"] == [
        "GCP Service Account Key",
        "PEM Private Key",
        "Private Key",  # one key: every detector
    ]
    assert [(e["path"], e["line"]) for e in finding["evidence"]["exposures"]] == [
        ("deploy/sa-key.json", 4), ("deploy/sa-key.json", 5),
    ]  # fmt: skip
    plain = scanned["by_rule"].get("NHI200", [])
    assert secret_hash(leaked.key_id)[:16] not in {f["evidence"]["secret_hash"] for f in plain}
    assert "PEM Private Key" not in {f["evidence"]["detector"] for f in plain}
    _no_secret_in_clear(leaked, out)


def test_without_the_export_the_same_key_file_is_a_plain_secret(
    leaked: Leaked, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    scanned = leaked.scan(out)
    assert "NHI201" not in scanned["by_rule"]
    plain = [
        f
        for f in scanned["by_rule"]["NHI200"]
        if f["evidence"]["detector"] == "GCP Service Account Key"
    ]
    assert len(plain) == 1
    assert plain[0]["provider"] == "gcp"
    assert plain[0]["severity"] != "critical"
    assert plain[0]["evidence"]["secret_hash"] == secret_hash(leaked.key_id)[:16]
    assert plain[0]["evidence"]["principal_hint"] == EMAIL
    assert "sa-key.json" in plain[0]["title"]
    _no_secret_in_clear(leaked, out)


def _no_secret_in_clear(leaked: Leaked, out: Path) -> None:
    """The private key is in no report, whole or in part: only redacted prefixes and hashes.
    (The private_key_id is the key's public name, which the inventory lists anyway.)"""
    chunks = [leaked.body[i : i + 40] for i in range(0, len(leaked.body) - 40, 200)]
    reports = [out / "report.json", out / "report.html", out / "report.sarif"]
    assert all(p.exists() for p in reports), sorted(p.name for p in out.iterdir())
    for report in reports:
        text = report.read_text()
        assert leaked.pem not in text
        assert not [c for c in chunks if c in text], report.name
    data = json.loads((out / "report.json").read_text())
    secrets_found = [f for f in data["findings"] if f["rule_id"] in ("NHI200", "NHI201")]
    assert secrets_found
    for finding in secrets_found:
        evidence = finding["evidence"]
        assert evidence["secret_hash"]
        assert evidence["redacted"]
        # The key id is an identifier: named whole, like the inventory names it; else redacted.
        assert evidence["redacted"] == leaked.key_id or evidence["redacted"].endswith("chars)")
        assert evidence["redacted"] != leaked.body

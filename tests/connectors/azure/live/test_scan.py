"""``nhiscan scan --azure-tenant`` end to end: the CLI builds the clients from the environment
(``NHISCAN_AZURE_GRAPH_ENDPOINT`` with ``NHISCAN_AZURE_TEST_TOKEN``: a static token, honoured
only with the endpoint override), and the real Graph client is answered by the fake."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from nhiscan.cli import cli
from nhiscan.connectors.azure.clients import GRAPH_ENDPOINT_ENV, TEST_TOKEN_ENV, Clients

from ..export import DEV, PROD, TENANT
from .conftest import HOST, FakeArm, FakeGraph, jwt


@pytest.fixture
def env(graph: FakeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeGraph:
    monkeypatch.setenv(GRAPH_ENDPOINT_ENV, HOST)
    monkeypatch.setenv(TEST_TOKEN_ENV, jwt(TENANT))
    monkeypatch.chdir(tmp_path)  # no nhiscan.toml of the repository
    return graph


def scan(tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(cli, [
        "scan", "--no-agents", "--no-store", "--format", "json", "--as-of", "2026-12-01",
        "-o", str(out), *extra,
    ])  # fmt: skip
    assert result.exit_code in (0, 1, 3), result.output
    report: dict[str, Any] = json.loads(out.read_text())
    return result.exit_code, report


def test_scan_of_a_tenant(env: FakeGraph, tmp_path: Path) -> None:
    _, report = scan(tmp_path, "--azure-tenant", TENANT)
    assert report["summary"]["identities"] >= 6  # six service principals, one lone application
    text = json.dumps(report)
    assert "payments-api" in text and "vendor-backup" in text
    assert [g["operation"] for g in report["gaps"] if g["reason"] != "no-provider"] == [
        "arm:role-definitions"
    ]  # nothing refused: only a role assignment naming a custom role no ARM list holds
    assert env.requests and all(
        r.headers["authorization"] == f"Bearer {jwt(TENANT)}" for r in env.requests
    )


def test_strict_exits_3_and_the_token_names_the_tenant(env: FakeGraph, tmp_path: Path) -> None:
    code, _ = scan(tmp_path, "--azure-tenant", TENANT, "--strict")
    assert code == 3  # a role definition ARM did not list: incomplete under --strict
    assert Clients.from_environment().tenant(None) == TENANT


def test_a_token_of_another_tenant_stops_the_scan(env: FakeGraph, tmp_path: Path) -> None:
    other = "11111111-2222-4333-8444-555555555555"
    result = CliRunner().invoke(cli, ["scan", "--no-agents", "--no-store", "--azure-tenant", other])
    assert result.exit_code == 2
    assert f"credentials are for tenant {TENANT}" in result.output
    assert not env.requests  # stopped before any collection


def test_a_subscription_narrows_the_arm_half(env: FakeGraph, arm: FakeArm, tmp_path: Path) -> None:
    _, report = scan(tmp_path, "--azure-tenant", TENANT, "--azure-subscription", PROD.upper())
    paths = {urlsplit(str(r.url)).path.lower() for r in arm.requests}
    assert f"/subscriptions/{PROD}/providers/microsoft.compute/virtualmachines" in paths
    assert not any(DEV in p for p in paths)  # the other subscription is not collected
    assert "contoso-prod" in json.dumps(report) and "contoso-dev" not in json.dumps(report)


def test_a_subscription_that_is_no_guid_is_refused(env: FakeGraph, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [
        "scan", "--no-agents", "--no-store", "--azure-tenant", TENANT,
        "--azure-subscription", "contoso-prod",
    ])  # fmt: skip
    assert result.exit_code == 2
    assert "--azure-subscription: 'contoso-prod' is not a subscription id" in result.output
    assert not env.requests


def test_the_test_token_needs_the_endpoint_override() -> None:
    clients = Clients.from_environment({TEST_TOKEN_ENV: "x"})
    assert type(clients.credential).__name__ == "DefaultAzureCredential"
    assert clients.graph_endpoint == HOST

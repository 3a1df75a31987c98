"""The client factory: Application Default Credentials, impersonation, the endpoint override.
No test here asks Google for a token: the impersonated credentials are inspected, never
refreshed, and the one refusal is answered by a local server."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.auth import impersonated_credentials
from google.oauth2 import service_account
from pytest_httpserver import HTTPServer

from nhiscan.connectors.gcp.clients import CLOUD_PLATFORM, ENDPOINT_ENV, Clients
from nhiscan.errors import ConnectorError

from .conftest import DEPLOY, Api, adc_file, error


def test_impersonation_builds_impersonated_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc_file(tmp_path)))
    clients = Clients.from_environment(impersonate_account=DEPLOY, environ={})
    creds = clients.credentials
    assert isinstance(creds, impersonated_credentials.Credentials)
    assert creds.service_account_email == DEPLOY
    assert isinstance(creds._source_credentials, service_account.Credentials)
    assert creds._target_scopes == [CLOUD_PLATFORM]
    assert creds._iam_endpoint_override is None  # Google's own endpoint
    assert not creds.valid and creds.token is None  # never refreshed here
    assert clients.impersonated == DEPLOY and clients.endpoint is None


def test_without_impersonation_the_adc_themselves_and_the_quota_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc_file(tmp_path)))
    clients = Clients.from_environment(
        quota_project="acme-sec", environ={ENDPOINT_ENV: "http://127.0.0.1:9/"}
    )
    assert isinstance(clients.credentials, service_account.Credentials)
    assert clients.credentials.quota_project_id == "acme-sec"
    assert clients.endpoint == "http://127.0.0.1:9"
    accounts = clients.discovery("iam", "v1").projects().serviceAccounts()
    assert accounts.list(name="projects/p").uri.startswith("http://127.0.0.1:9/v1/projects/p/")
    assert clients.projects()._transport._host == "http://127.0.0.1:9"


def test_no_credentials_is_a_connector_error_saying_how(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    with pytest.raises(ConnectorError, match="gcloud auth application-default login"):
        Clients.from_environment(environ={})


def test_a_refused_impersonation_stops_before_collecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    api = Api(httpserver)
    api.on("POST", "/token", (200, {"access_token": "ya29.source", "expires_in": 3600,
                                    "token_type": "Bearer"}))  # fmt: skip
    api.on("POST", f"/v1/projects/-/serviceAccounts/{DEPLOY}:generateAccessToken",
           (403, error("permission-denied-plain")))  # fmt: skip
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS",
                       str(adc_file(tmp_path, f"{api.endpoint}/token")))  # fmt: skip
    clients = Clients.from_environment(
        impersonate_account=DEPLOY, environ={ENDPOINT_ENV: api.endpoint}
    )
    with pytest.raises(ConnectorError, match=rf"cannot act as {DEPLOY}.*getAccessToken"):
        clients.check()
    minted = [s for s in api.seen if s.path.endswith(":generateAccessToken")]
    assert len(minted) == 1 and minted[0].auth == "Bearer ya29.source"

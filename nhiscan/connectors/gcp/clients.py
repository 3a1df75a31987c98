"""The one factory of Google SDK clients: Application Default Credentials (or impersonation of
a service account on top of them), the quota project, and an endpoint override.

- google-cloud clients (Resource Manager v3, IAM v2 deny policies) use the REST transport;
  googleapiclient services (IAM v1, Policy Analyzer) their bundled discovery documents
  (``static_discovery=True``, nothing fetched).
- ``NHISCAN_GCP_ENDPOINT`` (like ``AWS_ENDPOINT_URL``) points every client, and the
  impersonation's token call, at one base URL: tests serve the APIs' wire format there.
- Clients are made once per thread: httplib2 connections are not thread-safe.
- Tests build the factory with ``AnonymousCredentials`` and/or an ``http`` object
  (googleapiclient's ``HttpMockSequence``); no test patches an SDK class.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

import google.auth
from google.api_core.client_options import ClientOptions
from google.auth import impersonated_credentials
from google.auth.credentials import AnonymousCredentials, Credentials
from google.auth.exceptions import DefaultCredentialsError, GoogleAuthError
from google.auth.transport.requests import Request
from google.cloud import asset_v1, iam_v2, resourcemanager_v3
from googleapiclient.discovery import build

from nhiscan.errors import ConnectorError

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
ENDPOINT_ENV = "NHISCAN_GCP_ENDPOINT"
TOKEN_LIFETIME = 3600  # seconds: the impersonated token's lifetime (the API's maximum by default)

NO_CREDENTIALS = (
    "no Google credentials found (Application Default Credentials): run `gcloud auth "
    "application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS, or run where a "
    "metadata server provides them; or scan an export offline with --gcp-assets FILE ({error})"
)


def impersonate(source: Credentials, target: str, *, endpoint: str | None = None) -> Credentials:
    """Credentials acting as the service account ``target`` (its short-lived tokens, minted
    through ``iam.serviceAccounts.getAccessToken``): the scanner itself holds no key."""
    override = None
    if endpoint is not None:
        override = f"{endpoint}/v1/projects/-/serviceAccounts/{target}:generateAccessToken"
    found: Credentials = impersonated_credentials.Credentials(  # type: ignore[no-untyped-call]
        source_credentials=source, target_principal=target, target_scopes=[CLOUD_PLATFORM],
        lifetime=TOKEN_LIFETIME, iam_endpoint_override=override,
    )  # fmt: skip
    return found


def default_credentials(quota_project: str | None) -> Credentials:
    """Application Default Credentials; ConnectorError saying how to get them."""
    try:
        credentials, _ = google.auth.default(
            scopes=[CLOUD_PLATFORM], quota_project_id=quota_project
        )
    except DefaultCredentialsError as exc:
        raise ConnectorError(NO_CREDENTIALS.format(error=exc)) from exc
    found: Credentials = credentials
    return found


class Clients:
    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        endpoint: str | None = None,
        http: Any = None,
        quota_project: str | None = None,
        impersonated: str | None = None,
    ) -> None:
        """``credentials`` sign every call (None: anonymous, with ``http`` in tests);
        ``http`` replaces googleapiclient's transport; ``endpoint`` every API's base URL."""
        self.credentials: Credentials = credentials or AnonymousCredentials()  # type: ignore[no-untyped-call]
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self.impersonated = impersonated
        self._http = http
        self._quota_project = quota_project
        self._local = threading.local()

    @classmethod
    def from_environment(
        cls,
        *,
        impersonate_account: str | None = None,
        quota_project: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Clients:
        """ADC (impersonating ``impersonate_account`` when given), the endpoint of
        ``NHISCAN_GCP_ENDPOINT``."""
        env = os.environ if environ is None else environ
        endpoint = env.get(ENDPOINT_ENV) or None
        credentials = default_credentials(quota_project)
        if impersonate_account:
            credentials = impersonate(credentials, impersonate_account, endpoint=endpoint)
            if quota_project:
                credentials = credentials.with_quota_project(quota_project)  # type: ignore[attr-defined]
        return cls(
            credentials, endpoint=endpoint, quota_project=quota_project,
            impersonated=impersonate_account,
        )  # fmt: skip

    def check(self) -> None:
        """Get a token now, so bad credentials (or a refused impersonation) stop the scan
        before anything is collected. Anonymous credentials (tests) have nothing to check."""
        if isinstance(self.credentials, AnonymousCredentials):
            return
        try:
            self.credentials.refresh(Request())  # type: ignore[no-untyped-call]
        except GoogleAuthError as exc:
            if self.impersonated:
                raise ConnectorError(
                    f"cannot act as {self.impersonated} (--gcp-impersonate): the caller needs "
                    f"iam.serviceAccounts.getAccessToken on it "
                    f"(roles/iam.serviceAccountTokenCreator) and the IAM Service Account "
                    f"Credentials API enabled: {exc}"
                ) from exc
            raise ConnectorError(f"the Google credentials cannot get a token: {exc}") from exc

    def _cached(self, key: str, make: Any) -> Any:
        cache: dict[str, Any] = self._local.__dict__.setdefault("cache", {})
        if key not in cache:
            cache[key] = make()
        return cache[key]

    def _options(self) -> ClientOptions:
        options = ClientOptions(quota_project_id=self._quota_project)
        if self.endpoint is not None:
            options.api_endpoint = self.endpoint
        return options

    def discovery(self, api: str, version: str) -> Any:
        """A googleapiclient service from the bundled discovery document."""

        def make() -> Any:
            options = {"api_endpoint": self.endpoint} if self.endpoint else None
            if self._http is not None:
                return build(api, version, http=self._http, static_discovery=True,
                             cache_discovery=False, client_options=options)  # fmt: skip
            return build(api, version, credentials=self.credentials, static_discovery=True,
                         cache_discovery=False, client_options=options)  # fmt: skip

        return self._cached(f"{api}/{version}", make)

    def _cloud(self, name: str, cls: Any) -> Any:
        return self._cached(name, lambda: cls(
            credentials=self.credentials, transport="rest", client_options=self._options(),
        ))  # fmt: skip

    def projects(self) -> resourcemanager_v3.ProjectsClient:
        found: resourcemanager_v3.ProjectsClient = self._cloud(
            "projects", resourcemanager_v3.ProjectsClient
        )
        return found

    def folders(self) -> resourcemanager_v3.FoldersClient:
        found: resourcemanager_v3.FoldersClient = self._cloud(
            "folders", resourcemanager_v3.FoldersClient
        )
        return found

    def organizations(self) -> resourcemanager_v3.OrganizationsClient:
        found: resourcemanager_v3.OrganizationsClient = self._cloud(
            "organizations", resourcemanager_v3.OrganizationsClient
        )
        return found

    def assets(self) -> asset_v1.AssetServiceClient:
        found: asset_v1.AssetServiceClient = self._cloud("assets", asset_v1.AssetServiceClient)
        return found

    def deny_policies(self) -> iam_v2.PoliciesClient:
        found: iam_v2.PoliciesClient = self._cloud("deny", iam_v2.PoliciesClient)
        return found

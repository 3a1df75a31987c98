"""The one factory of the live Azure connector's SDK clients (docs/dev/azure-plan.md 2a, 6.1).

- One credential for the whole scan: ``DefaultAzureCredential`` (sync; kiota awaits
  ``get_token`` only when it returns an awaitable, plan 6.1), or a given ``TokenCredential``.
- The Graph client is built by hand, not with ``GraphServiceClient(credentials=...)`` (plan
  0.2, observed with msgraph-sdk 1.65 / kiota 1.16): the adapter's base URL without a trailing
  slash (else ``/v1.0//applications``), the bearer token only for the Graph host
  (``allowed_hosts``: an ``@odata.nextLink`` elsewhere gets no token), kiota's own retry off
  (``calls.py`` retries with an injectable sleep), and ``x-ms-throttle-priority: low`` on
  every request (a scan is background work; Graph throttling docs, plan section 4).
- ``NHISCAN_AZURE_GRAPH_ENDPOINT`` points Graph at another base URL (a sovereign cloud, or a
  test's fake), as ``NHISCAN_GCP_ENDPOINT`` does for GCP. Only with it set is
  ``NHISCAN_AZURE_TEST_TOKEN`` honoured: a static bearer token instead of
  ``DefaultAzureCredential`` (the end-to-end test's hook; never used against the real host by
  accident, since the real host is the default only when the override is absent).
- ARM (the azure-mgmt-* clients over requests, plan 3a): the same credential, every client
  with azure-core's own retry off (``retry_total=0``: ``arm_calls.py`` retries with an injectable
  sleep, plan 3e), ``base_url`` and ``credential_scopes`` of ``NHISCAN_AZURE_ARM_ENDPOINT`` when
  set (a sovereign cloud, or a test's fake; the bearer policy refuses plain HTTP, so a fake
  answers an https URL, e.g. through ``responses``). The test token is also honoured with only
  this override set.
- The tenant is ``--azure-tenant``, else the ``tid`` claim of the Graph token (plan 6.2 #1:
  ``/organization`` would need a permission outside the minimal set). A token of another
  tenant than the one asked for stops the scan with a ConnectorError saying how to fix it.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from azure.core.credentials import AccessToken, TokenCredential
from azure.core.exceptions import ClientAuthenticationError
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from kiota_http.middleware.options import RetryHandlerOption
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_request_adapter import options as default_options
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import GraphClientFactory

from nhiscan.errors import ConnectorError

GRAPH = "https://graph.microsoft.com"
GRAPH_ENDPOINT_ENV = "NHISCAN_AZURE_GRAPH_ENDPOINT"
ARM = "https://management.azure.com"
ARM_ENDPOINT_ENV = "NHISCAN_AZURE_ARM_ENDPOINT"
TEST_TOKEN_ENV = "NHISCAN_AZURE_TEST_TOKEN"  # honoured only with an endpoint override set
_C = TypeVar("_C")
FAR_FUTURE = 4102444800  # 2100-01-01: a static token's expiry

NO_CREDENTIALS = (
    "no Azure credentials could get a Microsoft Graph token ({error}): run `az login "
    "--tenant <tenant>` (or `az login --service-principal ...`), or set AZURE_TENANT_ID, "
    "AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a certificate / workload identity), or run "
    "where a managed identity is available (DefaultAzureCredential); or scan an az CLI export "
    "offline with --azure-export DIR"
)


class StaticToken:
    """A ``TokenCredential`` answering one fixed bearer token (tests and the test hook).
    kiota calls ``get_token(scope, claims=None, enable_cae=True)`` (observed), so it takes
    keyword arguments."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        del kwargs
        self.scopes.append(scopes)
        return AccessToken(self.token, FAR_FUTURE)


def token_tenant(token: str) -> str | None:
    """The ``tid`` claim of a JWT access token (its payload read, not verified: Graph verifies
    it; we only learn which tenant it is for), or None when it is no JWT or has none."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return None
    tid = claims.get("tid") if isinstance(claims, Mapping) else None
    return tid.lower() if isinstance(tid, str) and tid else None


class Clients:
    def __init__(
        self, credential: TokenCredential, *, graph_endpoint: str = GRAPH, arm_endpoint: str = ARM
    ) -> None:
        self.credential = credential
        self.graph_endpoint = graph_endpoint.rstrip("/")
        self.graph_host = _host(graph_endpoint, GRAPH_ENDPOINT_ENV, GRAPH)
        self.arm_endpoint = arm_endpoint.rstrip("/")
        self.arm_host = _host(arm_endpoint, ARM_ENDPOINT_ENV, ARM)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Clients:
        """``DefaultAzureCredential`` and the Graph endpoint of ``NHISCAN_AZURE_GRAPH_ENDPOINT``
        (with it, ``NHISCAN_AZURE_TEST_TOKEN`` as a static token when set)."""
        env = os.environ if environ is None else environ
        endpoint = env.get(GRAPH_ENDPOINT_ENV) or None
        arm = env.get(ARM_ENDPOINT_ENV) or None
        token = env.get(TEST_TOKEN_ENV) or None
        if (endpoint is not None or arm is not None) and token is not None:
            return cls(
                StaticToken(token), graph_endpoint=endpoint or GRAPH, arm_endpoint=arm or ARM
            )
        from azure.identity import DefaultAzureCredential

        credential: TokenCredential = DefaultAzureCredential()
        return cls(credential, graph_endpoint=endpoint or GRAPH, arm_endpoint=arm or ARM)

    @property
    def v1(self) -> str:
        return f"{self.graph_endpoint}/v1.0"

    @property
    def beta(self) -> str:
        return f"{self.graph_endpoint}/beta"

    @property
    def scope(self) -> str:
        return f"{self.graph_endpoint}/.default"

    def arm(self, factory: Callable[..., _C], *subscription: str) -> _C:
        """An azure-mgmt client (``factory``: its class) for ARM as plan 3a builds it: this
        credential, the ARM endpoint and its scope, azure-core's retry off. ``subscription``:
        the client's subscription id (tenant-level clients take none)."""
        return factory(
            self.credential, *subscription, base_url=self.arm_endpoint,
            credential_scopes=[f"{self.arm_endpoint}/.default"], retry_total=0,
        )  # fmt: skip

    def tenant(self, asked: str | None) -> str:
        """The tenant to scan: ``asked`` (checked against the token's), else the token's.
        Gets a token now, so bad credentials stop the scan before anything is collected."""
        try:
            token = self.credential.get_token(self.scope).token
        except ClientAuthenticationError as exc:  # CredentialUnavailableError is one
            raise ConnectorError(NO_CREDENTIALS.format(error=exc)) from exc
        found = token_tenant(token)
        if asked is not None:
            asked = asked.lower()
            if found is not None and found != asked:
                raise ConnectorError(
                    f"--azure-tenant {asked}: the Azure credentials are for tenant {found}: "
                    f"run `az login --tenant {asked}` or set AZURE_TENANT_ID={asked}"
                )
            return asked
        if found is None:
            raise ConnectorError(
                "the Microsoft Graph token names no tenant (no tid claim): give --azure-tenant"
            )
        return found

    def graph(self) -> GraphServiceClient:
        """A Graph client as plan 2a builds it. Made per collection: its httpx.AsyncClient
        belongs to the event loop it is used in (``asyncio.run`` per tenant)."""
        opts = dict(default_options)
        opts[RetryHandlerOption.get_key()] = RetryHandlerOption(max_retries=0, delay=0)
        http = GraphClientFactory.create_with_default_middleware(options=opts)
        http.headers["x-ms-throttle-priority"] = "low"
        provider = AzureIdentityAuthenticationProvider(
            self.credential, scopes=[self.scope], allowed_hosts=[self.graph_host]
        )
        adapter = GraphRequestAdapter(provider, client=http)
        adapter.base_url = self.v1  # no trailing slash (plan 0.2)
        return GraphServiceClient(request_adapter=adapter)


def _host(endpoint: str, env: str, default: str) -> str:
    host = urlsplit(endpoint.rstrip("/")).hostname
    if not host:
        raise ConnectorError(f"{env}={endpoint!r}: not a URL (expected e.g. {default})")
    return host

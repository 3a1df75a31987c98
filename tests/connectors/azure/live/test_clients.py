"""The client factory: the tenant from the token, credentials that cannot get a token, the
token kept to the Graph host."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import respx
from azure.core.credentials import AccessToken
from azure.identity import CredentialUnavailableError

from nhiscan.connectors.azure.calls import Caller
from nhiscan.connectors.azure.clients import Clients, StaticToken, token_tenant
from nhiscan.errors import ConnectorError

from ..export import TENANT
from .conftest import jwt


class NoCredential:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        raise CredentialUnavailableError("DefaultAzureCredential failed to retrieve a token")


def test_the_tenant_is_the_token_tid() -> None:
    assert token_tenant(jwt(TENANT.upper())) == TENANT
    assert token_tenant("opaque") is None
    assert Clients(StaticToken(jwt(TENANT))).tenant(None) == TENANT
    assert Clients(StaticToken("opaque")).tenant(TENANT.upper()) == TENANT
    with pytest.raises(ConnectorError, match="give --azure-tenant"):
        Clients(StaticToken("opaque")).tenant(None)


def test_no_credentials_say_how_to_get_them() -> None:
    with pytest.raises(ConnectorError, match="az login --tenant") as info:
        Clients(NoCredential()).tenant(TENANT)  # type: ignore[arg-type]
    assert "--azure-export" in str(info.value)


def test_a_bad_endpoint_is_named() -> None:
    with pytest.raises(ConnectorError, match="NHISCAN_AZURE_GRAPH_ENDPOINT"):
        Clients(StaticToken("t"), graph_endpoint="graph")


@respx.mock
def test_the_token_goes_to_the_graph_host_only() -> None:
    """kiota's authentication provider with allowed_hosts (plan 0.2): a request to another
    host carries no token, and no token is asked for it."""
    token = StaticToken(jwt(TENANT))
    clients = Clients(token)
    other = respx.get("https://collector.example/x").mock(
        return_value=httpx.Response(200, json={"value": []})
    )
    caller = Caller(adapter=clients.graph().request_adapter, tenant=TENANT,
                    host=clients.graph_host, sleep=lambda s: None)  # fmt: skip
    asyncio.run(caller.get("https://collector.example/x"))
    assert "authorization" not in other.calls[0].request.headers
    assert token.scopes == []

"""Observations of msgraph-sdk (v1.0) and msgraph-beta-sdk over httpx, answered by respx.

Run: /tmp/azcheck/bin/pytest -q docs/dev/azure-checks/test_graph.py
Each test pins one fact that docs/dev/azure-plan.md section 2 relies on; a failure after an
upgrade means the plan's statement needs re-checking.

Response bodies follow the shapes on the Graph reference pages cited in the plan
(learn.microsoft.com/graph/api/application-list, serviceprincipal-list, ...); the ids are made up.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import respx
from azure.core.credentials import AccessToken
from kiota_abstractions.api_error import APIError
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_http.middleware.options import RetryHandlerOption
from msgraph import GraphServiceClient
from msgraph.generated.applications.applications_request_builder import ApplicationsRequestBuilder
from msgraph.generated.models.application import Application
from msgraph.generated.models.application_collection_response import ApplicationCollectionResponse
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_core import GraphClientFactory
from msgraph_core.tasks.page_iterator import PageIterator

V1 = "https://graph.microsoft.com/v1.0"
BETA = "https://graph.microsoft.com/beta"


class StaticCredential:
    """A sync azure.core TokenCredential. kiota passes claims= and enable_cae= (observed)."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[str, ...], dict[str, Any]]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls.append((scopes, kwargs))
        return AccessToken("test-token", 4102444800)


APP = {
    "id": "00000000-0000-0000-0000-0000000000a1",
    "appId": "11111111-1111-1111-1111-111111111111",
    "displayName": "ci-deployer",
    "signInAudience": "AzureADMyOrg",
    "passwordCredentials": [
        {
            "customKeyIdentifier": None,
            "displayName": "ci",
            "endDateTime": "2025-01-01T00:00:00Z",
            "hint": "abc",
            "keyId": "22222222-2222-2222-2222-222222222222",
            "secretText": None,
            "startDateTime": "2024-01-01T00:00:00Z",
        }
    ],
    "keyCredentials": [
        {
            "customKeyIdentifier": "QkE5MjQ0MkQ=",
            "displayName": "CN=deployer",
            "endDateTime": "2026-01-01T00:00:00Z",
            "key": None,
            "keyId": "33333333-3333-3333-3333-333333333333",
            "startDateTime": "2025-01-01T00:00:00Z",
            "type": "AsymmetricX509Cert",
            "usage": "Verify",
        }
    ],
    "servicePrincipalLockConfiguration": {
        "isEnabled": True,
        "allProperties": True,
        "credentialsWithUsageVerify": True,
        "credentialsWithUsageSign": True,
        "identifierUris": False,
        "tokenEncryptionKeyId": True,
    },
}


def page(values: list[dict[str, Any]], next_link: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"@odata.context": f"{V1}/$metadata#applications", "value": values}
    if next_link:
        body["@odata.nextLink"] = next_link
    return body


def graph_client(cred: StaticCredential, *, retries: bool = True, base: str = V1) -> GraphServiceClient:
    """The client the connector's clients.py should build.

    - adapter.base_url set explicitly WITHOUT a trailing slash: httpx normalises the factory's
      base_url to ``.../v1.0/`` and kiota then sends ``/v1.0//applications`` (observed, see
      test_default_client_sends_double_slash);
    - retries=False: kiota's RetryHandler off (max_retries=0), so the connector's own retry loop
      (with an injectable sleep) sees every 429 and 503.
    """
    from msgraph.graph_request_adapter import GraphRequestAdapter, options
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,  # kiota's, as GraphServiceClient uses (msgraph_core's rejects its own defaults)
    )

    opts = dict(options)
    if not retries:
        opts[RetryHandlerOption.get_key()] = RetryHandlerOption(max_retries=0, delay=0)
    http = GraphClientFactory.create_with_default_middleware(options=opts)
    provider = AzureIdentityAuthenticationProvider(
        cred, scopes=["https://graph.microsoft.com/.default"], allowed_hosts=["graph.microsoft.com"]
    )
    adapter = GraphRequestAdapter(provider, client=http)
    adapter.base_url = base
    return GraphServiceClient(request_adapter=adapter)


@respx.mock
def test_default_client_sends_double_slash() -> None:
    client = GraphServiceClient(credentials=StaticCredential())
    assert client.request_adapter.base_url == "https://graph.microsoft.com/v1.0/"
    route = respx.get(f"{V1}//applications").mock(return_value=httpx.Response(200, json=page([])))
    asyncio.run(client.applications.get())
    assert route.call_count == 1


@respx.mock
def test_list_applications_query_and_paging() -> None:
    cred = StaticCredential()
    client = graph_client(cred)
    nxt = f"{V1}/applications?$top=2&$skiptoken=RFNwdAIAAQAAAD"
    route = respx.get(url__startswith=f"{V1}/applications").mock(
        side_effect=[
            httpx.Response(200, json=page([APP], nxt)),
            httpx.Response(200, json=page([{**APP, "id": "a2", "displayName": "second"}])),
        ]
    )
    q = ApplicationsRequestBuilder.ApplicationsRequestBuilderGetQueryParameters(
        select=["id", "appId", "displayName", "passwordCredentials", "keyCredentials",
                "servicePrincipalLockConfiguration"],
        top=999,
    )
    cfg = ApplicationsRequestBuilder.ApplicationsRequestBuilderGetRequestConfiguration(query_parameters=q)

    async def run() -> list[Application]:
        first = await client.applications.get(request_configuration=cfg)
        seen: list[Application] = []
        it = PageIterator(first, client.request_adapter)

        def cb(item: Application) -> bool:
            seen.append(item)
            return True

        await it.iterate(cb)
        return seen

    apps = asyncio.run(run())
    assert [a.display_name for a in apps] == ["ci-deployer", "second"]
    first_url = str(route.calls[0].request.url)
    print("first:", first_url, "\nsecond:", route.calls[1].request.url)
    # kiota writes $select/$top with the dollar sign, the list comma-joined
    assert "?$select=id,appId,displayName,passwordCredentials,keyCredentials,servicePrincipalLockConfiguration&$top=999" in first_url
    # the next page is requested from @odata.nextLink verbatim
    assert str(route.calls[1].request.url) == nxt
    assert route.calls[0].request.headers["authorization"] == "Bearer test-token"

    scopes, kwargs = cred.calls[0]
    assert scopes == ("https://graph.microsoft.com/.default",)
    assert str(route.calls[0].request.url).startswith(f"{V1}/applications?")
    assert kwargs.get("enable_cae") is True
    pc = apps[0].password_credentials[0]
    assert (pc.hint, str(pc.key_id), pc.display_name) == ("abc", "22222222-2222-2222-2222-222222222222", "ci")
    kc = apps[0].key_credentials[0]
    assert kc.custom_key_identifier == b"BA92442D" and kc.usage == "Verify"
    lock = apps[0].service_principal_lock_configuration
    assert lock.is_enabled and lock.all_properties and lock.credentials_with_usage_verify
    # identifierUris is not in the model: it lands in additional_data
    assert lock.additional_data.get("identifierUris") is False


@respx.mock
def test_nextlink_manually_with_with_url() -> None:
    """The alternative to PageIterator: builder.with_url(next_link).get()."""
    client = graph_client(StaticCredential())
    nxt = f"{V1}/applications?$skiptoken=X"
    route = respx.get(url__startswith=f"{V1}/applications").mock(
        side_effect=[httpx.Response(200, json=page([APP], nxt)), httpx.Response(200, json=page([]))]
    )

    async def run() -> int:
        n = 0
        resp = await client.applications.get()
        while True:
            n += len(resp.value or [])
            if not resp.odata_next_link:
                return n
            resp = await client.applications.with_url(resp.odata_next_link).get()

    assert asyncio.run(run()) == 1
    assert "skiptoken=X" in str(route.calls[1].request.url)


DENIED = {
    "error": {
        "code": "Authorization_RequestDenied",
        "message": "Insufficient privileges to complete the operation.",
        "innerError": {
            "date": "2024-05-01T10:00:00",
            "request-id": "9f3c1f3e-0000-0000-0000-000000000000",
            "client-request-id": "9f3c1f3e-0000-0000-0000-000000000000",
        },
    }
}


@respx.mock
def test_403_is_odataerror() -> None:
    client = graph_client(StaticCredential())
    respx.get(f"{V1}/servicePrincipals").mock(return_value=httpx.Response(403, json=DENIED))
    with pytest.raises(ODataError) as ei:
        asyncio.run(client.service_principals.get())
    e = ei.value
    assert isinstance(e, APIError)
    assert e.response_status_code == 403
    assert e.error.code == "Authorization_RequestDenied"
    assert e.error.message.startswith("Insufficient privileges")
    assert e.error.inner_error.request_id == "9f3c1f3e-0000-0000-0000-000000000000"


THROTTLED = {
    "error": {
        "code": "TooManyRequests",
        "message": "Too many requests",
        "innerError": {"date": "2024-05-01T10:00:00", "request-id": "r", "client-request-id": "r"},
    }
}


@respx.mock
def test_429_default_retry_handler_honours_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Default RetryHandler: 3 retries, sleeps Retry-After seconds (asyncio.sleep), then raises."""
    slept: list[float] = []

    async def fake_sleep(s: float) -> None:
        slept.append(s)

    import kiota_http.middleware.retry_handler as rh

    monkeypatch.setattr(rh.asyncio, "sleep", fake_sleep)
    client = graph_client(StaticCredential())
    route = respx.get(f"{V1}/applications").mock(
        return_value=httpx.Response(429, json=THROTTLED, headers={"Retry-After": "7"})
    )
    with pytest.raises(ODataError) as ei:
        asyncio.run(client.applications.get())
    assert route.call_count == 4  # 1 + DEFAULT_MAX_RETRIES (3)
    assert slept == [7, 7, 7]
    assert ei.value.response_status_code == 429
    assert ei.value.response_headers["retry-after"] == "7"
    assert route.calls[1].request.headers["retry-attempt"] == "1"


@respx.mock
def test_429_retry_after_180_or_more_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    import kiota_http.middleware.retry_handler as rh

    async def boom(s: float) -> None:  # pragma: no cover - must not be called
        raise AssertionError("slept")

    monkeypatch.setattr(rh.asyncio, "sleep", boom)
    client = graph_client(StaticCredential())
    route = respx.get(f"{V1}/applications").mock(
        return_value=httpx.Response(429, json=THROTTLED, headers={"Retry-After": "180"})
    )
    with pytest.raises(ODataError):
        asyncio.run(client.applications.get())
    assert route.call_count == 1


@respx.mock
def test_429_with_retry_handler_off_reaches_caller_once() -> None:
    client = graph_client(StaticCredential(), retries=False)
    route = respx.get(f"{V1}/applications").mock(
        side_effect=[
            httpx.Response(429, json=THROTTLED, headers={"Retry-After": "2"}),
            httpx.Response(200, json=page([APP])),
        ]
    )
    with pytest.raises(ODataError) as ei:
        asyncio.run(client.applications.get())
    assert route.call_count == 1
    assert ei.value.response_headers["retry-after"] == "2"
    # the connector's loop retries after its (injected) sleep
    resp = asyncio.run(client.applications.get())
    assert resp.value[0].app_id == APP["appId"]


@respx.mock
def test_per_request_retry_option() -> None:
    """A RetryHandlerOption in request_configuration.options overrides the client default."""
    client = graph_client(StaticCredential())
    route = respx.get(f"{V1}/applications").mock(
        return_value=httpx.Response(429, json=THROTTLED, headers={"Retry-After": "1"})
    )
    cfg = ApplicationsRequestBuilder.ApplicationsRequestBuilderGetRequestConfiguration(
        options=[RetryHandlerOption(max_retries=0)]
    )
    with pytest.raises(ODataError):
        asyncio.run(client.applications.get(request_configuration=cfg))
    assert route.call_count == 1


@respx.mock
def test_default_provider_sends_token_to_any_host() -> None:
    """GraphServiceClient(credentials=...) uses kiota_authentication_azure's provider with
    allowed_hosts=[] (every host valid) and a scope derived from the request's host."""
    cred = StaticCredential()
    client = GraphServiceClient(credentials=cred)
    client.request_adapter.base_url = "http://127.0.0.1:8999/v1.0"
    route = respx.get("http://127.0.0.1:8999/v1.0/applications").mock(
        return_value=httpx.Response(200, json=page([]))
    )
    asyncio.run(client.applications.get())
    assert route.calls[0].request.headers["authorization"] == "Bearer test-token"
    assert cred.calls[0][0] == ("http://127.0.0.1/.default",)


@respx.mock
def test_allowed_hosts_withholds_token_elsewhere() -> None:
    """With allowed_hosts=["graph.microsoft.com"] (graph_client) a request elsewhere goes out
    with no Authorization header and no get_token call: a fake at localhost sees no token."""
    cred = StaticCredential()
    client = graph_client(cred, base="http://127.0.0.1:8999/v1.0")
    route = respx.get("http://127.0.0.1:8999/v1.0/applications").mock(
        return_value=httpx.Response(200, json=page([]))
    )
    asyncio.run(client.applications.get())
    assert "authorization" not in route.calls[0].request.headers
    assert cred.calls == []


def test_msgraph_core_provider_rejects_its_default_hosts() -> None:
    from msgraph_core.authentication import AzureIdentityAuthenticationProvider

    with pytest.raises(ValueError, match="cannot contain 'https://'"):
        AzureIdentityAuthenticationProvider(StaticCredential())


@respx.mock
def test_owners_fic_approle_assignments_shapes() -> None:
    client = graph_client(StaticCredential())
    app_id = APP["id"]
    sp_id = "00000000-0000-0000-0000-0000000000b1"
    respx.get(f"{V1}/applications/{app_id}/owners").mock(
        return_value=httpx.Response(200, json={"value": [
            {"@odata.type": "#microsoft.graph.user", "id": "00000000-0000-0000-0000-0000000000c1", "userPrincipalName": "a@x"},
            {"@odata.type": "#microsoft.graph.servicePrincipal", "id": "00000000-0000-0000-0000-0000000000b9", "appId": "00000000-0000-0000-0000-0000000000d9",
             "servicePrincipalType": "Application"},
        ]})
    )
    respx.get(f"{V1}/applications/{app_id}/federatedIdentityCredentials").mock(
        return_value=httpx.Response(200, json={"value": [
            {"id": "00000000-0000-0000-0000-0000000000f1", "name": "gh", "issuer": "https://token.actions.githubusercontent.com",
             "subject": "repo:o/r:ref:refs/heads/main", "audiences": ["api://AzureADTokenExchange"],
             "description": None},
        ]})
    )
    respx.get(f"{V1}/servicePrincipals/{sp_id}/appRoleAssignments").mock(
        return_value=httpx.Response(200, json={"value": [
            {"id": "kQ3x8Mwi0Uu0CS4r3Y1_aFR3yvpJ8iFAuYxJT6x8yTU", "appRoleId": "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
             "createdDateTime": "2024-01-01T00:00:00Z", "principalDisplayName": "ci",
             "principalId": sp_id, "principalType": "ServicePrincipal",
             "resourceDisplayName": "Microsoft Graph", "resourceId": "00000000-0000-0000-0000-0000000000e1"},
        ]})
    )

    async def run() -> tuple[Any, Any, Any]:
        o = await client.applications.by_application_id(app_id).owners.get()
        f = await client.applications.by_application_id(app_id).federated_identity_credentials.get()
        a = await client.service_principals.by_service_principal_id(sp_id).app_role_assignments.get()
        return o, f, a

    o, f, a = asyncio.run(run())
    # ids typed Guid in the schema are parsed to uuid.UUID: a non-GUID id raises ValueError
    # ("badly formed hexadecimal UUID string", observed) -- fixtures must use real GUIDs
    # owners are directoryObject subclasses chosen by @odata.type
    assert [type(x).__name__ for x in o.value] == ["User", "ServicePrincipal"]
    assert f.value[0].subject == "repo:o/r:ref:refs/heads/main"
    assert str(a.value[0].app_role_id) == "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"


@respx.mock
def test_role_assignments_with_expand_and_eligibility() -> None:
    from msgraph.generated.role_management.directory.role_assignments.role_assignments_request_builder import (
        RoleAssignmentsRequestBuilder,
    )

    client = graph_client(StaticCredential())
    route = respx.get(url__startswith=f"{V1}/roleManagement/directory/roleAssignments").mock(
        return_value=httpx.Response(200, json={"value": [
            {"id": "ra1", "principalId": "sp1", "roleDefinitionId": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
             "directoryScopeId": "/administrativeUnits/au1", "appScopeId": None, "condition": None,
             "principal": {"@odata.type": "#microsoft.graph.servicePrincipal", "id": "sp1"}},
        ]})
    )
    respx.get(f"{V1}/roleManagement/directory/roleEligibilitySchedules").mock(
        return_value=httpx.Response(200, json={"value": [
            {"id": "es1", "principalId": "u1", "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10",
             "directoryScopeId": "/", "memberType": "Direct", "status": "Provisioned",
             "createdUsing": "es1", "scheduleInfo": {"startDateTime": "2024-01-01T00:00:00Z",
             "expiration": {"type": "noExpiration", "endDateTime": None, "duration": None}}},
        ]})
    )
    q = RoleAssignmentsRequestBuilder.RoleAssignmentsRequestBuilderGetQueryParameters(expand=["principal"])
    cfg = RoleAssignmentsRequestBuilder.RoleAssignmentsRequestBuilderGetRequestConfiguration(query_parameters=q)

    async def run() -> tuple[Any, Any]:
        r = await client.role_management.directory.role_assignments.get(request_configuration=cfg)
        e = await client.role_management.directory.role_eligibility_schedules.get()
        return r, e

    r, e = asyncio.run(run())
    assert "expand=principal" in str(route.calls[0].request.url)
    assert r.value[0].directory_scope_id == "/administrativeUnits/au1"
    assert type(r.value[0].principal).__name__ == "ServicePrincipal"
    assert e.value[0].schedule_info.expiration.type.value == "noExpiration"


@respx.mock
def test_beta_reports_through_msgraph_beta_sdk() -> None:
    from msgraph_beta import GraphServiceClient as BetaClient

    cred = StaticCredential()
    beta = BetaClient(credentials=cred)
    assert beta.request_adapter.base_url == "https://graph.microsoft.com/beta/"  # same double slash
    beta.request_adapter.base_url = BETA
    beta = BetaClient(request_adapter=beta.request_adapter)
    respx.get(f"{BETA}/reports/servicePrincipalSignInActivities").mock(
        return_value=httpx.Response(200, json={"value": [
            {"id": "ZmY", "appId": "11111111-1111-1111-1111-111111111111",
             "lastSignInActivity": {"lastSignInDateTime": "2024-04-01T00:00:00Z",
                                    "lastSignInRequestId": "q"},
             "applicationAuthenticationClientSignInActivity": {"lastSignInDateTime": "2024-04-01T00:00:00Z"},
             "applicationAuthenticationResourceSignInActivity": {"lastSignInDateTime": None},
             "delegatedClientSignInActivity": {"lastSignInDateTime": None},
             "delegatedResourceSignInActivity": {"lastSignInDateTime": None}},
        ]})
    )
    respx.get(f"{BETA}/reports/appCredentialSignInActivities").mock(
        return_value=httpx.Response(200, json={"value": [
            {"id": "k", "keyId": "22222222-2222-2222-2222-222222222222", "keyType": "clientSecret",
             "keyUsage": "verify", "appId": "11111111-1111-1111-1111-111111111111",
             "appObjectId": "00000000-0000-0000-0000-0000000000a1", "servicePrincipalObjectId": "sp1",
             "resourceId": "r", "credentialOrigin": "application",
             "expirationDateTime": "2025-01-01T00:00:00Z", "createdDateTime": "2024-01-01T00:00:00Z",
             "signInActivity": {"lastSignInDateTime": "2024-03-01T00:00:00Z"}},
        ]})
    )

    async def run() -> tuple[Any, Any]:
        s = await beta.reports.service_principal_sign_in_activities.get()
        c = await beta.reports.app_credential_sign_in_activities.get()
        return s, c

    s, c = asyncio.run(run())
    assert s.value[0].last_sign_in_activity.last_sign_in_date_time.year == 2024
    cc = c.value[0]
    assert cc.key_id == "22222222-2222-2222-2222-222222222222"
    assert cc.key_type.value == "clientSecret" and cc.credential_origin.value == "application"


@respx.mock
def test_beta_through_v1_adapter_raw_request() -> None:
    """The alternative to msgraph-beta-sdk: a RequestInformation with an absolute beta URL sent
    through the v1 client's adapter, answered as raw JSON (send_primitive_async 'bytes')."""
    client = graph_client(StaticCredential())
    route = respx.get(f"{BETA}/reports/servicePrincipalSignInActivities").mock(
        return_value=httpx.Response(200, json={"value": [{"id": "x", "appId": "a"}]})
    )
    ri = RequestInformation()
    ri.http_method = Method.GET
    ri.url = f"{BETA}/reports/servicePrincipalSignInActivities"
    ri.headers.try_add("Accept", "application/json")
    raw = asyncio.run(client.request_adapter.send_primitive_async(ri, "bytes", ERRORS))
    assert json.loads(raw)["value"][0]["appId"] == "a"
    assert route.calls[0].request.headers["authorization"] == "Bearer test-token"


ERRORS = {"XXX": ODataError}  # kiota error mapping: "4XX", "5XX" or "XXX" (any) -> ODataError


@respx.mock
def test_beta_raw_request_403_is_odataerror() -> None:
    """A tenant without Entra ID P1/P2 or a caller without AuditLog.Read.All: the raw beta
    request raises the same ODataError as a typed call, so one error path serves both."""
    client = graph_client(StaticCredential())
    respx.get(f"{BETA}/reports/appCredentialSignInActivities").mock(
        return_value=httpx.Response(403, json=DENIED)
    )
    ri = RequestInformation()
    ri.http_method = Method.GET
    ri.url = f"{BETA}/reports/appCredentialSignInActivities"
    with pytest.raises(ODataError) as ei:
        asyncio.run(client.request_adapter.send_primitive_async(ri, "bytes", ERRORS))
    assert ei.value.response_status_code == 403
    assert ei.value.error.code == "Authorization_RequestDenied"


UNLICENSED = {
    "error": {
        "code": "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "message": "Neither tenant is B2C or tenant doesn't have premium license",
        "innerError": {"date": "2024-05-01T10:00:00", "request-id": "r", "client-request-id": "r"},
    }
}


@respx.mock
def test_unlicensed_tenant_is_a_403_with_its_own_code() -> None:
    """The licence refusal (body as quoted in MicrosoftDocs/azure-docs#77948 and
    microsoftgraph/microsoft-graph-docs#14118) is a 403 like a missing permission: only
    error.code tells them apart."""
    client = graph_client(StaticCredential(), retries=False)
    respx.get(f"{BETA}/reports/servicePrincipalSignInActivities").mock(
        return_value=httpx.Response(403, json=UNLICENSED)
    )
    ri = RequestInformation()
    ri.http_method = Method.GET
    ri.url = f"{BETA}/reports/servicePrincipalSignInActivities"
    with pytest.raises(ODataError) as ei:
        asyncio.run(client.request_adapter.send_primitive_async(ri, "bytes", ERRORS))
    assert ei.value.response_status_code == 403
    assert ei.value.error.code == "Authentication_RequestFromNonPremiumTenantOrB2CTenant"


@respx.mock
def test_default_header_on_the_httpx_client_reaches_every_request() -> None:
    """x-ms-throttle-priority (Graph throttling docs: low-priority requests are throttled first)
    set once on the factory's httpx.AsyncClient goes out with every request."""
    client = graph_client(StaticCredential())
    client.request_adapter._http_client.headers["x-ms-throttle-priority"] = "low"
    route = respx.get(f"{V1}/servicePrincipals").mock(return_value=httpx.Response(200, json=page([])))
    asyncio.run(client.service_principals.get())
    assert route.calls[0].request.headers["x-ms-throttle-priority"] == "low"

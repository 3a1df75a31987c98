"""Refusals, the licence refusal, throttling and bad pages: each a gap naming the tenant and
the Graph operation, never an empty list; the waits asked for recorded, never slept."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx

from nhiscan.connectors.azure import errors
from nhiscan.connectors.azure.calls import Caller, retry_after
from nhiscan.connectors.azure.clients import Clients, StaticToken
from nhiscan.connectors.azure.live import AzureConfig
from nhiscan.connectors.azure.offline.gaps import TENANT_ONLY_LIVE
from nhiscan.scanner.model import CollectionGap, GapReason, Identity, Policy

from ..export import SP_PAY, TENANT
from .conftest import HOST, V1, FakeGraph, body, collect, jwt

SP_SIGN_INS = "/beta/reports/servicePrincipalSignInActivities"
KEY_SIGN_INS = "/beta/reports/appCredentialSignInActivities"


def gaps_of(records: list[Any]) -> dict[str, CollectionGap]:
    return {g.operation: g for g in records if isinstance(g, CollectionGap)}


def test_a_refused_list_is_a_gap_naming_the_permission(graph: FakeGraph) -> None:
    records, _ = collect()
    pay = next(r for r in records if isinstance(r, Identity) and r.id == SP_PAY)
    assert f"{SP_PAY}#app-role-assignments" in pay.policies  # answered: its Graph permission
    graph.fail(f"/v1.0/servicePrincipals/{SP_PAY}/appRoleAssignments", 403, "error-denied.json")
    records, slept = collect()
    gap = gaps_of(records)[errors.APP_ROLES]
    assert (gap.reason, gap.scope, gap.subject) == (GapReason.ACCESS_DENIED, TENANT, SP_PAY)
    assert "Application.Read.All" in gap.detail and "Authorization_RequestDenied" in gap.detail
    assert not slept  # a refusal is not retried
    pay = next(r for r in records if isinstance(r, Identity) and r.id == SP_PAY)
    assert not any(p.endswith("#app-role-assignments") for p in pay.policies)  # unknown, not none
    assert [
        g.subject
        for g in records
        if isinstance(g, CollectionGap) and g.operation == errors.APP_ROLES
    ] == [SP_PAY]  # the others answered


def test_the_licence_refusal_is_its_own_reason_after_one_retry(graph: FakeGraph) -> None:
    graph.fail(SP_SIGN_INS, 403, "error-unlicensed.json")
    records, slept = collect()
    gap = gaps_of(records)[errors.SP_SIGN_INS]
    assert gap.reason is errors.UNLICENSED and gap.reason is not GapReason.ACCESS_DENIED
    assert "not available" in gap.detail and "P1 or P2" in gap.detail
    assert "AuditLog.Read.All" not in gap.detail  # a permission would not help
    assert len(slept) == 1  # believed on the second answer (reported intermittent)
    assert [r.url.path for r in graph.requests].count(SP_SIGN_INS) == 2


def test_a_denied_sign_in_report_names_the_operation_the_export_gaps_use(
    graph: FakeGraph,
) -> None:
    graph.fail(SP_SIGN_INS, 403, "error-denied.json")
    graph.fail(KEY_SIGN_INS, 403, "error-denied.json")
    records, _ = collect()
    found = gaps_of(records)
    expected = {op for op, _ in TENANT_ONLY_LIVE if not op.startswith("azure-export:")}
    assert expected == {errors.SP_SIGN_INS, errors.CREDENTIAL_SIGN_INS}
    for op in expected:
        assert found[op].reason is GapReason.ACCESS_DENIED and found[op].scope == TENANT
        assert "AuditLog.Read.All" in found[op].detail
    assert all(r.last_used is None for r in records if isinstance(r, Identity))


def test_429_waits_retry_after_seconds_then_answers(graph: FakeGraph) -> None:
    throttled = httpx.Response(429, json=body("error-throttled.json"), headers={"Retry-After": "7"})
    graph.queue("/v1.0/servicePrincipals", throttled, throttled)
    records, slept = collect()
    assert slept == [7.0, 7.0]
    assert errors.SERVICE_PRINCIPALS not in gaps_of(records)
    assert any(isinstance(r, Identity) and r.id == SP_PAY for r in records)


def test_429_past_the_retries_is_throttled(graph: FakeGraph) -> None:
    graph.fail(
        "/v1.0/roleManagement/directory/roleAssignments", 429, "error-throttled.json",
        **{"Retry-After": "3", "x-ms-throttle-scope": f"Tenant_Application/Read/x/{TENANT}"},
    )  # fmt: skip
    records, slept = collect(config=AzureConfig(tenant=TENANT, retries=2, retry_delay=0.0))
    gap = gaps_of(records)[errors.ROLE_ASSIGNMENTS]
    assert gap.reason is GapReason.THROTTLED
    assert "x-ms-throttle-scope: Tenant_Application/Read/x/" in gap.detail
    assert slept == [3.0, 3.0]
    assert not any(isinstance(r, Policy) and r.kind == "entra-directory-roles" for r in records)


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)
    assert retry_after("Tue, 01 Dec 2026 10:00:42 GMT", now) == 42.0
    assert retry_after("Tue, 01 Dec 2026 09:00:00 GMT", now) == 0.0  # past: at once
    assert retry_after("12", now) == 12.0
    assert retry_after("soon", now) is None


def _caller(slept: list[float], **kwargs: Any) -> tuple[Caller, Any]:
    clients = Clients(StaticToken(jwt(TENANT)))
    client = clients.graph()
    now = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)
    caller = Caller(adapter=client.request_adapter, tenant=TENANT, host=clients.graph_host,
                    sleep=slept.append, now=lambda: now, **kwargs)  # fmt: skip
    return caller, client


def test_429_with_an_http_date_waits_until_then(graph: FakeGraph) -> None:
    graph.queue("/v1.0/applications", httpx.Response(
        429, json=body("error-throttled.json"),
        headers={"Retry-After": "Tue, 01 Dec 2026 10:00:30 GMT"},
    ))  # fmt: skip
    slept: list[float] = []
    caller, _ = _caller(slept)
    answer = asyncio.run(caller.pages(f"{V1}/applications", operation=errors.APPLICATIONS))
    assert answer.ok and len(answer.value) == 3
    assert slept == [30.0]


def test_a_wait_longer_than_the_cap_is_capped(graph: FakeGraph) -> None:
    graph.queue("/v1.0/applications", httpx.Response(
        429, json=body("error-throttled.json"), headers={"Retry-After": "900"}))  # fmt: skip
    slept: list[float] = []
    caller, _ = _caller(slept, max_wait=60.0)
    assert asyncio.run(caller.pages(f"{V1}/applications", operation=errors.APPLICATIONS)).ok
    assert slept == [60.0]


def test_a_next_link_to_another_host_is_not_followed(graph: FakeGraph) -> None:
    foreign = "https://collector.example/applications?$skiptoken=1"
    graph.queue("/v1.0/applications", httpx.Response(200, json={
        "value": [], "@odata.nextLink": foreign}))  # fmt: skip
    slept: list[float] = []
    caller, _ = _caller(slept)
    answer = asyncio.run(caller.pages(f"{V1}/applications", operation=errors.APPLICATIONS))
    assert answer.gap is not None and answer.gap.reason is GapReason.FAILED
    assert "collector.example" in answer.gap.detail and "not followed" in answer.gap.detail
    assert all(r.url.host == "graph.microsoft.com" for r in graph.requests)


def test_a_page_not_in_graph_shape_is_a_gap_after_the_pages_that_arrived(
    graph: FakeGraph,
) -> None:
    graph.queue("/v1.0/applications",
                httpx.Response(200, json={"value": [{"id": "x"}],
                                          "@odata.nextLink": f"{V1}/applications?$skiptoken=9"}),
                httpx.Response(200, json={"items": []}))  # fmt: skip
    caller, _ = _caller([])
    answer = asyncio.run(caller.pages(f"{V1}/applications", operation=errors.APPLICATIONS))
    assert answer.gap is not None and answer.value is None
    assert "after 1 page" in answer.gap.detail and "$.value" in answer.gap.detail


def test_every_request_is_signed_for_graph_and_low_priority(graph: FakeGraph) -> None:
    collect()
    assert graph.requests
    for request in graph.requests:
        assert request.headers["authorization"].startswith("Bearer ")
        assert request.headers["x-ms-throttle-priority"] == "low"
        assert "//" not in request.url.path  # plan 0.2: no /v1.0//applications
    assert str(graph.requests[0].url).startswith(f"{HOST}/v1.0/applications?$select=id,appId,")


OWNER = {"@odata.type": "#microsoft.graph.user", "displayName": "Owner"}


def _owners(count: int) -> list[dict[str, Any]]:
    return [{**OWNER, "id": f"0d000000-0000-4000-8000-{n:012d}"} for n in range(count)]


def test_an_expanded_list_of_20_is_listed_in_full(graph: FakeGraph) -> None:
    from ..export import PAY_APP, PAY_CLIENT

    expanded = graph.collection("/v1.0/applications", "owners")
    assert expanded is not None
    for entry in expanded:
        if entry["appId"] == PAY_CLIENT:
            entry["owners"] = _owners(20)  # Graph cuts an expanded relationship at 20
    graph.fixed["/v1.0/applications:owners"] = expanded
    graph.fixed[f"/v1.0/applications/{PAY_APP}/owners"] = _owners(23)
    records, _ = collect()
    owners = next(r for r in records if isinstance(r, Policy) and r.id == f"{PAY_APP}#owners")
    assert len(owners.document["value"]) == 23
    one_by_one = [r for r in graph.requests if r.url.path.endswith("/owners")]
    assert {r.url.path for r in one_by_one} == {f"/v1.0/applications/{PAY_APP}/owners"}


def test_a_refused_expanded_list_is_one_gap_and_no_owner_is_none(graph: FakeGraph) -> None:
    graph.fixed["/v1.0/applications:owners"] = httpx.Response(403, json=body("error-denied.json"))
    records, _ = collect()
    gap = gaps_of(records)[errors.APPLICATION_OWNERS]
    assert gap.reason is GapReason.ACCESS_DENIED and gap.subject is None
    assert not [r for r in records if isinstance(r, Policy) and r.id.startswith("a")
                and r.id.endswith("#owners")]  # fmt: skip
    assert not [r for r in graph.requests if r.url.path.endswith("/owners")]


def test_a_sign_in_report_out_of_shape_is_a_gap_not_a_lost_tenant(graph: FakeGraph) -> None:
    entry = dict(graph.fixed[SP_SIGN_INS][0])
    entry["lastSignInActivity"] = {"lastSignInDateTime": "yesterday"}
    graph.fixed[SP_SIGN_INS] = [entry]
    records, _ = collect()
    gap = gaps_of(records)[errors.SP_SIGN_INS]
    assert gap.reason is GapReason.FAILED and "malformed response" in gap.detail
    identities = [r for r in records if isinstance(r, Identity)]
    assert len(identities) == 7 and all(r.last_used is None for r in identities)

"""Observations of the azure-mgmt-* clients over requests, answered by `responses`.

Run: /tmp/azcheck/bin/pytest -q docs/dev/azure-checks/test_arm.py
Each test pins one fact that docs/dev/azure-plan.md section 3 relies on (URLs, the api-version
each SDK sends, paging, errors, retries). Bodies follow the ARM reference pages cited in the plan
(learn.microsoft.com/rest/api/authorization/role-assignments/list-for-subscription, ...).
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.msi import ManagedServiceIdentityClient

ARM = "https://management.azure.com"
SUB = "5f5e2a5c-0000-4000-8000-000000000001"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"  # built-in Owner role id (azure-built-in-roles.json)


class StaticCredential:
    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken("arm-token", 4102444800)


def qs(call: Any) -> dict[str, list[str]]:
    return parse_qs(urlparse(call.request.url).query)


def ra(name: str, scope: str, principal_type: str = "ServicePrincipal", **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
        "name": name,
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}",
            "principalId": "6d1f7c1e-0000-4000-8000-000000000002",
            "principalType": principal_type,
            "scope": scope,
            "condition": extra.get("condition"),
            "conditionVersion": extra.get("conditionVersion"),
            "createdOn": "2024-01-01T00:00:00.0000000Z",
            "updatedOn": "2024-01-01T00:00:00.0000000Z",
            "createdBy": None,
            "updatedBy": "6d1f7c1e-0000-4000-8000-000000000009",
            "delegatedManagedIdentityResourceId": None,
            "description": None,
        },
    }


def auth_client(**kw: Any) -> AuthorizationManagementClient:
    # retry_total=0: the connector's own loop (with an injected sleep) handles 429
    return AuthorizationManagementClient(StaticCredential(), SUB, retry_total=kw.pop("retry_total", 0), **kw)


@responses.activate
def test_role_assignments_subscription_atscope_paging() -> None:
    scope = f"/subscriptions/{SUB}"
    base = f"{ARM}{scope}/providers/Microsoft.Authorization/roleAssignments"
    nxt = f"{base}?$filter=atScope()&api-version=2022-04-01&$skiptoken=abc"
    responses.get(re.compile(re.escape(base) + r"\?(?!.*skiptoken)"),
                  json={"value": [ra("a1", scope)], "nextLink": nxt})
    responses.get(re.compile(re.escape(base) + r".*skiptoken=abc"),
                  json={"value": [ra("a2", f"{scope}/resourceGroups/rg1", condition="@Resource[x] == 'y'",
                                     conditionVersion="2.0")]})
    client = auth_client()
    got = list(client.role_assignments.list_for_subscription(filter="atScope()"))
    assert [g.name for g in got] == ["a1", "a2"]
    first = responses.calls[0]
    assert qs(first) == {"$filter": ["atScope()"], "api-version": ["2022-04-01"]}
    assert first.request.headers["Authorization"] == "Bearer arm-token"
    # nextLink is followed as given; the SDK re-applies its own api-version
    assert "skiptoken=abc" in responses.calls[1].request.url
    assert qs(responses.calls[1])["api-version"] == ["2022-04-01"]
    a2 = got[1]
    assert a2.principal_type == "ServicePrincipal" and a2.condition_version == "2.0"
    assert a2.scope.endswith("/resourceGroups/rg1") and a2.role_definition_id.endswith(OWNER)


@responses.activate
def test_role_assignments_for_management_group_scope() -> None:
    scope = "/providers/Microsoft.Management/managementGroups/mg-root"
    url = f"{ARM}{scope}/providers/Microsoft.Authorization/roleAssignments"
    responses.get(re.compile(re.escape(url)), json={"value": [ra("m1", scope)]})
    client = auth_client()
    got = list(client.role_assignments.list_for_scope(scope, filter="atScope()"))
    assert got[0].scope == scope
    assert qs(responses.calls[0]) == {"$filter": ["atScope()"], "api-version": ["2022-04-01"]}


@responses.activate
def test_role_definitions_and_deny_assignments() -> None:
    scope = f"/subscriptions/{SUB}"
    rd_url = f"{ARM}{scope}/providers/Microsoft.Authorization/roleDefinitions"
    responses.get(re.compile(re.escape(rd_url)), json={"value": [{
        "id": f"{scope}/providers/Microsoft.Authorization/roleDefinitions/c0ffee00-0000-4000-8000-000000000003",
        "name": "c0ffee00-0000-4000-8000-000000000003",
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": "vm-operator", "type": "CustomRole", "description": "",
            "assignableScopes": [scope],
            "permissions": [{"actions": ["Microsoft.Compute/virtualMachines/runCommand/action"],
                             "notActions": [], "dataActions": [], "notDataActions": []}],
            "createdOn": "2024-01-01T00:00:00Z", "updatedOn": "2024-01-01T00:00:00Z",
            "createdBy": None, "updatedBy": None,
        },
    }]})
    da_url = f"{ARM}{scope}/providers/Microsoft.Authorization/denyAssignments"
    responses.get(re.compile(re.escape(da_url)), json={"value": [{
        "id": f"{scope}/providers/Microsoft.Authorization/denyAssignments/d1",
        "name": "d1", "type": "Microsoft.Authorization/denyAssignments",
        "properties": {
            "denyAssignmentName": "managed-app-deny", "description": "", "scope": scope,
            "permissions": [{"actions": ["*/write"], "notActions": [], "dataActions": [], "notDataActions": []}],
            "doNotApplyToChildScopes": False, "isSystemProtected": True,
            "principals": [{"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}],
            "excludePrincipals": [{"id": "6d1f7c1e-0000-4000-8000-000000000002", "type": "ServicePrincipal"}],
        },
    }]})
    client = auth_client()
    rds = list(client.role_definitions.list(scope, filter="type eq 'CustomRole'"))
    assert qs(responses.calls[0]) == {"$filter": ["type eq 'CustomRole'"], "api-version": ["2022-04-01"]}
    p = rds[0].permissions[0]
    assert rds[0].role_type == "CustomRole" and p.actions == ["Microsoft.Compute/virtualMachines/runCommand/action"]
    assert rds[0].assignable_scopes == [scope]
    das = list(client.deny_assignments.list())
    assert qs(responses.calls[1]) == {"api-version": ["2022-04-01"]}
    assert das[0].principals[0].type == "SystemDefined" and das[0].exclude_principals[0].type == "ServicePrincipal"


FAILED = {"error": {"code": "AuthorizationFailed", "message": (
    "The client '6d1f7c1e-0000-4000-8000-000000000002' with object id '6d1f7c1e-0000-4000-8000-000000000002' "
    "does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read' over scope "
    f"'/subscriptions/{SUB}' or the scope is invalid. If access was recently granted, please refresh your credentials.")}}


@responses.activate
def test_403_authorization_failed() -> None:
    responses.get(re.compile(re.escape(f"{ARM}/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments")),
                  status=403, json=FAILED, headers={"x-ms-failure-cause": "gateway"})
    with pytest.raises(HttpResponseError) as ei:
        list(auth_client().role_assignments.list_for_subscription())
    e = ei.value
    assert not isinstance(e, ClientAuthenticationError)  # 401 maps to that, 403 does not
    assert e.status_code == 403 and e.error.code == "AuthorizationFailed"
    assert "roleAssignments/read" in e.error.message
    assert e.response.headers["x-ms-failure-cause"] == "gateway"


@responses.activate
def test_401_is_client_authentication_error() -> None:
    responses.get(re.compile(re.escape(f"{ARM}/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments")),
                  status=401, json={"error": {"code": "InvalidAuthenticationToken", "message": "expired"}})
    with pytest.raises(ClientAuthenticationError):
        list(auth_client().role_assignments.list_for_subscription())


THROTTLED = {"error": {"code": "TooManyRequests", "message": "Number of read requests for subscription exceeded the limit."}}


@responses.activate
def test_429_default_retry_policy_honours_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", lambda s: slept.append(s))
    url = re.compile(re.escape(f"{ARM}/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments"))
    responses.get(url, status=429, json=THROTTLED,
                  headers={"Retry-After": "17", "x-ms-ratelimit-remaining-subscription-reads": "0"})
    responses.get(url, json={"value": []})
    client = AuthorizationManagementClient(StaticCredential(), SUB)  # default policy: retry_total=10
    assert list(client.role_assignments.list_for_subscription()) == []
    assert slept == [17]
    assert len(responses.calls) == 2


@responses.activate
def test_429_exhausted_reaches_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", lambda s: slept.append(s))
    url = re.compile(re.escape(f"{ARM}/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments"))
    responses.get(url, status=429, json=THROTTLED, headers={"Retry-After": "3"})
    client = AuthorizationManagementClient(StaticCredential(), SUB, retry_total=2)
    with pytest.raises(HttpResponseError) as ei:
        list(client.role_assignments.list_for_subscription())
    assert ei.value.status_code == 429 and ei.value.error.code == "TooManyRequests"
    assert ei.value.response.headers["Retry-After"] == "3"
    assert slept == [3, 3] and len(responses.calls) == 3


@responses.activate
def test_retry_total_zero_no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda s: (_ for _ in ()).throw(AssertionError("slept")))
    url = re.compile(re.escape(f"{ARM}/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments"))
    responses.get(url, status=429, json=THROTTLED, headers={"Retry-After": "3"})
    with pytest.raises(HttpResponseError):
        list(auth_client().role_assignments.list_for_subscription())
    assert len(responses.calls) == 1


def test_http_base_url_refused_by_bearer_policy() -> None:
    """A local plain-HTTP fake needs the request option enforce_https=False (or https)."""
    client = AuthorizationManagementClient(StaticCredential(), SUB, base_url="http://127.0.0.1:9", retry_total=0)
    with pytest.raises(ServiceRequestError, match="non-TLS"):
        list(client.role_assignments.list_for_subscription())


@responses.activate
def test_credential_scopes_and_base_url() -> None:
    cred = StaticCredential()
    responses.get(re.compile(r"https://arm\.example\.test/subscriptions/.*"), json={"value": []})
    c = AuthorizationManagementClient(cred, SUB, base_url="https://arm.example.test",
                                      credential_scopes=["https://arm.example.test/.default"], retry_total=0)
    list(c.role_assignments.list_for_subscription())
    assert cred.scopes == [("https://arm.example.test/.default",)]
    d = AuthorizationManagementClient(cred, SUB, retry_total=0)
    responses.get(re.compile(re.escape(f"{ARM}/subscriptions/")), json={"value": []})
    list(d.role_assignments.list_for_subscription())
    assert cred.scopes[-1] == ("https://management.azure.com/.default",)


@responses.activate
def test_msi_identities_and_federated_credentials() -> None:
    rg, name = "rg1", "deployer-id"
    uai = f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"
    responses.get(re.compile(re.escape(f"{ARM}/subscriptions/{SUB}/providers/Microsoft.ManagedIdentity/userAssignedIdentities")),
                  json={"value": [{"id": uai, "name": name, "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
                                   "location": "westeurope", "tags": {},
                                   "properties": {"tenantId": "7a7a0000-0000-4000-8000-000000000001",
                                                  "principalId": "9b9b0000-0000-4000-8000-000000000001",
                                                  "clientId": "9c9c0000-0000-4000-8000-000000000001",
                                                  "isolationScope": "None"}}]})
    responses.get(re.compile(re.escape(f"{ARM}{uai}/federatedIdentityCredentials")),
                  json={"value": [{"id": f"{uai}/federatedIdentityCredentials/gh", "name": "gh",
                                   "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
                                   "properties": {"issuer": "https://token.actions.githubusercontent.com",
                                                  "subject": "repo:o/r:environment:prod",
                                                  "audiences": ["api://AzureADTokenExchange"]}}]})
    c = ManagedServiceIdentityClient(StaticCredential(), SUB, retry_total=0)
    ids = list(c.user_assigned_identities.list_by_subscription())
    fics = list(c.federated_identity_credentials.list(rg, name))
    print("msi api-versions:", qs(responses.calls[0])["api-version"], qs(responses.calls[1])["api-version"])
    assert ids[0].principal_id == "9b9b0000-0000-4000-8000-000000000001"
    assert fics[0].subject == "repo:o/r:environment:prod"


IDENTITY = {
    "type": "SystemAssigned, UserAssigned",
    "principalId": "9d9d0000-0000-4000-8000-000000000001",
    "tenantId": "7a7a0000-0000-4000-8000-000000000001",
    "userAssignedIdentities": {
        f"/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer-id": {
            "principalId": "9b9b0000-0000-4000-8000-000000000001", "clientId": "9c9c0000-0000-4000-8000-000000000001"}
    },
}


@responses.activate
def test_compute_identity_blocks_and_api_versions() -> None:
    from azure.mgmt.appcontainers import ContainerAppsAPIClient
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.containerservice import ContainerServiceClient
    from azure.mgmt.web import WebSiteManagementClient

    def res(rtype: str, name: str) -> dict[str, Any]:
        return {"id": f"/subscriptions/{SUB}/resourceGroups/rg1/providers/{rtype}/{name}", "name": name,
                "type": rtype, "location": "westeurope", "identity": IDENTITY, "properties": {}}

    for path, rtype in [("Microsoft.Compute/virtualMachines", "Microsoft.Compute/virtualMachines"),
                        ("Microsoft.Web/sites", "Microsoft.Web/sites"),
                        ("Microsoft.App/containerApps", "Microsoft.App/containerApps"),
                        ("Microsoft.ContainerService/managedClusters", "Microsoft.ContainerService/managedClusters")]:
        responses.get(re.compile(re.escape(f"{ARM}/subscriptions/{SUB}/providers/{path}") + r"\?"),
                      json={"value": [res(rtype, "x")]})
    cred = StaticCredential()
    vms = list(ComputeManagementClient(cred, SUB, retry_total=0).virtual_machines.list_all())
    sites = list(WebSiteManagementClient(cred, SUB, retry_total=0).web_apps.list())
    apps = list(ContainerAppsAPIClient(cred, SUB, retry_total=0).container_apps.list_by_subscription())
    aks = list(ContainerServiceClient(cred, SUB, retry_total=0).managed_clusters.list())
    versions = {urlparse(c.request.url).path.split("/providers/")[1]: qs(c)["api-version"][0] for c in responses.calls}
    print("compute api-versions:", versions)
    for obj in (vms[0], sites[0], apps[0], aks[0]):
        ident = obj.identity
        t = ident.type if isinstance(ident.type, str) else ident.type.value
        assert t.replace(" ", "").lower() == "systemassigned,userassigned", t
        assert ident.principal_id == "9d9d0000-0000-4000-8000-000000000001"
        (uai_id, uai), = ident.user_assigned_identities.items()
        assert uai.principal_id == "9b9b0000-0000-4000-8000-000000000001"


@responses.activate
def test_subscriptions_and_management_groups() -> None:
    from azure.mgmt.managementgroups import ManagementGroupsMgmtClient
    from azure.mgmt.subscription import SubscriptionClient

    responses.get(re.compile(re.escape(f"{ARM}/subscriptions?")), json={"value": [{
        "id": f"/subscriptions/{SUB}", "subscriptionId": SUB, "tenantId": "7a7a0000-0000-4000-8000-000000000001",
        "displayName": "prod", "state": "Enabled",
        "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "x", "spendingLimit": "Off"},
        "authorizationSource": "RoleBased", "managedByTenants": []}]})
    mg = "/providers/Microsoft.Management/managementGroups/mg-root"
    responses.get(re.compile(re.escape(f"{ARM}{mg}/descendants")), json={"value": [
        {"id": "/providers/Microsoft.Management/managementGroups/mg-prod", "type": "Microsoft.Management/managementGroups",
         "name": "mg-prod", "properties": {"displayName": "Prod", "parent": {"id": mg}}},
        {"id": f"/subscriptions/{SUB}", "type": "Microsoft.Management/managementGroups/subscriptions",
         "name": SUB, "properties": {"displayName": "prod",
                                     "parent": {"id": "/providers/Microsoft.Management/managementGroups/mg-prod"}}},
    ]})
    responses.get(re.compile(re.escape(f"{ARM}/providers/Microsoft.Management/managementGroups?")), json={"value": [
        {"id": mg, "type": "Microsoft.Management/managementGroups", "name": "mg-root",
         "properties": {"tenantId": "7a7a0000-0000-4000-8000-000000000001", "displayName": "Tenant Root Group"}}]})
    cred = StaticCredential()
    subs = list(SubscriptionClient(cred, retry_total=0).subscriptions.list())
    m = ManagementGroupsMgmtClient(cred, retry_total=0)
    desc = list(m.management_groups.get_descendants("mg-root"))
    groups = list(m.management_groups.list())
    print("sub/mg api-versions:", [(urlparse(c.request.url).path, qs(c)["api-version"]) for c in responses.calls])
    assert subs[0].subscription_id == SUB
    # azure-mgmt-subscription 3.1.1 sends api-version 2016-06-01 and its Subscription model has
    # no tenant_id / managed_by_tenants: the tenant of each subscription must come from elsewhere
    assert not hasattr(subs[0], "tenant_id")
    print("additional_properties:", getattr(subs[0], "additional_properties", None))
    assert [d.type for d in desc] == ["Microsoft.Management/managementGroups",
                                      "Microsoft.Management/managementGroups/subscriptions"]
    assert desc[1].properties.parent.id.endswith("mg-prod")
    assert groups[0].name == "mg-root"


@responses.activate
def test_subscriptions_split_package_has_tenant() -> None:
    """azure-mgmt-resource-subscriptions (the package split out of azure-mgmt-resource 26):
    api-version 2022-12-01, tenant_id and managed_by_tenants typed."""
    from azure.mgmt.resource.subscriptions import SubscriptionClient

    responses.get(re.compile(re.escape(f"{ARM}/subscriptions?")), json={"value": [{
        "id": f"/subscriptions/{SUB}", "subscriptionId": SUB, "tenantId": "7a7a0000-0000-4000-8000-000000000001",
        "displayName": "prod", "state": "Enabled", "authorizationSource": "RoleBased",
        "managedByTenants": [{"tenantId": "8b8b0000-0000-4000-8000-000000000001"}]}]})
    subs = list(SubscriptionClient(StaticCredential(), retry_total=0).subscriptions.list())
    assert qs(responses.calls[0])["api-version"] == ["2022-12-01"]
    assert subs[0].tenant_id == "7a7a0000-0000-4000-8000-000000000001"
    assert subs[0].managed_by_tenants[0].tenant_id.startswith("8b8b")


@responses.activate
def test_resource_graph_identity_query_paging() -> None:
    """Azure Resource Graph: one POST per page for every identity-bearing resource of many
    subscriptions (alternative to one list call per resource type per subscription)."""
    from azure.mgmt.resourcegraph import ResourceGraphClient
    from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

    url = f"{ARM}/providers/Microsoft.ResourceGraph/resources"
    row = {"id": f"/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1",
           "type": "microsoft.compute/virtualmachines", "subscriptionId": SUB, "identity": IDENTITY}
    responses.post(re.compile(re.escape(url)), json={"totalRecords": 2, "count": 1, "data": [row], "facets": [],
                                                     "resultTruncated": "false", "$skipToken": "tok1"})
    responses.post(re.compile(re.escape(url)), json={"totalRecords": 2, "count": 1, "data": [row], "facets": [],
                                                     "resultTruncated": "false"})
    client = ResourceGraphClient(StaticCredential(), retry_total=0)
    q = "resources | where isnotnull(identity) | project id, type, subscriptionId, identity"
    skip = None
    rows: list[Any] = []
    while True:
        r = client.resources(QueryRequest(subscriptions=[SUB], query=q,
                                          options=QueryRequestOptions(skip_token=skip, top=1000)))
        rows.extend(r.data)
        skip = r.skip_token
        if not skip:
            break
    import json as _json
    body2 = _json.loads(responses.calls[1].request.body)
    print("resourcegraph api-version:", qs(responses.calls[0])["api-version"], "body2:", body2)
    assert body2["options"]["$skipToken"] == "tok1" and body2["options"]["$top"] == 1000
    assert len(rows) == 2 and rows[0]["identity"]["type"] == "SystemAssigned, UserAssigned"


@responses.activate
def test_arm_pim_eligibility_schedules() -> None:
    """PIM for Azure resources: eligible role assignments are a separate list (2020-10-01)."""
    scope = f"/subscriptions/{SUB}"
    url = f"{ARM}{scope}/providers/Microsoft.Authorization/roleEligibilitySchedules"
    responses.get(re.compile(re.escape(url)), json={"value": [{
        "id": f"{scope}/providers/Microsoft.Authorization/roleEligibilitySchedules/e1", "name": "e1",
        "type": "Microsoft.Authorization/roleEligibilitySchedules",
        "properties": {"scope": scope, "roleDefinitionId": f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}",
                       "principalId": "6d1f7c1e-0000-4000-8000-000000000002", "principalType": "ServicePrincipal",
                       "status": "Provisioned", "memberType": "Direct", "startDateTime": "2024-01-01T00:00:00Z",
                       "endDateTime": None, "condition": None, "conditionVersion": None}}]})
    got = list(auth_client().role_eligibility_schedules.list_for_scope(scope, filter="atScope()"))
    assert qs(responses.calls[0]) == {"$filter": ["atScope()"], "api-version": ["2020-10-01"]}
    assert got[0].principal_type == "ServicePrincipal" and got[0].member_type == "Direct"


@responses.activate
def test_management_group_entities() -> None:
    """getEntities: every management group and subscription the caller can see, with parent
    and the chain of parents (no need for read on the root, unlike descendants)."""
    from azure.mgmt.managementgroups import ManagementGroupsMgmtClient

    root = "/providers/Microsoft.Management/managementGroups/7a7a0000-0000-4000-8000-000000000001"
    responses.post(re.compile(re.escape(f"{ARM}/providers/Microsoft.Management/getEntities")), json={"value": [
        {"id": "/providers/Microsoft.Management/managementGroups/mg-prod", "type": "Microsoft.Management/managementGroups",
         "name": "mg-prod", "properties": {"tenantId": "7a7a0000-0000-4000-8000-000000000001", "displayName": "Prod",
                                           "parent": {"id": root}, "permissions": "view",
                                           "parentDisplayNameChain": ["Tenant Root Group"],
                                           "parentNameChain": ["7a7a0000-0000-4000-8000-000000000001"]}},
        {"id": f"/subscriptions/{SUB}", "type": "/subscriptions", "name": SUB,
         "properties": {"tenantId": "7a7a0000-0000-4000-8000-000000000001", "displayName": "prod",
                        "parent": {"id": "/providers/Microsoft.Management/managementGroups/mg-prod"},
                        "permissions": "noaccess",
                        "parentNameChain": ["7a7a0000-0000-4000-8000-000000000001", "mg-prod"]}},
    ]})
    ents = list(ManagementGroupsMgmtClient(StaticCredential(), retry_total=0).entities.list())
    call = responses.calls[0]
    print("getEntities:", call.request.method, urlparse(call.request.url).path, qs(call))
    assert call.request.method == "POST" and qs(call)["api-version"] == ["2023-04-01"]
    assert [e.type for e in ents] == ["Microsoft.Management/managementGroups", "/subscriptions"]
    assert ents[1].properties.parent_name_chain == ["7a7a0000-0000-4000-8000-000000000001", "mg-prod"]

"""A fake Microsoft Graph for the live Azure connector: the real msgraph-sdk client over httpx,
answered by respx at the HTTP layer. The directory objects are the export fixture's
(``tests/data/azure/export/``: the az CLI prints Graph's JSON unmodified), served as Graph
collections in pages of two with ``@odata.nextLink``; relationships asked with ``$expand`` are
expanded; the sign-in reports and error bodies are ``tests/data/azure/graph/``."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import responses
import respx
from requests import PreparedRequest

from nhiscan.connectors.azure.clients import Clients, StaticToken
from nhiscan.connectors.azure.live import AzureConfig, AzureConnector
from nhiscan.connectors.base import CollectContext
from nhiscan.scanner.model import Record

from ..export import EXPORT, NOW, TENANT

GRAPH_DATA = Path(__file__).resolve().parents[3] / "data" / "azure" / "graph"
ARM_DATA = GRAPH_DATA.parent / "arm"
ARM_HOST = "https://management.azure.com"
HOST = "https://graph.microsoft.com"
V1, BETA = f"{HOST}/v1.0", f"{HOST}/beta"
PAGE = 2


def body(name: str) -> Any:
    return json.loads((GRAPH_DATA / name).read_text())


def exported(part: str) -> Any:
    found = json.loads((EXPORT / part).read_text())
    return found["value"] if isinstance(found, dict) and "value" in found else found


def per_object(folder: str, key: str) -> list[Any]:
    path = EXPORT / folder / f"{key.lower()}.json"
    return list(exported(f"{folder}/{path.name}")) if path.is_file() else []


def jwt(tenant: str) -> str:
    """An unsigned token with a ``tid`` claim: what the connector reads the tenant from."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'tid': tenant})}.c2ln"


class FakeGraph:
    def __init__(self) -> None:
        self.queued: dict[str, list[httpx.Response]] = {}  # path -> answers before the normal one
        # path (":relation" when expanded) -> collection or answer (instead of the export's)
        self.fixed: dict[str, Any] = {
            "/beta/reports/servicePrincipalSignInActivities": body("sp-sign-ins.json")["value"],
            "/beta/reports/appCredentialSignInActivities": body("credential-sign-ins.json")[
                "value"
            ],
        }
        self.requests: list[httpx.Request] = []

    def queue(self, path: str, *answers: httpx.Response) -> None:
        self.queued.setdefault(path, []).extend(answers)

    def fail(self, path: str, status: int, name: str, **headers: str) -> None:
        """Every call of ``path`` answered with the error body ``name``."""
        self.fixed[path] = httpx.Response(status, json=body(name), headers=headers)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = urlsplit(str(request.url))
        path = url.path
        if self.queued.get(path):
            return self.queued[path].pop(0)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        fixed = self.fixed.get(f"{path}:{query['$expand']}" if "$expand" in query else path)
        if isinstance(fixed, httpx.Response):
            return fixed
        items = fixed if fixed is not None else self.collection(path, query.get("$expand"))
        if items is None:
            return httpx.Response(
                404, json={"error": {"code": "Request_ResourceNotFound", "message": path}}
            )
        start = int(query.get("$skiptoken", "0"))
        page: dict[str, Any] = {
            "@odata.context": f"{V1}/$metadata",
            "value": items[start : start + PAGE],
        }
        if start + PAGE < len(items):
            rest = {k: v for k, v in query.items() if k != "$skiptoken"}
            extra = "".join(f"&{k}={v}" for k, v in rest.items())
            page["@odata.nextLink"] = f"{HOST}{path}?$skiptoken={start + PAGE}{extra}"
        return httpx.Response(200, json=page)

    def collection(self, path: str, expand: str | None) -> list[Any] | None:
        apps, sps = exported("applications.json"), exported("service-principals.json")
        parts = path.removeprefix("/v1.0/").split("/")
        if parts == ["applications"]:
            if expand == "owners":
                return [
                    {
                        "id": a["id"],
                        "appId": a["appId"],
                        "owners": per_object("app-owners", a["appId"]),
                    }
                    for a in apps
                ]
            if expand == "federatedIdentityCredentials":
                return [
                    {
                        "id": a["id"],
                        "appId": a["appId"],
                        expand: per_object("federated-credentials", a["appId"]),
                    }
                    for a in apps
                ]
            return list(apps)
        if parts == ["servicePrincipals"]:
            if expand == "owners":
                return [{"id": s["id"], "owners": per_object("sp-owners", s["id"])} for s in sps]
            return list(sps)
        if len(parts) == 3 and parts[0] == "applications" and parts[2] == "owners":
            app = next(a for a in apps if a["id"] == parts[1])
            return per_object("app-owners", app["appId"])
        if len(parts) == 3 and parts[0] == "servicePrincipals":
            folder = {"owners": "sp-owners", "appRoleAssignments": "app-role-assignments"}
            return per_object(folder[parts[2]], parts[1])
        if parts[:2] == ["roleManagement", "directory"]:
            name = {
                "roleAssignments": "directory-role-assignments.json",
                "roleEligibilitySchedules": "directory-role-eligibilities.json",
                "roleDefinitions": "directory-role-definitions.json",
            }[parts[2]]
            return list(exported(name))
        return None


def arm_body(name: str) -> Any:
    return json.loads((ARM_DATA / name).read_text())


AUTH = "/providers/microsoft.authorization/"
MG = "/providers/microsoft.management/managementgroups"


class FakeArm:
    """Azure Resource Manager answered by ``responses`` (azure-mgmt's transport is requests):
    the export fixture's subscriptions, management groups, role definitions and assignments
    turned back into ARM's form (``properties`` nested, no CLI-added names), and
    ``tests/data/azure/arm/`` for what no export holds; lists in pages of two with
    ``nextLink``."""

    def __init__(self) -> None:
        self.queued: dict[str, list[tuple[int, dict[str, str], Any]]] = {}  # lower path ->
        self.fixed: dict[str, tuple[int, dict[str, str], Any]] = {}  # lower path -> answer
        self.requests: list[PreparedRequest] = []

    def queue(self, path: str, status: int, body: Any, **headers: str) -> None:
        self.queued.setdefault(path.lower(), []).append((status, headers, body))

    def fail(self, path: str, status: int, name: str, **headers: str) -> None:
        self.fixed[path.lower()] = (status, headers, arm_body(name))

    def __call__(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        status, headers, body = self.answer(request)
        return status, {"Content-Type": "application/json; charset=utf-8", **headers}, body

    def answer(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        self.requests.append(request)
        url = urlsplit(str(request.url))
        path = url.path.lower()
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        for key in (f"{path}?$skiptoken={query.get('$skiptoken')}", path):  # a page, or all
            if self.queued.get(key):
                status, headers, answer = self.queued[key].pop(0)
                return status, headers, json.dumps(answer)
        if path in self.fixed:
            status, headers, answer = self.fixed[path]
            return status, headers, json.dumps(answer)
        items = self.collection(path, query.get("$filter"))
        if items is None:
            error = {"error": {"code": "NotFound", "message": path}}
            return 404, {}, json.dumps(error)
        start = int(query.get("$skiptoken", "0"))
        page: dict[str, Any] = {"value": items[start : start + PAGE]}
        if start + PAGE < len(items):
            rest = "".join(f"&{k}={v}" for k, v in query.items() if k != "$skiptoken")
            page["nextLink"] = f"{ARM_HOST}{url.path}?$skiptoken={start + PAGE}{rest}"
        return 200, {}, json.dumps(page)

    def collection(self, path: str, filter_: str | None) -> list[Any] | None:
        tree = exported("management-groups.json")
        if path == "/tenants":
            account = exported("account.json")
            domain = account["tenantDefaultDomain"]
            name = account["tenantDisplayName"]
            return [{"id": f"/tenants/{TENANT}", "tenantId": TENANT, "displayName": name,
                     "domains": [domain], "tenantCategory": "Home", "defaultDomain": domain,
                     "tenantType": "AAD"}]  # fmt: skip
        if path == "/subscriptions":
            return [arm_subscription(s) for s in exported("subscriptions.json")]
        if path == MG:
            return [arm_group(n, None)[0] for n in nodes(tree) if "managementGroups" in n["id"]]
        if path.endswith("/descendants"):
            return [arm_group(n, parent)[1] for n, parent in parents(tree)]
        if path.endswith(AUTH + "roledefinitions"):
            custom = filter_ == "type eq 'CustomRole'"
            return [arm_definition(d) for d in exported("role-definitions.json")
                    if not custom or d["roleType"] == "CustomRole"]  # fmt: skip
        if path.endswith(AUTH + "roleassignments"):
            scope = path.removesuffix(AUTH + "roleassignments")
            return assignments(scope, at_scope=filter_ == "atScope()")
        sub = path.split("/")[2] if path.startswith("/subscriptions/") else ""
        extra = {
            AUTH + "denyassignments": "deny-assignments.json",
            "/providers/microsoft.managedidentity/userassignedidentities":
                "user-assigned-identities.json",
            "/providers/microsoft.compute/virtualmachines": "virtual-machines.json",
            "/providers/microsoft.web/sites": "web-apps.json",
        }  # fmt: skip
        for suffix, name in extra.items():
            if path == f"/subscriptions/{sub}{suffix}":
                found: list[Any] = arm_body(name).get(sub, [])
                return found
        if path.endswith("/federatedidentitycredentials"):
            fics: list[Any] = arm_body("federated-identity-credentials.json").get(
                path.removesuffix("/federatedidentitycredentials"), []
            )
            return fics
        if path.startswith("/subscriptions/") and path.split("/")[-1] in (
            "virtualmachinescalesets", "containerapps", "managedclusters"
        ):  # fmt: skip
            return []
        return None


def nodes(tree: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield tree
    for child in tree.get("children") or []:
        yield from nodes(child)


def parents(tree: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    for child in tree.get("children") or []:
        yield child, tree["id"]
        yield from parents(child)


def arm_subscription(sub: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{sub['id']}", "subscriptionId": sub["id"],
        "tenantId": sub["tenantId"], "displayName": sub["name"], "state": sub["state"],
        "authorizationSource": "RoleBased", "managedByTenants": [],
    }  # fmt: skip


def arm_group(node: dict[str, Any], parent: str | None) -> tuple[Any, Any]:
    """A management group as ``list`` and as ``descendants`` answer it."""
    sub = node["type"] == "/subscriptions"
    kind = "Microsoft.Management/managementGroups" + ("/subscriptions" if sub else "")
    listed = {"id": node["id"], "type": kind, "name": node["name"],
              "properties": {"tenantId": TENANT, "displayName": node["displayName"]}}  # fmt: skip
    props = {"displayName": node["displayName"], "parent": {"id": parent}}
    below = {"id": node["id"], "type": kind, "name": node["name"], "properties": props}
    return listed, below


def arm_definition(d: dict[str, Any]) -> dict[str, Any]:
    props = {k: v for k, v in d.items() if k not in ("id", "name", "type", "roleType")}
    props["type"] = d["roleType"]
    return {"id": d["id"], "name": d["name"], "type": d["type"], "properties": props}


def arm_assignment(a: dict[str, Any]) -> dict[str, Any]:
    cli = ("id", "name", "type", "principalName", "roleDefinitionName")
    return {"id": a["id"], "name": a["name"], "type": a["type"],
            "properties": {k: v for k, v in a.items() if k not in cli}}  # fmt: skip


def assignments(scope: str, *, at_scope: bool) -> list[Any]:
    """A subscription's list (every assignment of its export file), or a management group's
    ``atScope()`` one (the assignments at it or at a group above it)."""
    found: dict[str, Any] = {}
    for path in sorted((EXPORT / "role-assignments").iterdir()):
        for a in json.loads(path.read_text()):
            if at_scope:
                mine = a["scope"].lower() == scope or (
                    scope.startswith(MG) and a["scope"].lower() == f"{MG}/{TENANT}"
                )
            else:
                mine = path.stem == scope.removeprefix("/subscriptions/")
            if mine:
                found.setdefault(a["id"], arm_assignment(a))
    return list(found.values())


@pytest.fixture
def arm() -> Iterator[FakeArm]:
    fake = FakeArm()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.GET, re.compile(re.escape(ARM_HOST) + "/.*"), callback=fake)
        yield fake


@pytest.fixture
def graph(arm: FakeArm) -> Iterator[FakeGraph]:
    del arm  # ARM answered too: the connector collects both halves
    fake = FakeGraph()
    with respx.mock(assert_all_called=False) as router:
        router.route(host="graph.microsoft.com").mock(side_effect=fake)
        yield fake


def collect(*, config: AzureConfig | None = None) -> tuple[list[Record], list[float]]:
    """The connector's records against the fake, and the waits it asked for (never slept)."""
    slept: list[float] = []
    connector = AzureConnector(
        config or AzureConfig(tenant=TENANT, retry_delay=0.0),
        clients=Clients(StaticToken(jwt(TENANT))),
        sleep=slept.append,
    )
    return list(connector.collect(CollectContext(now=NOW))), slept

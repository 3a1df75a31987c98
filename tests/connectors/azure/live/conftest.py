"""A fake Microsoft Graph for the live Azure connector: the real msgraph-sdk client over httpx,
answered by respx at the HTTP layer. The directory objects are the export fixture's
(``tests/data/azure/export/``: the az CLI prints Graph's JSON unmodified), served as Graph
collections in pages of two with ``@odata.nextLink``; relationships asked with ``$expand`` are
expanded; the sign-in reports and error bodies are ``tests/data/azure/graph/``."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx

from nhiscan.connectors.azure.clients import Clients, StaticToken
from nhiscan.connectors.azure.live import AzureConfig, AzureConnector
from nhiscan.connectors.base import CollectContext
from nhiscan.scanner.model import Record

from ..export import EXPORT, NOW, TENANT

GRAPH_DATA = Path(__file__).resolve().parents[3] / "data" / "azure" / "graph"
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


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
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

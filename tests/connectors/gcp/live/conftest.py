"""Recorded bodies (tests/data/gcp/{rm,iam,policyanalyzer,deny,errors}) and the clients that
read them: googleapiclient through ``HttpMockSequence`` (its bundled discovery documents),
every REST client through pytest-httpserver with ``AnonymousCredentials``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from googleapiclient.http import HttpMockSequence
from pytest_httpserver import HTTPServer
from pytest_httpserver.httpserver import URIPattern
from werkzeug import Request, Response

from nhiscan.connectors.gcp.calls import Caller
from nhiscan.connectors.gcp.clients import Clients

DATA = Path(__file__).resolve().parents[3] / "data" / "gcp"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
PROJECT = "acme-prod"
NUMBER = "411224356"
DEPLOY = "deploy@acme-prod.iam.gserviceaccount.com"
CI = "ci@acme-prod.iam.gserviceaccount.com"
OLD = "old-batch@acme-prod.iam.gserviceaccount.com"
EXPOSED_KEY = "3f1c9b7e0a2d4c6b8e5f7a9c1d3e5f7a9b1c3d5e"
CI_KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
SYSTEM_KEY = "8e4a1f0c2b3d5e6f7a8b9c0d1e2f3a4b5c6d7e8f"
SCANNER = "scanner@acme-sec.iam.gserviceaccount.com"
NO_WAIT = Caller(retries=2, delay=0.0)  # tests never sleep


def adc_file(tmp_path: Path, token_uri: str = "https://oauth2.googleapis.com/token") -> Path:
    """A service-account key file as ADC (GOOGLE_APPLICATION_CREDENTIALS), with a key made
    here and its token endpoint ``token_uri``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()  # fmt: skip
    path = tmp_path / "adc.json"
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "acme-sec", "private_key_id": "0" * 40,
        "private_key": pem, "client_email": SCANNER, "client_id": "100000000000000000001",
        "token_uri": token_uri,
    }))  # fmt: skip
    return path


def body(name: str) -> dict[str, Any]:
    """A recorded body: ``rm/project`` is tests/data/gcp/rm/project.json."""
    loaded: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text())
    return loaded


def error(kind: str, service: str = "cloudresourcemanager.googleapis.com") -> dict[str, Any]:
    """A recorded error body (errors/KIND.json), for the API ``service``."""
    found = body(f"errors/{kind}")
    for detail in found["error"].get("details", []):
        metadata = detail.get("metadata", {})
        if "service" in metadata:
            metadata["service"] = service
    return found


class RecordingSequence(HttpMockSequence):  # type: ignore[misc]
    """googleapiclient's own test transport, remembering what was asked."""

    def __init__(self, answers: list[tuple[int, dict[str, Any]]]) -> None:
        super().__init__([({"status": str(code)}, json.dumps(data)) for code, data in answers])
        self.requests: list[tuple[str, str]] = []

    def request(self, uri: str, method: str = "GET", body: Any = None, *a: Any, **kw: Any) -> Any:
        self.requests.append((method, uri))
        return super().request(uri, method, body, *a, **kw)


def sequence(*answers: tuple[int, dict[str, Any]]) -> tuple[Clients, RecordingSequence]:
    http = RecordingSequence(list(answers))
    return Clients(http=http), http


def served(server: HTTPServer) -> Clients:
    """Every client pointed at ``server``, anonymous (the REST transports and googleapiclient)."""
    return Clients(endpoint=server.url_for("/").rstrip("/"))


class _Anywhere(URIPattern):
    def match(self, uri: str) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class Seen:
    method: str
    path: str
    args: dict[str, str]
    body: bytes
    auth: str | None  # the Authorization header


class Api:
    """Google's REST APIs as recorded: each (method, path, pageToken) answers its bodies in
    order (the last one again after that); every request is remembered. A request with no
    route is a 501 (a ``failed`` gap: a test that forgot one sees it)."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.seen: list[Seen] = []
        self._routes: dict[tuple[str, str, str | None], list[tuple[int, Any]]] = {}
        server.expect_request(_Anywhere()).respond_with_handler(self._answer)

    @property
    def endpoint(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def on(
        self, method: str, path: str, *answers: tuple[int, Any], page: str | None = None
    ) -> None:
        self._routes[(method, path, page)] = list(answers)

    def ok(self, method: str, path: str, name: str, page: str | None = None) -> None:
        self.on(method, path, (200, body(name)), page=page)

    def paths(self, method: str | None = None) -> list[str]:
        return [s.path for s in self.seen if method is None or s.method == method]

    def _answer(self, request: Request) -> Response:
        args = {k: v for k, v in request.args.items()}
        auth = request.headers.get("Authorization")
        self.seen.append(Seen(request.method, request.path, args, request.get_data(), auth))
        key = (request.method, request.path, args.get("pageToken"))
        answers = self._routes.get(key)
        if not answers:
            return Response(json.dumps({"error": {"code": 501, "message": f"no route {key}",
                                                  "status": "UNIMPLEMENTED"}}),
                            status=501, content_type="application/json")  # fmt: skip
        code, data = answers.pop(0) if len(answers) > 1 else answers[0]
        return Response(json.dumps(data), status=code, content_type="application/json")


CRM_DENY = "/v2/policies/cloudresourcemanager.googleapis.com%2F{kind}%2F{id}/denypolicies"
SA = "/v1/projects/acme-prod/serviceAccounts"
POOLS = "/v1/projects/acme-prod/locations/global/workloadIdentityPools"
POOL_PROVIDERS = f"/v1/projects/{NUMBER}/locations/global/workloadIdentityPools/github/providers"
ACTIVITIES = "/v1/projects/acme-prod/locations/global/activityTypes/{kind}/activities:query"


def estate(api: Api) -> Api:
    """The recorded estate: organization 93422 > folder 82001 > project acme-prod (411224356)
    with deploy@ (an exposed key, a Google-managed key, a policy letting ci@ mint its
    tokens), ci@ (a never-expiring key, last used 2026-11-28) and old-batch@ (disabled), and a
    workload identity pool ``github`` with a GitHub provider and a disabled GitLab one."""
    api.ok("GET", "/v3/projects/acme-prod", "rm/project")
    api.ok("GET", "/v3/folders/82001", "rm/folder")
    api.ok("GET", "/v3/organizations/93422", "rm/organization")
    api.ok("POST", "/v3/projects/acme-prod:getIamPolicy", "rm/policy-project")
    api.ok("POST", "/v3/folders/82001:getIamPolicy", "rm/policy-folder")
    api.ok("POST", "/v3/organizations/93422:getIamPolicy", "rm/policy-organization")
    api.ok("GET", CRM_DENY.format(kind="organizations", id="93422"), "deny/none")
    api.ok("GET", CRM_DENY.format(kind="folders", id="82001"), "deny/none")
    api.ok("GET", CRM_DENY.format(kind="projects", id=NUMBER), "deny/list-project")
    api.ok("GET", CRM_DENY.format(kind="projects", id=NUMBER) + "/no-new-keys",
           "deny/policy-project")  # fmt: skip
    api.ok("GET", "/v1/organizations/93422/roles", "iam/roles-organization")
    api.ok("GET", "/v1/projects/acme-prod/roles", "iam/roles-project")
    api.ok("GET", POOLS, "iam/workload-pools")
    api.ok("GET", POOL_PROVIDERS, "iam/workload-providers-github")
    api.ok("GET", SA, "iam/service-accounts-page1")
    api.ok("GET", SA, "iam/service-accounts-page2", page="Cidwcm9qZWN0cy9hY21lLXByb2Q")
    for email, keys, policy in (
        (DEPLOY, "iam/keys-deploy", "iam/sa-policy-deploy"),
        (CI, "iam/keys-ci", "iam/sa-policy-empty"),
        (OLD, "iam/keys-none", "iam/sa-policy-empty"),
    ):
        api.ok("GET", f"{SA}/{email}/keys", keys)
        api.ok("POST", f"{SA}/{email}:getIamPolicy", policy)
    key_activity = ACTIVITIES.format(kind="serviceAccountKeyLastAuthentication")
    api.ok("GET", key_activity, "policyanalyzer/key-activities-page1")
    api.ok(
        "GET", key_activity, "policyanalyzer/key-activities-page2", page="AKpWs5cXa2V5cy1wYWdlLTI"
    )
    api.ok("GET", ACTIVITIES.format(kind="serviceAccountLastAuthentication"),
           "policyanalyzer/account-activities")  # fmt: skip
    return api

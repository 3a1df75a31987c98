"""Audit-log records in the documented shapes, for the GCP and Azure readers' tests: Cloud
Audit Logs ``LogEntry`` objects with an ``AuditLog`` payload
(https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog),
Activity Log records as a diagnostic setting writes them and as ``az monitor activity-log list``
prints them (https://learn.microsoft.com/azure/azure-monitor/essentials/activity-log-schema),
and Entra sign-ins (https://learn.microsoft.com/graph/api/resources/signin). Written by hand in
those shapes, never copied from real logs; every id is made up."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import Any

# The demo's GCP and Azure estates (connectors/demo/gcp-assets.ndjson, azure-export/).
GCP_PROJECT = "acme-data"
REPORT_AGENT = "report-agent@acme-data.iam.gserviceaccount.com"
ETL = "etl-export@acme-data.iam.gserviceaccount.com"
SERVICE_AGENT = "service-650184339212@gcp-sa-aiplatform.iam.gserviceaccount.com"
HUMAN = "dana@acme.example"
BUCKET = "//storage.googleapis.com/projects/_/buckets/acme-loan-files"

TENANT = "84af63cf-60ae-4dae-b053-8e0d0a71698b"
SUBSCRIPTION = "3d5c5cc0-66b0-4bdc-abb9-09c08c90cc48"
CLAIMS_AGENT = "d07e673e-182a-4579-a006-8f86d6297a6b"  # claims-intake-agent's object id
CLAIMS_AGENT_APP = "334f20de-d83b-432a-8f5b-0fcd32c170ff"
PLATFORM_MI = "ac4c813d-dc64-4b15-bcda-d2bb09797dd1"  # id-platform-deploy
GRAPH_APP = "00000003-0000-0000-c000-000000000000"
STORAGE = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-lending/providers/"
    "Microsoft.Storage/storageAccounts/stloanfiles"
)
_CLAIMS = "http://schemas.microsoft.com/identity/claims/"


def stamp(moment: datetime, fraction: str = ".123456789") -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def gcp_entry(
    moment: datetime,
    *,
    email: str | None = REPORT_AGENT,
    method: str = "storage.objects.get",
    service: str = "storage.googleapis.com",
    checks: list[tuple[str, str, bool | None]] | None = None,
    resource: str = "projects/_/buckets/acme-loan-files/objects/a.pdf",
    code: int | None = None,
    delegation: list[str] | None = None,
    project: str = GCP_PROJECT,
    log: str = "data_access",
    insert_id: str = "id-1",
    ip: str = "10.1.2.3",
    agent: str = "google-cloud-sdk gcloud/470.0.0",
) -> dict[str, Any]:
    """One LogEntry; ``checks`` are authorizationInfo (permission, resource, granted: None
    leaves ``granted`` out, as the JSON of a refused check does)."""
    authentication: dict[str, Any] = {}
    if email is not None:
        authentication["principalEmail"] = email
    if delegation:
        authentication["serviceAccountDelegationInfo"] = [
            {"firstPartyPrincipal": {"principalEmail": who}} for who in delegation
        ]
    payload: dict[str, Any] = {
        "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        "status": {} if code is None else {"code": code, "message": "PERMISSION_DENIED"},
        "authenticationInfo": authentication,
        "requestMetadata": {
            "callerIp": ip,
            "callerSuppliedUserAgent": agent,
            "requestAttributes": {"time": stamp(moment), "auth": {}},
            "destinationAttributes": {},
        },
        "serviceName": service,
        "methodName": method,
        "resourceName": resource,
        "resourceLocation": {"currentLocations": ["us-central1"]},
        "request": {"@type": "type.googleapis.com/google.example.Request", "a": [1, 2]},
    }
    if checks is None:
        checks = [("storage.objects.get", resource, True if code is None else None)]
    if checks:
        payload["authorizationInfo"] = [
            {
                "resource": res,
                "permission": permission,
                **({} if granted is None else {"granted": granted}),
                "resourceAttributes": {},
            }
            for permission, res, granted in checks
        ]
    return {
        "protoPayload": payload,
        "insertId": insert_id,
        "resource": {"type": "gcs_bucket", "labels": {"project_id": project}},
        "timestamp": stamp(moment),
        "severity": "ERROR" if code else "INFO",
        "logName": f"projects/{project}/logs/cloudaudit.googleapis.com%2F{log}",
        "receiveTimestamp": stamp(moment, ".9Z"[:-1]),
    }


def sink_path(root: Path, moment: datetime, log: str = "data_access") -> Path:
    """Where a Cloud Storage sink puts the hour's entries."""
    return (
        root
        / f"cloudaudit.googleapis.com/{log}/{moment:%Y/%m/%d}"
        / f"{moment:%H}:00:00_{moment:%H}:59:59_S0.json"
    )


def write_lines(path: Path, records: list[dict[str, Any]], *, compress: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(record) + "\n" for record in records).encode()
    if compress:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(text))
    else:
        path.write_bytes(text)
    return path


def write_array(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=2))
    return path


def activity_record(
    moment: datetime,
    *,
    oid: str = CLAIMS_AGENT,
    operation: str = "MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION",
    resource: str = STORAGE,
    result: str = "Success",
    signature: str = "Succeeded.OK",
    category: str = "Administrative",
    managed: bool = False,
    person: str | None = None,
    correlation: str = "c0ffee00-0000-4000-8000-000000000001",
    ip: str = "20.1.2.3",
    refused: bool = False,
) -> dict[str, Any]:
    """An Activity Log record as a diagnostic setting writes it to a storage account."""
    claims: dict[str, Any] = {
        "aud": "https://management.core.windows.net/",
        "iss": f"https://sts.windows.net/{TENANT}/",
        "appid": CLAIMS_AGENT_APP,
        "appidacr": "2",
        _CLAIMS + "objectidentifier": oid,
        _CLAIMS + "tenantid": TENANT,
        "idtyp": "user" if person else "app",
    }
    if managed:
        claims["xms_mirid"] = (
            f"/subscriptions/{SUBSCRIPTION}/resourcegroups/rg-platform/providers/"
            "Microsoft.ManagedIdentity/userAssignedIdentities/id-platform-deploy"
        )
    if person:
        claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"] = person
    properties: dict[str, Any] = {
        "statusCode": "Forbidden" if refused else "OK",
        "eventCategory": category,
        "entity": resource,
        "hierarchy": f"{TENANT}/{SUBSCRIPTION}",
    }
    if refused:
        properties["statusMessage"] = json.dumps(
            {"error": {"code": "AuthorizationFailed", "message": "does not have authorization"}}
        )
    return {
        "time": moment.strftime("%Y-%m-%dT%H:%M:%S.1234567Z"),
        "resourceId": resource.upper(),
        "operationName": operation,
        "category": category,
        "resultType": "Failure" if refused else result,
        "resultSignature": "Failed.Forbidden" if refused else signature,
        "durationMs": "103",
        "callerIpAddress": ip,
        "correlationId": correlation,
        "identity": {
            "authorization": {"scope": resource, "action": operation},
            "claims": claims,
        },
        "level": "Error" if refused else "Information",
        "location": "global",
        "properties": properties,
    }


def activity_path(root: Path, moment: datetime) -> Path:
    """Where a diagnostic setting writes the hour's Activity Log to a storage account."""
    return (
        root
        / "insights-activity-logs"
        / f"resourceId=/SUBSCRIPTIONS/{SUBSCRIPTION.upper()}"
        / f"y={moment:%Y}/m={moment:%m}/d={moment:%d}/h={moment:%H}/m=00/PT1H.json"
    )


def az_event(
    moment: datetime, *, caller: str = CLAIMS_AGENT, failed: bool = False
) -> dict[str, Any]:
    """One event as ``az monitor activity-log list`` prints it (the REST API's EventData)."""
    return {
        "authorization": {"action": "Microsoft.Storage/storageAccounts/write", "scope": STORAGE},
        "caller": caller,
        "category": {"localizedValue": "Administrative", "value": "Administrative"},
        "claims": {
            _CLAIMS + "objectidentifier": caller,
            _CLAIMS + "tenantid": TENANT,
            "appid": CLAIMS_AGENT_APP,
            "idtyp": "app",
        },
        "correlationId": "c0ffee00-0000-4000-8000-000000000002",
        "eventDataId": "e0000000-0000-4000-8000-00000000000" + ("2" if failed else "1"),
        "eventName": {"localizedValue": "End request", "value": "EndRequest"},
        "eventTimestamp": moment.strftime("%Y-%m-%dT%H:%M:%S.123456+00:00"),
        "httpRequest": {"clientIpAddress": "20.9.9.9", "clientRequestId": "x", "method": "PUT"},
        "level": "Error" if failed else "Informational",
        "operationName": {
            "localizedValue": "Create/Update Storage Account",
            "value": "Microsoft.Storage/storageAccounts/write",
        },
        "properties": {"statusCode": "Forbidden" if failed else "OK"},
        "resourceGroupName": "rg-lending",
        "resourceId": STORAGE,
        "status": {
            "localizedValue": "Failed" if failed else "Succeeded",
            "value": "Failed" if failed else "Succeeded",
        },
        "subStatus": {
            "localizedValue": "Forbidden" if failed else "OK",
            "value": "Forbidden" if failed else "OK",
        },
        "submissionTimestamp": moment.strftime("%Y-%m-%dT%H:%M:%S.5+00:00"),
        "subscriptionId": SUBSCRIPTION,
        "tenantId": TENANT,
    }


def sign_in(
    moment: datetime,
    *,
    sp: str | None = CLAIMS_AGENT,
    resource: str = GRAPH_APP,
    resource_name: str = "Microsoft Graph",
    error: int = 0,
    kind: str = "servicePrincipal",
    sign_in_id: str = "5a1e0000-0000-4000-8000-000000000001",
) -> dict[str, Any]:
    """A Graph signIn object (beta's service principal and managed identity sign-ins)."""
    return {
        "id": sign_in_id,
        "createdDateTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "appDisplayName": "claims-intake-agent",
        "appId": CLAIMS_AGENT_APP,
        "servicePrincipalId": sp,
        "servicePrincipalName": "claims-intake-agent",
        "ipAddress": "20.4.4.4",
        "resourceDisplayName": resource_name,
        "resourceId": resource,
        "resourceTenantId": TENANT,
        "homeTenantId": TENANT,
        "signInEventTypes": [kind],
        "status": {
            "errorCode": error,
            "failureReason": "" if not error else "Invalid client secret",
        },
        "userId": "",
        "userPrincipalName": None,
    }


def diagnostic_sign_in(moment: datetime, category: str, **fields: Any) -> dict[str, Any]:
    """A sign-in as a diagnostic setting exports it: the sign-in in ``properties``."""
    inner = sign_in(moment, **fields)
    return {
        "time": moment.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
        "resourceId": f"/tenants/{TENANT}/providers/Microsoft.aadiam",
        "operationName": "Sign-in activity",
        "operationVersion": "1.0",
        "category": category,
        "tenantId": TENANT,
        "resultType": str(inner["status"]["errorCode"]),
        "resultSignature": "None",
        "durationMs": 0,
        "callerIpAddress": inner["ipAddress"],
        "correlationId": "c0ffee00-0000-4000-8000-000000000003",
        "identity": inner["servicePrincipalName"],
        "Level": 4,
        "location": "US",
        "properties": inner,
    }

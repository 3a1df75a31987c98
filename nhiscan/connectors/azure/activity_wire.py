"""Azure Activity Log and Entra sign-in exports -> structs, decoding only the fields read.

Activity Log (https://learn.microsoft.com/azure/azure-monitor/essentials/activity-log-schema):
- as a diagnostic setting writes it to a storage account
  (``insights-activity-logs/resourceId=/SUBSCRIPTIONS/<id>/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json``,
  one record per line; older files hold ``{"records": [...]}``), the section "Schema from
  storage account and event hubs": ``time``, ``resourceId``, ``operationName``, ``category``,
  ``resultType``, ``resultSignature``, ``callerIpAddress``, ``correlationId``,
  ``identity.claims``, ``properties``;
- as ``az monitor activity-log list`` prints it (the REST API's ``EventData``, a JSON array):
  ``eventTimestamp``, ``eventDataId``, ``caller``, ``claims``, ``operationName.value``,
  ``category.value``, ``status.value``, ``subStatus.value``, ``httpRequest.clientIpAddress``,
  ``resourceId``, ``correlationId``, ``properties``.
The claims are the caller's token's: ``http://schemas.microsoft.com/identity/claims/
objectidentifier`` (or ``oid``: the object id, the service principal's for an application),
``appid``, ``idtyp``, the tenant, the ``upn`` of a person, ``xms_mirid`` for a managed identity.

Entra sign-ins (https://learn.microsoft.com/graph/api/resources/signin): Graph's
``auditLogs/signIns`` objects (``id``, ``createdDateTime``, ``appId``, ``servicePrincipalId``,
``userId``, ``ipAddress``, ``status.errorCode``, ``resourceDisplayName``, ``resourceId``;
``{"value": [...]}`` as Graph answers, or one per line), or the records a diagnostic setting
exports (https://learn.microsoft.com/entra/identity/monitoring-health/howto-configure-diagnostic-settings:
``time``, ``category`` ServicePrincipalSignInLogs / ManagedIdentitySignInLogs / SignInLogs /
NonInteractiveUserSignInLogs, ``tenantId``, and the same sign-in in ``properties``).
"""

from __future__ import annotations

from typing import Any

import msgspec

from nhiscan.connectors.auditlog.files import Decoders

STRUCT: dict[str, Any] = dict(gc=False, omit_defaults=True)
_CLAIMS = "http://schemas.microsoft.com/identity/claims/"


class Named(msgspec.Struct, **STRUCT):
    """The REST API's localizable strings: ``{"value": ..., "localizedValue": ...}``."""

    value: str | None = None


class Claims(msgspec.Struct, **STRUCT):
    objectidentifier: str | None = msgspec.field(default=None, name=_CLAIMS + "objectidentifier")
    oid: str | None = None
    appid: str | None = None
    azp: str | None = None
    idtyp: str | None = None
    tenantid: str | None = msgspec.field(default=None, name=_CLAIMS + "tenantid")
    tid: str | None = None
    upn: str | None = msgspec.field(
        default=None, name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"
    )
    xms_mirid: str | None = None


class Identity(msgspec.Struct, **STRUCT):
    claims: Claims | None = None


class HttpRequest(msgspec.Struct, **STRUCT):
    clientIpAddress: str | None = None


_NULL = msgspec.Raw(b"null")


class ActivityRecord(msgspec.Struct, **STRUCT):
    time: str | None = None  # the storage export's
    eventTimestamp: str | None = None  # the REST API's
    resourceId: str | None = None
    operationName: str | Named | None = None
    category: str | Named | None = None
    resultType: str | None = None
    resultSignature: str | None = None
    status: Named | None = None
    subStatus: Named | None = None
    callerIpAddress: str | None = None
    httpRequest: HttpRequest | None = None
    correlationId: str | None = None
    eventDataId: str | None = None
    caller: str | None = None
    claims: Claims | None = None
    identity: Identity | None = None
    tenantId: str | None = None
    properties: msgspec.Raw = _NULL
    records: list[ActivityRecord] | None = None  # the older {"records": [...]} files


class SignInStatus(msgspec.Struct, **STRUCT):
    errorCode: int | None = None


class SignIn(msgspec.Struct, **STRUCT):
    id: str | None = None
    createdDateTime: str | None = None
    appId: str | None = None
    servicePrincipalId: str | None = None
    userId: str | None = None
    ipAddress: str | None = None
    userAgent: str | None = None
    resourceDisplayName: str | None = None
    resourceId: str | None = None
    status: SignInStatus | None = None
    signInEventTypes: list[str] | None = None
    homeTenantId: str | None = None
    resourceTenantId: str | None = None
    # the diagnostic setting's record around a sign-in
    time: str | None = None
    category: str | None = None
    tenantId: str | None = None
    properties: SignIn | None = None
    value: list[SignIn] | None = None  # Graph's answer: {"value": [...]}


ACTIVITY = Decoders.of(ActivityRecord)
SIGN_INS = Decoders.of(SignIn)

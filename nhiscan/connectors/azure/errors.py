"""A failed Microsoft Graph call as a ``CollectionGap`` (docs/dev/azure-plan.md 2d, 2e, 7.5):
one pure function deciding on the HTTP status and Graph's ``error.code``, never on the
exception's class (kiota raises ``ODataError`` for every non-2xx, an ``APIError``).

- ``access-denied``: 401, or 403 ``Authorization_RequestDenied`` (and any other 403), the
  detail naming the Graph application permission the operation needs (``PERMISSIONS``);
- the licence refusal, 403 ``Authentication_RequestFromNonPremiumTenantOrB2CTenant``
  ("Neither tenant is B2C or tenant doesn't have premium license": MicrosoftDocs/azure-docs
  PR #77948, microsoftgraph/microsoft-graph-docs #12772 and #14118; pinned in
  docs/dev/azure-checks/test_graph.py): ``GapReason.UNLICENSED`` when the core has it (plan
  7.5, proposed in parallel), else ``failed`` with words saying it is not available in the
  tenant's licence — never ``access-denied`` (granting a permission would not help);
- ``throttled``: 429 (and 503/504) after the retries, with ``x-ms-throttle-scope`` and
  ``x-ms-throttle-information`` in the detail (Graph throttling docs, plan section 4);
- ``failed``: anything else, a transport error, or a page not in Graph's shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from azure.core.exceptions import ClientAuthenticationError
from kiota_abstractions.api_error import APIError

from nhiscan.connectors.azure.shape import ShapeError
from nhiscan.scanner.model import CollectionGap, GapReason, Provider

DENIED_CODE = "Authorization_RequestDenied"
UNLICENSED_CODE = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
RETRIED_STATUS = frozenset({429, 503, 504})
# The reason of the licence refusal: GapReason.UNLICENSED once the core defines it (plan 7.5).
UNLICENSED: GapReason = getattr(GapReason, "UNLICENSED", GapReason.FAILED)

# The Graph application permission each operation needs: the "least privileged" row of each
# API page's permission table (learn.microsoft.com/graph/api/application-list,
# application-list-owners, application-list-federatedidentitycredentials,
# serviceprincipal-list, serviceprincipal-list-owners, serviceprincipal-list-approleassignments,
# rbacapplication-list-roleassignments, rbacapplication-list-roleeligibilityschedules,
# rbacapplication-list-roledefinitions,
# reportroot-list-serviceprincipalsigninactivities, reportroot-list-appcredentialsigninactivities;
# plan 2c and 6.4). The README's "Azure live" section lists every one (a test checks).
APPLICATIONS = "/applications"
APPLICATION_OWNERS = "/applications/{id}/owners"
FEDERATED = "/applications/{id}/federatedIdentityCredentials"
SERVICE_PRINCIPALS = "/servicePrincipals"
SP_OWNERS = "/servicePrincipals/{id}/owners"
APP_ROLES = "/servicePrincipals/{id}/appRoleAssignments"
ROLE_ASSIGNMENTS = "/roleManagement/directory/roleAssignments"
ROLE_ELIGIBILITIES = "/roleManagement/directory/roleEligibilitySchedules"
ROLE_DEFINITIONS = "/roleManagement/directory/roleDefinitions"
# The two beta reports: named as the export's not-in-export gaps name them
# (offline/gaps.py TENANT_ONLY_LIVE), the operations the provider's last-used facts list.
SP_SIGN_INS = "servicePrincipalSignInActivities"
CREDENTIAL_SIGN_INS = "appCredentialSignInActivities"

PERMISSIONS: Mapping[str, str] = {
    APPLICATIONS: "Application.Read.All",
    APPLICATION_OWNERS: "Application.Read.All",
    FEDERATED: "Application.Read.All",
    SERVICE_PRINCIPALS: "Application.Read.All",
    SP_OWNERS: "Application.Read.All",
    APP_ROLES: "Application.Read.All",
    ROLE_ASSIGNMENTS: "RoleManagement.Read.Directory",
    ROLE_ELIGIBILITIES: "RoleManagement.Read.Directory",
    ROLE_DEFINITIONS: "RoleManagement.Read.Directory",
    SP_SIGN_INS: "AuditLog.Read.All",
    CREDENTIAL_SIGN_INS: "AuditLog.Read.All",
}
# What needs a licence beyond Entra ID Free (plan 2c: sign-in data P1/P2, PIM P2).
LICENCE: Mapping[str, str] = {
    ROLE_ELIGIBILITIES: "Microsoft Entra ID P2 (Privileged Identity Management)",
    SP_SIGN_INS: "Microsoft Entra ID P1 or P2",
    CREDENTIAL_SIGN_INS: "Microsoft Entra ID P1 or P2",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphFacts:
    """What a failed Graph call says."""

    status: int | None  # the HTTP status; None: no answer (connection, credentials)
    code: str | None  # Graph's error.code
    message: str
    headers: Mapping[str, str]  # lower-case names

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def _headers(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    try:
        return {str(k).lower(): str(v) for k, v in raw.items()}
    except AttributeError:
        return {}


def facts_of(exc: BaseException) -> GraphFacts:
    if isinstance(exc, APIError):
        error = getattr(exc, "error", None)  # ODataError's main error, when the body had one
        code = getattr(error, "code", None)
        message = getattr(error, "message", None) or exc.message or str(exc)
        return GraphFacts(
            status=exc.response_status_code, code=code if isinstance(code, str) else None,
            message=str(message), headers=_headers(exc.response_headers),
        )  # fmt: skip
    if isinstance(exc, ClientAuthenticationError):
        return GraphFacts(status=401, code=None, message=f"no token: {exc}", headers={})
    if isinstance(exc, ShapeError):
        return GraphFacts(status=None, code=None, message=f"malformed response: {exc}", headers={})
    if isinstance(exc, httpx.HTTPError):
        return GraphFacts(
            status=None, code=None, message=f"{type(exc).__name__}: {exc}", headers={}
        )
    return GraphFacts(status=None, code=None, message=f"{type(exc).__name__}: {exc}", headers={})


def is_retryable(facts: GraphFacts) -> bool:
    return facts.status in RETRIED_STATUS


def is_unlicensed(facts: GraphFacts) -> bool:
    return facts.status == 403 and facts.code == UNLICENSED_CODE


def gap_for(
    facts: GraphFacts, *, tenant: str, operation: str, subject: str | None = None,
    pages: int = 0,
) -> CollectionGap:  # fmt: skip
    """The gap of a call that did not answer (after its retries); ``pages``: how many pages
    of its list had arrived (they are not used: a part of a list is not the list)."""
    said = f"{facts.status} {facts.code}: " if facts.code else ""
    said = said or (f"HTTP {facts.status}: " if facts.status else "")
    detail = f"{said}{facts.message}"
    if pages:
        detail += f" (after {pages} page{'s' if pages > 1 else ''}; the partial list is not used)"
    permission = PERMISSIONS.get(operation)
    if is_unlicensed(facts):
        reason = UNLICENSED
        licence = LICENCE.get(operation, "a Microsoft Entra ID premium licence")
        detail = f"not available: the tenant has no {licence}; {detail}"
    elif facts.status in (401, 403):
        reason = GapReason.ACCESS_DENIED
        if permission is not None:
            detail = f"needs the Graph permission {permission}; {detail}"
    elif facts.status in RETRIED_STATUS:
        reason = GapReason.THROTTLED
        for name in ("x-ms-throttle-scope", "x-ms-throttle-information", "retry-after"):
            value = facts.header(name)
            if value:
                detail += f"; {name}: {value}"
    else:
        reason = GapReason.FAILED
    return CollectionGap(
        provider=Provider.AZURE, scope=tenant, operation=operation, reason=reason,
        detail=detail, subject=subject,
    )  # fmt: skip

"""One Azure Resource Manager list, page after page, retried while throttled, then its JSON or
the gap saying why not (docs/dev/azure-plan.md 3c, 3d, 3e).

- The azure-mgmt clients are built with ``retry_total=0`` (``clients.Clients.arm``): azure-core's
  ``RetryPolicy`` sleeps with ``time.sleep`` and has no injection point (plan 3e, observed in
  ``docs/dev/azure-checks/test_arm.py``). Here the wait is the answer's ``Retry-After`` (seconds
  or an HTTP date), else ``delay * 2**n`` with jitter, capped at ``max_wait``; at most
  ``retries`` retries of one page, then a ``throttled`` gap. ``sleep`` is injected: tests pass
  ``list.append`` and assert the waits.
- Paging is the SDK's own (``ItemPaged.by_page``, which follows ``nextLink`` and re-applies
  its api-version, plan 3c); a retried page resumes from the last ``nextLink`` (the pager's
  ``continuation_token``), so the pages already read are not read twice. A ``nextLink`` to
  another host than ARM's is not followed (the bearer token is for ARM).
- Each page's JSON is taken as ARM sent it, through azure-core's ``raw_response_hook`` (the
  models are discarded): ``arm_records.py`` maps the JSON with the offline reader's own code,
  the az CLI printing the same objects (one mapping, two sources).
- A refused or failed call: 401/403 ``access-denied`` (the detail names the ARM read action the
  operation needs, ``ACTIONS``), 429/503/504 after the retries ``throttled`` (with ARM's
  ``x-ms-ratelimit-remaining-*`` headers), anything else ``failed``; each gap names the tenant,
  the subscription (its scope) and the operation. A part of a list is never used.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    DeserializationError,
    HttpResponseError,
)

from nhiscan.connectors.azure.calls import Answer, retry_after
from nhiscan.connectors.azure.shape import ShapeError
from nhiscan.scanner.model import CollectionGap, GapReason, Provider

RETRIED_STATUS = frozenset({429, 503, 504})
MAX_PAGES = 100_000
# DeserializationError is a ValueError, not an AzureError: an answer the models cannot read.
API_ERRORS = (AzureError, DeserializationError, ShapeError)

# Operations (gap operations) and the ARM read action each needs: Reader's `*/read` covers all
# (plan 6.4; the actions as the ARM reference pages and the 403 message name them, plan 3d).
TENANTS = "arm:tenants"  # any signed-in caller may list its tenants: no RBAC action
SUBSCRIPTIONS = "arm:subscriptions"
MANAGEMENT_GROUPS = "arm:management-groups"
MG_DESCENDANTS = "arm:management-group-descendants"
ROLE_ASSIGNMENTS = "arm:role-assignments"
ROLE_DEFINITIONS = "arm:role-definitions"
DENY_ASSIGNMENTS = "arm:deny-assignments"
IDENTITIES = "arm:user-assigned-identities"
FEDERATED = "arm:federated-identity-credentials"
VMS = "arm:virtual-machines"
SCALE_SETS = "arm:virtual-machine-scale-sets"
WEB_APPS = "arm:web-apps"
CONTAINER_APPS = "arm:container-apps"
CLUSTERS = "arm:managed-clusters"
ACTIONS: Mapping[str, str] = {
    SUBSCRIPTIONS: "Microsoft.Resources/subscriptions/read",
    MANAGEMENT_GROUPS: "Microsoft.Management/managementGroups/read",
    MG_DESCENDANTS: "Microsoft.Management/managementGroups/descendants/read",
    ROLE_ASSIGNMENTS: "Microsoft.Authorization/roleAssignments/read",
    ROLE_DEFINITIONS: "Microsoft.Authorization/roleDefinitions/read",
    DENY_ASSIGNMENTS: "Microsoft.Authorization/denyAssignments/read",
    IDENTITIES: "Microsoft.ManagedIdentity/userAssignedIdentities/read",
    FEDERATED: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
    VMS: "Microsoft.Compute/virtualMachines/read",
    SCALE_SETS: "Microsoft.Compute/virtualMachineScaleSets/read",
    WEB_APPS: "Microsoft.Web/sites/read",
    CONTAINER_APPS: "Microsoft.App/containerApps/read",
    CLUSTERS: "Microsoft.ContainerService/managedClusters/read",
}
THROTTLE_HEADERS = (
    "retry-after",
    "x-ms-ratelimit-remaining-subscription-reads",
    "x-ms-ratelimit-remaining-tenant-reads",
    "x-ms-ratelimit-remaining-resource",
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArmFacts:
    """What a failed ARM call says."""

    status: int | None  # None: no answer (connection, no token, malformed page)
    code: str | None  # ARM's error.code ("AuthorizationFailed", "TooManyRequests")
    message: str
    headers: Mapping[str, str]  # lower-case names

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def facts_of(exc: BaseException) -> ArmFacts:
    if isinstance(exc, HttpResponseError) and exc.response is not None:
        error = getattr(exc, "error", None)
        code = getattr(error, "code", None)
        message = getattr(error, "message", None) or exc.message or str(exc)
        raw: Any = getattr(exc.response, "headers", None) or {}
        headers = {str(k).lower(): str(v) for k, v in raw.items()}
        status = exc.status_code
        return ArmFacts(status=status, code=code if isinstance(code, str) else None,
                        message=str(message), headers=headers)  # fmt: skip
    if isinstance(exc, ClientAuthenticationError):  # no token at all
        return ArmFacts(status=401, code=None, message=f"no token: {exc}", headers={})
    if isinstance(exc, ShapeError):
        return ArmFacts(status=None, code=None, message=f"malformed response: {exc}", headers={})
    return ArmFacts(status=None, code=None, message=f"{type(exc).__name__}: {exc}", headers={})


def gap_for(
    facts: ArmFacts, *, tenant: str, operation: str, subscription: str | None = None,
    subject: str | None = None, pages: int = 0,
) -> CollectionGap:  # fmt: skip
    """The gap of a list that did not answer (after its retries)."""
    said = f"{facts.status} {facts.code}: " if facts.status and facts.code else ""
    said = said or (f"HTTP {facts.status}: " if facts.status else "")
    where = f"tenant {tenant}" + (f", subscription {subscription}" if subscription else "")
    detail = f"{where}: {said}{facts.message}"
    if pages:
        detail += f" (after {pages} page{'s' if pages > 1 else ''}; the partial list is not used)"
    if facts.status in (401, 403):
        reason = GapReason.ACCESS_DENIED
        action = ACTIONS.get(operation)
        if action is not None:
            detail = f"needs the ARM action {action} (the Reader role grants it); {detail}"
    elif facts.status in RETRIED_STATUS:
        reason = GapReason.THROTTLED
        for name in THROTTLE_HEADERS:
            value = facts.header(name)
            if value:
                detail += f"; {name}: {value}"
    else:
        reason = GapReason.FAILED
    return CollectionGap(
        provider=Provider.AZURE, scope=subscription or tenant, operation=operation,
        reason=reason, detail=detail, subject=subject,
    )  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class ArmCaller:
    tenant: str
    host: str  # ARM's host: a nextLink elsewhere is refused
    retries: int = 5
    delay: float = 1.0  # seconds before the first retry without Retry-After; doubled each time
    max_wait: float = 120.0  # the longest single wait, whatever Retry-After says
    sleep: Callable[[float], Any] = field(default=time.sleep)
    now: Callable[[], datetime] = field(default=_utcnow)

    def pages(
        self, lister: Callable[..., Any], *, operation: str, subscription: str | None = None,
        subject: str | None = None,
    ) -> Answer:  # fmt: skip
        """Every item of an ARM list: ``lister(**kwargs)`` is an azure-mgmt list call (it
        returns an ``ItemPaged``; ``kwargs`` carry the hook that keeps each page's JSON)."""
        found: list[Any] = []
        token: str | None = None
        count = attempt = 0
        while True:
            answers: list[list[Any]] = []
            try:
                hook = _Pages(answers)
                pager = lister(raw_response_hook=hook).by_page(continuation_token=token)
                for _ in pager:
                    if not answers:
                        raise ShapeError(f"{operation}: no answer recorded for a page")
                    found.extend(answers[-1])
                    count += 1
                    attempt = 0
                    token = pager.continuation_token
                    self._check_next(token, count)
                return Answer(value=found)
            except API_ERRORS as exc:  # every failure of a call is a gap; none is silent
                facts = facts_of(exc)
                if attempt < self.retries and facts.status in RETRIED_STATUS:
                    wait = retry_after(facts.header("retry-after"), self.now())
                    if wait is None:
                        wait = self.delay * 2**attempt * (0.5 + random.random())
                    self.sleep(min(self.max_wait, wait))
                    attempt += 1
                    continue
                gap = gap_for(facts, tenant=self.tenant, operation=operation,
                              subscription=subscription, subject=subject, pages=count)  # fmt: skip
                return Answer(gap=gap)

    def _check_next(self, token: str | None, count: int) -> None:
        if token is not None and urlsplit(token).hostname != self.host:
            raise ShapeError(
                f"$.nextLink: {token!r:.120} is not a {self.host} URL: not followed (the "
                "token is for ARM only)"
            )
        if count >= MAX_PAGES:
            raise ShapeError(f"more than {MAX_PAGES} pages")


class _Pages:
    """azure-core's ``raw_response_hook``: each successful page's ``value`` as ARM sent it,
    checked before the SDK reads it (its models fail with a ``TypeError`` on a page without
    ``value``: observed with azure-mgmt-authorization 4.0.0)."""

    def __init__(self, found: list[list[Any]]) -> None:
        self.found = found

    def __call__(self, pipeline_response: Any) -> None:
        response = pipeline_response.http_response
        if not 200 <= response.status_code < 300:
            return  # the SDK raises HttpResponseError for it
        url = response.request.url
        try:
            body = json.loads(response.text())
        except ValueError as exc:
            raise ShapeError(f"GET {url}: not JSON ({exc})") from exc
        if not isinstance(body, Mapping) or not isinstance(body.get("value"), list):
            raise ShapeError(
                f"GET {url}: $.value: expected an ARM list (an object with a value list)"
            )
        self.found.append(body["value"])

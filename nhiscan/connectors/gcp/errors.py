"""A failed Google API call as a ``CollectionGap`` (docs/dev/gcp-plan.md section 1e): one pure
function for both client families (google-api-core's REST exceptions and googleapiclient's
``HttpError``), deciding on the HTTP status and the ``google.rpc.ErrorInfo`` reason, never on
the exception's class (a REST 403 is ``Forbidden``, not ``PermissionDenied``).

``api-disabled`` for SERVICE_DISABLED (with the service and the consumer), ``throttled`` for
429 or a rate-limit reason (after the retries), ``access-denied`` for 401/403 (with the
permission when the error names it), ``failed`` for anything else. The message is kept
verbatim in the detail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.scanner.model import CollectionGap, GapReason, Provider

ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
DISABLED = frozenset({"SERVICE_DISABLED", "accessNotConfigured"})
THROTTLED = frozenset(
    {"RATE_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED", "rateLimitExceeded", "userRateLimitExceeded"}
)
RETRIED_CODES = frozenset({429, 500, 502, 503, 504})
_PERMISSION = re.compile(r"[Pp]ermission[s]? '?([a-z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+){2,})'?")


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorFacts:
    """What a Google error says, whichever library raised it."""

    code: int | None  # the HTTP status; None: no answer (connection, credentials)
    status: str | None  # PERMISSION_DENIED, RESOURCE_EXHAUSTED ...
    reason: str | None  # the ErrorInfo reason
    metadata: Mapping[str, str] = field(default_factory=dict)
    message: str


def _error_infos(details: Any) -> list[Mapping[str, Any]]:
    if not isinstance(details, list):
        return []
    return [d for d in details if isinstance(d, Mapping) and d.get("@type") == ERROR_INFO]


def _body(content: Any) -> Mapping[str, Any]:
    """The ``error`` object of a response body (bytes or text), or {}."""
    try:
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        body = json.loads(text) if isinstance(text, str) else None
    except (UnicodeDecodeError, ValueError):
        return {}
    error = body.get("error") if isinstance(body, Mapping) else None
    return error if isinstance(error, Mapping) else {}


def _legacy_reason(error: Mapping[str, Any]) -> str | None:
    """The reason of the v1 error format's ``errors[0]`` (``rateLimitExceeded``)."""
    errors = error.get("errors")
    first = errors[0] if isinstance(errors, list) and errors else None
    reason = first.get("reason") if isinstance(first, Mapping) else None
    return reason if isinstance(reason, str) else None


def facts_of(exc: BaseException) -> ErrorFacts:
    """The HTTP status, status word, ErrorInfo reason, metadata and message of ``exc``."""
    code = getattr(exc, "status_code", None)  # googleapiclient HttpError
    own_reason: Any = None
    if isinstance(code, int):
        error = _body(getattr(exc, "content", None))
        infos = _error_infos(getattr(exc, "error_details", None)) or _error_infos(
            error.get("details")
        )
        message = str(getattr(exc, "reason", None) or error.get("message") or exc)
        status = error.get("status")
    else:
        code = getattr(exc, "code", None)  # google-api-core GoogleAPICallError
        code = code if isinstance(code, int) else None
        error = {}
        infos = _error_infos(getattr(exc, "details", None))
        message = str(getattr(exc, "message", None) or exc)
        status = getattr(getattr(exc, "grpc_status_code", None), "name", None)
        own_reason = getattr(exc, "reason", None)  # the ErrorInfo reason there
    info = infos[0] if infos else {}
    reason = info.get("reason") or own_reason or _legacy_reason(error)
    metadata = info.get("metadata")
    return ErrorFacts(
        code=code, status=status if isinstance(status, str) else None,
        reason=reason if isinstance(reason, str) else None,
        metadata={str(k): str(v) for k, v in metadata.items()}
        if isinstance(metadata, Mapping) else {},
        message=message,
    )  # fmt: skip


def is_throttled(facts: ErrorFacts) -> bool:
    return facts.code == 429 or facts.reason in THROTTLED


def is_retryable(exc: BaseException) -> bool:
    """Throttling and the server errors a retry may clear."""
    facts = facts_of(exc)
    return is_throttled(facts) or facts.code in RETRIED_CODES


def is_not_found(exc: BaseException) -> bool:
    return facts_of(exc).code == 404


def permission_of(facts: ErrorFacts) -> str | None:
    """The permission the error names (ErrorInfo metadata, else the message), or None."""
    named = facts.metadata.get("permission")
    if named:
        return named
    found = _PERMISSION.search(facts.message)
    return found.group(1) if found else None


def classify(facts: ErrorFacts) -> tuple[GapReason, str]:
    """The gap reason and the detail for a person."""
    if facts.reason in DISABLED:
        service = facts.metadata.get("service", "the API")
        consumer = facts.metadata.get("consumer", "the caller's project")
        detail = f"API {service} is disabled in {consumer}: {facts.message}"
        url = facts.metadata.get("activationUrl")
        return GapReason.API_DISABLED, f"{detail} (enable it: {url})" if url else detail
    if is_throttled(facts):
        quota = facts.metadata.get("quota_limit") or facts.metadata.get("quota_metric")
        charged = facts.metadata.get("consumer")
        where = "".join(
            [f" (quota {quota}" if quota else "", f", charged to {charged}" if charged else "",
             ")" if quota else ""]
        )  # fmt: skip
        return GapReason.THROTTLED, f"throttled past the retries{where}: {facts.message}"
    if facts.code in (401, 403):
        permission = permission_of(facts)
        prefix = f"permission {permission} denied: " if permission else ""
        return GapReason.ACCESS_DENIED, f"{prefix}{facts.message}"
    code = f"HTTP {facts.code}: " if facts.code is not None else ""
    return GapReason.FAILED, f"{code}{facts.message}"


def gap_for(
    exc: BaseException, *, scope: str, operation: str, subject: str | None = None
) -> CollectionGap:
    """The gap of a failed call: ``scope`` a project id, ``folders/N`` or ``organizations/N``;
    ``operation`` the API and discovery method id (``iam.projects.serviceAccounts.list``)."""
    reason, detail = classify(facts_of(exc))
    return CollectionGap(
        provider=Provider.GCP, scope=scope, operation=operation, reason=reason, detail=detail,
        subject=subject,
    )  # fmt: skip

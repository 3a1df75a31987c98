"""One AWS call at a time, with every refusal or failure turned into a ``CollectionGap``.

``call`` and ``pages`` never raise for an AWS-side failure: they return an ``Answer`` that holds
the response (or the pages read so far) and, when something went wrong, the gap. Answers that
mean "there is no such thing" (NoSuchEntity for a login profile, NoSuchBucketPolicy) are listed
by the caller in ``absent`` and come back as ``Answer(absent=True)``, not as gaps. An endpoint
that does not implement the operation (moto raises ``NotImplementedError`` in the process for
the APIs it lacks; as a server it answers them with an HTML error page, which botocore cannot
parse) is a gap too: what it would have said is unknown, not empty.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from botocore.parsers import ResponseParserError

from nhiscan.scanner.model import CollectionGap, GapReason, Provider

ACCESS_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
        "Forbidden",
        "403",
    }
)
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "SlowDown",
        "PriorRequestNotComplete",
        "ProvisionedThroughputExceededException",
    }
)
# In a region (not in a global service), these mean the region is not enabled for the account.
REGION_DISABLED_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "OptInRequired",
        "AuthFailure",
        "InvalidToken",
        "SubscriptionRequiredException",
    }
)


NOT_IMPLEMENTED = "NotImplemented"  # the endpoint lacks the operation (moto, an emulator)
# ResponseParserError: an answer that is not the service's (an HTML error page from moto's
# server or a proxy); botocore does not make it a BotoCoreError.
CALL_ERRORS = (ClientError, BotoCoreError, NotImplementedError, ResponseParserError)


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """What one call (or one paginated listing) gave: a value, a gap, both, or "absent"."""

    value: Any = None  # the response dict (``call``) or the list of pages read (``pages``)
    gap: CollectionGap | None = None
    absent: bool = False

    @property
    def ok(self) -> bool:
        return self.gap is None and not self.absent

    def items(self, key: str) -> list[Any]:
        """The ``key`` list of every page read (or of the one response)."""
        if self.value is None:
            return []
        pages = self.value if isinstance(self.value, list) else [self.value]
        return [item for page in pages for item in page.get(key) or ()]


def operation_name(client: Any, operation: str) -> str:
    """ "iam:ListAccessKeys": the service prefix and the API name."""
    return f"{client.meta.service_model.service_name}:{operation}"


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return _client_error(exc)[0]
    if isinstance(exc, NotImplementedError):
        return NOT_IMPLEMENTED
    return type(exc).__name__


def error_detail(exc: BaseException) -> str:
    """AWS's code and message, for a person."""
    if isinstance(exc, ClientError):
        code, message = _client_error(exc)
        return f"{code}: {message}"
    if isinstance(exc, NotImplementedError):
        return f"{NOT_IMPLEMENTED}: the endpoint does not implement this operation ({exc})"
    return f"{type(exc).__name__}: {exc}"


def _client_error(exc: ClientError) -> tuple[str, str]:
    """(code, message); an XML error body botocore could not parse (a JSON service answered
    by a proxy or by moto's IAM enforcement) is read for its own Code and Message.
    """
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "Unknown")
    message = str(error.get("Message") or exc)
    if code.isdigit():
        embedded = _XML_ERROR.search(message)
        if embedded is not None:
            return embedded["code"], html.unescape(embedded["message"])
    return code, message


_XML_ERROR = re.compile(r"<Code>(?P<code>[^<]+)</Code>\s*<Message>(?P<message>[^<]*)</Message>")


def gap_reason(exc: BaseException, *, regional: bool) -> GapReason:
    code = error_code(exc)
    if code in ACCESS_DENIED_CODES:
        return GapReason.ACCESS_DENIED
    if code in THROTTLING_CODES:
        return GapReason.THROTTLED
    if regional and (code in REGION_DISABLED_CODES or isinstance(exc, EndpointConnectionError)):
        return GapReason.REGION_DISABLED
    return GapReason.FAILED


def gap_for(
    exc: BaseException, *, scope: str, operation: str, subject: str | None = None, note: str = ""
) -> CollectionGap:
    """The gap for a failed call; ``scope`` is "<account>" or "<account>/<region>"."""
    return CollectionGap(
        provider=Provider.AWS,
        scope=scope,
        operation=operation,
        reason=gap_reason(exc, regional="/" in scope),
        detail=f"{note}{error_detail(exc)}",
        subject=subject,
    )


def call(
    client: Any,
    operation: str,
    *,
    scope: str,
    subject: str | None = None,
    absent: Collection[str] = (),
    note: str = "",
    **params: Any,
) -> Answer:
    """Call ``operation`` (API name, e.g. "ListAccessKeys") once; failures become a gap."""
    method = getattr(client, xform_name(operation))
    try:
        return Answer(value=method(**params))
    except CALL_ERRORS as exc:
        if error_code(exc) in absent:
            return Answer(absent=True)
        op = operation_name(client, operation)
        return Answer(gap=gap_for(exc, scope=scope, operation=op, subject=subject, note=note))


def pages(
    client: Any,
    operation: str,
    *,
    scope: str,
    subject: str | None = None,
    absent: Collection[str] = (),
    note: str = "",
    **params: Any,
) -> Answer:
    """Every page of ``operation``; on a failure, the pages read so far and the gap."""
    read: list[Mapping[str, Any]] = []
    try:
        for page in _iterate(client, operation, params):
            read.append(page)
    except CALL_ERRORS as exc:
        if error_code(exc) in absent:
            return Answer(value=read, absent=True)
        op = operation_name(client, operation)
        gap = gap_for(exc, scope=scope, operation=op, subject=subject, note=note)
        return Answer(value=read, gap=gap)
    return Answer(value=read)


def _iterate(client: Any, operation: str, params: dict[str, Any]) -> Iterator[Mapping[str, Any]]:
    python_name = xform_name(operation)
    if client.can_paginate(python_name):
        yield from client.get_paginator(python_name).paginate(**params)
    else:
        yield getattr(client, python_name)(**params)

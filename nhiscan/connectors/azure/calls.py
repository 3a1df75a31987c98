"""One Microsoft Graph call, retried while throttled, then its JSON or the gap saying why not;
and a whole list, page after page through ``@odata.nextLink`` (docs/dev/azure-plan.md 2b, 2e).

kiota's own ``RetryHandler`` is off (``clients.py``): it sleeps with ``asyncio.sleep`` and has
no injection point. Here the wait is the answer's ``Retry-After`` — seconds or an HTTP date
(RFC 9110 10.2.3; Graph sends seconds, plan 2e) — else ``delay * 2**n`` with jitter, capped at
``max_wait``; at most ``retries`` retries, then a ``throttled`` gap. ``sleep`` is injected:
tests pass ``list.append`` and assert the waits, nothing sleeps. The licence refusal is retried
once before it is believed (reported intermittent on licensed tenants, graph-docs #14118).

Every request goes through the Graph client's request adapter as a raw GET answered as bytes
(``send_primitive_async(..., "bytes", {"XXX": ODataError})``: plan 0.1, observed): the JSON is
mapped by ``records.py`` exactly as an az CLI export of the same objects is (one mapping, two
sources), the beta reports need no beta SDK, and an id that is not a GUID is a shape gap
rather than the SDK's ``ValueError`` mid-page (plan 0.6).
"""

from __future__ import annotations

import email.utils
import inspect
import json
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from azure.core.exceptions import ClientAuthenticationError
from kiota_abstractions.api_error import APIError
from kiota_abstractions.method import Method
from kiota_abstractions.request_adapter import RequestAdapter
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from nhiscan.connectors.azure.errors import facts_of, gap_for, is_retryable, is_unlicensed
from nhiscan.connectors.azure.shape import ShapeError
from nhiscan.scanner.model import CollectionGap

ERRORS: dict[str, Any] = {"XXX": ODataError}  # kiota's error map: any status -> ODataError
# What a call may raise because of the service or the network (a bug of ours is not a gap).
API_ERRORS = (APIError, httpx.HTTPError, ClientAuthenticationError, ShapeError)
MAX_PAGES = 100_000  # a nextLink loop that never ends is a gap, not a hang


async def asyncio_sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True, slots=True)
class Answer:
    value: Any = None
    gap: CollectionGap | None = None

    @property
    def ok(self) -> bool:
        return self.gap is None


@dataclass(frozen=True, slots=True, kw_only=True)
class Caller:
    adapter: RequestAdapter
    tenant: str
    host: str  # the Graph host: a nextLink elsewhere is refused
    retries: int = 5
    delay: float = 1.0  # seconds before the first retry without Retry-After; doubled each time
    max_wait: float = 120.0  # the longest single wait, whatever Retry-After says
    sleep: Callable[[float], Any] = field(default=asyncio_sleep)  # awaited when it returns one
    now: Callable[[], datetime] = field(default=_utcnow)

    async def _wait(self, seconds: float) -> None:
        result = self.sleep(min(self.max_wait, seconds))
        if inspect.isawaitable(result):
            await result

    async def get(self, url: str) -> Any:
        """One GET of ``url``, its body parsed as JSON (no retry)."""
        info = RequestInformation()
        info.http_method = Method.GET
        info.url = url
        info.headers.try_add("Accept", "application/json")
        adapter: Any = self.adapter  # typed as returning None in kiota 1.16; it returns the bytes
        raw = await adapter.send_primitive_async(info, "bytes", ERRORS)
        if not raw:
            raise ShapeError(f"GET {url}: an empty answer where Graph sends a JSON object")
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise ShapeError(f"GET {url}: not JSON ({exc})") from exc

    async def call(
        self,
        fn: Callable[[], Awaitable[Any]],
        *,
        operation: str,
        subject: str | None = None,
        pages: int = 0,
    ) -> Answer:
        attempt = 0
        while True:
            try:
                return Answer(value=await fn())
            except API_ERRORS as exc:  # every failure of a call is a gap; none is silent
                facts = facts_of(exc)
                again = is_retryable(facts) or (is_unlicensed(facts) and attempt == 0)
                if attempt < self.retries and again:
                    wait = retry_after(facts.header("retry-after"), self.now())
                    if wait is None:
                        wait = self.delay * 2**attempt * (0.5 + random.random())
                    await self._wait(wait)
                    attempt += 1
                    continue
                gap = gap_for(
                    facts, tenant=self.tenant, operation=operation, subject=subject, pages=pages
                )
                return Answer(gap=gap)

    async def pages(self, url: str, *, operation: str, subject: str | None = None) -> Answer:
        """Every item of a Graph collection, following ``@odata.nextLink`` verbatim (plan
        2b); a refused or failed page is the gap of the whole list."""
        found: list[Any] = []
        for count in range(MAX_PAGES):
            answer = await self.call(
                _bound(self.get, url), operation=operation, subject=subject, pages=count
            )
            if not answer.ok:
                return answer
            try:
                values, url_next = page_of(answer.value, url, self.host)
            except ShapeError as exc:
                return Answer(
                    gap=gap_for(
                        facts_of(exc),
                        tenant=self.tenant,
                        operation=operation,
                        subject=subject,
                        pages=count,
                    )
                )
            found.extend(values)
            if url_next is None:
                return Answer(value=found)
            url = url_next
        shape = ShapeError(f"GET {url}: more than {MAX_PAGES} pages")
        return Answer(
            gap=gap_for(
                facts_of(shape),
                tenant=self.tenant,
                operation=operation,
                subject=subject,
                pages=MAX_PAGES,
            )
        )


def _bound(fn: Callable[[str], Awaitable[Any]], url: str) -> Callable[[], Awaitable[Any]]:
    async def run() -> Any:
        return await fn(url)

    return run


def page_of(body: Any, url: str, host: str) -> tuple[Sequence[Any], str | None]:
    """A Graph collection's ``value`` and its next link (None on the last page)."""
    if not isinstance(body, Mapping) or not isinstance(body.get("value"), list):
        raise ShapeError(
            f"GET {url}: $.value: expected a Graph collection (an object with a value list)"
        )
    nxt = body.get("@odata.nextLink")
    if nxt is None:
        return body["value"], None
    if not isinstance(nxt, str) or urlsplit(nxt).hostname != host:
        raise ShapeError(
            f"GET {url}: $['@odata.nextLink']: {nxt!r} is not a {host} URL: not "
            "followed (the token is for Graph only)"
        )
    return body["value"], nxt

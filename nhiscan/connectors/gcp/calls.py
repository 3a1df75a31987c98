"""One Google API call: retried while throttled or the server fails, then its value, or the
gap saying why not (``errors.gap_for``), or "missing" for a 404 of an item deleted between
a list and a get.

Retries are nhiscan's own, the same for both client families (googleapiclient is called with
``num_retries=0``, google-api-core methods with ``retry=None``): ``retries`` attempts more,
waiting ``delay * 2**n`` seconds (capped at a minute) with jitter; tests set ``delay`` to 0.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import httplib2  # type: ignore[import-untyped]
import requests
from google.api_core.exceptions import GoogleAPIError
from google.auth.exceptions import GoogleAuthError
from googleapiclient.errors import Error as DiscoveryClientError

from nhiscan.connectors.gcp.errors import gap_for, is_not_found, is_retryable
from nhiscan.scanner.model import CollectionGap

T = TypeVar("T")
MAX_WAIT = 60.0
# What a call may raise because of the service or the network (a bug of ours is not a gap).
API_ERRORS = (
    GoogleAPIError, DiscoveryClientError, GoogleAuthError, requests.RequestException,
    httplib2.HttpLib2Error, OSError,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Answer(Generic[T]):
    value: T | None = None
    gap: CollectionGap | None = None
    missing: bool = False  # 404: the item went away (or never was)

    @property
    def ok(self) -> bool:
        return self.gap is None and not self.missing


@dataclass(frozen=True, slots=True, kw_only=True)
class Caller:
    retries: int = 5
    delay: float = 1.0  # seconds before the first retry; doubled each time
    sleep: Callable[[float], None] = field(default=time.sleep)

    def call(
        self,
        fn: Callable[[], T],
        *,
        scope: str,
        operation: str,
        subject: str | None = None,
        missing_ok: bool = False,
    ) -> Answer[T]:
        """``fn()``'s value; a refusal or failure is the gap; a 404 is ``missing`` when
        ``missing_ok`` (a child of a listed parent), else a gap like any other."""
        attempt = 0
        while True:
            try:
                return Answer(value=fn())
            except API_ERRORS as exc:  # every failure of a call is a gap; none is silent
                if missing_ok and is_not_found(exc):
                    return Answer(missing=True)
                if attempt < self.retries and is_retryable(exc):
                    self.sleep(min(MAX_WAIT, self.delay * 2**attempt) * (0.5 + random.random()))
                    attempt += 1
                    continue
                gap = gap_for(exc, scope=scope, operation=operation, subject=subject)
                return Answer(gap=gap)

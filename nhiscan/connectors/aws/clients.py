"""boto3 clients for one set of credentials: made once each, shared by worker threads.

Clients are thread-safe, boto3 sessions are not, so clients are created under a lock shared by
every ``Clients`` made from the same session. Credentials from sts:AssumeRole are passed to
the clients of the original session, so event hooks registered on it (tests record every call
that way) see the calls made in assumed accounts too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

RETRY_CONFIG = Config(retries={"max_attempts": 8, "mode": "adaptive"})
FALLBACK_REGION = "us-east-1"


@dataclass(frozen=True, slots=True, kw_only=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


def to_credentials(assume_role_response: Any) -> Credentials:
    """The temporary credentials of an sts:AssumeRole answer."""
    creds = assume_role_response["Credentials"]
    return Credentials(
        access_key_id=creds["AccessKeyId"],
        secret_access_key=creds["SecretAccessKey"],
        session_token=creds.get("SessionToken"),
    )


class Clients:
    def __init__(
        self,
        session: boto3.session.Session,
        *,
        endpoint_url: str | None = None,
        credentials: Credentials | None = None,
        lock: threading.Lock | None = None,
    ) -> None:
        self._session = session
        self._endpoint_url = endpoint_url
        self._credentials = credentials
        self._lock = lock or threading.Lock()
        self._cache: dict[tuple[str, str], Any] = {}

    @property
    def default_region(self) -> str:
        """The session's region, or us-east-1 when none is configured."""
        return self._session.region_name or FALLBACK_REGION

    def client(self, service: str, region: str | None = None) -> Any:
        """A client for ``service`` in ``region`` (default: the session's region)."""
        key = (service, region or self.default_region)
        with self._lock:
            if key not in self._cache:
                session: Any = self._session  # the stubs' overloads want a literal name
                self._cache[key] = session.client(
                    service, region_name=key[1], config=RETRY_CONFIG, **self._client_kwargs()
                )
            return self._cache[key]

    def assumed(self, credentials: Credentials) -> Clients:
        """Clients of the same session, signing with ``credentials``."""
        return Clients(
            self._session,
            endpoint_url=self._endpoint_url,
            credentials=credentials,
            lock=self._lock,
        )

    def _client_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if self._endpoint_url is not None:
            kwargs["endpoint_url"] = self._endpoint_url
        if self._credentials is not None:
            kwargs["aws_access_key_id"] = self._credentials.access_key_id
            kwargs["aws_secret_access_key"] = self._credentials.secret_access_key
            kwargs["aws_session_token"] = self._credentials.session_token
        return kwargs

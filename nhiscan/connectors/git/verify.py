"""Opt-in verification of AWS access keys found in repositories (``--verify``).

Nothing here runs unless the user passes ``--verify``; a scan without it never contacts AWS.
``--verify --dry-run`` prints ``endpoints(config)``, the exact URLs that would be contacted,
and contacts nothing.

What is sent, and where: for each AWS access key id found together with a secret access key
in the same file, one ``sts:GetCallerIdentity`` request to the STS endpoint, and to nowhere
else. The endpoint is ``VerifyConfig.endpoint_url``, else ``AWS_ENDPOINT_URL_STS`` or
``AWS_ENDPOINT_URL`` from the environment, else the public regional endpoint
(``https://sts.us-east-1.amazonaws.com``). The request is signed with SigV4 by a boto3 session
made only from the found key id and secret key: the request carries the key id and a
signature, never the secret key itself, and no other credentials (profiles, environment,
instance roles) are read or sent. One attempt, no retries, short timeouts.

GetCallerIdentity needs no IAM permission and cannot be denied by any policy (an explicit
Deny on ``sts:GetCallerIdentity`` does not stop it), so an answer is about the key, not about
what the key may do: "valid" means the key pair is live and belongs to the returned ARN. The
call is visible to the key's owner (CloudTrail can record it, with this machine's address).

Each key is checked once per run, however many times it was found (the answer is cached by
key id and secret key); on a cluster (``--executor``), once per worker process that finds it.
The result, ``(status, identity_arn, detail)``, is recorded on each
``Exposure`` of that key: ``verification``, ``verified_identity``, ``verification_detail``.
Statuses: "valid", "invalid" (AWS refused the key: unknown, deleted, deactivated or a wrong
secret key), "error" (no answer about the key: network, timeout, clock skew, anything else)
and "unverifiable" (not checked: no secret key in the same file, or not a long-term key).
Neither the key id nor the secret key is ever logged or put in a detail.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from nhiscan.connectors.aws.calls import ACCESS_DENIED_CODES, error_code, error_detail
from nhiscan.connectors.git.secrets.match import Match
from nhiscan.errors import ConfigError
from nhiscan.scanner.model import Provider

ENDPOINT_ENV = ("AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL")

# AWS answers that mean "this key pair does not authenticate".
INVALID_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
        "AuthFailure",
        "InvalidToken",
        *ACCESS_DENIED_CODES,
    }
)
# Answers about the request's clock, not about the key.
CLOCK_CODES = frozenset({"RequestExpired", "RequestTimeTooSkewed"})

_LONG_TERM_PREFIX = "AKIA"
_KEY_ID = re.compile(r"(?:AKIA|ASIA)[A-Z2-7]{16}")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d+")

Result = tuple[str, str | None, str | None]
SessionFactory = Callable[[str, str, str], boto3.session.Session]


class Verification(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    ERROR = "error"
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyConfig:
    # None -> AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the public regional endpoint
    endpoint_url: str | None = None
    region: str = "us-east-1"
    timeout_seconds: float = 5.0


def endpoint(config: VerifyConfig, environ: Mapping[str, str] | None = None) -> str:
    """The one STS URL verification contacts; a bad URL or region is a ``ConfigError``."""
    env = os.environ if environ is None else environ
    url = config.endpoint_url or next((env[n] for n in ENDPOINT_ENV if env.get(n)), None)
    if url is None:
        if _REGION.fullmatch(config.region) is None:
            raise ConfigError(
                f"--verify region {config.region!r} is not an AWS region name (e.g. us-east-1)"
            )
        suffix = "amazonaws.com.cn" if config.region.startswith("cn-") else "amazonaws.com"
        return f"https://sts.{config.region}.{suffix}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"--verify endpoint {url!r} is not an http(s) URL; set it to the STS endpoint, "
            "e.g. https://sts.us-east-1.amazonaws.com"
        )
    return url


def endpoints(config: VerifyConfig, environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Every URL ``--verify`` would contact, for ``--verify --dry-run``. Opens no connection."""
    return (endpoint(config, environ),)


def fresh_session(key_id: str, secret_key: str, region: str) -> boto3.session.Session:
    """A session that signs with the found key pair only: explicit credentials are used as
    given, so the credential chain (profiles, environment, instance roles) is never consulted."""
    return boto3.session.Session(
        aws_access_key_id=key_id, aws_secret_access_key=secret_key, region_name=region
    )


def aws_key_id(match: Match) -> str | None:
    """The AWS access key id a match is about, or None."""
    if match.provider is not Provider.AWS:
        return None
    for candidate in (match.credential_id, match.secret):
        if candidate is not None and _KEY_ID.fullmatch(candidate):
            return candidate
    return None


class AwsKeyVerifier:
    """``verifier(match) -> (status, identity_arn, detail)``; thread-safe, one call per key.

    It pickles as its settings (the endpoint resolved here, the session factory), so that a
    repository's work unit can take it to a cluster's worker: each worker process builds its
    own clients and cache, so on a cluster a key found in repositories scanned by two workers
    is checked once by each (once per worker process, not once per run)."""

    def __init__(
        self,
        config: VerifyConfig | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        session_factory: SessionFactory | None = None,
    ) -> None:
        self._config = config or VerifyConfig()
        self._endpoint = endpoint(self._config, environ)
        self._session_factory = session_factory or fresh_session
        self._client_config = Config(
            connect_timeout=self._config.timeout_seconds,
            read_timeout=self._config.timeout_seconds,
            retries={"total_max_attempts": 1, "mode": "standard"},  # one attempt, no retry
        )
        self._lock = threading.Lock()
        self._results: dict[tuple[str, bytes], Result] = {}
        self._pending: dict[tuple[str, bytes], threading.Lock] = {}

    @property
    def endpoint_url(self) -> str:
        return self._endpoint

    def __reduce__(self) -> tuple[Any, ...]:
        settled = replace(self._config, endpoint_url=self._endpoint)
        return (_rebuilt, (settled, self._session_factory))

    def __call__(self, match: Match) -> Result:
        key_id = aws_key_id(match)
        if key_id is None:
            return (Verification.UNVERIFIABLE, None, "not an AWS access key id")
        if not key_id.startswith(_LONG_TERM_PREFIX):
            return (Verification.UNVERIFIABLE, None, "temporary key: needs its session token")
        secret_key = match.paired_secret
        if not secret_key:
            return (Verification.UNVERIFIABLE, None, "no secret access key in the same file")
        # A key id found with two different secret keys is two checks: one may be stale.
        cache_key = (key_id, hashlib.sha256(secret_key.encode()).digest())
        with self._lock:
            if cache_key in self._results:
                return self._results[cache_key]
            pending = self._pending.setdefault(cache_key, threading.Lock())
        with pending:  # a second thread with the same key waits for the first one's answer
            with self._lock:
                if cache_key in self._results:
                    return self._results[cache_key]
            result = self._check(key_id, secret_key)
            with self._lock:
                self._results[cache_key] = result
                self._pending.pop(cache_key, None)
        return result

    def _check(self, key_id: str, secret_key: str) -> Result:
        try:
            session: Any = self._session_factory(key_id, secret_key, self._config.region)
            sts = session.client(
                "sts",
                region_name=self._config.region,
                endpoint_url=self._endpoint,
                config=self._client_config,
            )
            who = sts.get_caller_identity()
        except (ClientError, BotoCoreError) as exc:
            return _failed(exc, key_id, secret_key)
        account = who.get("Account")
        return (Verification.VALID, str(who["Arn"]), f"account {account}" if account else None)


def _rebuilt(config: VerifyConfig, session_factory: SessionFactory) -> AwsKeyVerifier:
    return AwsKeyVerifier(config, session_factory=session_factory)


def _failed(exc: ClientError | BotoCoreError, key_id: str, secret_key: str) -> Result:
    code = error_code(exc)
    detail = _scrub(error_detail(exc), key_id, secret_key)
    if code in CLOCK_CODES or (code == "SignatureDoesNotMatch" and _clock_words(detail)):
        return (Verification.ERROR, None, f"{detail} (is this machine's clock right?)")
    if isinstance(exc, ClientError) and code in INVALID_CODES:
        return (Verification.INVALID, None, code)
    return (Verification.ERROR, None, detail)


def _clock_words(detail: str) -> bool:
    """AWS's SignatureDoesNotMatch for a skewed clock: "Signature expired: ..." or
    "Signature not yet current: ..."."""
    lowered = detail.lower()
    return "signature expired" in lowered or "not yet current" in lowered


def _scrub(text: str, *secrets: str) -> str:
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    return text

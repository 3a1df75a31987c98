"""Opt-in AWS key verification against moto's server on loopback; never the internet.

moto answers sts:GetCallerIdentity for *any* credentials unless its IAM authentication is on:
an unknown key id gets a made-up "arn:aws:sts::123456789012:user/moto", and a known key id
with a wrong secret key gets the key's user. With authentication on (``/moto-api/reset-auth``
set to 0) it checks SigV4 signatures against the keys in its IAM backend the way AWS does:
a wrong secret key is SignatureDoesNotMatch, an unknown or deleted key InvalidClientTokenId.
So fixtures build users and keys with authentication off, then turn it on for the test, and
turn it back off afterwards (the setting is process-wide and other tests use moto too).
moto still accepts an *inactive* key (AWS refuses it with InvalidClientTokenId), so that case
is not tested here.
"""

from __future__ import annotations

import json
import multiprocessing
import socket
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from nhiscan.connectors.demo.connector import moto_server
from nhiscan.connectors.git.secrets.match import Match
from nhiscan.connectors.git.verify import (
    AwsKeyVerifier,
    Verification,
    VerifyConfig,
    endpoint,
    endpoints,
    fresh_session,
)
from nhiscan.errors import ConfigError
from nhiscan.scanner.model import Provider

UNKNOWN_KEY_ID = "AKIAIOSFODNN7EXAMPLE"  # AWS's documentation key: exists nowhere
WRONG_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.fixture(autouse=True)
def no_aws_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS_* variable from the developer's shell, empty AWS config files, no IMDS."""
    import os

    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name in ("config", "credentials"):
        (tmp_path / name).write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with moto_server() as url:
        try:
            yield url
        finally:
            set_auth(url, "inf")


def set_auth(url: str, count: str) -> str:
    """moto's INITIAL_NO_AUTH_ACTION_COUNT ("0": check every request, "inf": none); returns
    the previous value."""
    request = urllib.request.Request(
        f"{url}/moto-api/reset-auth",
        data=count.encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},  # moto reads the raw body
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return str(json.load(answer)["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"])


@dataclass(frozen=True, slots=True)
class Key:
    user_arn: str
    key_id: str
    secret: str


@dataclass(frozen=True, slots=True)
class Estate:
    live: Key  # an active key of a user
    deleted: Key  # a key that existed and was deleted


@pytest.fixture
def estate(server: str) -> Iterator[Estate]:
    """A user with a live key and one with a deleted key, built with moto's auth off (fake
    admin credentials); auth is on while the test runs."""
    previous = set_auth(server, "inf")
    iam = admin_session().client("iam", endpoint_url=server)
    live = make_key(iam, f"ci-{uuid.uuid4().hex[:8]}")
    deleted = make_key(iam, f"gone-{uuid.uuid4().hex[:8]}")
    iam.delete_access_key(UserName=deleted.user_arn.rsplit("/", 1)[1], AccessKeyId=deleted.key_id)
    set_auth(server, "0")
    try:
        yield Estate(live=live, deleted=deleted)
    finally:
        set_auth(server, previous)


def admin_session() -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


def make_key(iam: Any, user: str) -> Key:
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return Key(user_arn=arn, key_id=key["AccessKeyId"], secret=key["SecretAccessKey"])


def aws_match(key_id: str, secret: str | None, *, line: int = 1) -> Match:
    return Match(
        detector="AWS Access Key ID",
        detectors=("AWS Access Key ID",),
        provider=Provider.AWS,
        secret=key_id,
        line=line,
        credential_id=key_id,
        paired_secret=secret,
    )


class Recorder:
    """A session factory that records every request its sessions send (before-send)."""

    def __init__(self) -> None:
        self.sessions = 0
        self.requests: list[Any] = []
        self._lock = threading.Lock()

    def __call__(self, key_id: str, secret_key: str, region: str) -> boto3.session.Session:
        session = fresh_session(key_id, secret_key, region)
        session.events.register("before-send", self._sent)
        with self._lock:
            self.sessions += 1
        return session

    def _sent(self, request: Any, **_: Any) -> None:
        with self._lock:
            self.requests.append(request)


def verifier(url: str, recorder: Recorder | None = None, timeout: float = 5.0) -> AwsKeyVerifier:
    config = VerifyConfig(endpoint_url=url, timeout_seconds=timeout)
    return AwsKeyVerifier(config, session_factory=recorder)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --- answers from moto -------------------------------------------------------------------


def test_a_live_key_pair_is_valid_with_its_users_arn(server: str, estate: Estate) -> None:
    key = estate.live
    assert verifier(server)(aws_match(key.key_id, key.secret)) == (
        "valid",
        key.user_arn,
        "account 123456789012",
    )


def test_a_wrong_secret_key_is_invalid(server: str, estate: Estate) -> None:
    key = estate.live
    status, arn, detail = verifier(server)(aws_match(key.key_id, WRONG_SECRET))
    assert (status, arn, detail) == ("invalid", None, "SignatureDoesNotMatch")


def test_an_unknown_key_id_is_invalid(server: str, estate: Estate) -> None:
    assert verifier(server)(aws_match(UNKNOWN_KEY_ID, WRONG_SECRET)) == (
        "invalid",
        None,
        "InvalidClientTokenId",
    )


def test_a_deleted_key_is_invalid(server: str, estate: Estate) -> None:
    key = estate.deleted
    status, arn, detail = verifier(server)(aws_match(key.key_id, key.secret))
    assert status is Verification.INVALID
    assert (arn, detail) == (None, "InvalidClientTokenId")


def test_only_the_found_key_signs_not_the_environment(
    server: str, estate: Estate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Live credentials in the environment are neither used nor sent: the unknown found key
    stays invalid, and the request names the found key id and carries no secret key."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", estate.live.key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", estate.live.secret)
    recorder = Recorder()
    result = verifier(server, recorder)(aws_match(UNKNOWN_KEY_ID, WRONG_SECRET))
    assert result == ("invalid", None, "InvalidClientTokenId")
    (request,) = recorder.requests
    assert request.url.startswith(server)
    headers = str(dict(request.headers))
    assert f"Credential={UNKNOWN_KEY_ID}/" in headers
    assert estate.live.key_id not in headers
    body = request.body or b""
    wire = headers + (body.decode() if isinstance(body, bytes) else str(body))
    assert WRONG_SECRET not in wire
    assert "X-Amz-Security-Token" not in headers


# --- failures that are not answers about the key ------------------------------------------


def test_a_closed_port_is_an_error_after_one_attempt() -> None:
    recorder = Recorder()
    status, arn, detail = verifier(closed_port_url(), recorder)(
        aws_match(UNKNOWN_KEY_ID, WRONG_SECRET)
    )
    assert (status, arn) == ("error", None)
    assert detail is not None and "EndpointConnectionError" in detail
    assert UNKNOWN_KEY_ID not in detail and WRONG_SECRET not in detail
    assert len(recorder.requests) == 1  # no retries


def test_a_silent_endpoint_times_out_as_an_error() -> None:
    with socket.socket() as sock:  # accepts connections (backlog), never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        host, port = sock.getsockname()
        check = verifier(f"http://{host}:{port}", timeout=0.3)
        status, arn, detail = check(aws_match(UNKNOWN_KEY_ID, WRONG_SECRET))
    assert (status, arn) == ("error", None)
    assert detail is not None and "ReadTimeoutError" in detail


def faulting(code: str, message: str) -> Any:
    """A session factory whose STS answers every call with the AWS error ``code``, offline."""

    def answer(**_: Any) -> Any:  # (http response, parsed body): botocore skips the wire
        body = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {}}
        headers: Any = {}
        return AWSResponse("https://aws.invalid/", 403, headers, None), body

    def factory(key_id: str, secret_key: str, region: str) -> boto3.session.Session:
        session = fresh_session(key_id, secret_key, region)
        session.events.register("before-call.sts.GetCallerIdentity", answer)
        return session

    return factory


@pytest.mark.parametrize(
    ("code", "message", "status", "detail"),
    [
        ("AccessDenied", "Access denied", "invalid", "AccessDenied"),
        ("InvalidClientTokenId", "The security token is invalid.", "invalid", None),
        ("UnrecognizedClientException", "Unknown key", "invalid", None),
        (
            "SignatureDoesNotMatch",
            "Signature expired: 20300101T000000Z is now earlier than 20300101T001500Z",
            "error",
            "SignatureDoesNotMatch: Signature expired: 20300101T000000Z is now earlier than "
            "20300101T001500Z (is this machine's clock right?)",
        ),
        ("RequestExpired", "Request has expired.", "error", None),
        ("Throttling", "Rate exceeded", "error", "Throttling: Rate exceeded"),
        ("InternalFailure", "oops", "error", "InternalFailure: oops"),
        # An echo of the key id in AWS's message is scrubbed from the detail.
        ("InternalFailure", f"key {UNKNOWN_KEY_ID}", "error", "InternalFailure: key [redacted]"),
    ],
)
def test_aws_answers_are_classified_without_raising(
    code: str, message: str, status: str, detail: str | None
) -> None:
    config = VerifyConfig(endpoint_url="http://127.0.0.1:9")
    check = AwsKeyVerifier(config, session_factory=faulting(code, message))
    result = check(aws_match(UNKNOWN_KEY_ID, WRONG_SECRET))
    assert result[:2] == (status, None)
    if status == "invalid":
        assert result[2] == code
    elif detail is not None:
        assert result[2] == detail
    else:
        assert result[2] is not None and result[2].startswith(code)


# --- what is not checked, and what is checked once ----------------------------------------


@pytest.mark.parametrize(
    ("match", "detail"),
    [
        (aws_match(UNKNOWN_KEY_ID, None), "no secret access key in the same file"),
        (aws_match(UNKNOWN_KEY_ID, ""), "no secret access key in the same file"),
        (aws_match("ASIAIOSFODNN7EXAMPLE", WRONG_SECRET), "temporary key: needs its session token"),
        (
            Match(
                detector="GitHub Token",
                detectors=("GitHub Token",),
                provider=None,
                secret="ghp_" + "a" * 36,
                line=1,
                paired_secret=WRONG_SECRET,
            ),
            "not an AWS access key id",
        ),
    ],
)
def test_unverifiable_matches_make_no_request(match: Match, detail: str) -> None:
    recorder = Recorder()
    # A closed port too: a request, if one were made, would come back as "error".
    assert verifier(closed_port_url(), recorder)(match) == ("unverifiable", None, detail)
    assert recorder.sessions == 0 and recorder.requests == []


def test_the_key_id_may_be_only_in_the_secret_field(server: str, estate: Estate) -> None:
    key = estate.live
    match = Match(
        detector="AWS Access Key ID",
        detectors=("AWS Access Key ID",),
        provider=Provider.AWS,
        secret=key.key_id,
        line=3,
        paired_secret=key.secret,
    )
    assert verifier(server)(match)[:2] == ("valid", key.user_arn)


def test_one_key_found_many_times_is_checked_once(server: str, estate: Estate) -> None:
    key = estate.live
    recorder = Recorder()
    check = verifier(server, recorder)
    first = check(aws_match(key.key_id, key.secret, line=1))
    second = check(aws_match(key.key_id, key.secret, line=40))
    assert first == second == ("valid", key.user_arn, "account 123456789012")
    assert len(recorder.requests) == 1


def test_a_verifier_sent_to_another_process_checks_with_the_endpoint_resolved_here(
    server: str, estate: Estate
) -> None:
    """A repository's work unit takes the verifier to a cluster's worker: it travels as its
    settings, with the endpoint this process resolved (the worker's environment names none)."""
    key = estate.live
    check = AwsKeyVerifier(VerifyConfig(), environ={"AWS_ENDPOINT_URL": server})
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        found = pool.submit(check, aws_match(key.key_id, key.secret)).result(timeout=60)
    assert found == ("valid", key.user_arn, "account 123456789012")


def test_the_same_key_id_with_another_secret_key_is_checked_again(
    server: str, estate: Estate
) -> None:
    """A stale secret key next to the key id in one file must not hide the live pair in
    another."""
    key = estate.live
    recorder = Recorder()
    check = verifier(server, recorder)
    assert check(aws_match(key.key_id, WRONG_SECRET))[0] == "invalid"
    assert check(aws_match(key.key_id, key.secret))[0] == "valid"
    assert len(recorder.requests) == 2


def test_threads_verifying_one_key_share_one_request(server: str, estate: Estate) -> None:
    key = estate.live
    recorder = Recorder()
    check = verifier(server, recorder)
    results: list[tuple[str, str | None, str | None]] = []
    threads = [
        threading.Thread(target=lambda: results.append(check(aws_match(key.key_id, key.secret))))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and {r[0] for r in results} == {"valid"}
    assert len(recorder.requests) == 1


# --- endpoints and --dry-run ---------------------------------------------------------------


def test_endpoints_lists_the_configured_endpoint(server: str) -> None:
    assert endpoints(VerifyConfig(endpoint_url=server)) == (server,)


def test_endpoints_defaults_to_the_environment_then_the_public_regional_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert endpoints(VerifyConfig()) == ("https://sts.us-east-1.amazonaws.com",)
    assert endpoint(VerifyConfig(region="eu-west-1")) == "https://sts.eu-west-1.amazonaws.com"
    assert endpoint(VerifyConfig(region="cn-north-1")) == "https://sts.cn-north-1.amazonaws.com.cn"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://all.example:4566")
    assert endpoints(VerifyConfig()) == ("http://all.example:4566",)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://sts.example:4566")
    assert endpoints(VerifyConfig()) == ("http://sts.example:4566",)
    explicit = VerifyConfig(endpoint_url="https://sts.internal.example")
    assert endpoints(explicit) == ("https://sts.internal.example",)
    assert endpoints(VerifyConfig(), environ={}) == ("https://sts.us-east-1.amazonaws.com",)


def test_the_verifier_contacts_the_listed_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    url = closed_port_url()
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", url)
    recorder = Recorder()
    check = AwsKeyVerifier(VerifyConfig(timeout_seconds=1.0), session_factory=recorder)
    assert check.endpoint_url == endpoints(VerifyConfig())[0] == url
    check(aws_match(UNKNOWN_KEY_ID, WRONG_SECRET))
    assert [r.url.split("?")[0].rstrip("/") for r in recorder.requests] == [url]


@pytest.mark.parametrize(
    "config",
    [
        VerifyConfig(endpoint_url="sts.amazonaws.com"),
        VerifyConfig(endpoint_url="file:///etc/passwd"),
        VerifyConfig(region="us-east-1/../evil"),
    ],
)
def test_a_bad_endpoint_or_region_is_a_config_error(config: VerifyConfig) -> None:
    with pytest.raises(ConfigError):
        endpoints(config)
    with pytest.raises(ConfigError):
        AwsKeyVerifier(config)


def test_dry_run_opens_no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("a network call during --dry-run")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    config = VerifyConfig()
    assert endpoints(config) == ("https://sts.us-east-1.amazonaws.com",)
    check = AwsKeyVerifier(config)  # making a verifier contacts nothing either
    assert check(aws_match(UNKNOWN_KEY_ID, None))[0] == "unverifiable"

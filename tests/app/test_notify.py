"""Alerts on new findings: the webhook payload, delivery with timeout and retries against a local
HTTP server, the redacted target, and ``nhiscan scan --notify-webhook`` end to end."""

from __future__ import annotations

import copy
import functools
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from nhiscan.app import notify
from nhiscan.cli import cli
from nhiscan.scanner.history.records import RunSummary, StoredFinding
from nhiscan.scanner.model import Severity
from nhiscan.store.store import open_store

REPO = Path(__file__).resolve().parents[2]
GAAD = REPO / "tests" / "data" / "aws" / "gaad-small.json"
SLACK = "https://hooks.slack.com/services/T0/B0/SECRET"


# --- a local webhook -------------------------------------------------------------------------


class Hook:
    """What the local server received, and how it answers: ``fail_first`` requests get 500,
    the rest ``status``."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.fail_first = 0
        self.status = 200
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook/T0/SECRET"

    def answer(self, path: str, body: bytes) -> int:
        with self.lock:
            self.paths.append(path)
            self.bodies.append(json.loads(body))
            return 500 if len(self.bodies) <= self.fail_first else self.status


def _handler(hook_ref: list[Hook]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = hook_ref[0].answer(self.path, body)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def hook() -> Iterator[Hook]:
    ref: list[Hook] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    ref.append(Hook(server))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield ref[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# --- post ------------------------------------------------------------------------------------


def test_post_delivers(hook: Hook) -> None:
    delivery = notify.post(hook.url, {"text": "hi"}, timeout=5, backoff=0)
    assert delivery == notify.Delivery(status="delivered", attempts=1, detail="HTTP 200")
    assert hook.bodies == [{"text": "hi"}]


def test_post_retries_a_500_then_delivers(hook: Hook) -> None:
    hook.fail_first = 2
    delivery = notify.post(hook.url, {"text": "hi"}, timeout=5, attempts=3, backoff=0)
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert len(hook.bodies) == 3


def test_post_gives_up_after_its_attempts(hook: Hook) -> None:
    hook.fail_first = 10
    delivery = notify.post(hook.url, {"text": "hi"}, timeout=5, attempts=2, backoff=0)
    assert delivery == notify.Delivery(status="failed", attempts=2, detail="HTTP 500")
    assert len(hook.bodies) == 2


@pytest.mark.parametrize("status", [400, 404])
def test_post_does_not_retry_a_refusal(hook: Hook, status: int) -> None:
    hook.status = status
    delivery = notify.post(hook.url, {"text": "hi"}, timeout=5, attempts=3, backoff=0)
    assert delivery == notify.Delivery(status="failed", attempts=1, detail=f"HTTP {status}")
    assert len(hook.bodies) == 1


@pytest.mark.parametrize("status", [408, 429])
def test_post_retries_timeouts_and_throttling(hook: Hook, status: int) -> None:
    hook.status = status
    delivery = notify.post(hook.url, {"text": "hi"}, timeout=5, attempts=2, backoff=0)
    assert (delivery.status, delivery.attempts) == ("failed", 2)


def test_post_times_out_against_a_server_that_never_answers(silent_port: int) -> None:
    url = f"http://127.0.0.1:{silent_port}/hook"
    delivery = notify.post(url, {"text": "hi"}, timeout=0.2, attempts=2, backoff=0)
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert "timed out" in delivery.detail


def test_post_fails_against_a_closed_port(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/hook"
    delivery = notify.post(url, {"text": "hi"}, timeout=2, attempts=2, backoff=0)
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert "refused" in delivery.detail.lower()


@pytest.fixture
def garbage_port() -> Iterator[int]:
    """A server that answers every connection with bytes that are not HTTP."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


@pytest.mark.parametrize(
    "url",
    ["not a url", "hooks.slack.com/services/T0/B0/SECRET", "file:///etc/hostname", "http://"],
)
def test_post_never_raises_on_a_bad_url(url: str) -> None:
    delivery = notify.post(url, {"text": "hi"}, timeout=1, attempts=2, backoff=0)
    assert delivery.status == "failed"
    assert delivery.detail


def test_post_never_raises_on_an_answer_that_is_not_http(garbage_port: int) -> None:
    url = f"http://127.0.0.1:{garbage_port}/hook"
    delivery = notify.post(url, {"text": "hi"}, timeout=2, attempts=2, backoff=0)
    assert (delivery.status, delivery.attempts) == ("failed", 2)


# --- the target and the payload --------------------------------------------------------------


def test_redacted_target_keeps_the_host_never_the_path() -> None:
    target = notify.redacted_target(SLACK)
    assert "hooks.slack.com" in target
    assert "SECRET" not in target and "services/T0" not in target and "B0" not in target
    assert target == notify.redacted_target(SLACK)  # stable: deliveries can be compared
    assert target != notify.redacted_target(SLACK.replace("SECRET", "OTHER"))
    with_port = notify.redacted_target("http://user:pw@127.0.0.1:8080/hook/T0/SECRET?token=x")
    assert "127.0.0.1:8080" in with_port
    for secret in ("pw", "SECRET", "token", "hook"):
        assert secret not in with_port
    assert "SECRET" not in notify.redacted_target("http://127.0.0.1:nope/SECRET")


def _run() -> RunSummary:
    return RunSummary(
        id=7,
        scope="aws:111122223333",
        sources=("aws-gaad:estate.json",),
        started_at=datetime(2024, 5, 1, 10, 0, tzinfo=UTC),
        finished_at=datetime(2024, 5, 1, 10, 1, tzinfo=UTC),
        tool_version="0.1.0",
        catalog_date=None,
        identities=3,
        credentials=0,
        findings=2,
        gaps=0,
        by_severity={"critical": 1, "high": 1},
    )


def _finding(n: int, severity: str = "high") -> StoredFinding:
    return StoredFinding(fingerprint=f"fp{n:04d}", rule_id="NHI006", severity=severity,
                         subject=f"arn:aws:iam::111122223333:role/r{n}",
                         title=f"role r{n} trusts anyone")  # fmt: skip


def test_payload_names_the_count_and_threshold_and_lists_the_findings() -> None:
    new = [_finding(1, "critical"), _finding(2)]
    body = notify.payload(_run(), new, Severity.HIGH, None)
    assert json.loads(json.dumps(body)) == body
    text = body["text"]
    assert "2 new finding(s) at or above high" in text
    assert "run 7" in text
    assert "[critical] NHI006 role r1 trusts anyone" in text
    assert "[high] NHI006 role r2 trusts anyone" in text
    assert body["threshold"] == "high"
    assert body["run"]["id"] == 7
    assert [f["fingerprint"] for f in body["new_findings"]] == ["fp0001", "fp0002"]
    assert body["new_findings"][0]["subject"] == "arn:aws:iam::111122223333:role/r1"


def test_payload_text_is_capped_and_the_json_carries_all() -> None:
    new = [_finding(n) for n in range(notify.LISTED + 5)]
    body = notify.payload(_run(), new, Severity.MEDIUM, "https://reports.example/r.html")
    assert body["text"].count("\n•") == notify.LISTED
    assert "… and 5 more" in body["text"]
    assert len(body["new_findings"]) == notify.LISTED + 5
    assert body["report"] == "https://reports.example/r.html"


def test_at_least() -> None:
    found = [_finding(1, "low"), _finding(2, "medium"), _finding(3, "critical")]
    assert [f.severity for f in notify.at_least(found, Severity.MEDIUM)] == ["medium", "critical"]


# --- nhiscan scan --notify-webhook, end to end -----------------------------------------------


def _public_role(name: str) -> dict[str, Any]:
    """A role anyone may assume: NHI006 public-trust, critical."""
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": f"AROAEXAMPLE{name.upper().replace('-', '')}",
        "Arn": f"arn:aws:iam::111122223333:role/{name}",
        "CreateDate": "2022-06-01T09:30:00+00:00",
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}],
        },
        "InstanceProfileList": [],
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
        "Tags": [],
        "RoleLastUsed": {},
    }


def _estate(path: Path, *public_roles: str) -> Path:
    """gaad-small.json with roles anyone may assume (a scan's scope, what "new since the last
    run" compares with, is the account, whichever file it was exported to)."""
    gaad = json.loads(GAAD.read_text())
    extended = copy.deepcopy(gaad)
    extended["RoleDetailList"] += [_public_role(n) for n in public_roles]
    path.write_text(json.dumps(extended))
    return path


def _scan(tmp_path: Path, estate: Path, store: str, url: str, *extra: str) -> Result:
    return CliRunner().invoke(cli, ["scan", "--aws-gaad", str(estate), "--no-agents",
                                    "-o", str(tmp_path / "out"), "--format", "json",
                                    "--store", store, "--notify-webhook", url,
                                    "--notify-on", "medium", *extra],
                              catch_exceptions=False)  # fmt: skip


def _at_least_medium(tmp_path: Path) -> set[str]:
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    return {f["fingerprint"] for f in report["findings"]
            if Severity(f["severity"]).at_least(Severity.MEDIUM)}  # fmt: skip


def _deliveries(store_url: str) -> list[list[dict[str, Any]]]:
    """Each run's deliveries, oldest run first."""
    store = open_store(store_url)
    try:
        return [store.deliveries(run.id) for run in reversed(store.runs())]
    finally:
        store.close()


def test_scan_posts_new_findings_once_per_run(tmp_path: Path, hook: Hook) -> None:
    store = f"sqlite:///{tmp_path / 'h.db'}"
    estate = _estate(tmp_path / "estate.json", "public-a")

    first = _scan(tmp_path, estate, store, hook.url)
    assert first.exit_code in (0, 1), first.output
    posted = _at_least_medium(tmp_path)
    assert posted, "the estate should have a finding at or above medium"
    assert len(hook.bodies) == 1
    assert {f["fingerprint"] for f in hook.bodies[0]["new_findings"]} == posted
    assert hook.bodies[0]["threshold"] == "medium"
    assert "notify: posted" in first.stderr

    _estate(estate, "public-a", "public-b")
    second = _scan(tmp_path, estate, store, hook.url)
    assert second.exit_code in (0, 1), second.output
    assert len(hook.bodies) == 2
    new = hook.bodies[1]["new_findings"]
    assert [f["rule_id"] for f in new] == ["NHI006"]
    assert new[0]["subject"] == "arn:aws:iam::111122223333:role/public-b"
    assert {f["fingerprint"] for f in new} == _at_least_medium(tmp_path) - posted
    assert hook.bodies[1]["text"].startswith("nhiscan: 1 new finding(s) at or above medium")
    assert "SECRET" not in (tmp_path / "out" / "report.json").read_text()
    assert hook.paths == ["/hook/T0/SECRET"] * 2

    deliveries = _deliveries(store)
    assert [[d["status"] for d in run] for run in deliveries] == [["delivered"], ["delivered"]]
    assert [run[0]["findings"] for run in deliveries] == [len(posted), 1]
    assert all("SECRET" not in run[0]["target"] for run in deliveries)

    third = _scan(tmp_path, estate, store, hook.url)  # nothing new: nothing posted
    assert len(hook.bodies) == 2
    assert "notify: no new finding at or above medium" in third.stderr
    assert _deliveries(store)[-1] == []


def test_a_failed_delivery_is_recorded_and_does_not_change_the_exit_code(
    tmp_path: Path, hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    estate = _estate(tmp_path / "estate.json", "public-a")
    quiet = _scan(tmp_path, estate, f"sqlite:///{tmp_path / 'q.db'}", hook.url)
    assert len(hook.bodies) == 1

    hook.fail_first = 100  # always 500
    monkeypatch.setattr(notify, "post", functools.partial(notify.post, backoff=0))
    store = f"sqlite:///{tmp_path / 'h.db'}"
    failed = _scan(tmp_path, estate, store, hook.url)
    assert failed.exit_code == quiet.exit_code, failed.output
    assert len(hook.bodies) == 1 + notify.ATTEMPTS
    assert "notify: FAILED to post" in failed.stderr
    assert "HTTP 500" in failed.stderr
    assert "SECRET" not in failed.output
    [[delivery]] = _deliveries(store)
    assert delivery["status"] == "failed"
    assert delivery["attempts"] == notify.ATTEMPTS
    assert delivery["detail"] == "HTTP 500"
    assert "127.0.0.1" in delivery["target"]
    assert "/hook" not in delivery["target"] and "SECRET" not in delivery["target"]


def test_findings_accepted_in_a_baseline_are_not_posted(tmp_path: Path, hook: Hook) -> None:
    estate = _estate(tmp_path / "estate.json", "public-a")
    baseline = tmp_path / "baseline.json"
    made = CliRunner().invoke(cli, ["baseline", "create", "--aws-gaad", str(estate),
                                    "--no-agents", "-o", str(baseline)],
                              catch_exceptions=False)  # fmt: skip
    assert made.exit_code == 0, made.output
    store = f"sqlite:///{tmp_path / 'h.db'}"
    scanned = _scan(tmp_path, estate, store, hook.url, "--baseline", str(baseline))
    assert scanned.exit_code == 0, scanned.output
    assert hook.bodies == []
    assert "notify: no new finding at or above medium" in scanned.stderr
    assert _deliveries(store) == [[]]

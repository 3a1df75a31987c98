"""Alerts: a JSON summary of a run's new findings at or above a severity, posted to a webhook
(Slack-compatible: the ``text`` field), with a timeout and retries. A failed delivery is logged
and recorded in the store; it never fails the scan."""

from __future__ import annotations

import hashlib
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nhiscan import __version__
from nhiscan.scanner.history.records import RunSummary, StoredFinding
from nhiscan.scanner.model import Severity

TIMEOUT_S = 10.0
ATTEMPTS = 3
BACKOFF_S = 2.0  # before attempt n+1: BACKOFF_S * n
LISTED = 20  # findings named in the text; the JSON carries all


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    status: str  # "delivered" or "failed"
    attempts: int
    detail: str  # the HTTP status, or what went wrong


def payload(
    run: RunSummary, new: Sequence[StoredFinding], threshold: Severity, report_url: str | None
) -> dict[str, Any]:
    lines = [
        f"nhiscan: {len(new)} new finding(s) at or above {threshold.value} "
        f"in run {run.id} ({run.scope})"
    ]
    lines += [f"• [{f.severity}] {f.rule_id} {f.title}" for f in new[:LISTED]]
    if len(new) > LISTED:
        lines.append(f"… and {len(new) - LISTED} more")
    return {
        "text": "\n".join(lines),
        "tool": {"name": "nhiscan", "version": __version__},
        "run": {"id": run.id, "scope": run.scope, "finished_at": run.finished_at.isoformat()},
        "threshold": threshold.value,
        "new_findings": [
            {
                "fingerprint": f.fingerprint,
                "rule_id": f.rule_id,
                "severity": f.severity,
                "subject": f.subject,
                "title": f.title,
                "agent": f.agent,
            }
            for f in new
        ],
        "report": report_url,
    }


def at_least(findings: Sequence[StoredFinding], threshold: Severity) -> list[StoredFinding]:
    return [f for f in findings if Severity(f.severity).at_least(threshold)]


def post(
    url: str,
    body: dict[str, Any],
    *,
    timeout: float = TIMEOUT_S,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF_S,
) -> Delivery:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return Delivery(status="failed", attempts=0, detail="not an http(s) URL")
    data = json.dumps(body).encode()
    detail = "not attempted"
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(
            url, data=data, method="POST", headers={"Content-Type": "application/json",
                                                    "User-Agent": f"nhiscan/{__version__}"}
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Delivery(
                    status="delivered", attempts=attempt, detail=f"HTTP {response.status}"
                )
        except urllib.error.HTTPError as exc:
            detail = f"HTTP {exc.code}"
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                break  # the receiver refuses this request: retrying will not help
        except (urllib.error.URLError, OSError) as exc:  # refused, unreachable, timed out
            detail = str(getattr(exc, "reason", exc))
        except (http.client.HTTPException, ValueError) as exc:  # an answer that is not HTTP
            detail = f"{type(exc).__name__}: {exc}"
        if attempt < attempts:
            time.sleep(backoff * attempt)
    return Delivery(status="failed", attempts=attempt, detail=detail)


def redacted_target(url: str) -> str:
    """The webhook as stored and logged: its host and a hash, never its path (Slack and Teams
    webhook paths are secrets)."""
    parsed = urllib.parse.urlsplit(url)
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    try:
        port = f":{parsed.port}" if parsed.port else ""
    except ValueError:  # not a number: left out, the hash still tells targets apart
        port = ""
    return f"{parsed.scheme}://{parsed.hostname or '?'}{port}/…#{digest}"

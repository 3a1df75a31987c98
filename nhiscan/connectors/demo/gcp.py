"""The demo's GCP organization: a Cloud Asset Inventory export bundled as ``gcp-assets.ndjson``
(resource and iam-policy lines, one asset a line, as ``gcloud asset export`` writes them), read
by the real offline reader (``--gcp-assets``): no Google SDK, no network, no credentials.

The organization ``acme.example`` has the build project ``acme-build`` and, in the folder
``lending``, ``acme-prod`` and ``acme-data``. It shows:

- ``ci@acme-build``: a key Google disabled as exposed (its key file is in the demo repository's
  history, ``repo.py``), and the never-expiring key that replaced it; ``ci@`` holds Token
  Creator on ``deployer@acme-prod``, which owns ``acme-prod``: an impersonation chain to admin;
- the Compute Engine default account with Editor on ``acme-prod``; a disabled account
  (``batch-legacy@``) whose key is still enabled; ``etl-export@acme-data``'s 400-day-old key;
- ``report-agent@acme-data``, the account of an AI agent on Vertex AI, with Editor on its
  project where it reads one bucket (``acme-loan-reports``, with its own IAM policy);
- a workload identity pool ``github`` in ``acme-build`` whose provider trusts GitHub Actions
  tokens of the ``acme-lending`` owner, and whose principals from the repository
  ``acme-lending/agents-platform`` may impersonate ``ci@``: keyless, yet ``ci@`` still has keys
  (issue #20);
- Google's own: the Vertex AI service agent, a system-managed key of ``deployer@``, and the
  service agents' bindings (inventoried, never flagged).

The file was written as of ``EXPORTED``: every time in it is moved by the same amount so that
``EXPORTED`` falls on the scan's ``now`` (``9999-12-31``, "never expires", stays), so the ages
are the same on every run, like the AWS estate's.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.gcp.offline.reader import GcpAssetsConnector
from nhiscan.scanner.model import CollectionGap, Record

EXPORT = Path(__file__).with_name("gcp-assets.ndjson")
EXPORTED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SOURCE = "demo:gcp-organization"

# An RFC 3339 UTC time as the export writes it (also inside a condition's timestamp('...')).
_TIME = re.compile(r"\b(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z")


def shifted(text: str, now: datetime) -> str:
    """``text`` with each time moved by ``now - EXPORTED`` (whole seconds); a year-9999 time
    ("never expires") is left as it is."""
    delta = now.replace(microsecond=0) - EXPORTED

    def move(found: re.Match[str]) -> str:
        if int(found[1]) >= 9999:
            return found[0]
        moved = datetime.fromisoformat(found[0].replace("Z", "+00:00")) + delta
        return moved.strftime("%Y-%m-%dT%H:%M:%SZ")

    return _TIME.sub(move, text)


def collect_organization(ctx: CollectContext) -> Iterator[Record]:
    """The organization's records, read from a copy of the export with its times moved. The
    copy's temporary path is replaced by the bundled file's wherever a record names it."""
    with tempfile.TemporaryDirectory(prefix="nhiscan-demo-gcp-") as tmp:
        path = Path(tmp) / EXPORT.name
        path.write_text(shifted(EXPORT.read_text(encoding="utf-8"), ctx.now), encoding="utf-8")
        copy = str(path)

        def progress(message: str) -> None:
            ctx.progress(message.replace(copy, EXPORT.name))

        for record in GcpAssetsConnector([path]).collect(replace(ctx, progress=progress)):
            yield _relabel(record, copy)


def _relabel(record: Record, copy: str) -> Record:
    if not isinstance(record, CollectionGap):
        return record
    return replace(
        record,
        scope=record.scope.replace(copy, str(EXPORT)),
        detail=None if record.detail is None else record.detail.replace(copy, str(EXPORT)),
        subject=None if record.subject is None else record.subject.replace(copy, str(EXPORT)),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExposedKey:
    """The user-managed key Google disabled as exposed: what its key file names."""

    key_id: str
    email: str
    project: str
    unique_id: str


def exposed_key() -> ExposedKey:
    """The key of the export whose ``disableReason`` is ``..._EXPOSED`` (there is one)."""
    accounts: dict[str, str] = {}  # e-mail -> uniqueId
    found: list[tuple[str, str]] = []  # (key id, e-mail)
    for line in EXPORT.read_text(encoding="utf-8").splitlines():
        asset = json.loads(line)
        data = asset.get("resource", {}).get("data", {})
        if asset["assetType"] == "iam.googleapis.com/ServiceAccount" and data:
            accounts[data["email"]] = data["uniqueId"]
        elif data.get("disableReason") == "SERVICE_ACCOUNT_KEY_DISABLE_REASON_EXPOSED":
            parts = data["name"].split("/")  # projects/P/serviceAccounts/EMAIL/keys/KEY_ID
            found.append((parts[-1], parts[3]))
    if len(found) != 1:
        raise ValueError(f"{EXPORT}: expected one key disabled as exposed, found {len(found)}")
    key_id, email = found[0]
    return ExposedKey(
        key_id=key_id,
        email=email,
        project=email.split("@", 1)[1].split(".", 1)[0],
        unique_id=accounts[email],
    )

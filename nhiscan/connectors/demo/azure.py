"""The demo's Azure tenant (issue #15 item 8): an az CLI export folder bundled as
``azure-export/`` (each file the unmodified output of its command in
``connectors/azure/offline/layout.py``, as ``tools/azure-export.sh`` writes it), read by the real
offline reader (``--azure-export``): no Azure SDK, no network, no credentials.

The tenant ``Acme Lending`` has one subscription, ``acme-lending-prod``. It shows:

- ``legacy-reporting``: an application nobody owns whose client secrets expired (45 days and
  two and a half years ago) and are still on it; it reads one resource group;
- ``infra-provisioner``: Owner of the subscription (the privileged service principal), whose
  Terraform client secret expires in 11 days although a GitHub federated credential made it
  unnecessary;
- ``lending-automation``: the CI pipeline's application, holding the directory role Application
  Administrator: it can add a credential to ``infra-provisioner`` and act as the owner of the
  subscription. Its client secret is committed in the demo repository (``repo.py``) with the
  client id beside it: the scan joins it to the credential by the secret's hint (its first
  three characters, all Microsoft Graph returns) and the application id;
- ``id-platform-deploy``: a user-assigned managed identity with Owner on the subscription;
- ``claims-intake-agent``: the service principal of an AI agent (``agents.yaml``) that reads
  blobs in one container and one Key Vault secret, with Contributor on their resource group
  ``rg-claims``, Storage Blob Data Contributor on the whole storage account and Key Vault
  Secrets User on the vault: all but the two reads is excess;
- Microsoft Graph's service principal (Microsoft's own: inventoried, never judged), and people:
  Dana, Global Administrator and Owner, and Sam, who own the applications (no identity of
  theirs is judged: they are not non-human).

Each file's shape is the one ``docs/dev/azure-plan.md`` and ``docs/dev/azure-records.md``
verified (and ``tests/data/azure/export/`` follows); the ids are made up but for Microsoft's.
``role-definitions.json`` holds the built-in roles the tenant's assignments name (``az role
definition list`` lists them all), their permissions as the bundled built-in role dataset has
them (iann0036/iam-dataset, MIT: ``providers/azure/data/`` keeps its licence and notice).
Graph's app role ids are Microsoft's (``providers/azure/graph_permissions.py`` cites them); the
Entra role template ids are the permissions reference's (``providers/azure/directory_roles.py``).

The folder was written as of ``EXPORTED`` (the GCP export's time): every time in it (but the
role assignments' own dates: ``UNMOVED``) is moved by the same amount so that ``EXPORTED``
falls on the scan's ``now``, so ages and expiries are the same on every run, like the AWS
estate's and the GCP organization's.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from nhiscan.connectors.azure.offline.reader import AzureExportConnector
from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.demo.gcp import EXPORTED
from nhiscan.scanner.model import CollectionGap, Record

EXPORT = Path(__file__).with_name("azure-export")
SOURCE = "demo:azure-tenant"
# Role assignments are policies whose document is kept whole: their createdOn and updatedOn,
# which nothing reads, stay as written, or each run's documents would differ and `nhiscan diff`
# would call every assignment changed.
UNMOVED = frozenset({"role-assignments"})
LEAKED_APP = "lending-automation"  # the application whose client secret the repository holds

# A time as az and Microsoft Graph write it: ISO 8601 with a fraction of up to 7 digits or none,
# in UTC as "Z" (Graph) or "+00:00" (ARM's role assignments). The fraction and the suffix stay.
_TIME = re.compile(r"\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|\+00:00)(?=\")")


def shifted(text: str, now: datetime) -> str:
    """``text`` with each time moved by ``now - EXPORTED`` (whole seconds), written as it was."""
    delta = now.replace(microsecond=0) - EXPORTED

    def move(found: re.Match[str]) -> str:
        moved = datetime.fromisoformat(found[1] + "+00:00") + delta
        return moved.strftime("%Y-%m-%dT%H:%M:%S") + (found[2] or "") + found[3]

    return _TIME.sub(move, text)


def collect_tenant(ctx: CollectContext) -> Iterator[Record]:
    """The tenant's records, read from a copy of the export with its times moved. The copy's
    temporary path is replaced by the bundled folder's wherever a record names it."""
    with tempfile.TemporaryDirectory(prefix="nhiscan-demo-azure-") as tmp:
        folder = Path(tmp) / EXPORT.name
        for source in sorted(EXPORT.rglob("*.json")):
            target = folder / source.relative_to(EXPORT)
            target.parent.mkdir(parents=True, exist_ok=True)
            text = source.read_text(encoding="utf-8")
            moved = text if source.parent.name in UNMOVED else shifted(text, ctx.now)
            target.write_text(moved, encoding="utf-8")
        copy = str(folder)

        def progress(message: str) -> None:
            ctx.progress(message.replace(copy, str(EXPORT)))

        for record in AzureExportConnector([folder]).collect(replace(ctx, progress=progress)):
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
class LeakedSecret:
    """What the export holds of the client secret the demo repository commits."""

    app_id: str  # the application (client) id
    key_id: str
    hint: str  # the secret's first three characters
    tenant: str
    service_principal: str  # the object id of the application's service principal


def leaked_secret() -> LeakedSecret:
    """The one client secret of ``LEAKED_APP`` in the export, with its tenant and service
    principal."""
    apps = json.loads((EXPORT / "applications.json").read_text(encoding="utf-8"))
    found = [a for a in apps if a["displayName"] == LEAKED_APP]
    if len(found) != 1 or len(found[0]["passwordCredentials"]) != 1:
        raise ValueError(f"{EXPORT}: expected one application {LEAKED_APP} with one secret")
    app = found[0]
    (secret,) = app["passwordCredentials"]
    sps = json.loads((EXPORT / "service-principals.json").read_text(encoding="utf-8"))
    (sp,) = [s["id"] for s in sps if s["appId"] == app["appId"]]
    tenant = json.loads((EXPORT / "account.json").read_text(encoding="utf-8"))["tenantId"]
    return LeakedSecret(app_id=app["appId"], key_id=secret["keyId"], hint=secret["hint"],
                        tenant=tenant, service_principal=sp)  # fmt: skip

"""Refresh nhiscan's bundled GCP predefined roles from the live IAM API.

Run by hand (never in tests), with ``pip install 'nhiscan[gcp]'`` and credentials that may call
``roles.list`` (any authenticated principal may)::

    python tools/refresh_gcp_roles.py

It pages ``roles.list(view=FULL, pageSize=1000)``, sorts the roles by name, writes
``nhiscan/providers/gcp/data/gcp-predefined-roles.json.gz`` in the same shape (a JSON list of
Role objects with ``includedPermissions``), and records the date in PROVENANCE.md. Update
``DATASET_COMMIT``/``DATASET_DATE`` in ``nhiscan/providers/gcp/catalog.py`` to match.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "nhiscan" / "providers" / "gcp" / "data"


def fetch_roles() -> list[dict[str, Any]]:
    from googleapiclient.discovery import build  # type: ignore[import-not-found]

    roles_api = build("iam", "v1", static_discovery=True, cache_discovery=False).roles()
    found: list[dict[str, Any]] = []
    request = roles_api.list(view="FULL", pageSize=1000)
    while request is not None:
        response = request.execute(num_retries=5)
        found.extend(response.get("roles", []))
        request = roles_api.list_next(request, response)
    return sorted(found, key=lambda role: str(role["name"]))


def main() -> None:
    roles = fetch_roles()
    body = json.dumps(roles, indent=0, sort_keys=True).encode()
    with gzip.GzipFile(DATA / "gcp-predefined-roles.json.gz", "wb", mtime=0) as out:
        out.write(body)
    today = datetime.now(UTC).date().isoformat()
    with (DATA / "PROVENANCE.md").open("a", encoding="utf-8") as notes:
        notes.write(f"\nRefreshed from the live IAM API roles.list(view=FULL) on {today}: "
                    f"{len(roles)} roles.\n")
    print(f"{len(roles)} roles written; set DATASET_DATE = {today!r} in catalog.py")


if __name__ == "__main__":
    main()

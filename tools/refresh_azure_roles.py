"""Refresh nhiscan's bundled Azure built-in role definitions from a live tenant.

Run by hand (never in tests against the network), with the az CLI logged in (any identity that
may read role definitions: every signed-in principal with Reader somewhere may)::

    python tools/refresh_azure_roles.py

which runs ``az role definition list --custom-role-only false --output json``; or give files
already fetched, each either that command's output or one page of the ARM list call
``GET https://management.azure.com/providers/Microsoft.Authorization/roleDefinitions
?$filter=type eq 'BuiltInRole'&api-version=2022-04-01`` (``{"value": [...], "nextLink": ...}``:
save every page, following ``nextLink``)::

    python tools/refresh_azure_roles.py --input roles.json [page2.json ...]

It keeps the built-in roles (``roleType``/``properties.type`` ``BuiltInRole``), checks each
one's shape (a bad value is named by file and JSON path), writes
``nhiscan/providers/azure/data/azure-built-in-roles.json.gz`` in the bundled shape (the az
output's fields the catalogue reads: ``assignableScopes``, ``description``, ``name``,
``permissions``, ``roleName``, ``roleType``, ``type``; roles sorted by name, keys sorted,
gzipped with no timestamp) and adds a dated line to PROVENANCE.md. Then set
``DATASET_COMMIT``/``DATASET_DATE`` in ``nhiscan/providers/azure/catalog.py`` and update the
role count the tests expect.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nhiscan.providers.azure.catalog import (
    DATA_FILE,
    RoleDataError,
    RoleDefinition,
    parse_role_definitions,
)

DATA = Path(__file__).resolve().parent.parent / "nhiscan" / "providers" / "azure" / "data"
AZ_COMMAND = ("az", "role", "definition", "list", "--custom-role-only", "false", "--output", "json")


def fetch_with_az() -> object:
    """The live ``az role definition list`` output (the az CLI must be installed, logged in)."""
    done = subprocess.run(AZ_COMMAND, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(AZ_COMMAND)} failed: {done.stderr.strip()}")
    return json.loads(done.stdout)


def read_input(path: Path) -> tuple[RoleDefinition, ...]:
    """The role definitions of one file (az output or an ARM page); errors name the file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SystemExit(f"{path}: cannot read role definitions: {exc}") from exc
    try:
        return parse_role_definitions(raw)
    except RoleDataError as exc:
        raise SystemExit(f"{path}: {exc}") from exc


def built_in(roles: Sequence[RoleDefinition], origin: str) -> list[RoleDefinition]:
    """The built-in roles, once each; the same id twice with different contents is an error."""
    found: dict[str, RoleDefinition] = {}
    for role in roles:
        if not role.built_in:
            continue
        seen = found.get(role.id)
        if seen is not None and seen != role:
            raise SystemExit(f"{origin}: role {role.id} is listed twice, differently")
        found[role.id] = role
    if not found:
        raise SystemExit(f"{origin}: no built-in role definitions (an empty list is not a refresh)")
    return sorted(found.values(), key=lambda r: (r.name.lower(), r.id))


def to_row(role: RoleDefinition) -> dict[str, Any]:
    """One role in the bundled shape (``az role definition list``'s field names)."""
    return {
        "assignableScopes": list(role.assignable_scopes),
        "description": role.description,
        "name": role.id,
        "permissions": [
            {
                "actions": list(block.actions),
                "condition": block.condition,
                "conditionVersion": block.condition_version,
                "dataActions": list(block.data_actions),
                "notActions": list(block.not_actions),
                "notDataActions": list(block.not_data_actions),
            }
            for block in role.permissions
        ],
        "roleName": role.name,
        "roleType": role.role_type,
        "type": "Microsoft.Authorization/roleDefinitions",
    }


def write(roles: Sequence[RoleDefinition], data: Path, today: str, origin: str) -> Path:
    rows = [to_row(role) for role in roles]
    body = json.dumps(rows, indent=0, sort_keys=True).encode()
    target = data / DATA_FILE
    with gzip.GzipFile(target, "wb", mtime=0) as out:
        out.write(body)
    with (data / "PROVENANCE.md").open("a", encoding="utf-8") as notes:
        notes.write(f"\nRefreshed from {origin} on {today}: {len(rows)} built-in roles.\n")
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--input", nargs="+", type=Path, help="az output or ARM pages (JSON)")
    parser.add_argument("--data", type=Path, default=DATA, help="the data folder to write")
    parser.add_argument("--date", help="the refresh date to record (default: today, UTC)")
    args = parser.parse_args(argv)
    if args.input:
        roles = [role for path in args.input for role in read_input(path)]
        origin = "role definitions read from " + ", ".join(p.name for p in args.input)
    else:
        try:
            roles = list(parse_role_definitions(fetch_with_az()))
        except RoleDataError as exc:
            raise SystemExit(f"{' '.join(AZ_COMMAND)}: {exc}") from exc
        origin = "`az role definition list`"
    chosen = built_in(roles, origin)
    today = args.date or datetime.now(UTC).date().isoformat()
    target = write(chosen, args.data, today, origin)
    print(f"{len(chosen)} built-in roles written to {target}; set DATASET_DATE = {today!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""tools/refresh_azure_roles.py on small recorded inputs in the two shapes it reads: the az
CLI's ``az role definition list`` output, and ARM ``roleDefinitions`` list pages."""

from __future__ import annotations

import gzip
import importlib.util
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest

from nhiscan.providers.azure.catalog import (
    DATA_FILE,
    AzureCatalog,
    Plane,
    built_in_roles,
    parse_role_definitions,
)

TOOL = Path(__file__).resolve().parents[3] / "tools" / "refresh_azure_roles.py"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
CUSTOM = "7d1d4f36-0000-4000-8000-00000000abcd"
AT_SUBSCRIPTION = (
    "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/providers/Microsoft.Authorization"
    "/roleDefinitions/"
)

# `az role definition list` output (its documented fields, id and dates included), one custom
# role among the built-in ones.
AZ_OUTPUT = [
    {
        "assignableScopes": ["/"],
        "createdBy": None,
        "createdOn": "2015-02-02T21:55:09.880642+00:00",
        "description": "Grants full access to manage all resources, including the ability to "
        "assign roles in Azure RBAC.",
        "id": AT_SUBSCRIPTION + OWNER,
        "name": OWNER,
        "permissions": [
            {
                "actions": ["*"],
                "condition": None,
                "conditionVersion": None,
                "dataActions": [],
                "notActions": [],
                "notDataActions": [],
            }
        ],
        "roleName": "Owner",
        "roleType": "BuiltInRole",
        "type": "Microsoft.Authorization/roleDefinitions",
        "updatedBy": None,
        "updatedOn": "2021-11-11T20:13:45.867986+00:00",
    },
    {
        "assignableScopes": ["/"],
        "description": "View all resources, but does not allow you to make any changes.",
        "id": AT_SUBSCRIPTION + READER,
        "name": READER,
        "permissions": [
            {"actions": ["*/read"], "dataActions": [], "notActions": [], "notDataActions": []}
        ],
        "roleName": "Reader",
        "roleType": "BuiltInRole",
        "type": "Microsoft.Authorization/roleDefinitions",
    },
    {
        "assignableScopes": ["/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333"],
        "description": "Deploys the web apps",
        "id": AT_SUBSCRIPTION + CUSTOM,
        "name": CUSTOM,
        "permissions": [{"actions": ["Microsoft.Web/sites/*"], "notActions": []}],
        "roleName": "Web Deployer",
        "roleType": "CustomRole",
        "type": "Microsoft.Authorization/roleDefinitions",
    },
]

# ARM list pages (GET /providers/Microsoft.Authorization/roleDefinitions?$filter=type eq
# 'BuiltInRole'): the role type is properties.type, the next page is nextLink.
ARM_PAGE_1 = {
    "value": [
        {
            "id": f"/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}",
            "name": CONTRIBUTOR,
            "type": "Microsoft.Authorization/roleDefinitions",
            "properties": {
                "roleName": "Contributor",
                "type": "BuiltInRole",
                "description": "Grants full access to manage all resources, but does not allow "
                "you to assign roles in Azure RBAC.",
                "assignableScopes": ["/"],
                "permissions": [
                    {
                        "actions": ["*"],
                        "notActions": [
                            "Microsoft.Authorization/*/Delete",
                            "Microsoft.Authorization/*/Write",
                            "Microsoft.Authorization/elevateAccess/Action",
                        ],
                        "dataActions": [],
                        "notDataActions": [],
                    }
                ],
                "createdOn": "2015-02-02T21:55:09.8806423Z",
                "updatedOn": "2023-07-10T15:10:53.3420804Z",
            },
        }
    ],
    "nextLink": "https://management.azure.com/providers/Microsoft.Authorization/roleDefinitions?$filter=type+eq+%27BuiltInRole%27&api-version=2022-04-01&$skiptoken=2",
}
ARM_PAGE_2 = {
    "value": [
        {
            "id": f"/providers/Microsoft.Authorization/roleDefinitions/{SECRETS_USER}",
            "name": SECRETS_USER,
            "type": "Microsoft.Authorization/roleDefinitions",
            "properties": {
                "roleName": "Key Vault Secrets User",
                "type": "BuiltInRole",
                "description": "Read secret contents.",
                "assignableScopes": ["/"],
                "permissions": [
                    {
                        "actions": [],
                        "notActions": [],
                        "dataActions": [
                            "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                            "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
                        ],
                        "notDataActions": [],
                    }
                ],
            },
        }
    ]
}


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("refresh_azure_roles", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _inputs(tmp_path: Path) -> tuple[Path, list[Path]]:
    data = tmp_path / "data"
    data.mkdir()
    (data / "PROVENANCE.md").write_text("# Azure built-in RBAC role definitions\n")
    files = []
    for name, body in (
        ("az.json", AZ_OUTPUT),
        ("page1.json", ARM_PAGE_1),
        ("page2.json", ARM_PAGE_2),
    ):
        path = tmp_path / name
        path.write_text(json.dumps(body))
        files.append(path)
    return data, files


def _written(data: Path) -> list[dict[str, object]]:
    rows = json.loads(gzip.decompress((data / DATA_FILE).read_bytes()))
    assert isinstance(rows, list)
    return rows


def test_refresh_writes_the_built_in_roles_in_the_bundled_shape(tmp_path: Path) -> None:
    data, files = _inputs(tmp_path)
    assert (
        _tool().main(["--input", *map(str, files), "--data", str(data), "--date", "2026-12-06"])
        == 0
    )
    rows = _written(data)
    assert [r["roleName"] for r in rows] == [
        "Contributor",
        "Key Vault Secrets User",
        "Owner",
        "Reader",
    ]
    bundled = resources.files("nhiscan.providers.azure").joinpath("data", DATA_FILE)
    bundled_keys = set(json.loads(gzip.decompress(bundled.read_bytes()))[0])
    assert all(set(r) == bundled_keys for r in rows)  # the az fields the bundle keeps, no more
    owner = next(r for r in rows if r["name"] == OWNER)
    recorded = next(raw for raw in AZ_OUTPUT if raw["name"] == OWNER)
    assert owner == {k: v for k, v in recorded.items() if k in bundled_keys}
    # what was written reads back as a catalogue
    catalog = AzureCatalog(parse_role_definitions(rows))
    contributor = catalog.role("Contributor")
    assert contributor is not None and contributor.id == CONTRIBUTOR
    assert "Microsoft.KeyVault/vaults/secrets/getSecret/action" in catalog.operations[Plane.DATA]
    assert catalog.role("Web Deployer") is None  # custom roles are not bundled
    notes = (data / "PROVENANCE.md").read_text()
    assert notes.endswith("on 2026-12-06: 4 built-in roles.\n")
    assert "az.json, page1.json, page2.json" in notes


def test_the_bundle_written_from_its_own_rows_is_the_same_table(tmp_path: Path) -> None:
    """Round trip: the bundled roles, written back by the tool, are the same definitions."""
    tool = _tool()
    data = tmp_path / "data"
    data.mkdir()
    (data / "PROVENANCE.md").write_text("")
    source = tmp_path / "bundled.json"
    source.write_text(json.dumps([tool.to_row(role) for role in built_in_roles()]))
    tool.main(["--input", str(source), "--data", str(data), "--date", "2026-12-06"])
    again = parse_role_definitions(_written(data))
    assert sorted(again, key=lambda r: r.id) == sorted(built_in_roles(), key=lambda r: r.id)


def test_a_malformed_input_names_the_file_and_the_json_path(tmp_path: Path) -> None:
    data, _ = _inputs(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "value": [
                    {
                        "name": OWNER,
                        "properties": {
                            "roleName": "Owner",
                            "type": "BuiltInRole",
                            "permissions": [{"actions": "*"}],
                        },
                    }
                ]
            }
        )
    )
    with pytest.raises(SystemExit) as caught:
        _tool().main(["--input", str(bad), "--data", str(data)])
    assert (
        str(caught.value)
        == f"{bad}: value[0].properties.permissions[0].actions: expected a list of strings, got str"
    )
    assert not (data / DATA_FILE).exists()


def test_an_input_with_no_built_in_role_is_refused(tmp_path: Path) -> None:
    data, _ = _inputs(tmp_path)
    custom_only = tmp_path / "custom.json"
    custom_only.write_text(json.dumps([AZ_OUTPUT[2]]))
    with pytest.raises(SystemExit) as caught:
        _tool().main(["--input", str(custom_only), "--data", str(data)])
    assert "no built-in role definitions" in str(caught.value)


def test_the_same_role_listed_twice_differently_is_refused(tmp_path: Path) -> None:
    data, files = _inputs(tmp_path)
    changed = json.loads(json.dumps(AZ_OUTPUT))
    changed[0]["permissions"][0]["actions"] = ["*/read"]
    other = tmp_path / "other.json"
    other.write_text(json.dumps(changed))
    with pytest.raises(SystemExit) as caught:
        _tool().main(["--input", str(files[0]), str(other), "--data", str(data)])
    assert f"role {OWNER} is listed twice, differently" in str(caught.value)


def test_the_command_line(tmp_path: Path) -> None:
    data, files = _inputs(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            str(TOOL),
            "--input",
            str(files[0]),
            "--data",
            str(data),
            "--date",
            "2026-12-06",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("2 built-in roles written to ")
    assert [r["roleName"] for r in _written(data)] == ["Owner", "Reader"]

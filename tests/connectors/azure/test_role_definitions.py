"""The export's optional ``directory-role-definitions.json`` (``az rest`` on Graph
``roleManagement/directory/roleDefinitions``, every page): each definition a policy as
returned; the file missing is a ``not-in-export`` gap (custom roles unknown); a definition out
of shape stops the scan naming the file and JSON path; and end to end, a service principal
holding a tenant's custom role with ``applications/credentials/update`` is found able to take
over the applications, as Application Administrator would be."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nhiscan.cli import cli
from nhiscan.connectors.azure.records import role_definition_id
from nhiscan.errors import ConnectorError
from nhiscan.scanner.model import CollectionGap, GapReason, Policy, PolicyKind
from tests.connectors.azure.export import (
    EXPORT,
    SP_PARTNER,
    SP_VENDOR,
    TENANT,
    by_id,
    copy,
    dump,
    load,
    read,
)

PART = "directory-role-definitions.json"
ROTATOR = "5e7a1c2b-9d3f-4e8a-b6c4-2f1d0e9c8b7a"
GRANTER = "3b8c5d1e-7f2a-4c9b-a8e6-0d4f1b2c3e5a"


def test_each_definition_is_a_policy_as_returned() -> None:
    policies = by_id(read(), Policy)
    found = {k: p for k, p in policies.items() if p.kind is PolicyKind.ENTRA_ROLE_DEFINITION}
    assert len(found) == 5
    rotator = found[role_definition_id(ROTATOR)]
    assert (rotator.account, rotator.name) == (
        TENANT,
        "custom directory role Contoso App Credential Rotator",
    )
    assert rotator.document == load(EXPORT / PART)["value"][3]
    # every role the fixture's assignments and eligibilities name is defined: no gap
    assert not [g for g in read() if isinstance(g, CollectionGap)
                and g.operation == "azure-export:directory-role-definitions"]  # fmt: skip


def test_without_the_file_custom_roles_are_a_not_in_export_gap(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    (folder / PART).unlink()
    records = read(folder)
    assert not [r for r in records if isinstance(r, Policy)
                and r.kind is PolicyKind.ENTRA_ROLE_DEFINITION]  # fmt: skip
    (gap,) = [
        g
        for g in records
        if isinstance(g, CollectionGap) and g.operation == "azure-export:directory-role-definitions"
    ]
    assert (gap.reason, gap.scope) == (GapReason.NOT_IN_EXPORT, TENANT)
    assert (
        "custom directory roles" in gap.detail
        and "roleManagement/directory/roleDefinitions" in (gap.detail)
    )


def test_a_definition_out_of_shape_names_the_file_and_path(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    document = load(folder / PART)
    document["value"][2]["rolePermissions"][0]["allowedResourceActions"] = "all"
    dump(folder / PART, document)
    with pytest.raises(ConnectorError) as raised:
        read(folder)
    assert f"{PART}: $.value[2].rolePermissions[0].allowedResourceActions" in str(raised.value)


def _assign(folder: Path, principal: str, role: str) -> None:
    path = folder / "directory-role-assignments.json"
    document = load(path)
    document["value"].append(
        {"id": f"custom-{role}", "principalId": principal, "directoryScopeId": "/",
         "appScopeId": None, "roleDefinitionId": role}
    )  # fmt: skip
    dump(path, document)


def _findings(folder: Path, out: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(
        cli, ["scan", "--azure-export", str(folder), "-o", str(out), "--format", "json"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    return [f for f in report["findings"] if f["subject"] == SP_VENDOR]


def test_a_custom_role_with_credential_update_takes_over_applications(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    before = _findings(folder, tmp_path / "before")
    assert not [f for f in before if f["rule_id"] in ("NHI103", "NHI104")]
    _assign(folder, SP_VENDOR, ROTATOR)
    after = _findings(folder, tmp_path / "after")
    # partner-sync is admin of the Platform management group: adding a secret to its
    # application is a path there, through the custom role's allowed resource action
    (admin,) = [f for f in after if f["rule_id"] == "NHI100"]
    assert admin["evidence"]["via"] == [SP_PARTNER]
    assert admin["evidence"]["methods"] == ["add-application-credential"]
    path = [f for f in after if f["rule_id"] == "NHI103"]
    assert [f["evidence"]["method"] for f in path] == ["add-application-credential"]
    held = [f for f in after if f["rule_id"] == "NHI505" and f["evidence"]["custom_role"]]
    assert [(f["evidence"]["role"], f["severity"]) for f in held] == [
        ("Contoso App Credential Rotator", "high")
    ]
    assert "holds the custom directory role Contoso App Credential Rotator" in held[0]["title"]


def test_a_custom_role_granting_app_roles_grants_no_graph_permission(tmp_path: Path) -> None:
    """``appRoleAssignedTo/update`` grants other APIs' app roles; Microsoft Graph's need
    Privileged Role Administrator (company-wide consent)."""
    folder = copy(tmp_path)
    _assign(folder, SP_VENDOR, GRANTER)
    found = _findings(folder, tmp_path / "out")
    methods = {m for f in found for m in f["evidence"].get("methods", [])}
    assert "grant-graph-app-role" not in methods
    assert not [f for f in found if f["rule_id"] == "NHI101"]


def test_an_assignment_naming_a_role_the_file_lacks_is_a_gap(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    unknown = "0e000000-0000-4000-8000-0000000000e0"
    _assign(folder, SP_VENDOR, unknown)
    gaps = [g for g in read(folder) if isinstance(g, CollectionGap)
            and g.operation == "azure-export:directory-role-definitions"]  # fmt: skip
    assert [(g.subject, g.reason) for g in gaps] == [(unknown, GapReason.NOT_IN_EXPORT)]
    assert f"{SP_VENDOR}#directory-roles" in gaps[0].detail

"""What an export lacks or holds wrong: an optional part missing is a not-in-export gap naming
it (and no owner is claimed without the owners); a required part missing, a file that is not
JSON or not its command's shape, or a Graph list not fully paged is an error naming the file
and the line or JSON path; a file the reader does not know is named in a progress line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nhiscan.connectors.azure.offline.layout import PARTS, operation
from nhiscan.errors import ConnectorError
from nhiscan.scanner.model import Account, CollectionGap, GapReason, Identity, Policy, PolicyKind
from tests.connectors.azure.export import (
    DEV,
    PARTNER_APP,
    PARTNER_CLIENT,
    PAY_CLIENT,
    PROD,
    ROOT_MG,
    SP_PARTNER,
    SP_PAY,
    TENANT,
    by_id,
    copy,
    dump,
    load,
    read,
)

OPTIONAL = [part.path for part in PARTS if not part.required]
REQUIRED = [part.path for part in PARTS if part.required]


def _gaps(records: list[object], name: str) -> list[CollectionGap]:
    return [r for r in records if isinstance(r, CollectionGap) and r.operation == name]


def _remove(folder: Path, part: str) -> None:
    path = folder / part
    shutil.rmtree(path) if path.is_dir() else path.unlink()


@pytest.mark.parametrize("part", OPTIONAL)
def test_each_optional_part_missing_is_its_gap(part: str, tmp_path: Path) -> None:
    folder = copy(tmp_path)
    _remove(folder, part)
    gaps = _gaps(read(folder), operation(next(p for p in PARTS if p.path == part)))
    assert len(gaps) == 1, gaps
    gap = gaps[0]
    assert (gap.scope, gap.reason, gap.subject) == (TENANT, GapReason.NOT_IN_EXPORT, None)
    assert str(folder / part) in gap.detail and "az " in gap.detail


def test_without_owners_no_owner_is_claimed_and_the_gap_says_so(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    _remove(folder, "app-owners/")
    _remove(folder, "sp-owners/")
    records = read(folder)
    owners = [p for p in by_id(records, Policy).values() if p.kind is PolicyKind.ENTRA_OWNERS]
    assert owners == []  # unknown, not "none"
    assert by_id(records, Identity)[SP_PAY].owner is None
    (gap,) = _gaps(records, "azure-export:app-owners")
    assert "no application is called ownerless without them" in gap.detail


def test_one_objects_file_missing_is_a_gap_naming_the_object(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    (folder / "app-owners" / f"{PARTNER_CLIENT}.json").unlink()
    (folder / "app-role-assignments" / f"{SP_PARTNER}.json").unlink()
    records = read(folder)
    (owners,) = _gaps(records, "azure-export:app-owners")
    assert owners.subject == PARTNER_CLIENT
    assert f"az ad app owner list --id {PARTNER_CLIENT}" in owners.detail
    (roles,) = _gaps(records, "azure-export:app-role-assignments")
    assert roles.subject == SP_PARTNER
    assert f"{PARTNER_APP}#owners" not in by_id(records, Policy)


def test_a_subscription_without_its_role_assignments_file_is_a_gap(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    (folder / "role-assignments" / f"{DEV}.json").unlink()
    records = read(folder)
    (gap,) = _gaps(records, "azure-export:role-assignments")
    assert gap.scope == DEV and f"--subscription {DEV}" in gap.detail
    # the root group's assignment is still read from the other subscription's file
    assert any(p.attached_to == (ROOT_MG,) for p in by_id(records, Policy).values())


def test_without_the_management_group_tree_the_parents_are_unknown_not_empty(
    tmp_path: Path,
) -> None:
    folder = copy(tmp_path)
    _remove(folder, "management-groups.json")
    records = read(folder)
    assert by_id(records, Account)[PROD].parents == ()
    assert _gaps(records, "azure-export:management-groups")
    # a group a role assignment names is still a resource (by its id)
    assert ROOT_MG in {r.id for r in records if hasattr(r, "runs_as")}


@pytest.mark.parametrize("part", REQUIRED)
def test_a_required_part_missing_is_an_error_naming_it(part: str, tmp_path: Path) -> None:
    folder = copy(tmp_path)
    _remove(folder, part)
    with pytest.raises(ConnectorError, match="missing") as raised:
        read(folder)
    assert str(folder / part) in str(raised.value)


def test_a_file_that_is_not_json_names_the_file_and_line(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    path = folder / "service-principals.json"
    lines = path.read_text().splitlines()
    lines[3] = lines[3] + ",,"
    path.write_text("\n".join(lines))
    with pytest.raises(ConnectorError) as raised:
        read(folder)
    assert str(raised.value).startswith(f"{path}:4: not valid JSON")


def test_a_value_of_the_wrong_shape_names_the_file_and_json_path(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    path = folder / "applications.json"
    apps = load(path)
    apps[1]["passwordCredentials"][0]["keyId"] = "not-a-guid"
    dump(path, apps)
    with pytest.raises(ConnectorError) as raised:
        read(folder)
    message = str(raised.value)
    assert message.startswith(f"{path}: $[1].passwordCredentials[0].keyId: expected a GUID")
    assert "tools/azure-export.sh" in message


def test_a_list_where_the_command_prints_an_object_is_an_error(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    dump(folder / "account.json", [])
    with pytest.raises(ConnectorError, match=r"account.json: \$: expected an object"):
        read(folder)


def test_a_graph_list_with_a_next_link_was_not_fully_paged_and_is_an_error(
    tmp_path: Path,
) -> None:
    folder = copy(tmp_path)
    path = folder / "directory-role-assignments.json"
    page = load(path)
    page["@odata.nextLink"] = (
        "https://graph.microsoft.com/v1.0/roleManagement/directory/roleAssignments?$skiptoken=X"
    )
    dump(path, page)
    with pytest.raises(ConnectorError) as raised:
        read(folder)
    assert str(raised.value).startswith(f"{path}: $.@odata.nextLink: the file holds one page")


def test_an_empty_file_is_not_an_empty_tenant(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    (folder / "applications.json").write_text("")
    with pytest.raises(ConnectorError, match="empty file"):
        read(folder)


def test_unknown_files_are_named_in_a_progress_line_not_an_error(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    (folder / "notes.txt").write_text("exported by Dana\n")
    (folder / "groups.json").write_text("[]")
    (folder / "app-owners" / "README").write_text("x")
    progress: list[str] = []
    records = read(folder, progress)
    assert records
    (line,) = [p for p in progress if "not read" in p]
    assert "app-owners/README" in line and "groups.json" in line and "notes.txt" in line


def test_ids_in_file_names_and_values_match_whatever_their_case(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    owners = folder / "app-owners" / f"{PAY_CLIENT}.json"
    owners.rename(owners.with_name(f"{PAY_CLIENT.upper()}.json"))
    path = folder / "service-principals.json"
    principals = load(path)
    principals[0]["id"] = principals[0]["id"].upper()
    dump(path, principals)
    records = read(folder)
    assert by_id(records, Identity)[SP_PAY].owner == "dana.ops@contoso.example"


def test_a_path_that_is_not_a_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="not a folder"):
        read(tmp_path / "nowhere")

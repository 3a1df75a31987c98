"""A malformed AzureHound file is an error naming the file and the line (not JSON) or the JSON
path (``$.data[12].data.appId``); nothing in it is read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nhiscan.errors import ConnectorError
from tests.connectors.azure.hound.hound import changed, index_of, read


def _error(path: Path) -> str:
    with pytest.raises(ConnectorError) as raised:
        read(path)
    return str(raised.value)


def test_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "hound.json"
    path.write_text('{\n "data": [\n  {"kind": "AZApp", "data": {]\n }')
    assert _error(path).startswith(f"{path}:3: not valid JSON")


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ([], "$: expected an object with `data` and `meta`"),
        ({"meta": {}}, "$.data: expected the list of collected objects, got NoneType"),
        ({"data": {}, "meta": {}}, "$.data: expected the list of collected objects, got dict"),
        ({"data": [], "meta": []}, "$.meta: expected an object"),
        ({"data": [7]}, "$.data[0]: expected an object {kind, data}"),
    ],
)
def test_a_wrong_top_level_shape_names_the_path(tmp_path: Path, document: Any, where: str) -> None:
    path = tmp_path / "hound.json"
    path.write_text(__import__("json").dumps(document))
    assert f"{path}: {where}" in _error(path)


def test_an_entry_without_kind_or_data_names_it(tmp_path: Path) -> None:
    def drop_kind(document: dict[str, Any]) -> None:
        del document["data"][3]["kind"]

    def drop_data(document: dict[str, Any]) -> None:
        document["data"][5]["data"] = None

    path = changed(tmp_path, drop_kind)
    assert f"{path}: $.data[3].kind: missing or not a string" in _error(path)
    path = changed(tmp_path, drop_data)
    assert f"{path}: $.data[5].data: expected the" in _error(path)


def test_a_bad_value_names_its_json_path_in_the_file(tmp_path: Path) -> None:
    at: dict[str, int] = {}

    def bad_app_id(document: dict[str, Any]) -> None:
        at["app"] = index_of(document, "AZApp")
        document["data"][at["app"]]["data"]["appId"] = "not-a-guid"

    path = changed(tmp_path, bad_app_id)
    assert f"{path}: $.data[{at['app']}].data.appId: expected a GUID" in _error(path)

    def bad_key_id(document: dict[str, Any]) -> None:
        at["sp"] = index_of(document, "AZServicePrincipal", lambda d: d["passwordCredentials"])
        document["data"][at["sp"]]["data"]["passwordCredentials"][0]["keyId"] = 12

    path = changed(tmp_path, bad_key_id)
    message = _error(path)
    assert f"{path}: $.data[{at['sp']}].data.passwordCredentials[0].keyId" in message

    def bad_principal(document: dict[str, Any]) -> None:
        at["rbac"] = index_of(document, "AZSubscriptionRoleAssignment")
        entry = document["data"][at["rbac"]]["data"]
        entry["roleAssignments"][0]["assignee"]["properties"]["principalId"] = "someone"

    path = changed(tmp_path, bad_principal)
    assert (
        f"{path}: $.data[{at['rbac']}].data.roleAssignments[0].assignee.properties.principalId: "
        "expected a GUID"
    ) in _error(path)

    def bad_owner(document: dict[str, Any]) -> None:
        at["owner"] = index_of(document, "AZAppOwner", lambda d: d["owners"])
        document["data"][at["owner"]]["data"]["owners"][0] = {"id": "x"}

    path = changed(tmp_path, bad_owner)
    assert f"{path}: $.data[{at['owner']}].data.owners[0].owner: expected an object" in _error(path)


def test_the_collected_tenant_must_be_known(tmp_path: Path) -> None:
    def no_tenant(document: dict[str, Any]) -> None:
        document["data"] = [e for e in document["data"] if e["kind"] != "AZTenant"]

    path = changed(tmp_path, no_tenant)
    assert f"{path}: $.data: no AZTenant entry" in _error(path)

    def two_collected(document: dict[str, Any]) -> None:
        for entry in document["data"]:
            if entry["kind"] == "AZTenant":
                entry["data"]["collected"] = True

    path = changed(tmp_path, two_collected)
    assert "2 AZTenant entries, none or several marked collected" in _error(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    assert f"{tmp_path / 'nope.json'}: no such file" in _error(tmp_path / "nope.json")

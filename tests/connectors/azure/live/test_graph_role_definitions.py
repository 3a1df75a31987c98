"""Live: the tenant's directory role definitions (Graph ``GET /roleManagement/directory/
roleDefinitions``, paged) become ``entra-role-definition`` policies; a refusal is a gap naming
RoleManagement.Read.Directory and no definition is recorded (custom roles unknown, never
"none")."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from nhiscan.connectors.azure import errors
from nhiscan.connectors.azure.records import role_definition_id
from nhiscan.scanner.model import CollectionGap, GapReason, Policy, PolicyKind

from ..export import TENANT
from .conftest import FakeGraph, collect

ROTATOR = "5e7a1c2b-9d3f-4e8a-b6c4-2f1d0e9c8b7a"
PATH = "/v1.0/roleManagement/directory/roleDefinitions"


def definitions(records: list[object]) -> dict[str, Policy]:
    return {
        r.id: r
        for r in records
        if isinstance(r, Policy) and r.kind is PolicyKind.ENTRA_ROLE_DEFINITION
    }


def test_every_page_of_the_role_definitions_is_recorded(graph: FakeGraph) -> None:
    records, _ = collect()
    found = definitions(records)
    assert len(found) == 5  # three pages (the fake pages by 2)
    rotator = found[role_definition_id(ROTATOR)]
    assert rotator.name == "custom directory role Contoso App Credential Rotator"
    assert rotator.document["isBuiltIn"] is False
    assert rotator.document["rolePermissions"][0]["allowedResourceActions"][0] == (
        "microsoft.directory/applications/credentials/update"
    )
    asked = [urlsplit(str(r.url)) for r in graph.requests if r.url.path == PATH]
    assert [parse_qs(u.query).get("$skiptoken") for u in asked] == [None, ["2"], ["4"]]


def test_a_refused_role_definition_list_is_a_gap_and_no_definition(graph: FakeGraph) -> None:
    graph.fail(PATH, 403, "error-denied.json")
    records, _ = collect()
    assert definitions(records) == {}
    (gap,) = [
        g
        for g in records
        if isinstance(g, CollectionGap) and g.operation == errors.ROLE_DEFINITIONS
    ]
    assert (gap.reason, gap.scope) == (GapReason.ACCESS_DENIED, TENANT)
    assert "RoleManagement.Read.Directory" in gap.detail

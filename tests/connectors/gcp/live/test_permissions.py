"""The permissions the live connector needs: every call of a recorded walk, refused in turn,
is a gap whose operation ``permissions.OPERATION_PERMISSIONS`` names; each permission is held
by one of the roles the README documents, in the bundled predefined-role dataset; the README
lists them all."""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer

from nhiscan.connectors.gcp.permissions import (
    IMPERSONATION,
    OPERATION_PERMISSIONS,
    REQUIRED_PERMISSIONS,
    ROLES,
)
from nhiscan.providers.gcp.catalog import default_catalog
from nhiscan.scanner.model import CollectionGap, GapReason

from .conftest import Api, body, error, estate
from .test_asset_path import _served as served_assets
from .test_walk import walk

README = Path(__file__).resolve().parents[4] / "README.md"


def _estate(httpserver: HTTPServer, scope: dict[str, object], assets: bool) -> Api:
    api = estate(Api(httpserver))
    if scope:
        api.ok("GET", "/v3/projects", "rm/projects-of-organization")
        api.on("GET", "/v3/folders", (200, body("rm/folders-of-organization")), (200, {}))
    return served_assets(api) if assets else api


def _refused_operations(
    httpserver: HTTPServer, *, assets: bool = False, **scope: object
) -> set[str]:
    """Walk the recorded estate once per call it makes, that call refused: the operations
    of the gaps (each must be the refused call's, none may be missing). With ``assets``,
    Cloud Asset answers for the organization (else it is refused: the scope is walked)."""
    httpserver.clear()
    if not assets:
        scope = {**scope, "use_assets": False} if scope else scope
    base = _estate(httpserver, scope, assets)
    walk(base, **scope)
    calls = {(s.method, s.path, s.args.get("pageToken")) for s in base.seen}
    found: set[str] = set()
    for method, path, page in sorted(calls, key=str):
        httpserver.clear()
        api = _estate(httpserver, scope, assets)
        api.on(method, path, (403, error("permission-denied-plain")), page=page)
        gaps = [g for g in walk(api, **scope) if isinstance(g, CollectionGap)]
        refused = [g for g in gaps if g.reason is GapReason.ACCESS_DENIED]
        assert refused, (method, path)
        found.update(g.operation for g in refused)
    return found


def test_every_operation_of_a_walk_is_in_the_table(httpserver: HTTPServer) -> None:
    seen = _refused_operations(httpserver)
    seen |= _refused_operations(httpserver, projects=(), organization="93422")
    seen |= _refused_operations(httpserver, assets=True, projects=(), organization="93422")
    assert seen <= set(OPERATION_PERMISSIONS), seen - set(OPERATION_PERMISSIONS)
    assert set(OPERATION_PERMISSIONS) <= seen, set(OPERATION_PERMISSIONS) - seen  # none stale


def test_the_documented_roles_hold_every_permission() -> None:
    roles = default_catalog().roles()
    for permission in REQUIRED_PERMISSIONS:
        holders = [role for role in ROLES if permission in roles[role]]
        assert holders, f"{permission} is in none of {sorted(ROLES)}"
    permission, role = IMPERSONATION
    assert permission in roles[role]
    # read-only: each documented role's permissions read, list, query or get only
    verbs = {p.rsplit(".", 1)[-1] for r in ROLES for p in roles[r] if p in REQUIRED_PERMISSIONS}
    assert verbs <= {"get", "list", "getIamPolicy", "query", "listResource",
                     "searchAllIamPolicies"}  # fmt: skip


def test_the_readme_names_every_role_and_permission() -> None:
    text = README.read_text()
    for name in [*ROLES, *REQUIRED_PERMISSIONS, *IMPERSONATION]:
        assert f"`{name}`" in text, name

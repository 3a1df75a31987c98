"""The live path and the offline reader give the same records for the same tenant: the export
fixture's objects served as Graph pages map to what ``--azure-export`` gives for the Graph
parts (identities, credentials, owners, app roles, federated credentials, directory roles)."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from nhiscan.scanner.model import Account, CollectionGap, Credential, Identity, Policy, Resource

from ..export import EXPORT, NOW, PAY_CLIENT, PROD
from .conftest import FakeArm, FakeGraph, collect


def _offline() -> list[Any]:
    from nhiscan.connectors.azure.offline.reader import AzureExportConnector
    from nhiscan.connectors.base import CollectContext

    return list(AzureExportConnector([EXPORT]).collect(CollectContext(now=NOW)))


def _graph_part(records: list[Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Identities, credentials, Entra policies and the resources Entra objects name."""
    found = {}
    for r in records:
        if isinstance(r, Policy) and not r.kind.startswith("entra-"):
            continue  # Azure RBAC: the ARM half
        if isinstance(r, Resource) and not (
            r.kind == "entra-application"
            or (r.id.startswith("/subscriptions/") and "/providers/" in r.id)
        ):
            continue
        if isinstance(r, Identity):  # its Azure role assignments come from the ARM half
            r = replace(r, policies=tuple(p for p in r.policies if not p.startswith("/")))
        if isinstance(r, Identity | Credential | Policy | Resource):
            found[(type(r).__name__, r.id)] = asdict(r)
    return found


def test_live_and_offline_give_the_same_records(graph: FakeGraph, arm: FakeArm) -> None:
    graph.fixed["/beta/reports/servicePrincipalSignInActivities"] = []  # no export has them
    graph.fixed["/beta/reports/appCredentialSignInActivities"] = []
    for kind in ("Microsoft.ManagedIdentity/userAssignedIdentities", "Microsoft.Web/sites",
                 "Microsoft.Compute/virtualMachines"):  # fmt: skip
        # what only ARM answers (test_arm_same_records.py compares it)
        arm.fixed[f"/subscriptions/{PROD}/providers/{kind}".lower()] = (200, {}, {"value": []})
    live, _ = collect()
    offline = _offline()
    ours, theirs = _graph_part(live), _graph_part(offline)
    assert len(ours) > 20  # identities, credentials, policies and resources all arrived
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert ours[key] == theirs[key], key
    # pages of two: every list needed its nextLink
    assert any("$skiptoken=2" in str(r.url) for r in graph.requests)
    tenant = [r for r in live if isinstance(r, Account)]
    # the tenant and, from the ARM half, its subscriptions
    assert [a.id for a in tenant] == [a.id for a in offline if isinstance(a, Account)]
    gaps = [g for g in live if isinstance(g, CollectionGap)]
    # only the ARM half's: a role assignment names a custom role no list holds (offline too)
    assert [g.operation for g in gaps] == ["arm:role-definitions"]


def test_sign_in_reports_give_last_used(graph: FakeGraph) -> None:
    records, _ = collect()
    sp = next(r for r in records if isinstance(r, Identity) and r.native_id == PAY_CLIENT)
    assert sp.last_used is not None and sp.last_used.isoformat() == "2026-11-20T08:15:00+00:00"
    used = {c.id: c.last_used for c in records if isinstance(c, Credential)}
    assert used["d1000000-0000-4000-8000-0000000000a2"] is not None
    assert used["d1000000-0000-4000-8000-0000000000a2"].isoformat() == "2026-11-19T22:00:00+00:00"
    assert used["d1000000-0000-4000-8000-0000000000e1"] is None  # not in the report: not seen
    others = [r for r in records if isinstance(r, Identity) and r.native_id != PAY_CLIENT]
    assert others and all(r.last_used is None for r in others)


def test_origin_must_match_where_the_credential_is_held(graph: FakeGraph) -> None:
    entry = dict(graph.fixed["/beta/reports/appCredentialSignInActivities"][0])
    entry["credentialOrigin"] = "servicePrincipal"  # the SP's own key of that id: not the app's
    graph.fixed["/beta/reports/appCredentialSignInActivities"] = [entry]
    records, _ = collect()
    used = {c.id: c.last_used for c in records if isinstance(c, Credential)}
    assert used["d1000000-0000-4000-8000-0000000000a2"] is None

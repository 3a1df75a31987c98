"""Parity: the live scan (Graph answered by respx, ARM by responses, both with the tenant of
``tests/data/azure/export/``) and ``--azure-export`` of that folder give the same records —
apart from what differs by design, each listed here:

- gaps: the export's ``not-in-export`` gaps (sign-ins, group members, deny assignments,
  identities' compute and federated credentials) are not live gaps; the role assignment naming
  a custom role no list holds is ``azure-export:role-definitions`` offline,
  ``arm:role-definitions`` live;
- role assignments' documents: the az CLI adds ``principalName`` (and ``roleDefinitionName``
  even when null); ARM sends neither, the live scan adds the name of a role ARM listed;
- what only ARM answers: the deny assignment, the user-assigned identity's federated
  credentials (and that identity's ``trust_policy``), and the compute carrying identities (the
  VM runs as its system-assigned identity *and* the user-assigned one; the web app as the
  user-assigned one).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from nhiscan.connectors.azure import records as to
from nhiscan.scanner.model import CollectionGap, Identity, Policy, Resource

from ..export import EXPORT, NOW, PROD, SP_UAMI, SP_VM
from .conftest import FakeArm, FakeGraph, collect

UAMI = f"/subscriptions/{PROD}/resourcegroups/rg-deploy/providers/microsoft.managedidentity/userassignedidentities/deploy-identity"  # noqa: E501
VM = f"/subscriptions/{PROD}/resourcegroups/rg-batch/providers/microsoft.compute/virtualmachines/vm-batch"  # noqa: E501
WEB = f"/subscriptions/{PROD}/resourcegroups/rg-payments/providers/microsoft.web/sites/payments-web"
DENY = f"/subscriptions/{PROD}/providers/microsoft.authorization/denyassignments/0d000000-0000-4000-8000-000000000001"  # noqa: E501
ONLY_LIVE = {("Policy", DENY), ("Policy", to.federated_id(UAMI)), ("Resource", WEB)}
CHANGED = {("Identity", SP_UAMI), ("Resource", VM)}


def _offline() -> list[Any]:
    from nhiscan.connectors.azure.offline.reader import AzureExportConnector
    from nhiscan.connectors.base import CollectContext

    return list(AzureExportConnector([EXPORT]).collect(CollectContext(now=NOW)))


def _by_key(records: list[Any]) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for r in records:
        if isinstance(r, CollectionGap):
            continue
        body = asdict(r)
        if isinstance(r, Policy) and r.kind == "azure-role-assignment":
            doc = {k: v for k, v in r.document.items() if k != "principalName"}
            if doc.get("roleDefinitionName") is None:
                doc.pop("roleDefinitionName", None)
            body["document"] = doc
        found[(type(r).__name__, r.id)] = body
    return found


def test_live_and_offline_give_the_same_records(graph: FakeGraph, arm: FakeArm) -> None:
    graph.fixed["/beta/reports/servicePrincipalSignInActivities"] = []  # no export has them
    graph.fixed["/beta/reports/appCredentialSignInActivities"] = []
    live, _ = collect()
    offline = _offline()
    ours, theirs = _by_key(live), _by_key(offline)
    assert len(theirs) > 40
    assert ours.keys() - theirs.keys() == ONLY_LIVE
    assert theirs.keys() - ours.keys() == set()
    for key in theirs.keys() - CHANGED:
        assert ours[key] == theirs[key], key
    # what ARM adds to the two records the export also has
    vm = next(r for r in live if isinstance(r, Resource) and r.id == VM)
    assert (vm.runs_as, vm.also_runs_as) == (SP_VM, (SP_UAMI,))
    assert {**ours[("Resource", VM)], "also_runs_as": ()} == theirs[("Resource", VM)]
    uami = next(r for r in live if isinstance(r, Identity) and r.id == SP_UAMI)
    assert uami.trust_policy == to.federated_id(UAMI)
    assert {**ours[("Identity", SP_UAMI)], "trust_policy": None} == theirs[("Identity", SP_UAMI)]
    # every Graph and ARM list needed its nextLink (pages of two)
    assert any("$skiptoken=2" in str(r.url) for r in graph.requests)
    assert any("skiptoken=2" in str(r.url) for r in arm.requests)
    live_gaps = sorted((g.operation, g.subject) for g in live if isinstance(g, CollectionGap))
    offline_gaps = {(g.operation, g.subject) for g in offline if isinstance(g, CollectionGap)}
    assert [op for op, _ in live_gaps] == ["arm:role-definitions"]
    assert ("azure-export:role-definitions", live_gaps[0][1]) in offline_gaps

"""``AzureAnalysis`` in the reach graph: an Application Administrator's path to a privileged
service principal reaches admin; elevate access joins the directory's sink to ARM's root; the
compute a managed identity runs on; what an identity holds; and the export fixture through
``app.pipeline.analyze``."""

from __future__ import annotations

from nhiscan.app.config import Settings
from nhiscan.app.pipeline import analyze, reach_graph
from nhiscan.providers.azure.provider import PROVIDER
from nhiscan.scanner.graph.model import EdgeKind, admin_node
from nhiscan.scanner.model import GapReason, ResourceKind
from tests import factories as f
from tests.connectors.azure.export import NOW, SP_PARTNER, SP_PAY, SP_UAMI, SP_VM, read
from tests.providers.azure import factories as az

BOT = az.sp("bot", 1)
PRIVILEGED = az.sp("privileged", 2)
APP = az.app_of(PRIVILEGED)


def test_an_application_administrator_reaches_admin_through_a_privileged_service_principal() -> (
    None
):
    estate = az.estate(
        BOT,
        PRIVILEGED,
        APP,
        az.directory_roles(BOT, (az.APP_ADMIN, "/")),
        az.assignment(PRIVILEGED, az.OWNER, az.ROOT_MG),
    )
    graph = reach_graph(estate)
    path = graph.admin_path(BOT.id)
    assert path is not None
    assert [(h.edge, h.target) for h in path] == [
        (EdgeKind.ESCALATES_TO, PRIVILEGED.id),
        (EdgeKind.IS_ADMIN, admin_node(az.ROOT_MG)),
    ]
    assert path[0].method == "add-application-credential"
    # the same principal scoped to an administrative unit reaches nothing
    au = "/administrativeUnits/7a000000-0000-4000-8000-0000000000a1"
    fenced = az.estate(
        BOT,
        PRIVILEGED,
        APP,
        az.directory_roles(BOT, (az.APP_ADMIN, au)),
        az.assignment(PRIVILEGED, az.OWNER, az.ROOT_MG),
    )
    assert reach_graph(fenced).admin_path(BOT.id) is None


def test_directory_admin_elevates_to_the_root_management_group_not_by_inheritance() -> None:
    graph = reach_graph(az.estate(BOT, az.directory_roles(BOT, (az.GLOBAL_ADMIN, "/"))))
    hops = {(h.source, h.target, h.method) for h in graph.edges(EdgeKind.IS_ADMIN)}
    assert (BOT.id, admin_node(az.TENANT), None) in hops
    assert (admin_node(az.TENANT), admin_node(az.ROOT_MG), "elevateAccess") in hops
    assert (admin_node(az.ROOT_MG), admin_node(az.PROD), "inherits") in hops
    assert not [h for h in hops if h[0] == admin_node(az.TENANT) and h[2] == "inherits"]


def test_compute_runs_as_every_identity_it_carries() -> None:
    first, second = az.mi("one", 5), az.mi("two", 6)
    vm = az.compute(az.VM, ResourceKind.AZURE_VM, first, second)
    analysis = az.analysis(first, second, vm)
    assert analysis.runs_as(vm) == (first.id, second.id)


def test_held_names_roles_directory_roles_and_graph_permissions() -> None:
    analysis = az.analysis(
        BOT,
        az.graph_sp(),
        az.assignment(BOT, az.READER, az.PROD),
        az.directory_roles(BOT, (az.APP_ADMIN, "/")),
        az.app_roles(BOT, "Application.ReadWrite.All"),
    )
    assert analysis.held(BOT) == {
        f"Reader@{az.PROD}",
        f"directory:{az.APP_ADMIN}@/",
        "graph:Application.ReadWrite.All",
    }
    assert analysis.gap_support(BOT) is None  # a service principal: its gaps are analysed


def test_the_export_is_analysed_end_to_end() -> None:
    snapshot = f.snapshot(*read())
    report = analyze(snapshot, settings=Settings(), now=NOW)
    assert not [g for g in report.gaps if g.reason is GapReason.NO_PROVIDER]
    found = {(x.rule_id, x.subject) for x in report.findings if x.provider == "azure"}
    assert ("NHI100", SP_PARTNER) in found  # User Access Administrator at Platform
    assert ("NHI100", SP_UAMI) in found  # Owner of the prod subscription
    assert ("NHI103", SP_PAY) in found  # Application Administrator: add a secret
    assert ("NHI106", SP_UAMI) in found  # run command on the VM carrying vm-batch
    graph = report.reach_graph()
    run = [h for h in graph.edges(EdgeKind.ESCALATES_TO) if h.method == "vm-run-command"]
    assert [(h.source, h.target) for h in run] == [(SP_UAMI, SP_VM)]
    # the vendor's service principal (another tenant) is only a potential target
    potential = {(e.method, e.target) for e in graph.potential}
    assert ("add-service-principal-credential", "b4000000-0000-4000-8000-000000000004") in (
        potential
    )


def test_the_provider_checks_the_exports_records() -> None:
    snapshot = f.snapshot(*read())
    assert list(PROVIDER.check(snapshot)) == []

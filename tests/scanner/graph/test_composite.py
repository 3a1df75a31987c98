"""Several providers in one estate: the composite authorizer and graph source answer each record
with its own provider's analysis, and the graph is built from all of them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pytest

from nhiscan.app.pipeline import analyze, provider_set, reach_graph
from nhiscan.scanner.authz import CompositeAuthorizer, Decision, Evaluation, StatementRef
from nhiscan.scanner.escalation import Escalation, Family, Step
from nhiscan.scanner.federation import FederatedTrust, Registration
from nhiscan.scanner.graph import EdgeKind, Hop, ReachGraph, admin_node, build_graph, export
from nhiscan.scanner.graph.model import INHERITS, NodeKind
from nhiscan.scanner.graph.sources import AccessRequest, CompositeSource, Scope
from nhiscan.scanner.model import IdentityKind, Provider, Record, Resource, ResourceKind
from tests import factories as f

PROJECT = "toy-project"
SA = f"robot@{PROJECT}.example"
VAULT = f"projects/{PROJECT}/secrets/db"
VM = f"projects/{PROJECT}/instances/vm"
READ = "secrets.versions.access"
REF = StatementRef(policy_id=f"projects/{PROJECT}#binding", index=0)
ALLOW = Evaluation(decision=Decision.ALLOW, allowed_by=(REF,))


@dataclass
class ToyAuthorizer:
    """Admits its one principal to READ on anything and to nothing else, and makes it admin of
    ``scope`` (its project by default); records the asks."""

    asked: list[tuple[str, str, str]] = field(default_factory=list)
    scope: str | None = None  # None: the service account's project

    def admin_of(self, principal: str) -> Iterable[tuple[str, Evaluation]]:
        return [(self.scope or PROJECT, self.is_admin(principal))]

    def principals(self) -> Iterable[str]:
        return [SA]

    def evaluate(
        self,
        principal: str,
        action: str,
        resource: str,
        context: Mapping[str, str | Sequence[str] | None] | None = None,
    ) -> Evaluation:
        self.asked.append((principal, action, resource))
        if principal == SA and action == READ:
            return ALLOW
        return Evaluation(decision=Decision.IMPLICIT_DENY)

    def is_admin(self, principal: str) -> Evaluation:
        self.asked.append((principal, "*", "*"))
        return ALLOW


@dataclass
class ScopedAuthorizer(ToyAuthorizer):
    """Its principal is admin of every scope in ``admin_scopes`` (a GCP owner of a project and
    of a folder)."""

    admin_scopes: tuple[str, ...] = ()

    def admin_of(self, principal: str) -> Iterable[tuple[str, Evaluation]]:
        return [(scope, self.is_admin(principal)) for scope in self.admin_scopes]


class ToySource:
    """A second cloud's analysis: its service account may act as ``acts_as`` (an identity of
    another cloud: federation), its VM runs as the service account, its vault answers READ;
    ``tree``: its scopes, ``found``: its escalations."""

    def __init__(self, acts_as: str, authorizer: ToyAuthorizer | None = None) -> None:
        self._authorizer = authorizer if authorizer is not None else ToyAuthorizer()
        self.acts_as = acts_as
        self.tree: list[Scope] = []
        self.found: list[Escalation] = []
        self.trusts: list[FederatedTrust] = []
        self.asked_principals: list[list[str]] = []

    @property
    def authorizer(self) -> ToyAuthorizer:
        return self._authorizer

    def scopes(self) -> Iterable[Scope]:
        return self.tree

    @property
    def scope(self) -> str | None:
        return self._authorizer.scope

    @scope.setter
    def scope(self, value: str | None) -> None:
        self._authorizer.scope = value

    def admin_scope(self, principal: str) -> str | None:
        return self.scope

    def act_as_edges(self, principals: Sequence[str]) -> Iterator[Hop]:
        self.asked_principals.append(list(principals))
        for principal in principals:
            yield Hop(source=principal, target=self.acts_as, edge=EdgeKind.CAN_ASSUME,
                      method="federation")  # fmt: skip

    def runs_as(self, resource: Resource) -> tuple[str, ...]:
        return (SA,) if resource.id == VM else ()

    def access_requests(self, resource: Resource) -> Sequence[AccessRequest]:
        if resource.id != VAULT:
            return ()
        actions = frozenset({READ, "secrets.delete"})
        return (
            AccessRequest(
                resource=VAULT, actions=actions, granted_by_resource=None, service="secrets"
            ),
        )

    def could_grant(self, principal: str, service: str) -> frozenset[str] | None:
        return None

    def passes(self, escalation: Escalation) -> Iterator[Step]:
        return iter(())

    def escalations(self, principals: Sequence[str]) -> Iterator[Escalation]:
        return iter([e for e in self.found if e.principal in principals])

    def group_edges(self, groups: Iterable[str]) -> Iterator[Hop]:
        return iter(())

    def federated_trusts(self) -> Iterator[FederatedTrust]:
        return iter(self.trusts)

    def registrations(self) -> Iterator[Registration]:
        return iter(())


def toy_records() -> list[Record]:
    sa = f.identity(provider=Provider.GCP, id=SA, name="robot", account=PROJECT,
                    kind=IdentityKind.SERVICE_ACCOUNT)  # fmt: skip
    vault = f.resource("db", provider=Provider.GCP, id=VAULT, account=PROJECT,
                       kind=ResourceKind.SECRET, policy=None)  # fmt: skip
    vm = f.resource("vm", provider=Provider.GCP, id=VM, account=PROJECT,
                    kind=ResourceKind.EC2_INSTANCE, policy=None, runs_as=SA)  # fmt: skip
    return [sa, vault, vm]


def aws_records() -> list[Record]:
    admin = f.managed_policy("admin", f.allow("*"))
    app = f.user("app", policies=(admin.id,))
    bucket = f.resource("app-bucket")
    return [admin, app, bucket]


def all_hops(graph: ReachGraph) -> set[tuple[str, str, str, str | None]]:
    return {(h.source, h.target, h.edge.value, h.method) for h in export.hops(graph)}


def test_the_composite_authorizer_asks_the_principals_provider() -> None:
    aws_records_ = aws_records()
    e = f.estate(*aws_records_, *toy_records())
    aws = provider_set(e).analyses["aws"]
    toy = ToyAuthorizer()
    composite = CompositeAuthorizer(
        {"gcp": toy, "aws": aws.authorizer},
        lambda p: str(e.identities[p].provider) if p in e.identities else None,
    )
    app = f.user("app").id
    assert list(composite.principals()) == [app, SA]  # the union, providers by name
    assert composite.evaluate(SA, READ, VAULT) is ALLOW
    assert composite.evaluate(app, "s3:GetObject", "arn:aws:s3:::b/k").decision is Decision.ALLOW
    assert composite.is_admin(app).decision is Decision.ALLOW
    assert toy.asked == [(SA, READ, VAULT)]  # the AWS questions never reached the toy
    with pytest.raises(KeyError, match="no provider of this analysis"):
        composite.evaluate("someone-unknown", READ, VAULT)


def test_build_graph_with_a_second_source_adds_its_edges_and_keeps_the_first() -> None:
    aws_only = f.estate(*aws_records())
    alone = reach_graph(aws_only)
    e = f.estate(*aws_records(), *toy_records())
    app = f.user("app").id
    toy = ToySource(acts_as=app)
    source = CompositeSource(e, {"aws": provider_set(e).analyses["aws"], "gcp": toy})
    graph = build_graph(e, source)
    # AWS's hops are those of the AWS-only estate; the toy's come from its analysis.
    assert all_hops(alone) <= all_hops(graph)
    assert all_hops(graph) - all_hops(alone) == {
        (SA, app, "can_assume", "federation"),
        (SA, VAULT, "can_access", None),
        (SA, admin_node(PROJECT), "is_admin", None),
        (VM, SA, "runs_as", None),
    }
    [access] = [h for h in graph.edges(EdgeKind.CAN_ACCESS) if h.source == SA]
    assert access.actions == (READ,) and access.statements == (REF,)
    # Each source is asked about its own principals and resources only.
    assert toy.asked_principals == [[SA]]
    asked = {resource for _, action, resource in toy.authorizer.asked if action != "*"}
    assert asked == {VAULT}
    # The path crosses clouds: the toy's service account reaches AWS admin through federation.
    assert admin_node(f.ACCOUNT) in graph.reach(SA)


def test_admin_power_points_to_the_scope_its_provider_names() -> None:
    """A provider whose admin power applies above the record's account (a GCP folder, an
    Azure management group) names that scope; the sink follows it."""
    e = f.estate(*aws_records(), *toy_records())
    toy = ToySource(acts_as=f.user("app").id)
    toy.scope = "folders/7"
    graph = build_graph(e, CompositeSource(e, {"aws": provider_set(e).analyses["aws"], "gcp": toy}))
    assert {h.target for h in graph.edges(EdgeKind.IS_ADMIN) if h.source == SA} == {
        admin_node("folders/7")
    }


@pytest.fixture
def gcp_unregistered(monkeypatch: pytest.MonkeyPatch) -> None:
    """These records stand for a cloud nhiscan has no provider for (GCP before #14)."""
    from nhiscan import providers

    monkeypatch.delitem(providers.REGISTRY, "gcp")
    monkeypatch.delitem(providers._LOADED, "gcp", raising=False)


@pytest.mark.usefixtures("gcp_unregistered")
def test_a_snapshot_with_an_unregistered_cloud_is_analysed_without_error() -> None:
    records = [*aws_records(), *toy_records(), f.access_key(f.user("app"))]
    snap = f.snapshot(*records)
    report = analyze(snap, settings=f.settings(), now=f.NOW)
    found = provider_set(report.estate)
    assert sorted(found.providers) == ["aws"] and sorted(found.analyses) == ["aws"]
    graph = report.reach_graph()
    # The GCP records are nodes with no provider edges: nothing analyses them.
    assert not [h for h in graph.edges(EdgeKind.CAN_ACCESS) if SA in (h.source, h.target)]
    assert not [h for h in graph.edges(EdgeKind.RUNS_AS) if h.source == VM]
    assert VAULT in graph.graph and SA in graph.graph
    assert report.tool.catalog_date  # still named: the AWS catalogue
    assert report.blast is not None and report.blast[0].admin


@pytest.mark.usefixtures("gcp_unregistered")
def test_a_snapshot_of_an_unregistered_cloud_only_falls_back_to_the_default() -> None:
    snap = f.snapshot(*toy_records())
    report = analyze(snap, settings=f.settings(), now=f.NOW)
    assert report.tool.catalog_date
    assert report.reach_graph().graph.number_of_edges() == 0


FOLDER = "folders/7"
ORG = "organizations/1"
TREE = [
    Scope(id=FOLDER, kind="folder", parent=ORG, label="platform folder"),
    Scope(id=PROJECT, kind="project", parent=FOLDER, label=PROJECT),
]


def scoped_graph(toy: ToySource) -> ReachGraph:
    e = f.estate(*aws_records(), *toy_records())
    return build_graph(e, CompositeSource(e, {"aws": provider_set(e).analyses["aws"], "gcp": toy}))


def test_every_scope_gets_an_admin_sink_and_a_parents_admin_inherits_the_childs() -> None:
    toy = ToySource(acts_as=f.user("app").id)
    toy.tree = TREE
    toy.scope = FOLDER  # the service account is admin of the folder
    graph = scoped_graph(toy)
    for scope, label in ((ORG, ORG), (FOLDER, "platform folder"), (PROJECT, PROJECT)):
        assert graph.kind(admin_node(scope)) is NodeKind.ADMIN
        assert graph.label(admin_node(scope)) == f"admin of {label}"
    inherited = {(h.source, h.target) for h in graph.edges(EdgeKind.IS_ADMIN) if h.method}
    assert inherited == {
        (admin_node(ORG), admin_node(FOLDER)),
        (admin_node(ORG), admin_node(PROJECT)),
        (admin_node(FOLDER), admin_node(PROJECT)),
    }
    assert {h.method for h in graph.edges(EdgeKind.IS_ADMIN) if h.method} == {INHERITS}
    # The folder's admin reaches the project's sink (and the organization's admin both).
    assert admin_node(PROJECT) in graph.reach(admin_node(FOLDER))
    assert {admin_node(FOLDER), admin_node(PROJECT)} <= set(graph.reach(admin_node(ORG)))
    path = graph.admin_path(SA)
    assert path is not None and [h.target for h in path] == [admin_node(FOLDER)]


def test_the_aws_estate_gets_the_same_sinks_through_scopes() -> None:
    e = f.estate(*aws_records())
    graph = reach_graph(e)
    assert [n for n in graph.graph if graph.is_admin(n)] == [admin_node(f.ACCOUNT)]
    assert not [h for h in graph.edges(EdgeKind.IS_ADMIN) if h.method == INHERITS]


def test_an_escalation_with_a_scope_lands_on_that_scopes_sink() -> None:
    toy = ToySource(acts_as=f.user("app").id)
    toy.tree = TREE
    toy.found = [
        Escalation(principal=SA, method="owner-of-folder", family=Family.POLICY_MODIFICATION,
                   target="admin", scope=FOLDER),
        Escalation(principal=SA, method="owner-of-own", family=Family.POLICY_MODIFICATION,
                   target="admin"),
    ]  # fmt: skip
    graph = scoped_graph(toy)
    escalated = {(h.method, h.target) for h in graph.edges(EdgeKind.ESCALATES_TO)
                 if h.source == SA}  # fmt: skip
    assert escalated == {
        ("owner-of-folder", admin_node(FOLDER)),
        ("owner-of-own", admin_node(PROJECT)),  # no scope: the principal's own
    }


def test_admin_of_two_scopes_gives_two_is_admin_hops() -> None:
    toy = ToySource(acts_as=f.user("app").id,
                    authorizer=ScopedAuthorizer(admin_scopes=(PROJECT, FOLDER)))  # fmt: skip
    toy.tree = TREE
    graph = scoped_graph(toy)
    hops = [h for h in graph.edges(EdgeKind.IS_ADMIN) if h.source == SA]
    assert sorted(h.target for h in hops) == sorted([admin_node(PROJECT), admin_node(FOLDER)])
    assert all(h.statements == (REF,) and h.method is None for h in hops)


def test_the_composite_authorizer_dispatches_admin_of() -> None:
    e = f.estate(*aws_records(), *toy_records())
    aws = provider_set(e).analyses["aws"]
    toy = ScopedAuthorizer(admin_scopes=(PROJECT, FOLDER))
    composite = CompositeAuthorizer(
        {"gcp": toy, "aws": aws.authorizer},
        lambda p: str(e.identities[p].provider) if p in e.identities else None,
    )
    app = f.user("app").id
    assert list(composite.admin_of(SA)) == [(PROJECT, ALLOW), (FOLDER, ALLOW)]
    [(account, answer)] = composite.admin_of(app)
    assert account == f.ACCOUNT and answer == aws.authorizer.is_admin(app)
    assert toy.asked == [(SA, "*", "*"), (SA, "*", "*")]  # the AWS question never reached it
    with pytest.raises(KeyError, match="no provider of this analysis"):
        composite.admin_of("someone-unknown")

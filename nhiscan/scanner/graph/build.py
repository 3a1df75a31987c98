"""Build the reach graph from an estate and the providers' analyses of it. Pure: the snapshot
in, a graph out.

Every edge that grants is decided by the authorizer (the provider's exact policy evaluator), so
a Deny in a second policy, a limit above the principal or a condition that cannot hold removes
the edge. The edges only a provider knows (acting as another identity, compute running as one,
the requests a resource answers, handing an identity to a service) come from its analysis, the
``GraphSource``; where the estate is large, the provider narrows candidates first by what a
principal's policies could ever allow, and the authorizer still judges the rest. Who outside
the clouds may become an identity (a keyless trust, issue #20) is an ``external`` node per
issuer and way in, with a ``can_act_as`` hop into the identity, so reach, paths and blast
radius start outside too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx is imported where a graph is made: 0.07 s of any start-up
    import networkx as nx

from nhiscan.scanner.escalation import Escalation, Family
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import FederatedTrust
from nhiscan.scanner.federation_judge import judge, principal_of
from nhiscan.scanner.graph.access import AccessFinder
from nhiscan.scanner.graph.model import (
    INHERITS,
    EdgeKind,
    Hop,
    NodeKind,
    admin_node,
    granted_hop,
    hub_label,
    is_hub,
)
from nhiscan.scanner.graph.reach import ReachGraph
from nhiscan.scanner.graph.sources import GraphSource, Scope
from nhiscan.scanner.graph.workflows import add_workflow_nodes, workflow_hops
from nhiscan.scanner.leaks import credentials_by_fingerprint
from nhiscan.scanner.model import CredentialStatus


def build_graph(
    estate: Estate, source: GraphSource, trusts: Iterable[FederatedTrust] | None = None
) -> ReachGraph:
    """The graph of ``estate``, every decision asked of ``source`` (the providers' analyses of
    this estate: one authorizer, their edges, escalations and group edges; several providers
    are one ``CompositeSource``). ``trusts``: the keyless trusts that admit the scanned
    repositories' workflow steps (``graph/workflows.py``), by default the source's."""
    import networkx as nx

    authorizer = source.authorizer
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    _add_nodes(graph, estate)
    add_workflow_nodes(graph, estate)
    scopes = tuple(source.scopes())
    _add_scope_sinks(graph, scopes)
    principals = sorted(set(authorizer.principals()))
    resources = sorted(estate.resources.values(), key=lambda r: r.id)
    # The escalation search started first: a fan-out runner (scanner/fanout.py) may hand
    # its parts to another process, which works on them while this one makes the other hops.
    searching = iter(source.escalations(principals))
    first = tuple(islice(searching, 1))
    hops: list[Hop] = []
    hops += _credential_hops(estate)
    hops += _leak_hops(estate)
    hops += _membership_hops(estate)
    hops += _runs_as_hops(estate, source)
    hops += workflow_hops(estate, source.federated_trusts() if trusts is None else trusts)
    hops += _admin_hops(source, principals)
    hops += _inherited_admin_hops(scopes)
    hops += source.act_as_edges(principals)
    hops += AccessFinder(estate, source).hops(principals, resources)
    escalations = (*first, *searching)
    concrete = [e for e in escalations if not e.potential]
    _add_set_nodes(graph, concrete)
    hops += _escalation_hops(estate, source, concrete)
    hops += _set_hops(concrete)
    hops += _pass_role_hops(source, concrete)
    joined = (e.target for e in concrete if e.family is Family.GROUP_MEMBERSHIP)
    hops += source.group_edges(joined)
    hops += _external_hops(graph, source)
    for hop in hops:
        _add_hop(graph, hop)
    potential = tuple(e for e in escalations if e.potential)
    return ReachGraph(
        estate=estate,
        graph=graph,
        escalations=tuple(concrete),
        potential=potential,
        authorizer=authorizer,
    )


def _add_nodes(graph: nx.MultiDiGraph[str], estate: Estate) -> None:
    for identity in estate.identities.values():
        graph.add_node(identity.id, kind=NodeKind.IDENTITY.value, label=identity.name,
                       account=identity.account, type=identity.kind.value)  # fmt: skip
    for group in estate.groups.values():
        graph.add_node(group.id, kind=NodeKind.GROUP.value, label=group.name, account=group.account)
    for resource in estate.resources.values():
        graph.add_node(resource.id, kind=NodeKind.RESOURCE.value, label=resource.name,
                       account=resource.account, type=resource.kind.value)  # fmt: skip
    for credential in estate.snapshot.credentials:
        graph.add_node(credential.id, kind=NodeKind.CREDENTIAL.value, label=credential.id,
                       account=credential.account, type=credential.kind.value)  # fmt: skip
    for exposure in estate.snapshot.exposures:
        graph.add_node(exposure.id, kind=NodeKind.EXPOSURE.value,
                       label=f"{exposure.path}:{exposure.line}", account=None,
                       type=exposure.detector)  # fmt: skip
    for account in {i.account for i in estate.identities.values()}:
        graph.add_node(admin_node(account), kind=NodeKind.ADMIN.value,
                       label=f"admin of {account}", account=account)  # fmt: skip


def _add_scope_sinks(graph: nx.MultiDiGraph[str], scopes: Iterable[Scope]) -> None:
    """An admin sink for every scope the providers name, and for each scope's parent."""
    parents: list[str] = []
    for scope in scopes:
        graph.add_node(admin_node(scope.id), kind=NodeKind.ADMIN.value,
                       label=f"admin of {scope.label}", account=scope.id)  # fmt: skip
        if scope.parent is not None:
            parents.append(scope.parent)
    for parent in parents:
        if admin_node(parent) not in graph:
            graph.add_node(admin_node(parent), kind=NodeKind.ADMIN.value,
                           label=f"admin of {parent}", account=parent)  # fmt: skip


def _add_hop(graph: nx.MultiDiGraph[str], hop: Hop) -> None:
    for node in (hop.source, hop.target):
        if node in graph:
            continue
        if is_hub(node):
            graph.add_node(node, kind=NodeKind.HUB.value, label=hub_label(node), account=None)
        else:
            graph.add_node(node, kind=NodeKind.IDENTITY.value, label=node, account=None)
    key = hop.edge.value if hop.method is None else f"{hop.edge.value}:{hop.method}"
    graph.add_edge(hop.source, hop.target, key=key, hop=hop)


def _credential_hops(estate: Estate) -> Iterator[Hop]:
    for credential in estate.snapshot.credentials:
        if credential.status in (None, CredentialStatus.ACTIVE):
            yield Hop(
                source=credential.id, target=credential.identity, edge=EdgeKind.HAS_CREDENTIAL
            )


def _leak_hops(estate: Estate) -> Iterator[Hop]:
    """A secret found in code leads to the credential it unlocks (joined by fingerprint)."""
    index = credentials_by_fingerprint(estate.snapshot.credentials)
    for exposure in estate.snapshot.exposures:
        credential = index.get(exposure.fingerprint or "")
        if credential is not None:
            yield Hop(source=exposure.id, target=credential.id, edge=EdgeKind.LEAKS)


def _membership_hops(estate: Estate) -> Iterator[Hop]:
    for identity in estate.identities.values():
        for group in identity.member_of:
            yield Hop(source=identity.id, target=group, edge=EdgeKind.MEMBER_OF)


def _runs_as_hops(estate: Estate, source: GraphSource) -> Iterator[Hop]:
    for resource in estate.resources.values():
        for identity in source.runs_as(resource):
            yield Hop(source=resource.id, target=identity, edge=EdgeKind.RUNS_AS)


def _admin_hops(source: GraphSource, principals: list[str]) -> Iterator[Hop]:
    for principal in principals:
        for scope, result in source.authorizer.admin_of(principal):
            if result.decision.possible:
                yield granted_hop(principal, admin_node(scope), EdgeKind.IS_ADMIN, result)


def _inherited_admin_hops(scopes: Sequence[Scope]) -> Iterator[Hop]:
    """Admin of a scope is admin of every scope under it (a folder's, its projects'): one hop
    from each ancestor's sink (an admin sink ends a path, so a grandparent gets its own)."""
    parent_of = {scope.id: scope.parent for scope in scopes}
    for scope in scopes:
        ancestor, seen = scope.parent, {scope.id}
        while ancestor is not None and ancestor not in seen:
            seen.add(ancestor)
            yield Hop(source=admin_node(ancestor), target=admin_node(scope.id),
                      edge=EdgeKind.IS_ADMIN, method=INHERITS)  # fmt: skip
            ancestor = parent_of.get(ancestor)


def _scope(estate: Estate, source: GraphSource, principal: str) -> str:
    """The scope whose admin sink ``principal``'s admin power points to: its provider's
    answer, else the account (subscription, project) its record names."""
    return source.admin_scope(principal) or estate.identities[principal].account


def _add_set_nodes(graph: nx.MultiDiGraph[str], escalations: Iterable[Escalation]) -> None:
    """A hub for each target set an escalation leads to (scanner/escalation.py ``TargetSet``)."""
    for escalation in escalations:
        found = escalation.within
        if found is not None and found.id not in graph:
            graph.add_node(found.id, kind=NodeKind.HUB.value, label=found.label, account=None)


def _set_hops(escalations: Iterable[Escalation]) -> Iterator[Hop]:
    """Each target set's hub to each of its members, once however many escalations lead to
    it: a walk through the hub is one hop from the principal to the member (``through``), with
    the principal's statements and method, and conditional when the member is."""
    done: set[str] = set()
    for escalation in escalations:
        found = escalation.within
        if found is None or found.id in done:
            continue
        done.add(found.id)
        for member in found.members:
            yield Hop(source=found.id, target=member.target, edge=EdgeKind.ESCALATES_TO,
                      conditional=member.conditional)  # fmt: skip


def _escalation_hops(
    estate: Estate, source: GraphSource, escalations: Iterable[Escalation]
) -> Iterator[Hop]:
    for escalation in escalations:
        target = escalation.target
        if target == "admin":
            target = admin_node(escalation.scope or _scope(estate, source, escalation.principal))
        refs = tuple(
            dict.fromkeys(ref for step in escalation.steps for ref in step.evaluation.allowed_by)
        )
        yield Hop(
            source=escalation.principal,
            target=target,
            edge=EdgeKind.ESCALATES_TO,
            method=escalation.method,
            statements=refs,
            conditional=escalation.conditional,
        )


def _pass_role_hops(source: GraphSource, escalations: Iterable[Escalation]) -> Iterator[Hop]:
    """can_pass_role for the identities a principal can hand to a service that would run them:
    derived from the steps of the escalations found that the provider says pass an identity
    (every identity in an estate that a principal could pass but no service would accept is
    not a reach)."""
    seen: set[tuple[str, str]] = set()
    for escalation in escalations:
        for step in source.passes(escalation):
            if (escalation.principal, step.resource) in seen:
                continue
            seen.add((escalation.principal, step.resource))
            yield granted_hop(
                escalation.principal, step.resource, EdgeKind.CAN_PASS_ROLE, step.evaluation
            )


def _external_hops(graph: nx.MultiDiGraph[str], source: GraphSource) -> Iterator[Hop]:
    """An ``external`` node for each issuer and way in (the admission's tests of who, shared
    by every trust that admits the same tokens), labelled with what it admits in words, and a
    ``can_act_as`` hop into each identity it may become: conditional when conditions nhiscan
    could not read may refuse it."""
    for trust in sorted(source.federated_trusts(), key=lambda t: (t.target, t.source)):
        judgement = judge(trust)
        for admission, verdict in zip(trust.admissions, judgement.verdicts, strict=True):
            node = principal_of(trust, admission)
            if node not in graph:
                graph.add_node(node, kind=NodeKind.EXTERNAL.value, label=verdict.words,
                               account=None, type=trust.platform.value)  # fmt: skip
            yield Hop(
                source=node,
                target=trust.target,
                edge=EdgeKind.CAN_ACT_AS,
                statements=() if admission.statement is None else (admission.statement,),
                conditional=verdict.maybe,
            )

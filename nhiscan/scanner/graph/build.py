"""Build the reach graph from an estate and an authorizer. Pure: the snapshot in, a graph out.

Every edge that grants is decided by the authorizer (the exact policy evaluator), so a Deny in
a second policy, a boundary, an SCP or a condition that cannot hold removes the edge. Where the
estate is large, candidates are narrowed first by what a principal's policies could ever allow;
the narrowing only skips requests that could not be allowed, the authorizer still judges the
rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import networkx as nx

from nhiscan.providers.aws.privesc.prefilter import PolicyPrefilter, prefilter
from nhiscan.providers.aws.statements import account_of, statements
from nhiscan.scanner.authz import Authorizer, Decision, Evaluation
from nhiscan.scanner.escalation import Escalation, Family
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.facts import PermissionCatalog
from nhiscan.scanner.graph.access import AccessFinder
from nhiscan.scanner.graph.model import EdgeKind, Hop, NodeKind, admin_node
from nhiscan.scanner.graph.reach import ReachGraph
from nhiscan.scanner.graph.sources import GraphSource
from nhiscan.scanner.leaks import credentials_by_fingerprint
from nhiscan.scanner.model import CredentialStatus, IdentityKind, Resource, ResourceKind

ASSUME = "sts:AssumeRole"
ACCESS_KINDS = frozenset(
    {
        ResourceKind.S3_BUCKET,
        ResourceKind.KMS_KEY,
        ResourceKind.SECRET,
        ResourceKind.LAMBDA_FUNCTION,
    }
)


def build_graph(estate: Estate, source: GraphSource, catalog: PermissionCatalog) -> ReachGraph:
    """The graph of ``estate``, every decision asked of ``source`` (the provider's analysis of
    this estate: one authorizer, its escalations and group edges)."""
    authorizer = source.authorizer
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    _add_nodes(graph, estate)
    principals = sorted(set(authorizer.principals()))
    hops: list[Hop] = []
    hops += _credential_hops(estate)
    hops += _leak_hops(estate)
    hops += _membership_hops(estate)
    hops += _runs_as_hops(estate)
    hops += _admin_hops(estate, authorizer, principals)
    hops += _assume_hops(estate, authorizer, principals)
    hops += AccessFinder(estate, authorizer, catalog).hops(principals, _access_targets(estate))
    escalations = tuple(source.escalations(principals))
    concrete = [e for e in escalations if not e.potential]
    hops += _escalation_hops(estate, concrete)
    hops += _pass_role_hops(concrete)
    joined = (e.target for e in concrete if e.family is Family.GROUP_MEMBERSHIP)
    hops += source.group_edges(joined)
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


def _add_hop(graph: nx.MultiDiGraph[str], hop: Hop) -> None:
    for node in (hop.source, hop.target):
        if node not in graph:
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


def _runs_as_hops(estate: Estate) -> Iterator[Hop]:
    for resource in estate.resources.values():
        role = _role_of(estate, resource)
        if role is not None:
            yield Hop(source=resource.id, target=role, edge=EdgeKind.RUNS_AS)


def _role_of(estate: Estate, resource: Resource) -> str | None:
    """The role compute runs as: a function's role, an instance's profile's role."""
    if resource.runs_as is None:
        return None
    profile = estate.resources.get(resource.runs_as)
    if profile is not None and profile.kind is ResourceKind.INSTANCE_PROFILE:
        return profile.runs_as
    return resource.runs_as


def _admin_hops(estate: Estate, authorizer: Authorizer, principals: list[str]) -> Iterator[Hop]:
    for principal in principals:
        result = authorizer.is_admin(principal)
        if result.decision.possible:
            account = estate.identities[principal].account
            yield _hop(principal, admin_node(account), EdgeKind.IS_ADMIN, result)


def _hop(source: str, target: str, edge: EdgeKind, result: Evaluation, **extra: object) -> Hop:
    return Hop(
        source=source,
        target=target,
        edge=edge,
        statements=result.allowed_by,
        conditional=result.decision is Decision.CONDITIONAL,
        **extra,  # type: ignore[arg-type]
    )


def _assume_hops(estate: Estate, authorizer: Authorizer, principals: list[str]) -> Iterator[Hop]:
    could = prefilter(estate, authorizer)
    able = [p for p in principals if could(p, ASSUME)]
    # A trust naming an account admits only callers whose own policies allow sts:AssumeRole
    # (any trust policy in the snapshot makes `could` true for everyone: not enough here).
    delegated = PolicyPrefilter(estate).identity_could_allow
    by_account: dict[str, list[str]] = {}
    for principal in able:
        if delegated(principal, ASSUME):
            by_account.setdefault(estate.identities[principal].account, []).append(principal)
    known = set(principals)
    for role in sorted(estate.identities.values(), key=lambda i: i.id):
        if role.kind is not IdentityKind.IAM_ROLE:
            continue
        for caller in sorted(_trusted_callers(estate, role.trust_policy, known, able, by_account)):
            if caller == role.id:
                continue
            result = authorizer.evaluate(caller, ASSUME, role.id)
            if result.decision.possible:
                yield _hop(caller, role.id, EdgeKind.CAN_ASSUME, result)


def _trusted_callers(
    estate: Estate,
    trust_id: str | None,
    known: set[str],
    able: list[str],
    by_account: dict[str, list[str]],
) -> set[str]:
    """The principals of the estate a role's trust policy could admit. A trust naming an exact
    ARN admits it without any identity policy (same account); an account or "*" admits only
    callers whose own policies may allow sts:AssumeRole."""
    trust = estate.policy(trust_id)
    if trust is None:
        # Not collected (a gap says so): anyone who may call sts:AssumeRole might be admitted,
        # and the evaluator answers CONDITIONAL for them rather than nothing.
        return set(able)
    found: set[str] = set()
    for statement in statements(trust.document):
        if not statement.allows:
            continue
        if statement.not_principals is not None:
            found.update(able)
            continue
        for value in statement.principal_values("AWS"):
            found.update(_named(value.strip(), known, able, by_account))
    return found


def _named(
    value: str, known: set[str], able: list[str], by_account: dict[str, list[str]]
) -> Iterable[str]:
    if value == "*":
        return able
    if value in known:
        return (value,)
    account = account_of(value)
    if account is not None and (value == account or value.endswith(":root")):
        return by_account.get(account, ())
    return ()


def _access_targets(estate: Estate) -> list[Resource]:
    return sorted(
        (r for r in estate.resources.values() if r.kind in ACCESS_KINDS), key=lambda r: r.id
    )


def _escalation_hops(estate: Estate, escalations: Iterable[Escalation]) -> Iterator[Hop]:
    for escalation in escalations:
        target = escalation.target
        if target == "admin":
            target = admin_node(estate.identities[escalation.principal].account)
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


def _pass_role_hops(escalations: Iterable[Escalation]) -> Iterator[Hop]:
    """can_pass_role for the roles a principal can pass to a service that would run them:
    derived from the PassRole step of the escalations found (every role in an estate that a
    principal could pass but no service would accept is not a reach)."""
    seen: set[tuple[str, str]] = set()
    for escalation in escalations:
        for step in escalation.steps:
            if (
                step.action.lower() != "iam:passrole"
                or (escalation.principal, step.resource) in seen
            ):
                continue
            seen.add((escalation.principal, step.resource))
            yield _hop(escalation.principal, step.resource, EdgeKind.CAN_PASS_ROLE, step.evaluation)

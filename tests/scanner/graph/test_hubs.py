"""Hubs (issue #16 item 1): callers allowed sts:AssumeRole on any role and roles trusting the
whole account meet at one shared node instead of a hop per pair. What the graph answers must
equal the reference that expands every pair (``hub_reference``), and a path shown to people
never shows the hub as a hop of its own."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nhiscan.app.queries import subject_of
from nhiscan.queries.whocan import who_can
from nhiscan.scanner.graph import EdgeKind, NodeKind
from nhiscan.scanner.graph.model import is_hub
from nhiscan.scanner.model import Identity, Record
from tests import factories as f
from tests.scanner.graph.hub_reference import (
    ROOT,
    assumed,
    dense_records,
    hub_nodes,
    hubs,
    report,
    shown,
    snapshot_of,
    summary,
)

ANYWHERE = f.managed_policy("assume-anywhere", f.allow("sts:AssumeRole"))


def _small(*extra_users: Identity) -> list[Record]:
    callers = [f.user(f"caller-{n}", policies=(ANYWHERE.id,)) for n in range(3)]
    records: list[Record] = [ANYWHERE, *callers, *extra_users]
    for n in range(3):
        role = f.role(f"target-{n}")
        records += [role, f.trust_policy(role, f.document(f.assume_role_statement({"AWS": ROOT})))]
    return records


@pytest.mark.parametrize("seed", [7, 11])
def test_hubs_answer_as_the_reference_that_expands_every_pair(seed: int) -> None:
    snap = snapshot_of(dense_records(seed))
    reference = report(snap, min_pairs=None)
    hubbed = report(snap, min_pairs=1)
    assert reference.graph is not None and hubbed.graph is not None
    assert not hub_nodes(reference.graph)
    assert hub_nodes(hubbed.graph)  # the estate is dense enough to have one
    assert hubbed.graph.graph.number_of_edges() < reference.graph.graph.number_of_edges()
    assert summary(hubbed) == summary(reference)


@pytest.mark.parametrize("seed", [7, 11])
def test_every_path_shown_through_a_hub_is_a_pair_of_the_reference(seed: int) -> None:
    """Each hop shown exists in the reference graph with the same statements (the caller's
    grant and the role's trust) and the same certainty; no hub is ever a hop's end."""
    snap = snapshot_of(dense_records(seed))
    reference = report(snap, min_pairs=None).graph
    hubbed = report(snap, min_pairs=1).graph
    assert reference is not None and hubbed is not None
    pairs = {
        (d["hop"].source, d["hop"].target, d["hop"].edge): d["hop"]
        for _, _, d in reference.graph.edges(data=True)
    }
    collapsed = 0
    for principal in sorted(i for i in hubbed.estate.identities if i in hubbed.graph):
        for node, path in hubbed.reach(principal).items():
            assert not is_hub(node)
            for hop in path:
                assert not is_hub(hop.source) and not is_hub(hop.target)
                expected = pairs[(hop.source, hop.target, hop.edge)]
                assert hop.statements == expected.statements  # in the evaluator's order
                assert hop.conditional == expected.conditional
                collapsed += hop.edge is EdgeKind.CAN_ASSUME
    assert collapsed


def test_a_path_through_the_hub_names_the_grant_and_the_trust() -> None:
    records = _small()
    with hubs(1):
        graph = f.reach_graph(f.estate(*records))
    caller, role = f.arn(f.ACCOUNT, "user/caller-0"), f.arn(f.ACCOUNT, "role/target-1")
    [hub] = hub_nodes(graph)
    assert graph.kind(hub) is NodeKind.HUB
    assert "sts:AssumeRole" in graph.label(hub)
    assert graph.graph.number_of_edges(caller, role) == 0  # no pair hop: through the hub
    path = graph.path(caller, role)
    assert path is not None
    [hop] = path
    assert (hop.source, hop.target, hop.edge) == (caller, role, EdgeKind.CAN_ASSUME)
    assert {s.policy_id for s in hop.statements} == {ANYWHERE.id, f"{role}#trust"}
    assert [a.target for a in graph.assumes(caller)] == [
        f.arn(f.ACCOUNT, f"role/target-{n}") for n in range(3)
    ]


def test_who_can_shows_the_hub_collapsed() -> None:
    admin = f.managed_policy("everything", f.allow("*", "*"))
    records = _small()
    records[-2] = replace(records[-2], policies=(admin.id,))  # target-2 is an administrator
    records.append(admin)
    with hubs(1):
        subject = subject_of(f.snapshot(*records))
    graph = subject.graph
    assert hub_nodes(graph)
    result = who_can(graph, subject.authorizer, subject.ids, "s3:GetObject", "*", known=True)
    caller = f.arn(f.ACCOUNT, "user/caller-0")
    [chained] = [c for c in result.chained if c.principal == caller]
    assert not any(is_hub(h.source) or is_hub(h.target) for h in chained.path)
    assert chained.path[0].target == f.arn(f.ACCOUNT, "role/target-2")


def test_a_caller_with_a_boundary_does_not_join_the_hub() -> None:
    """A boundary allowing sts:AssumeRole only on target-0: the caller's answer differs from
    role to role, so it keeps its own exact hops (one, to target-0) and never the hub's."""
    boundary = f.managed_policy(
        "only-target-0", f.allow("sts:AssumeRole", f.arn(f.ACCOUNT, "role/target-0"))
    )
    bounded = f.user("bounded", policies=(ANYWHERE.id,), permissions_boundary=boundary.id)
    records = [*_small(bounded), boundary]
    with hubs(1):
        graph = f.reach_graph(f.estate(*records))
    [hub] = hub_nodes(graph)
    assert bounded.id not in set(graph.graph.predecessors(hub))
    assert f.arn(f.ACCOUNT, "user/caller-0") in set(graph.graph.predecessors(hub))
    assert [h.target for h in graph.hops_from(bounded.id)] == [f.arn(f.ACCOUNT, "role/target-0")]
    assert set(graph.reach(bounded.id)) == {f.arn(f.ACCOUNT, "role/target-0")}


def test_a_caller_reading_a_role_tag_in_a_condition_value_does_not_join_the_hub() -> None:
    """``${aws:ResourceTag/team}`` as a condition's value tells roles apart as surely as a
    condition on the tag's key: the caller reaches its own team's role, not the other's, and
    keeps its own exact hops rather than the hub's."""
    tagged = f.managed_policy(
        "own-team-roles",
        f.allow("sts:AssumeRole",
                Condition={"StringEquals": {"aws:PrincipalTag/team": "${aws:ResourceTag/team}"}}),
    )  # fmt: skip
    reader = f.user("reader", policies=(tagged.id,), tags={"team": "blue"})
    records: list[Record] = [*_small(reader), tagged]
    for name, team in (("blue-a", "blue"), ("red-a", "red")):
        role = f.role(name, tags={"team": team})
        records += [role, f.trust_policy(role, f.document(f.assume_role_statement({"AWS": ROOT})))]
    with hubs(1):
        graph = f.reach_graph(f.estate(*records))
    [hub] = hub_nodes(graph)
    assert reader.id not in set(graph.graph.predecessors(hub))
    assert set(graph.reach(reader.id)) == {f.arn(f.ACCOUNT, "role/blue-a")}


def test_a_conditional_trust_keeps_its_role_out_of_the_hub() -> None:
    records = _small()
    guarded = f.role("guarded")
    cond = {"StringEquals": {"aws:PrincipalTag/team": "ops"}}
    records += [guarded, f.trust_policy(guarded, f.document(
        f.assume_role_statement({"AWS": ROOT}, condition=cond)))]  # fmt: skip
    with hubs(1):
        graph = f.reach_graph(f.estate(*records))
    [hub] = hub_nodes(graph)
    assert guarded.id not in set(graph.graph.successors(hub))
    assert f.arn(f.ACCOUNT, "role/target-0") in set(graph.graph.successors(hub))


def test_small_estates_keep_their_pair_hops() -> None:
    """Below HUB_MIN_PAIRS a hub saves nothing worth a node: the graph is as before."""
    graph = f.reach_graph(f.estate(*_small()))
    assert not hub_nodes(graph)
    assert (
        graph.graph.number_of_edges(
            f.arn(f.ACCOUNT, "user/caller-0"), f.arn(f.ACCOUNT, "role/target-0")
        )
        == 1
    )


def test_the_reach_shown_is_the_same_with_and_without_hubs() -> None:
    snap = snapshot_of(dense_records(3))
    ref = report(snap, min_pairs=None).graph
    hub = report(snap, min_pairs=1).graph
    assert ref is not None and hub is not None
    start = f.arn(f.ACCOUNT, "user/user-0")
    assert set(shown(hub, start)) == set(shown(ref, start))


def _blocks_estate(*callers: Identity) -> list[Record]:
    """Nine roles trusting the account, sorted app-0..app-5, ops-0..ops-2: blocks of three
    are [app-0..2], [app-3..5], [ops-0..2]."""
    plain = [f.user(f"caller-{n}", policies=(ANYWHERE.id,)) for n in range(2)]
    records: list[Record] = [ANYWHERE, *plain, *callers]
    for name in [*(f"app-{n}" for n in range(6)), *(f"ops-{n}" for n in range(3))]:
        role = f.role(name)
        records += [role, f.trust_policy(role, f.document(f.assume_role_statement({"AWS": ROOT})))]
    return records


def test_a_caller_denied_some_roles_joins_the_blocks_without_them() -> None:
    """Allowed sts:AssumeRole on any role but denied app-4 and every ops- role: it joins the
    one block holding none of them, asks app-3 and app-5 (app-4's neighbours) on their own,
    and reaches exactly what the graph of every pair says."""
    fence = f.managed_policy(
        "fence",
        f.deny("sts:AssumeRole", f.arn(f.ACCOUNT, "role/app-4")),
        f.deny("sts:AssumeRole", f.arn(f.ACCOUNT, "role/ops-*")),
    )
    fenced = f.user("fenced", policies=(ANYWHERE.id, fence.id))
    records = [*_blocks_estate(fenced), fence]
    with hubs(1, block=3):
        graph = f.reach_graph(f.estate(*records))
    with hubs(None):
        reference = f.reach_graph(f.estate(*records))
    role = lambda name: f.arn(f.ACCOUNT, f"role/{name}")  # noqa: E731
    assert sorted(h.target for h in graph.hops_from(fenced.id)) == sorted(
        [role("app-3"), role("app-5"), f"hub:sts:AssumeRole:{f.ACCOUNT}/0"]
    )
    assert set(graph.reach(fenced.id)) == {
        role(n) for n in ("app-0", "app-1", "app-2", "app-3", "app-5")
    }
    assert assumed(graph) == assumed(reference)
    assert {n: len(p) for n, p in graph.reach(fenced.id).items()} == {
        n: len(p) for n, p in reference.reach(fenced.id).items()
    }
    [hop] = [h for h in graph.assumes(fenced.id) if h.target == role("app-0")]
    assert {s.policy_id for s in hop.statements} == {ANYWHERE.id, f"{role('app-0')}#trust"}


def test_a_caller_allowed_only_some_roles_asks_them_alone() -> None:
    """Allowed sts:AssumeRole only on ops- roles: its generic answer (the app- roles) is no,
    so it joins no block and has a hop to each ops- role."""
    ops = f.managed_policy("ops", f.allow("sts:AssumeRole", f.arn(f.ACCOUNT, "role/ops-*")))
    narrow = f.user("narrow", policies=(ops.id,))
    records = [*_blocks_estate(narrow), ops]
    with hubs(1, block=3):
        graph = f.reach_graph(f.estate(*records))
    with hubs(None):
        reference = f.reach_graph(f.estate(*records))
    assert not any(is_hub(h.target) for h in graph.hops_from(narrow.id))
    assert {h.target for h in graph.hops_from(narrow.id)} == {
        f.arn(f.ACCOUNT, f"role/ops-{n}") for n in range(3)
    }
    assert assumed(graph) == assumed(reference)
    caller = f.arn(f.ACCOUNT, "user/caller-0")
    assert [h.target for h in graph.hops_from(caller)] == [f"hub:sts:AssumeRole:{f.ACCOUNT}"]


def test_a_path_through_the_hub_lists_statements_as_the_evaluator_does() -> None:
    """A caller with a boundary that allows sts:AssumeRole on any role joins the hub; the hop
    shown names its grant, its boundary and the role's trust in the order the evaluator
    gives them for the pair (the caller's side, then the trust)."""
    boundary = f.managed_policy("assume-boundary", f.allow("sts:AssumeRole"))
    bounded = f.user("bounded", policies=(ANYWHERE.id,), permissions_boundary=boundary.id)
    records = [*_small(bounded), boundary]
    with hubs(1):
        graph = f.reach_graph(f.estate(*records))
    with hubs(None):
        reference = f.reach_graph(f.estate(*records))
    [hub] = hub_nodes(graph)
    assert bounded.id in set(graph.graph.predecessors(hub))
    role = f.arn(f.ACCOUNT, "role/target-1")
    shown, expected = graph.path(bounded.id, role), reference.path(bounded.id, role)
    assert shown is not None and expected is not None
    assert [s.policy_id for s in shown[0].statements] == [ANYWHERE.id, boundary.id, f"{role}#trust"]
    assert shown == expected

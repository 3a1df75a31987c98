"""Target sets of escalations (issue #16): a principal whose permission is the same for every
user of its account escalates once, to the set, and every reader still sees each target."""

from __future__ import annotations

from nhiscan.app import pipeline
from nhiscan.providers.aws.policy import EstateAuthorizer
from nhiscan.providers.aws.privesc import find_escalations, targets
from nhiscan.scanner.escalation import Escalation, expand
from nhiscan.scanner.graph.model import EdgeKind, is_hub
from nhiscan.scanner.model import Record
from tests import factories as f
from tests.scanner.graph.hub_reference import hubs

USERS = targets.SET_MIN_TARGETS or 64


def _estate(*extra: Record) -> tuple[list[Record], str]:
    keys = f.managed_policy("keys", f.allow("iam:CreateAccessKey"))
    dev = f.user("dev", policies=(keys.id,))
    users = [f.user(f"worker-{n:03d}") for n in range(USERS)]
    return [keys, dev, *users, *extra], dev.id


def test_a_grant_on_every_user_is_one_escalation_to_the_set() -> None:
    records, dev = _estate()
    estate = f.estate(*records)
    found = [e for e in find_escalations(estate, EstateAuthorizer(estate)) if e.principal == dev]
    [escalation] = [e for e in found if e.method == "iam:CreateAccessKey"]
    assert escalation.within is not None and escalation.target == escalation.within.id
    assert escalation.count == USERS  # every other user; dev is in the set, never its own target
    targets_of = sorted(e.target for e in expand([escalation]))
    assert targets_of == sorted(f.user(f"worker-{n:03d}").id for n in range(USERS))
    assert all(s.resource == t for e in expand([escalation]) for s in e.steps for t in [e.target])


def test_a_deny_naming_one_user_keeps_the_targets_apart() -> None:
    spared = f.user("worker-007").id
    records, dev = _estate()
    guard = f.managed_policy("guard", f.deny("iam:CreateAccessKey", spared))
    records = [r for r in records if getattr(r, "id", None) != dev]
    records += [guard, f.user("dev", policies=(f.managed_policy("keys").id, guard.id))]
    estate = f.estate(*records)
    found = [e for e in find_escalations(estate, EstateAuthorizer(estate)) if e.principal == dev]
    keys = [e for e in found if e.method == "iam:CreateAccessKey"]
    assert all(e.within is None for e in keys)
    assert spared not in {e.target for e in keys}
    assert len(keys) == USERS - 1


def test_the_graph_reaches_each_member_through_the_set_and_never_shows_it() -> None:
    records, dev = _estate()
    report = pipeline.analyze(f.snapshot(*records), settings=f.settings(), now=f.NOW)
    graph = report.graph
    assert graph is not None
    hubs = [n for n in graph.graph if is_hub(n)]
    assert len(hubs) == 1
    reached = graph.reach(dev)
    member = f.user("worker-042").id
    [hop] = reached[member]
    assert (hop.source, hop.target, hop.edge, hop.method) == (
        dev, member, EdgeKind.ESCALATES_TO, "iam:CreateAccessKey",
    )  # fmt: skip
    assert [r.policy_id for r in hop.statements] == [f.managed_policy("keys").id]
    assert not any(is_hub(node) for node in reached)
    finding = next(x for x in report.findings if x.rule_id == "NHI103" and x.subject == dev)
    assert finding.evidence["targets"] == USERS
    assert finding.evidence["target"] == f.user("worker-000").id
    assert report.graph is not None


def _bounded_estate() -> tuple[list[Record], list[str], str]:
    """Three principals allowed to rewrite any role's trust and put a policy in any role, and
    roles with a permissions boundary (so each change gains that role, not admin); one of them
    is named in the trust of one bounded role, so it assumes that role instead."""
    change = f.managed_policy(
        "change", f.allow(["iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy"])
    )
    boundary = f.managed_policy("boundary", f.allow("s3:GetObject"))
    ops = [f.user(f"ops-{n}", policies=(change.id,)) for n in range(3)]
    bounded = [
        f.role(f"bounded-{n:03d}", permissions_boundary=boundary.id) for n in range(USERS + 1)
    ]
    trusts = [f.trust_policy(r) for r in bounded[1:]]
    named = f.trust_policy(bounded[0], f.document(f.assume_role_statement({"AWS": ops[2].id})))
    records: list[Record] = [change, boundary, *ops, *bounded, *trusts, named]
    return records, [u.id for u in ops], bounded[0].id


def _changes(records: list[Record], principals: list[str]) -> list[list[Escalation]]:
    estate = f.estate(*records)
    found = list(find_escalations(estate, EstateAuthorizer(estate)))
    return [
        [e for e in found if e.principal == p and e.method == "iam:PutRolePolicy/other-role"]
        for p in principals
    ]


def _pairs(found: list[Escalation]) -> list[tuple[str, bool, str]]:
    return sorted((e.target, e.conditional, repr(e.steps)) for e in expand(found))


def test_changes_to_roles_with_a_boundary_reached_by_rewriting_trusts_share_one_set() -> None:
    records, ops, named_role = _bounded_estate()
    first, second, named = _changes(records, ops)
    [one], [other] = first, second
    assert one.within is not None and ":bounded:" in one.within.id
    assert one.within is other.within  # one hub however many principals lead to it
    assert one.count == USERS + 1
    assert [s.action for s in one.steps] == ["iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy"]
    # The principal named in a trust assumes that role: it is its own escalation, the rest a
    # set of their own.
    alone = [e for e in named if e.within is None]
    [shared] = [e for e in named if e.within is not None]
    assert [e.target for e in alone] == [named_role]
    assert [s.action for s in alone[0].steps] == ["sts:AssumeRole", "iam:PutRolePolicy"]
    assert shared.within is not one.within and shared.count == USERS
    with hubs(min_pairs=None, min_targets=None):
        reference = _changes(records, ops)
    for found, expected in zip((first, second, named), reference, strict=True):
        assert all(e.within is None for e in expected)
        assert _pairs(found) == _pairs(expected)

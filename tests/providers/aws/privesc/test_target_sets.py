"""Target sets of escalations (issue #16): a principal whose permission is the same for every
user of its account escalates once, to the set, and every reader still sees each target."""

from __future__ import annotations

from nhiscan.app import pipeline
from nhiscan.providers.aws.policy import EstateAuthorizer
from nhiscan.providers.aws.privesc import find_escalations, targets
from nhiscan.scanner.escalation import expand
from nhiscan.scanner.graph.model import EdgeKind, is_hub
from nhiscan.scanner.model import Record
from tests import factories as f

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

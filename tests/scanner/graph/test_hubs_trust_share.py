"""can_assume asked once per trust class (``providers/aws/policy/trust_share.py``, issue #16):
every hop, statement and certainty must equal the reference that evaluates each (caller, role)
pair on its own, with hubs and without, and what sets roles of one trust document apart for a
caller (a statement naming some of them, a resource tag, a policy variable) keeps them apart."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nhiscan.connectors.aws.gaad_file import GaadFileConnector
from nhiscan.scanner.graph import EdgeKind, ReachGraph
from nhiscan.scanner.model import IdentityKind, Record
from tests import factories as f
from tests.connectors.aws.helpers import context
from tests.scanner.graph.hub_reference import (
    ROOT,
    dense_records,
    hops,
    hubs,
    report,
    shared_trust,
    snapshot_of,
    summary,
)

GENERATOR = Path(__file__).resolve().parents[3] / "bench" / "gaad_dense.py"
SMALL = ["--roles", "150", "--users", "75", "--groups", "6", "--policies", "40", "--managed", "12"]
ACCOUNT_TRUST = f.document(f.assume_role_statement({"AWS": ROOT}))


def _graph(records: list[Record], *, share: bool, min_pairs: int | None = None) -> ReachGraph:
    with hubs(min_pairs), shared_trust(share):
        return f.reach_graph(f.estate(*records))


def _assumed(graph: ReachGraph, caller: str) -> set[str]:
    return {h.target for h in graph.hops_from(caller) if h.edge is EdgeKind.CAN_ASSUME}


@pytest.mark.parametrize("min_pairs", [None, 1])
@pytest.mark.parametrize("seed", [7, 11])
def test_shared_trust_answers_as_every_pair_asked_alone(seed: int, min_pairs: int | None) -> None:
    snap = snapshot_of(dense_records(seed))
    reference = report(snap, min_pairs=min_pairs, share=False)
    shared = report(snap, min_pairs=min_pairs, share=True)
    assert reference.graph is not None and shared.graph is not None
    if min_pairs is None:  # with hubs, shared answers let callers naming roles join blocks
        assert hops(shared.graph) == hops(reference.graph)
    assert summary(shared) == summary(reference)


@pytest.mark.skipif(not GENERATOR.exists(), reason="bench/gaad_dense.py not in this tree yet")
def test_shared_trust_on_the_dense_estate_answers_as_every_pair(tmp_path: Path) -> None:
    export = tmp_path / "dense.json"
    subprocess.run([sys.executable, str(GENERATOR), str(export), *SMALL], check=True,
                   capture_output=True)  # fmt: skip
    snap = f.snapshot(*GaadFileConnector([export]).collect(context()))
    for min_pairs in (None, 1):
        reference = report(snap, min_pairs=min_pairs, share=False)
        shared = report(snap, min_pairs=min_pairs, share=True)
        assert reference.graph is not None and shared.graph is not None
        if min_pairs is None:
            assert hops(shared.graph) == hops(reference.graph)
        assert [f.fingerprint for f in shared.findings] == [
            f.fingerprint for f in reference.findings
        ]
        assert summary(shared) == summary(reference)


def _roles(*specs: tuple[str, dict[str, str], dict[str, Any]]) -> list[Record]:
    records: list[Record] = []
    for name, tags, trust in specs:
        role = f.role(name, tags=tags)
        records += [role, f.trust_policy(role, trust)]
    return records


def _both(records: list[Record]) -> ReachGraph:
    """The graph with sharing, after checking it equals the reference's hop for hop."""
    shared = _graph(records, share=True)
    assert hops(shared) == hops(_graph(records, share=False))
    return shared


def test_a_statement_naming_some_roles_of_a_trust_class_tells_them_apart() -> None:
    ops = f.managed_policy("assume-ops", f.allow("sts:AssumeRole", f.arn(f.ACCOUNT, "role/ops-*")))
    caller = f.user("caller", policies=(ops.id,))
    records = [ops, caller, *_roles(*((n, {}, ACCOUNT_TRUST) for n in ("app-1", "ops-1", "ops-2")))]
    graph = _both(records)
    assert _assumed(graph, caller.id) == {
        f.arn(f.ACCOUNT, "role/ops-1"),
        f.arn(f.ACCOUNT, "role/ops-2"),
    }


def test_each_role_of_a_class_names_its_own_trust_policy() -> None:
    anywhere = f.managed_policy("anywhere", f.allow("sts:AssumeRole"))
    caller = f.user("caller", policies=(anywhere.id,))
    records = [anywhere, caller, *_roles(*((f"r-{n}", {}, ACCOUNT_TRUST) for n in range(3)))]
    graph = _both(records)
    for hop in graph.hops_from(caller.id):
        assert {s.policy_id for s in hop.statements} == {anywhere.id, f"{hop.target}#trust"}


def test_a_trust_testing_the_role_s_tag_is_not_shared() -> None:
    tagged = f.document(f.assume_role_statement(
        {"AWS": ROOT}, condition={"StringEquals": {"aws:ResourceTag/team": "ops"}}))  # fmt: skip
    anywhere = f.managed_policy("anywhere", f.allow("sts:AssumeRole"))
    caller = f.user("caller", policies=(anywhere.id,))
    roles = _roles(("a-ops", {"team": "ops"}, tagged), ("b-dev", {"team": "dev"}, tagged))
    records = [anywhere, caller, *roles]
    graph = _both(records)
    assert _assumed(graph, caller.id) == {f.arn(f.ACCOUNT, "role/a-ops")}


def test_a_caller_testing_the_role_s_tag_asks_each_role() -> None:
    tagged = f.managed_policy("assume-tagged", f.allow(
        "sts:AssumeRole", Condition={"StringEquals": {"aws:ResourceTag/team": "ops"}}))  # fmt: skip
    caller = f.user("caller", policies=(tagged.id,))
    roles = _roles(
        ("a-ops", {"team": "ops"}, ACCOUNT_TRUST), ("b-dev", {"team": "dev"}, ACCOUNT_TRUST)
    )
    records = [tagged, caller, *roles]
    graph = _both(records)
    assert _assumed(graph, caller.id) == {f.arn(f.ACCOUNT, "role/a-ops")}


def test_a_caller_naming_roles_through_a_policy_variable_asks_each_role() -> None:
    own = f.managed_policy("assume-own", f.allow(
        "sts:AssumeRole", f.arn(f.ACCOUNT, "role/${aws:username}-*")))  # fmt: skip
    alice, bob = f.user("alice", policies=(own.id,)), f.user("bob", policies=(own.id,))
    records = [own, alice, bob,
               *_roles(("alice-x", {}, ACCOUNT_TRUST), ("bob-x", {}, ACCOUNT_TRUST))]  # fmt: skip
    graph = _both(records)
    assert _assumed(graph, alice.id) == {f.arn(f.ACCOUNT, "role/alice-x")}
    assert _assumed(graph, bob.id) == {f.arn(f.ACCOUNT, "role/bob-x")}


@pytest.mark.parametrize("seed", [7, 11])
def test_whole_shared_answers_equal_each_pair_asked_alone(seed: int) -> None:
    """``TrustAnswers.evaluation`` (the escalation engine's sts:AssumeRole steps, shown in full
    in reports): every statement reference and the reason equal a fresh evaluation of the pair,
    for every caller and every role (trusts collected or not), and some answers were shared."""
    from nhiscan.providers.aws.policy import EstateAuthorizer, trust_share

    # Two roles trusting one user by name (no grant of its own): the trust is the granter, and
    # the reason names it (such answers are asked again of each role).
    named = f.user("named-caller")
    trusting = _roles(*((f"named-{n}", {}, f.document(f.assume_role_statement(
        {"AWS": named.id}))) for n in range(2)))  # fmt: skip
    estate = f.estate(*dense_records(seed), named, *trusting)
    shared = trust_share.TrustAnswers(EstateAuthorizer(estate))
    fresh = EstateAuthorizer(estate)
    roles = sorted(i for i, x in estate.identities.items() if x.kind is IdentityKind.IAM_ROLE)
    roles.append(f.arn(f.ACCOUNT, "role/not-collected"))
    renamed = reasons = 0
    for caller in sorted(fresh.principals()):
        for role in roles:
            answer = shared.evaluation(caller, role)
            assert answer == fresh.evaluate(caller, "sts:AssumeRole", role), (caller, role)
            renamed += any(r.policy_id == f"{role}#trust" for r in answer.allowed_by)
            reasons += f"{role}#trust" in answer.reason
    assert (
        renamed
        and reasons >= 2
        and len(shared._answers) < len(roles) * len(list(fresh.principals()))
    )

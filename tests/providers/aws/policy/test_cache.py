"""Evaluations shared between principals with the same documents (issue #16 item 2) change no
answer: a dense estate (bench/gaad_dense.py) gives the same evaluations, graph, blast radius and
findings with the cache as when every (principal, action, resource) is evaluated on its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nhiscan.app.config import Settings
from nhiscan.app.estates import estate_of
from nhiscan.app.pipeline import analyze
from nhiscan.connectors.aws.gaad_file import GaadFileConnector
from nhiscan.providers.aws.policy import EstateAuthorizer
from nhiscan.scanner.snapshot import Snapshot
from tests import factories as f
from tests.bench.dense import gaad_dense
from tests.connectors.aws.helpers import context

ACTIONS = ["iam:PassRole", "iam:CreateAccessKey", "sts:AssumeRole", "iam:AttachRolePolicy",
           "iam:PutRolePolicy", "s3:GetObject", "lambda:CreateFunction", "ec2:RunInstances",
           "iam:CreateUser", "kms:Decrypt"]  # fmt: skip


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    path: Path = tmp_path_factory.mktemp("dense") / "gaad.json"
    import json

    data = gaad_dense.generate(roles=300, users=150, groups=12, policies=80, managed=40)
    path.write_text(json.dumps(data), encoding="utf-8")
    records = list(GaadFileConnector([path]).collect(context([])))
    return f.snapshot(*records)


def _evaluations(snapshot: Snapshot, *, share: bool) -> tuple[dict[Any, Any], int]:
    authorizer = EstateAuthorizer(estate_of(snapshot))
    authorizer.SHARE = share
    principals = sorted(authorizer.principals())
    roles = [p for p in principals if ":role/" in p][:40]
    resources = ["*", *roles, "arn:aws:s3:::bucket-7/k", "arn:aws:iam::999988887777:role/x"]
    found = {
        (p, a, r): authorizer.evaluate(p, a, r)
        for p in principals
        for a in ACTIONS
        for r in resources
    }
    return found, len(authorizer._shared)


def test_same_evaluations_with_and_without_the_cache(dense: Snapshot) -> None:
    shared, entries = _evaluations(dense, share=True)
    alone, none = _evaluations(dense, share=False)
    assert none == 0
    assert shared == alone
    decisions = {e.decision for e in shared.values()}
    assert len(decisions) >= 3  # the estate exercises allows, denies and conditional answers
    # Shared: far fewer distinct evaluations than questions asked.
    assert 0 < entries < len(shared) / 5


def _graph_and_findings(snapshot: Snapshot) -> tuple[list[str], Any, Any, Any]:
    report = analyze(snapshot, settings=Settings(), now=f.NOW)
    assert report.graph is not None
    edges = sorted(repr((u, v, k, sorted(d.items()))) for u, v, k, d in
                   report.graph.graph.edges(keys=True, data=True))  # fmt: skip
    reach = (report.graph.escalations, report.graph.potential)
    return edges, reach, report.blast, report.findings


def test_same_graph_and_findings_with_and_without_the_cache(
    dense: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_cache = _graph_and_findings(dense)
    monkeypatch.setattr(EstateAuthorizer, "SHARE", False)
    without = _graph_and_findings(dense)
    assert len(with_cache[0]) > 1_000 and with_cache[1][0] and with_cache[3]
    assert with_cache == without


# Twins: two principals with the same policies whose answers differ by who asks must not share.
TAGGED = f.managed_policy(
    "tagged",
    f.allow("iam:PassRole", Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}}),
)
OWN_PREFIX = f.managed_policy(
    "own-prefix", f.allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")
)
PLAIN = f.managed_policy("plain", f.allow("iam:PassRole"), f.allow("s3:GetObject"))


def _pair(policy: Any) -> tuple[EstateAuthorizer, str, str]:
    red = f.user("red", policies=(policy.id,), tags={"team": "red"})
    blue = f.user("blue", policies=(policy.id,), tags={"team": "blue"})
    return EstateAuthorizer(f.estate(policy, red, blue)), red.id, blue.id


def test_a_condition_on_the_principal_is_not_shared() -> None:
    authorizer, red, blue = _pair(TAGGED)
    assert authorizer.evaluate(red, "iam:PassRole", "*").decision.name == "ALLOW"
    assert authorizer.evaluate(blue, "iam:PassRole", "*").decision.name == "IMPLICIT_DENY"
    assert authorizer._shared == {}


def test_a_policy_variable_is_not_shared() -> None:
    authorizer, red, blue = _pair(OWN_PREFIX)
    key = "arn:aws:s3:::home/red/notes.txt"
    assert authorizer.evaluate(red, "s3:GetObject", key).decision.name == "ALLOW"
    assert authorizer.evaluate(blue, "s3:GetObject", key).decision.name == "IMPLICIT_DENY"
    assert authorizer._shared == {}


def test_the_same_documents_share_one_evaluation() -> None:
    authorizer, red, blue = _pair(PLAIN)
    one = authorizer.evaluate(red, "iam:PassRole", "*")
    assert one.decision.name == "ALLOW"
    assert authorizer.evaluate(blue, "iam:PassRole", "*") is one
    # A policy with no statement about the action does not split the key.
    assert len(authorizer._shared) == 1


def test_a_boundary_splits_the_key() -> None:
    boundary = f.managed_policy("boundary", f.allow("s3:*"))
    red = f.user("red", policies=(PLAIN.id,))
    blue = f.user("blue", policies=(PLAIN.id,), permissions_boundary=boundary.id)
    authorizer = EstateAuthorizer(f.estate(PLAIN, boundary, red, blue))
    assert authorizer.evaluate(red.id, "iam:PassRole", "*").decision.name == "ALLOW"
    assert authorizer.evaluate(blue.id, "iam:PassRole", "*").decision.name == "IMPLICIT_DENY"
    assert len(authorizer._shared) == 2

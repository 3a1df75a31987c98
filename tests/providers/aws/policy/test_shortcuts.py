"""The evaluator's shortcuts (issue #16, ``policy/plans.py``) change no answer: per (principal,
action) plans (the policies about the action, a quick "nothing applies"), answers shared by the
plain targets of one signature, targets kept per ARN, and can_assume asked once per trust class.
A dense estate (``bench/gaad_dense.py``, 300 roles) is evaluated for every principal x actions
x resources with the shortcuts and without (``plans.SHORTCUTS`` and ``trust_share.SHARE_TRUST``
False: every request from scratch), and analysed both ways: every ``Evaluation``, hop and
finding is equal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from nhiscan.app import pipeline
from nhiscan.app.estates import estate_of
from nhiscan.connectors.aws.gaad_file import GaadFileConnector
from nhiscan.providers.aws.graph import assume
from nhiscan.providers.aws.policy import EstateAuthorizer, plans, trust_share
from nhiscan.scanner.authz import Decision, Evaluation
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import IdentityKind
from nhiscan.scanner.snapshot import Snapshot
from tests import factories as f
from tests.bench.dense import gaad_dense
from tests.connectors.aws.helpers import context
from tests.scanner.graph.hub_reference import assumed, hops, hubs

ACCOUNT = gaad_dense.ACCOUNT
OTHER = gaad_dense.OTHER_ACCOUNTS[0]
ACTIONS = (
    "iam:PassRole", "iam:CreateAccessKey", "sts:AssumeRole", "iam:PutRolePolicy",
    "iam:AttachUserPolicy", "s3:GetObject", "dynamodb:GetItem", "lambda:InvokeFunction",
    "kms:Decrypt", "ec2:RunInstances",
)  # fmt: skip
PASSED = {"iam:PassedToService": "lambda.amazonaws.com"}


@contextmanager
def shortcuts(on: bool) -> Iterator[None]:
    before = (plans.SHORTCUTS, trust_share.SHARE_TRUST)
    plans.SHORTCUTS, trust_share.SHARE_TRUST = on, on
    try:
        yield
    finally:
        plans.SHORTCUTS, trust_share.SHARE_TRUST = before


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    export = tmp_path_factory.mktemp("dense") / "dense.json"
    generated = gaad_dense.generate(roles=300, users=150, groups=12, policies=80, managed=40)
    export.write_text(json.dumps(generated))
    return f.snapshot(*GaadFileConnector([export]).collect(context(lines=[])))


def _resources(estate: Estate) -> list[str]:
    """Some roles and users, "*", ARNs the dense statements name or not, in and out of the
    account: plain targets, trusts, unknown resources, another account's."""
    roles = sorted(i for i, x in estate.identities.items() if x.kind is IdentityKind.IAM_ROLE)
    users = sorted(i for i, x in estate.identities.items() if x.kind is IdentityKind.IAM_USER)
    iam, dynamodb = f"arn:aws:iam::{ACCOUNT}:", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/"
    return [
        "*", *roles[::25], *users[::25], f"{iam}role/app-role-x", f"{iam}role/not-collected",
        f"arn:aws:iam::{OTHER}:role/elsewhere", f"{dynamodb}t41", f"{dynamodb}t42",
        "arn:aws:s3:::bucket-1/key", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1",
    ]  # fmt: skip


def _answers(
    estate: Estate, on: bool, actions: tuple[str, ...], resources: list[str]
) -> list[Evaluation]:
    found: list[Evaluation] = []
    with shortcuts(on):
        authorizer = EstateAuthorizer(estate)
        for principal in sorted(authorizer.principals()):
            for action in actions:
                found += [authorizer.evaluate(principal, action, r) for r in resources]
            found.append(authorizer.evaluate(principal, "iam:PassRole", "*", PASSED))
    return found


def test_every_evaluation_is_the_same_with_the_shortcuts_and_without(snap: Snapshot) -> None:
    estate = estate_of(snap)
    resources = _resources(estate)
    reference = _answers(estate, False, ACTIONS, resources)
    assert _answers(estate, True, ACTIONS, resources) == reference
    decisions = {a.decision for a in reference}
    assert len(decisions) == 4  # allow, conditional, implicit deny and deny all asked


def test_the_analysis_is_the_same_with_the_shortcuts_and_without(snap: Snapshot) -> None:
    # Target sets of escalations need the shortcuts (``same_for``): both runs go without them
    # here, so that only the evaluator's shortcuts differ (tests/scanner/graph/test_sets_dense.py
    # compares the sets with an escalation per target).
    reports = []
    for on in (False, True):
        with shortcuts(on), hubs(assume.HUB_MIN_PAIRS, None):
            reports.append(pipeline.analyze(snap, settings=f.settings(), now=f.NOW))
    reference, shortcut = reports
    assert reference.graph is not None and shortcut.graph is not None
    # Shared answers let callers whose statements name some roles join blocks of the hub:
    # the can_assume hops a reader is told of are the same, the other edges too.
    assert hops(shortcut.graph, assume=False) == hops(reference.graph, assume=False)
    assert assumed(shortcut.graph) == assumed(reference.graph)
    assert shortcut.graph.escalations == reference.graph.escalations
    assert shortcut.graph.potential == reference.graph.potential
    assert shortcut.findings == reference.findings
    assert shortcut.blast == reference.blast


def test_what_a_plan_cannot_shortcut_is_evaluated_as_before() -> None:
    """Resources named through a policy variable, NotResource, a policy missing from the
    snapshot, a boundary, a Deny naming a resource, a condition on the resource's tag: same
    answers both ways, and the answers the shortcuts must not lose."""
    own = f.managed_policy(
        "own", f.allow("iam:PassRole", f.arn(f.ACCOUNT, "role/${aws:username}-*"))
    )
    but = f.managed_policy("but", {"Effect": "Allow", "Action": "iam:PassRole",
                                   "NotResource": f.arn(f.ACCOUNT, "role/ops-*")})  # fmt: skip
    ops = f.managed_policy("ops", f.allow("iam:PassRole", f.arn(f.ACCOUNT, "role/ops-*")))
    deny = f.managed_policy("deny", f.deny("iam:PassRole", f.arn(f.ACCOUNT, "role/ops-1")))
    limit = f.managed_policy("limit", f.allow("iam:PassRole", f.arn(f.ACCOUNT, "role/app-*")))
    fence = f.managed_policy(
        "fence", f.allow("*"), f.deny("iam:PassRole", f.arn(f.ACCOUNT, "role/app-1"))
    )
    tagged = f.managed_policy("tagged", f.allow(
        "iam:PassRole", Condition={"StringEquals": {"aws:ResourceTag/team": "ops"}}))  # fmt: skip
    missing = f.arn(f.ACCOUNT, "policy/not-collected")
    users = [
        f.user("alice", policies=(own.id,)),
        f.user("bob", policies=(but.id,)),
        f.user("carol", policies=(ops.id, deny.id)),
        f.user("dave", policies=(ops.id,), permissions_boundary=limit.id),
        f.user("erin", policies=(missing,)),
        f.user("frank", policies=(ops.id,), permissions_boundary=fence.id),
        f.user("gina", policies=(tagged.id,)),
    ]
    roles = [f.role(n, tags={"team": n[:3]}) for n in ("alice-x", "ops-1", "ops-2", "app-1")]
    estate = f.estate(own, but, ops, deny, limit, fence, tagged, *users, *roles)
    resources = ["*", *(r.id for r in roles)]
    reference = _answers(estate, False, ("iam:PassRole",), resources)
    assert _answers(estate, True, ("iam:PassRole",), resources) == reference
    with shortcuts(True):
        authorizer = EstateAuthorizer(estate)
        allowed = {
            (u.name, r.name)
            for u in users
            for r in roles
            if authorizer.evaluate(u.id, "iam:PassRole", r.id).decision.possible
        }
    assert allowed == {
        ("alice", "alice-x"), ("bob", "alice-x"), ("bob", "app-1"), ("carol", "ops-2"),
        *(("erin", r.name) for r in roles), ("frank", "ops-1"), ("frank", "ops-2"),
        ("gina", "ops-1"), ("gina", "ops-2"),
    }  # fmt: skip
    frank = authorizer.evaluate(users[5].id, "iam:PassRole", roles[-1].id)
    assert frank.decision is Decision.DENY  # the boundary's Deny, though no identity grant

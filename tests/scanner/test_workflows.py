"""The join of CI workflow steps to keyless trusts (issue #20), with hand-built trusts: the
tokens a step's triggers produce, tested with ``FederatedTrust.admits``; twins where one
character separates a trust that admits the workflow from one that does not; the graph's
repository -> workflow -> role -> admin path."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from nhiscan.app.pipeline import provider_set
from nhiscan.errors import SnapshotError
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import (
    GITHUB_ISSUER,
    Admission,
    ClaimTest,
    FederatedTrust,
    Match,
    Platform,
)
from nhiscan.scanner.graph.build import build_graph
from nhiscan.scanner.graph.model import EdgeKind, admin_node
from nhiscan.scanner.graph.reach import ReachGraph
from nhiscan.scanner.graph.sources import CompositeSource
from nhiscan.scanner.graph.workflows import repository_node, workflow_node
from nhiscan.scanner.model import (
    Identity,
    IdentityKind,
    Provider,
    Record,
    WorkflowCredential,
    WorkflowTrigger,
)
from nhiscan.scanner.provider import NEUTRAL_FACTS
from nhiscan.scanner.snapshot import from_json, to_json
from nhiscan.scanner.snapshot_check import ProviderChecks
from nhiscan.scanner.workflows import join, presentations, workflows_requesting
from tests.factories import ACCOUNT, allow, estate, managed_policy, role, snapshot

DEPLOY = role("deploy")
PR = (WorkflowTrigger(event="pull_request"),)
PUSH_MAIN = (WorkflowTrigger(event="push", branches=("main",)),)


def step(**overrides: Any) -> WorkflowCredential:
    fields: dict[str, Any] = {
        "id": "repo#.github/workflows/deploy.yml#deploy#1",
        "repository": "repo",
        "slug": "acme/app",
        "path": ".github/workflows/deploy.yml",
        "line": 12,
        "job": "deploy",
        "step": 1,
        "action": "aws-actions/configure-aws-credentials@v4",
        "cloud": Provider.AWS,
        "target": DEPLOY.id,
        "audience": "sts.amazonaws.com",
        "triggers": PR,
    }
    fields.update(overrides)
    return WorkflowCredential(**fields)


def test(claim: str, match: Match, *values: str) -> ClaimTest:
    return ClaimTest(claim=claim, match=match, values=values)


test.__test__ = False  # type: ignore[attr-defined]  # a builder, not a test


def trust(
    *tests: ClaimTest, target: str = DEPLOY.id, undecided: tuple[str, ...] = ()
) -> FederatedTrust:
    return FederatedTrust(
        provider=Provider.AWS,
        target=target,
        account=ACCOUNT,
        issuer=GITHUB_ISSUER,
        platform=Platform.GITHUB_ACTIONS,
        admissions=(Admission(tests=tests, undecided=undecided),),
        source=f"{target}#trust",
    )


def sub(match: Match, *values: str) -> ClaimTest:
    return test("sub", match, *values)


AUD = test("aud", Match.EQUALS, "sts.amazonaws.com")


def admitted(
    the_step: WorkflowCredential, the_trust: FederatedTrust, *extra: Record
) -> bool | None:
    e = estate(DEPLOY, *extra, the_step)
    (found,) = join(e, [the_trust])
    return found.admitted


def test_a_pull_request_workflow_presents_the_pull_request_subject() -> None:
    (token,) = presentations(step())
    assert token.claims["sub"] == "repo:acme/app:pull_request"
    assert token.claims["aud"] == "sts.amazonaws.com"
    assert token.claims["repository_owner"] == "acme"
    assert token.claims["event_name"] == "pull_request"
    assert "pull request" in token.when


def test_an_environment_replaces_the_ref_and_the_pull_request_in_the_subject() -> None:
    tokens = presentations(step(environment="production", triggers=PR + PUSH_MAIN))
    assert {t.claims["sub"] for t in tokens} == {"repo:acme/app:environment:production"}
    assert all(t.claims["environment"] == "production" for t in tokens)


def test_push_filters_become_refs_and_any_branch_is_tried_on_the_usual_ones() -> None:
    filtered = WorkflowTrigger(event="push", branches=("main", "release/**"), tags=("v*",))
    subs = {t.claims["sub"] for t in presentations(step(triggers=(filtered,)))}
    assert subs == {
        "repo:acme/app:ref:refs/heads/main",
        "repo:acme/app:ref:refs/heads/release/x",
        "repo:acme/app:ref:refs/tags/vx",
    }
    anything = {
        t.claims["sub"] for t in presentations(step(triggers=(WorkflowTrigger(event="push"),)))
    }
    assert "repo:acme/app:ref:refs/heads/main" in anything
    tokens = presentations(step(triggers=PUSH_MAIN))
    assert tokens[0].claims["job_workflow_ref"] == (
        "acme/app/.github/workflows/deploy.yml@refs/heads/main"
    )


def test_no_token_without_a_slug_or_with_an_unresolved_environment() -> None:
    assert presentations(step(slug=None)) == ()
    assert presentations(step(environment="${{ inputs.env }}", unresolved=("environment",))) == ()


def test_a_wildcard_owner_trust_admits_a_pull_request_workflow() -> None:
    assert admitted(step(), trust(sub(Match.LIKE, "repo:acme/*"), AUD)) is True


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("repo:acme/app:*", True),
        ("repo:acme/ap:*", False),  # one character: another repository
        ("repo:acme/app:pull_request", True),
        ("repo:acme/app:pull_reques", False),
        ("repo:acme/app:ref:refs/heads/main", False),  # a pull request never has this subject
    ],
)
def test_twins_for_a_pull_request_workflow(pattern: str, expected: bool) -> None:
    match = Match.LIKE if "*" in pattern else Match.EQUALS
    assert admitted(step(), trust(sub(match, pattern), AUD)) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("repo:acme/app:ref:refs/heads/main", True), ("repo:acme/app:ref:refs/heads/mai", False)],
)
def test_twins_for_a_push_to_main(pattern: str, expected: bool) -> None:
    pinned = trust(sub(Match.EQUALS, pattern), AUD)
    assert admitted(step(triggers=PUSH_MAIN), pinned) is expected
    # The same push from a job with an environment presents the environment, not the ref.
    assert admitted(step(triggers=PUSH_MAIN, environment="prod"), pinned) is False


def test_the_audience_must_be_the_one_the_trust_wants() -> None:
    wide = trust(sub(Match.LIKE, "repo:acme/*"), AUD)
    assert admitted(step(audience="sts.amazonaws.co"), wide) is False
    assert admitted(step(audience=None), wide) is False  # unknown: not presented


def test_an_undecided_condition_makes_the_join_maybe() -> None:
    maybe = trust(sub(Match.LIKE, "repo:acme/*"), undecided=("ForAnyValue:StringFoo",))
    assert admitted(step(), maybe) is None


def test_a_trust_of_another_identity_or_issuer_is_not_joined() -> None:
    other = trust(sub(Match.LIKE, "*"), target=role("other").id)
    assert join(estate(DEPLOY, step()), [other]) == ()
    gitlab = replace(trust(sub(Match.LIKE, "*")), platform=Platform.GITLAB_CI, issuer="gitlab.com")
    assert join(estate(DEPLOY, step()), [gitlab]) == ()


def test_an_azure_step_names_the_application_by_its_client_id() -> None:
    client = "11111111-2222-3333-4444-555555555555"
    app = Identity(provider=Provider.AZURE, id="aaaaaaaa-0000-0000-0000-000000000001",
                   name="deployer", kind=IdentityKind.SERVICE_PRINCIPAL, account="tenant",
                   native_id=client)  # fmt: skip
    azure_step = step(
        cloud=Provider.AZURE, target=client.upper(), audience="api://AzureADTokenExchange"
    )
    azure_trust = replace(
        trust(sub(Match.EQUALS, "repo:acme/app:pull_request"), target=app.id),
        provider=Provider.AZURE,
        account="tenant",
    )
    e = estate(app, azure_step)
    (found,) = join(e, [azure_trust])
    assert found.admitted is True
    assert workflows_requesting(e, app.id) == (azure_step,)
    assert workflows_requesting(e, DEPLOY.id) == ()


def _graph(e: Estate, *trusts: FederatedTrust) -> ReachGraph:
    found = provider_set(e)
    return build_graph(e, CompositeSource(e, found.analyses), trusts)


def _admin_deploy() -> tuple[Record, ...]:
    policy = managed_policy("deploy-all", allow("*"))
    return replace(DEPLOY, policies=(policy.id,)), policy


def test_the_graph_path_runs_repository_workflow_role_admin() -> None:
    the_step = step()
    e = estate(*_admin_deploy(), the_step)
    graph = _graph(e, trust(sub(Match.LIKE, "repo:acme/*"), AUD))
    repository = repository_node(the_step)
    assert repository == "repository:github.com/acme/app"
    paths = graph.reach(repository)
    assert admin_node(ACCOUNT) in paths
    hops = paths[admin_node(ACCOUNT)]
    assert [h.target for h in hops][:2] == [workflow_node(the_step), DEPLOY.id]
    assert [h.edge for h in hops][:2] == [EdgeKind.CAN_ACT_AS, EdgeKind.CAN_ACT_AS]
    assert graph.graph.nodes[workflow_node(the_step)]["type"] == "workflow"


def test_no_hop_from_a_workflow_the_trust_refuses_and_a_conditional_one_when_maybe() -> None:
    the_step = step()
    e = estate(*_admin_deploy(), the_step)
    refused = _graph(e, trust(sub(Match.EQUALS, "repo:acme/app:ref:refs/heads/main"), AUD))
    assert DEPLOY.id not in refused.reach(workflow_node(the_step))
    maybe = _graph(e, trust(sub(Match.LIKE, "repo:acme/*"), undecided=("x",)))
    (hop,) = [h for h in maybe.edges(EdgeKind.CAN_ACT_AS) if h.target == DEPLOY.id]
    assert hop.conditional


def test_the_snapshot_check_refuses_a_repeated_step_and_an_unknown_cloud() -> None:
    twice = snapshot(step(), replace(step(), line=13))
    with pytest.raises(SnapshotError, match=r"workflows\[0\] and workflows\[1\] have the same id"):
        from_json(to_json(twice), source="s.json")
    typo = snapshot(step(cloud=Provider("AWS")))
    checks = ProviderChecks(known=frozenset({"aws", "git"}), facts=lambda name: NEUTRAL_FACTS)
    with pytest.raises(SnapshotError, match=r"workflows\[0\] .*cloud: expected one of aws, git"):
        from_json(to_json(typo), source="s.json", providers=checks)


def test_an_aws_trust_policy_read_by_its_provider_admits_the_workflow_end_to_end() -> None:
    """The join with the trust the AWS provider reads from a role's trust policy (not a
    hand-built one): a pull request workflow becomes a role trusting any repository of acme."""
    from nhiscan.app.pipeline import reach_graph
    from tests.factories import document, trust_policy

    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB_ISSUER}"
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringLike": {f"{GITHUB_ISSUER}:sub": "repo:acme/*"},
            "StringEquals": {f"{GITHUB_ISSUER}:aud": "sts.amazonaws.com"},
        },
    }
    deploy, grant = _admin_deploy()
    the_step = step()
    e = estate(deploy, grant, trust_policy(DEPLOY, document(statement)), the_step)
    assert admin_node(ACCOUNT) in reach_graph(e).reach(repository_node(the_step))
    narrow = dict(
        statement,
        Condition={"StringEquals": {f"{GITHUB_ISSUER}:sub": "repo:acme/app:ref:refs/heads/main"}},
    )
    e = estate(deploy, grant, trust_policy(DEPLOY, document(narrow)), the_step)
    assert DEPLOY.id not in reach_graph(e).reach(repository_node(the_step))

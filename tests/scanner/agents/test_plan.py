"""Compiling agents into plans: needs merged across steps, raw actions expanded, the plan file
deterministic, least-privilege policies per identity, and the difference between two plans."""

from __future__ import annotations

import json
from dataclasses import replace

from nhiscan.providers.aws.agents.defaults import AwsDefaults
from nhiscan.providers.aws.agents.render import identity_policy, trust_policy
from nhiscan.providers.aws.catalog import default_catalog
from nhiscan.scanner.agents import plan as plans
from nhiscan.scanner.agents.compiler import compile_agent
from nhiscan.scanner.agents.model import AgentFile, AgentPlan
from tests.factories import agent_file, vocabularies

TEXT = """\
  - name: loan-review
    owner: lending@example.com
    identities: [arn:aws:iam::123456789012:role/loan-review, {tag: agent=loan-review}]
    steps:
      - read: s3://docs/*
      - Read the summaries in s3://docs/* and publish them to sns://alerts
      - actions: ["s3:GetObjectV*"]
        resources: ["arn:aws:s3:::docs/*"]
"""


def _plan(text: str = TEXT) -> tuple[AgentFile, list[AgentPlan]]:
    agents = agent_file(text)
    compiled = [compile_agent(a, default_catalog(), default_max_key_age=90) for a in agents.agents]
    return agents, compiled


def test_needs_are_merged_across_steps_with_every_step_that_needs_them() -> None:
    _, (review,) = _plan()
    needs = {(n.action, n.resource): n.steps for n in review.needs}
    assert needs == {
        ("s3:GetObject", "arn:aws:s3:::docs/*"): (1, 2),
        ("s3:ListBucket", "arn:aws:s3:::docs"): (1, 2),
        ("sns:Publish", "arn:aws:sns:eu-west-1:123456789012:alerts"): (2,),
        # the raw step's pattern, expanded through the catalogue
        **{(a, "arn:aws:s3:::docs/*"): (3,) for a in default_catalog().expand("s3:GetObjectV*")},
    }
    assert len(needs) > 5  # the pattern did expand
    assert review.max_key_age_days == 90


def test_the_plan_file_is_deterministic_and_carries_the_source_hash() -> None:
    agents, compiled = _plan()
    first = plans.dumps(
        plans.plan_json(agents, compiled, tool_version="1", vocabularies=vocabularies())
    )
    again = plans.dumps(plans.plan_json(*_plan(), tool_version="1", vocabularies=vocabularies()))
    assert first == again
    data = json.loads(first)
    assert data["nhiscan_plan"] == 1 and data["source_hash"] == "test"
    (agent,) = data["agents"]
    assert set(agent["least_privilege"]) == {"arn:aws:iam::123456789012:role/loan-review", "*"}


def test_the_least_privilege_policy_groups_resources_by_actions() -> None:
    _, (review,) = _plan()
    policy = identity_policy(review.needs, "123456789012")
    assert policy is not None
    statements = {json.dumps(s["Action"]): s["Resource"] for s in policy["Statement"]}
    assert statements[json.dumps("sns:Publish")] == "arn:aws:sns:eu-west-1:123456789012:alerts"
    assert statements[json.dumps("s3:ListBucket")] == "arn:aws:s3:::docs"
    assert all(s["Effect"] == "Allow" for s in policy["Statement"])
    assert identity_policy((), "123456789012") is None


def test_an_implicit_account_is_the_identity_s_own() -> None:
    agents = agent_file(TEXT)
    (agent,) = agents.agents
    bare = replace(agent, defaults={"aws": AwsDefaults()})
    compiled = compile_agent(bare, default_catalog(), default_max_key_age=90)
    policy = identity_policy(compiled.needs, "111122223333")
    assert policy is not None
    resources = {r for s in policy["Statement"] for r in plans_list(s["Resource"])}
    assert "arn:aws:sns:*:111122223333:alerts" in resources


def plans_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def test_the_trust_policy_names_exactly_who_assumes_the_role() -> None:
    trust = trust_policy(["arn:aws:iam::123456789012:user/a"], ["lambda.amazonaws.com"])
    assert trust == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "AWS": "arn:aws:iam::123456789012:user/a",
                    "Service": "lambda.amazonaws.com",
                },
                "Action": "sts:AssumeRole",
            }
        ],
    }
    assert trust_policy([], []) is None


def test_the_diff_between_plans_lists_added_and_revoked_access() -> None:
    before = plans.plan_json(*_plan(), tool_version="1", vocabularies=vocabularies())
    changed = TEXT.replace("publish them to sns://alerts", "write them to s3://out/*")
    changed += "  - name: new-bot\n    owner: t\n    identities: [x]\n    steps: []\n"
    after = plans.plan_json(*_plan(changed), tool_version="1", vocabularies=vocabularies())
    diff = plans.diff(before, after)
    assert diff.added == (("loan-review", "aws", "s3:PutObject", "arn:aws:s3:::out/*"),)
    assert diff.revoked == (
        ("loan-review", "aws", "sns:Publish", "arn:aws:sns:eu-west-1:123456789012:alerts"),
    )
    assert diff.new_agents == ("new-bot",) and diff.removed_agents == ()
    text = plans.render_diff(diff)
    assert "+ loan-review: s3:PutObject on arn:aws:s3:::out/*" in text
    assert "- loan-review: sns:Publish on" in text
    assert "1 added, 1 revoked" in text
    assert plans.render_diff(plans.diff(before, before)) == "no change in access\n"


def test_the_plan_hash_ignores_file_positions_and_changes_with_needs_or_identities() -> None:
    _, (review,) = _plan()
    moved = replace(review, where=replace(review.where, line=review.where.line + 40))
    moved = replace(
        moved, identities=tuple(replace(r, where=moved.where) for r in review.identities)
    )
    assert plans.plan_hash(moved) == plans.plan_hash(review)
    fewer = replace(review, needs=review.needs[1:])
    assert plans.plan_hash(fewer) != plans.plan_hash(review)
    other = replace(review, identities=review.identities[:1])
    assert plans.plan_hash(other) != plans.plan_hash(review)
    _, (again,) = _plan(TEXT.replace("sns://alerts", "sns://alarms"))
    assert plans.plan_hash(again) != plans.plan_hash(review)

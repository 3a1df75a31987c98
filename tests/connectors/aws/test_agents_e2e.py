"""Agents as policy end to end: an estate in moto with three agents, collected by the real
connector through ``nhiscan scan --agents``, read back from report.json.

- intake: its role grants exactly what its workflow needs: no excess, nothing missing.
- review: its role holds an allow-everything policy where its workflow needs two reads: every
  other action is excess (asserted action by action), the two reads are excess scope, and the
  generated least-privilege policy grants only the two reads. Applying that policy in moto and
  scanning again leaves no excess and nothing missing.
- retired: decommissioned, and its user still has an active access key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws

from nhiscan.cli import cli
from nhiscan.providers.aws.catalog import default_catalog
from tests.connectors.aws.conftest import fake_aws_env

ACCOUNT = "123456789012"
REGION = "us-east-1"
INTAKE = f"arn:aws:iam::{ACCOUNT}:role/intake-agent"
REVIEW = f"arn:aws:iam::{ACCOUNT}:role/review-agent"
RETIRED = f"arn:aws:iam::{ACCOUNT}:user/retired-agent"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/intake-log"
PARAMETER = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/review/threshold"

AGENTS = f"""
version: 1
defaults:
  aws: {{account: "{ACCOUNT}", region: {REGION}}}
agents:
  - name: intake
    owner: lending-platform@example.com
    identities: [{INTAKE}]
    steps:
      - read: s3://intake-docs/*
      - write: dynamodb://intake-log
  - name: review
    owner: underwriting@example.com
    identities: [{{tag: agent=review}}]
    steps:
      - get-secret: secretsmanager://review/bureau
      - Look up the approval threshold in ssm://review/threshold
  - name: retired
    owner: data@example.com
    status: decommissioned
    decommissioned_at: 2026-01-01
    identities: [{RETIRED}]
    steps: []
"""

# What review's two reads compile to.
REVIEW_NEEDS = {"secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters"}


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _lambda_trust() -> str:
    return _doc(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
         "Action": "sts:AssumeRole"}
    )  # fmt: skip


def build(session: boto3.session.Session) -> str:
    """The estate; returns the ARN of review's allow-everything policy."""
    iam = session.client("iam")
    session.client("s3").create_bucket(Bucket="intake-docs")
    session.client("secretsmanager").create_secret(Name="review/bureau", SecretString="x")
    iam.create_role(RoleName="intake-agent", AssumeRolePolicyDocument=_lambda_trust())
    iam.put_role_policy(
        RoleName="intake-agent",
        PolicyName="intake",
        PolicyDocument=_doc(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::intake-docs/*"},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::intake-docs"},
            {"Effect": "Allow", "Resource": TABLE,
             "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"]},
        ),
    )  # fmt: skip
    iam.create_role(
        RoleName="review-agent",
        AssumeRolePolicyDocument=_lambda_trust(),
        Tags=[{"Key": "agent", "Value": "review"}],
    )
    everything = iam.create_policy(
        PolicyName="everything",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="review-agent", PolicyArn=everything)
    iam.create_user(UserName="retired-agent")
    iam.create_access_key(UserName="retired-agent")
    return str(everything)


def _scan(out: Path, agents: Path) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli,
        ["scan", "--aws-region", REGION, "--agents", str(agents), "-o", str(out), "--format",
         "json", "--detail", "full"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    return report


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """report.json before and after applying review's generated policy."""
    root = tmp_path_factory.mktemp("agents-e2e")
    agents = root / "agents.yaml"
    agents.write_text(AGENTS)
    with fake_aws_env(root / "aws-home"), mock_aws():
        session = boto3.session.Session(region_name=REGION)
        everything = build(session)
        before = _scan(root / "before", agents)
        generated = _agent(before, "review")["least_privilege"][REVIEW]["policy"]
        iam = session.client("iam")
        iam.detach_role_policy(RoleName="review-agent", PolicyArn=everything)
        iam.put_role_policy(
            RoleName="review-agent",
            PolicyName="least-privilege",
            PolicyDocument=json.dumps(generated),
        )
        after = _scan(root / "after", agents)
    yield {"before": before, "after": after, "everything": everything, "generated": generated}


def _agent(report: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [a for a in report["agents"] if a["name"] == name]
    return found


def _rule(report: dict[str, Any], rule_id: str, agent: str) -> list[dict[str, Any]]:
    return [
        f
        for f in report["findings"]
        if f["rule_id"] == rule_id and f["evidence"].get("agent") == agent
    ]


def test_the_agent_with_exactly_its_needs_has_no_excess_and_nothing_missing(
    scans: dict[str, Any],
) -> None:
    intake = _agent(scans["before"], "intake")
    assert [i["id"] for i in intake["identities"]] == [INTAKE]
    assert (intake["excess"], intake["excess_scope"], intake["conditional"]) == ([], [], [])
    assert intake["missing"] == []
    assert intake["score"]["value"] == 0 and intake["score"]["band"] is None
    assert {(n["action"], n["resource"]) for n in intake["needed"]} == {
        ("s3:GetObject", "arn:aws:s3:::intake-docs/*"),
        ("s3:ListBucket", "arn:aws:s3:::intake-docs"),
        ("dynamodb:PutItem", TABLE),
        ("dynamodb:UpdateItem", TABLE),
        ("dynamodb:BatchWriteItem", TABLE),
    }
    for rule in ("NHI300", "NHI301", "NHI302"):
        assert _rule(scans["before"], rule, "intake") == []


def test_the_admin_agent_s_excess_is_every_other_action(scans: dict[str, Any]) -> None:
    review = _agent(scans["before"], "review")
    assert [i["id"] for i in review["identities"]] == [REVIEW]  # claimed by its tag
    everything = set(default_catalog().expand("*"))
    excess = {e["action"] for e in review["excess"]}
    assert excess == everything - REVIEW_NEEDS  # action by action
    assert len(review["excess"]) == len(excess)  # one item per action: all on "*"
    assert {e["resource"] for e in review["excess"]} == {"*"}
    counts = review["excess_by_service"]
    assert sum(n for levels in counts.values() for n in levels.values()) == len(excess)
    assert counts["iam"]["Permissions management"] > 0
    assert {s["policy_id"] for e in review["excess"] for s in e["statements"]} == {
        scans["everything"]
    }
    # The needed reads are granted on everything: excess scope, not excess.
    scope = {e["action"]: e for e in review["excess_scope"]}
    assert set(scope) == REVIEW_NEEDS
    assert scope["ssm:GetParameter"]["needed_on"] == [PARAMETER]
    assert review["missing"] == []
    assert review["score"]["band"] == "critical" and review["score"]["admin"] is True
    (finding,) = _rule(scans["before"], "NHI300", "review")
    assert finding["severity"] == "critical" and finding["subject"] == REVIEW


def test_the_generated_policy_grants_only_the_two_reads(scans: dict[str, Any]) -> None:
    statements = scans["generated"]["Statement"]
    granted = {
        (action, resource)
        for s in statements
        for action in _list(s["Action"])
        for resource in _list(s["Resource"])
    }
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:review/bureau-??????"
    assert granted == {
        ("secretsmanager:GetSecretValue", secret),
        ("ssm:GetParameter", PARAMETER),
        ("ssm:GetParameters", PARAMETER),
    }
    assert all(s["Effect"] == "Allow" and "Condition" not in s for s in statements)


def test_applying_the_generated_policy_leaves_no_excess_and_nothing_missing(
    scans: dict[str, Any],
) -> None:
    review = _agent(scans["after"], "review")
    assert (review["excess"], review["excess_scope"], review["conditional"]) == ([], [], [])
    assert review["missing"] == []
    assert review["score"]["value"] == 0
    assert _rule(scans["after"], "NHI300", "review") == []
    assert _rule(scans["after"], "NHI301", "review") == []


def test_the_decommissioned_agent_s_key_still_works(scans: dict[str, Any]) -> None:
    (finding,) = _rule(scans["before"], "NHI302", "retired")
    assert finding["subject"] == RETIRED
    assert finding["severity"] == "high"  # moto records no use of the key since
    (key,) = finding["evidence"]["active_credentials"]
    assert key.startswith("AKIA")
    assert _agent(scans["before"], "retired")["status"] == "decommissioned"


def _list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value

"""The reach findings end to end: an estate built in moto, collected by the real connector
through ``nhiscan scan``, and the findings read back from report.json.

One estate for the module (account 123456789012):

- ci-deployer (access key) may iam:PutUserPolicy on itself: escalation to admin.
- report-bot may too, but a second attached policy denies it: no escalation.
- ops-bot (access key) may sts:AssumeRole platform-admin, whose trust names the account root.
- build-bot (access key) -> role build-hop (trust names build-bot) -> platform-admin (trust
  names build-hop): a chain of two assumptions to admin; build-hop reads a secret.
- fn-bot may lambda:UpdateFunctionCode, and there is no function: a potential escalation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws

from nhiscan.cli import cli
from tests.connectors.aws.conftest import fake_aws_env

ACCOUNT = "123456789012"
ADMIN = f"admin:{ACCOUNT}"


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: str | list[str], resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def _trust(*principals: str) -> str:
    return _doc(
        *({"Effect": "Allow", "Principal": {"AWS": p}, "Action": "sts:AssumeRole"}
          for p in principals)
    )  # fmt: skip


def _user(iam: Any, name: str, *statements: dict[str, Any], key: bool = True) -> None:
    iam.create_user(UserName=name, Tags=[{"Key": "owner", "Value": "platform"}])
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="grant", PolicyDocument=_doc(*statements))
    if key:
        iam.create_access_key(UserName=name)


def build(session: boto3.session.Session) -> str:
    """The estate; returns the secret's ARN."""
    iam = session.client("iam")
    _user(iam, "ci-deployer", _allow("iam:PutUserPolicy", arn("user", "ci-deployer")))
    _user(iam, "report-bot", _allow("iam:PutUserPolicy", arn("user", "report-bot")), key=False)
    guard = iam.create_policy(
        PolicyName="no-self-policy", PolicyDocument=_doc({**_allow("iam:PutUserPolicy"),
                                                          "Effect": "Deny"})
    )["Policy"]["Arn"]  # fmt: skip
    iam.attach_user_policy(UserName="report-bot", PolicyArn=guard)
    everything = iam.create_policy(PolicyName="everything", PolicyDocument=_doc(_allow("*")))
    iam.create_role(
        RoleName="platform-admin",
        AssumeRolePolicyDocument=_trust(f"arn:aws:iam::{ACCOUNT}:root", arn("role", "build-hop")),
    )
    iam.attach_role_policy(RoleName="platform-admin", PolicyArn=everything["Policy"]["Arn"])
    _user(iam, "ops-bot", _allow("sts:AssumeRole", arn("role", "platform-admin")))
    _user(iam, "build-bot")
    secret = session.client("secretsmanager").create_secret(Name="build/token", SecretString="x")
    iam.create_role(RoleName="build-hop", AssumeRolePolicyDocument=_trust(arn("user", "build-bot")))
    iam.put_role_policy(
        RoleName="build-hop",
        PolicyName="read-token",
        PolicyDocument=_doc(_allow("secretsmanager:GetSecretValue", secret["ARN"])),
    )
    _user(iam, "fn-bot", _allow("lambda:UpdateFunctionCode"), key=False)
    return str(secret["ARN"])


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], str]]:
    """report.json of one scan of the estate, and the secret's ARN."""
    out = tmp_path_factory.mktemp("reach-e2e")
    with fake_aws_env(out / "aws-home"), mock_aws():
        secret = build(boto3.session.Session(region_name="us-east-1"))
        result = CliRunner().invoke(
            cli,
            ["scan", "--aws-region", "us-east-1", "-o", str(out / "report"), "--format", "json"],
            catch_exceptions=False,
        )
    assert result.exit_code == 0, result.output
    yield json.loads((out / "report" / "report.json").read_text()), secret


def _findings(report: dict[str, Any], rule_id: str) -> dict[str, dict[str, Any]]:
    found = [f for f in report["findings"] if f["rule_id"] == rule_id]
    by_subject = {f["subject"]: f for f in found}
    assert len(by_subject) == len(found), f"one {rule_id} finding per subject"
    return by_subject


def _hops(finding: dict[str, Any]) -> list[tuple[str, str, str, str | None]]:
    return [(h["from"], h["to"], h["edge"], h.get("method")) for h in finding["path"]]


def test_self_policy_escalation_to_admin(scan: tuple[dict[str, Any], str]) -> None:
    report, _ = scan
    escalations = _findings(report, "NHI101")
    deployer = arn("user", "ci-deployer")
    assert set(escalations) == {deployer}  # report-bot's path is removed by its Deny
    finding = escalations[deployer]
    evidence = finding["evidence"]
    assert (evidence["method"], evidence["target"], evidence["potential"]) == (
        "iam:PutUserPolicy", "admin", False)  # fmt: skip
    assert finding["severity"] == "critical"  # a machine with an active key
    assert _hops(finding) == [(deployer, ADMIN, "escalates_to", "iam:PutUserPolicy")]
    (statement,) = finding["path"][0]["statements"]
    assert statement["policy_id"].startswith(f"{deployer}#inline/")


def test_admin_equivalent_identities_and_their_paths(scan: tuple[dict[str, Any], str]) -> None:
    report, _ = scan
    admins = _findings(report, "NHI100")
    admin_role, hop = arn("role", "platform-admin"), arn("role", "build-hop")
    ops, build = arn("user", "ops-bot"), arn("user", "build-bot")
    assert {admin_role, hop, ops, build, arn("user", "ci-deployer")} <= set(admins)
    assert arn("user", "report-bot") not in admins
    assert admins[admin_role]["evidence"]["direct"] is True
    assert _hops(admins[ops]) == [
        (ops, admin_role, "can_assume", None),
        (admin_role, ADMIN, "is_admin", None),
    ]
    assert _hops(admins[build]) == [
        (build, hop, "can_assume", None),
        (hop, admin_role, "can_assume", None),
        (admin_role, ADMIN, "is_admin", None),
    ]
    assert {admins[s]["severity"] for s in (ops, build)} == {"critical"}
    assert admins[hop]["severity"] == "high"  # a role without keys
    # The account-root trust statement admits ops-bot through its identity policy; the second
    # statement, naming build-hop's ARN, admits build-hop by itself.
    ops_refs = {(s["policy_id"], s["index"]) for s in admins[ops]["path"][0]["statements"]}
    assert (f"{admin_role}#trust", 0) in ops_refs
    assert any(
        s["policy_id"].startswith(f"{ops}#inline/") for s in admins[ops]["path"][0]["statements"]
    )
    hop_refs = {(s["policy_id"], s["index"]) for s in admins[build]["path"][1]["statements"]}
    assert (f"{admin_role}#trust", 1) in hop_refs


def test_a_potential_escalation_has_no_path(scan: tuple[dict[str, Any], str]) -> None:
    report, _ = scan
    (finding,) = _findings(report, "NHI106").values()
    assert finding["subject"] == arn("user", "fn-bot")
    evidence = finding["evidence"]
    assert (evidence["method"], evidence["potential"]) == ("lambda:UpdateFunctionCode", True)
    assert "Lambda function" in evidence["missing"]
    assert finding["path"] == []
    assert "could escalate" in finding["title"] and finding["severity"] == "low"


def test_secret_reach_through_an_assumed_role(scan: tuple[dict[str, Any], str]) -> None:
    report, secret = scan
    reach = _findings(report, "NHI109")
    build, hop = arn("user", "build-bot"), arn("role", "build-hop")
    finding = reach[build]
    assert finding["evidence"]["read_secret_value"]["sample"] == [secret]
    assert _hops(finding)[:2] == [
        (build, hop, "can_assume", None),
        (hop, secret, "can_access", None),
    ]
    assert finding["path"][1]["actions"] == ["secretsmanager:GetSecretValue"]

"""History end to end: two scans of an estate in moto, with a key rotated, a policy attached
and a role deleted in between; `nhiscan diff` reports exactly those changes, in text and JSON,
and the second report says what changed since the last scan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
from click.testing import CliRunner, Result

from nhiscan.cli import cli

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROTATOR = f"arn:aws:iam::{ACCOUNT}:user/rotator"
GRANTEE = f"arn:aws:iam::{ACCOUNT}:user/grantee"
DOOMED = f"arn:aws:iam::{ACCOUNT}:role/doomed"
READER = f"arn:aws:iam::{ACCOUNT}:policy/reader"
OWNED = [{"Key": "owner", "Value": "platform"}]


def _run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _scan(store: str, out: Path) -> dict[str, Any]:
    _run("scan", "--aws-region", REGION, "--no-agents", "--store", store, "-o", str(out),
         "--format", "json")  # fmt: skip
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    return report


def test_diff_reports_a_rotation_an_attachment_and_a_deletion(moto: None, tmp_path: Path) -> None:
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName="rotator", Tags=OWNED)
    old_key = iam.create_access_key(UserName="rotator")["AccessKey"]["AccessKeyId"]
    iam.create_user(UserName="grantee", Tags=OWNED)
    harmless = {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}
    document = {"Version": "2012-10-17", "Statement": [harmless]}
    iam.create_policy(PolicyName="reader", PolicyDocument=json.dumps(document))
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"Service": "lambda.amazonaws.com"}}]}  # fmt: skip
    iam.create_role(RoleName="doomed", AssumeRolePolicyDocument=json.dumps(trust))
    store = f"sqlite:///{tmp_path / 'history.db'}"
    first = _scan(store, tmp_path / "one")
    assert first["history"]["previous"] is None and first["history"]["since_last"] is None

    new_key = iam.create_access_key(UserName="rotator")["AccessKey"]["AccessKeyId"]
    iam.delete_access_key(UserName="rotator", AccessKeyId=old_key)
    iam.attach_user_policy(UserName="grantee", PolicyArn=READER)
    iam.delete_role(RoleName="doomed")
    second = _scan(store, tmp_path / "two")

    change = json.loads(_run("diff", "--store", store, "--format", "json").output)
    assert (change["before"]["id"], change["after"]["id"]) == (
        first["history"]["run"]["id"], second["history"]["run"]["id"])  # fmt: skip
    assert change["keys_rotated"] == [{"identity": ROTATOR, "key": new_key, "previous": old_key}]
    assert change["grants"] == [{"subject": GRANTEE, "added": [f"policy {READER}"], "removed": []}]
    assert change["identities_removed"] == [DOOMED]
    for name in ("identities_created", "keys_created", "keys_deleted", "keys_deactivated",
                 "policies_changed", "agents", "new_findings"):  # fmt: skip
        assert change[name] == [], name
    assert {f["subject"] for f in change["resolved_findings"]} == {DOOMED}

    text = _run("diff", "--store", store).output
    assert f"keys rotated (1):\n  {ROTATOR}: {new_key} (replaces {old_key})" in text
    assert f"grants per identity (1):\n  {GRANTEE}:\n    + policy {READER}" in text
    assert f"identities removed (1):\n  {DOOMED}" in text
    assert "keys created" not in text and "new findings" not in text

    # The second report carries the same drift "since the last scan".
    assert second["history"]["since_last"] == change
    trend = second["history"]["trend"]
    assert [r["id"] for r in trend] == [change["before"]["id"], change["after"]["id"]]

    runs = json.loads(_run("history", "--store", store, "--format", "json").output)["runs"]
    assert [r["id"] for r in runs] == [change["after"]["id"], change["before"]["id"]]

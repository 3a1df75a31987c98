"""Wrong-shaped input is exit 2 naming the file and the place, never a clean "no risk" run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from nhiscan.cli import cli

GAAD_FIXTURE = Path(__file__).parent / "data" / "aws" / "gaad-small.json"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def scan_gaad(tmp_path: Path, content: Any) -> Result:
    path = tmp_path / "gaad.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return run("scan", "--aws-gaad", str(path), "-o", str(tmp_path / "out"))


@pytest.mark.parametrize(
    ("content", "place"),
    [
        ("[]", "an empty list"),
        ({"Users": []}, "not a GetAccountAuthorizationDetails export"),
        ({"UserDetailList": {}}, "UserDetailList: expected a list, got an object"),
        ({"UserDetailList": [{"UserName": "x"}]}, "UserDetailList[0].Arn: missing"),
    ],
)
def test_a_gaad_file_of_the_wrong_shape_is_exit_2(tmp_path: Path, content: Any, place: str) -> None:
    result = scan_gaad(tmp_path, content)
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / 'gaad.json'}" in result.stderr and place in result.stderr
    assert not (tmp_path / "out").exists()  # no report, no clean run in the history


def test_a_gaad_policy_with_an_unknown_operator_is_exit_2(tmp_path: Path) -> None:
    gaad = json.loads(GAAD_FIXTURE.read_text())
    role = gaad["RoleDetailList"][0]
    role["RolePolicyList"] = [{"PolicyName": "odd", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "*",
        "Resource": "*", "Condition": {"StringFrobnicates": {"aws:username": "x"}}}]}}]  # fmt: skip
    result = scan_gaad(tmp_path, gaad)
    assert result.exit_code == 2, result.output
    for part in (
        str(tmp_path / "gaad.json"),
        f"{role['Arn']}#inline/odd",
        f"iam-role {role['Arn']}",
        "Statement[0] (Sid 'All')",
        "StringFrobnicates",
    ):
        assert part in result.stderr, (part, result.stderr)  # fmt: skip


@pytest.fixture
def snapshot_data(demo_report: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((demo_report / "snapshot.json").read_text())
    return data


def analyze(tmp_path: Path, data: dict[str, Any]) -> Result:
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(data))
    return run("analyze", str(path), "-o", str(tmp_path / "out"))


def test_a_snapshot_without_its_identities_is_exit_2(
    tmp_path: Path, snapshot_data: dict[str, Any]
) -> None:
    del snapshot_data["identities"]
    result = analyze(tmp_path, snapshot_data)
    assert result.exit_code == 2
    assert f"{tmp_path / 'snapshot.json'}: the snapshot has no 'identities'" in result.stderr


def test_a_snapshot_record_error_names_the_record_and_field(
    tmp_path: Path, snapshot_data: dict[str, Any]
) -> None:
    record = snapshot_data["identities"][4]
    record["created"] = "not-a-date"
    result = analyze(tmp_path, snapshot_data)
    assert result.exit_code == 2
    where = f"identities[4] ({record['id']}): created: expected an ISO 8601 date-time"
    assert where in result.stderr


def test_a_snapshot_credential_without_its_identity_is_exit_2(
    tmp_path: Path, snapshot_data: dict[str, Any]
) -> None:
    owner = snapshot_data["credentials"][0]["identity"]
    snapshot_data["identities"] = [i for i in snapshot_data["identities"] if i["id"] != owner]
    result = analyze(tmp_path, snapshot_data)
    assert result.exit_code == 2
    assert f"identity: {owner!r} is not among the snapshot's identities" in result.stderr

"""GaadFileConnector: reading exports, what they lack, and files that are wrong."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from nhiscan.connectors.aws.gaad_file import NOT_IN_EXPORT, GaadFileConnector
from nhiscan.errors import ConnectorError
from nhiscan.scanner.model import Account, CollectionGap, GapReason, Identity, Policy, Record
from tests.connectors.aws.helpers import context, of
from tests.connectors.aws.test_gaad import ACCT, BOT, FIXTURE


def read(*paths: Path) -> list[Record]:
    return list(GaadFileConnector(list(paths)).collect(context()))


def test_fixture(tmp_path: Path) -> None:
    records = read(FIXTURE)
    assert [a for a in records if isinstance(a, Account)] == [Account(provider="aws", id=ACCT)]  # type: ignore[arg-type]
    assert BOT in of(records, Identity)
    assert len(of(records, Identity)) == 4
    # managed, inline, group inline, trust, and an AWS managed policy from the bundled copy
    assert len(of(records, Policy)) == 3 + 2 + 1 + 2 + 1


def test_sources() -> None:
    connector = GaadFileConnector([Path("a.json"), Path("b/c.json")])
    assert connector.sources == ("aws-gaad:a.json", "aws-gaad:b/c.json")


def test_what_an_export_lacks_is_a_gap_once_per_account(tmp_path: Path) -> None:
    copy = tmp_path / "again.json"
    shutil.copy(FIXTURE, copy)
    records = read(FIXTURE, copy)
    gaps = [r for r in records if isinstance(r, CollectionGap)]
    assert {g.reason for g in gaps} == {GapReason.NOT_IN_EXPORT}
    # (the fixture also lacks one attached AWS managed policy: a gap per file, tested apart)
    gaps = [g for g in gaps if g.operation != "iam:GetPolicyVersion"]
    assert {g.scope for g in gaps} == {ACCT}
    operations = [g.operation for g in gaps]
    assert sorted(operations) == sorted(op for op, _ in NOT_IN_EXPORT)  # once, not per file
    for needed in ("iam:ListAccessKeys", "iam:GetLoginProfile", "iam:ListMFADevices"):
        assert needed in operations
    assert [a.id for a in records if isinstance(a, Account)] == [ACCT]


def test_pages_one_after_another_and_as_a_list(tmp_path: Path) -> None:
    gaad = json.loads(FIXTURE.read_text())
    first = {"UserDetailList": gaad["UserDetailList"][:1], "IsTruncated": True, "Marker": "x"}
    rest = {**gaad, "UserDetailList": gaad["UserDetailList"][1:]}
    concatenated = tmp_path / "pages.json"
    concatenated.write_text(json.dumps(first, indent=4) + "\n" + json.dumps(rest, indent=4) + "\n")
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([first, rest]))
    whole = of(read(FIXTURE), Identity)
    assert of(read(concatenated), Identity) == whole
    assert of(read(listed), Identity) == whole


def test_not_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "UserDetailList": [\n    {"UserName": oops}\n  ]\n}\n')
    with pytest.raises(ConnectorError, match=r"bad\.json: not valid JSON \(line 3, column 18"):
        read(bad)
    empty = tmp_path / "empty.json"
    empty.write_text("  \n")
    with pytest.raises(ConnectorError, match=r"empty\.json: empty file"):
        read(empty)
    with pytest.raises(ConnectorError, match=r"missing\.json: cannot read"):
        read(tmp_path / "missing.json")


@pytest.mark.parametrize(
    "content",
    [
        '{"Users": []}',
        "[1, 2]",
        '"text"',
    ],
)
def test_not_gaad(tmp_path: Path, content: str) -> None:
    other = tmp_path / "other.json"
    other.write_text(content)
    with pytest.raises(ConnectorError, match=r"other\.json.*not a GetAccountAuthorizationDetails"):
        read(other)


def test_a_list_that_is_not_a_list(tmp_path: Path) -> None:
    odd = tmp_path / "odd.json"
    odd.write_text('{"UserDetailList": {"UserName": "x"}}')
    with pytest.raises(ConnectorError, match=r"odd\.json: UserDetailList: expected a list"):
        read(odd)


@pytest.mark.parametrize("content", ["[]", "[[]]", "[] []"])
def test_an_empty_list_is_not_an_empty_export(tmp_path: Path, content: str) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text(content)
    with pytest.raises(ConnectorError, match=r"empty\.json: .*not a GetAccountAuthorization"):
        read(empty)


def _broken(tmp_path: Path, change: Any) -> Path:
    gaad = json.loads(FIXTURE.read_text())
    change(gaad)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(gaad))
    return broken


@pytest.mark.parametrize(
    ("change", "place", "expected"),
    [
        (lambda g: g["UserDetailList"][1].pop("Arn"), r"UserDetailList\[1\]\.Arn", "missing"),
        (lambda g: g["UserDetailList"][0].pop("UserName"), r"UserDetailList\[0\]\.UserName",
         "missing"),
        (lambda g: g.update(RoleDetailList=None), "RoleDetailList", "expected a list, got null"),
        (lambda g: g["UserDetailList"].__setitem__(0, 7), r"UserDetailList\[0\]",
         "expected an object"),
        (lambda g: g["RoleDetailList"][0].update(Arn="role/x"), r"RoleDetailList\[0\]\.Arn",
         "expected an ARN"),
        (lambda g: g["RoleDetailList"][0].update(CreateDate="not-a-date"),
         r"RoleDetailList\[0\]\.CreateDate", "expected an ISO 8601 date"),
        (lambda g: g["UserDetailList"][0].update(Tags={"a": "b"}), r"UserDetailList\[0\]\.Tags",
         "expected a list"),
        (lambda g: g["Policies"][0]["PolicyVersionList"][0].update(Document="{nope"),
         r"Policies\[0\]\.PolicyVersionList\[0\]\.Document", "not a policy document"),
    ],
)  # fmt: skip
def test_a_malformed_entry_names_its_json_path(
    tmp_path: Path, change: Any, place: str, expected: str
) -> None:
    with pytest.raises(ConnectorError, match=rf"broken\.json: {place}: {expected}"):
        read(_broken(tmp_path, change))


def test_the_json_path_counts_within_the_page(tmp_path: Path) -> None:
    gaad = json.loads(FIXTURE.read_text())
    users = gaad["UserDetailList"]
    del users[1]["Arn"]
    pages = tmp_path / "pages.json"
    pages.write_text(
        json.dumps([{"UserDetailList": users[:1]}, {**gaad, "UserDetailList": users[1:]}])
    )
    with pytest.raises(ConnectorError, match=r"pages\.json \(page 2\): UserDetailList\[0\]\.Arn"):
        read(pages)


def _first_user_policy(gaad: dict[str, Any]) -> dict[str, Any]:
    user = next(u for u in gaad["UserDetailList"] if u.get("UserPolicyList"))
    document: dict[str, Any] = user["UserPolicyList"][0]["PolicyDocument"]
    return document


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ({"Effect": "Allow", "Action": 5, "Resource": "*"}, "Action must be a string"),
        ({"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}, 'Effect must be "Allow"'),
        ({"Effect": "deny", "Action": "s3:*", "Resource": "*"}, "case-sensitive"),
        ({"Action": "s3:*", "Resource": "*"}, "no Effect"),
        ({"Effect": "Allow", "Action": "s3:*", "NotAction": "iam:*"}, "both Action and NotAction"),
        ({"Effect": "Allow", "Action": "s3:*", "Resource": {"a": 1}}, "Resource must be a string"),
        ({"Effect": "Allow", "Action": "*", "Resource": "*",
          "Condition": {"StringFrobnicates": {"aws:username": "x"}}},
         "unknown condition operator 'StringFrobnicates'"),
    ],
)  # fmt: skip
def test_a_policy_aws_would_reject_names_file_policy_carrier_and_statement(
    tmp_path: Path, statement: dict[str, Any], message: str
) -> None:
    def change(gaad: dict[str, Any]) -> None:
        _first_user_policy(gaad)["Statement"] = [{"Effect": "Allow", "Action": "s3:GetObject",
                                                  "Resource": "*"}, statement]  # fmt: skip

    with pytest.raises(ConnectorError) as info:
        read(_broken(tmp_path, change))
    text = str(info.value)
    assert "broken.json: " in text and "#inline/" in text  # the file and the policy
    assert "the inline policy of iam-user arn:aws:iam::" in text  # who carries it
    assert "Statement[1]" in text and message in text


SYNTHETIC = "210987654321"
WHEN = "2020-01-01T00:00:00+00:00"
DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
}


def attachments(start: int, count: int, policies: int) -> list[dict[str, str]]:
    numbers = [(start + k) % policies for k in range(count)]
    return [
        {"PolicyName": f"p{n}", "PolicyArn": f"arn:aws:iam::{SYNTHETIC}:policy/p{n}"}
        for n in numbers
    ]


def synthetic_entity(kind: str, i: int, policies: int) -> dict[str, Any]:
    name = {"user": "UserName", "role": "RoleName", "group": "GroupName"}[kind]
    inline = {"user": "UserPolicyList", "role": "RolePolicyList", "group": "GroupPolicyList"}[kind]
    return {
        "Path": "/",
        name: f"{kind}{i}",
        f"{kind.capitalize()}Id": f"ID{kind}{i}",
        "Arn": f"arn:aws:iam::{SYNTHETIC}:{kind}/{kind}{i}",
        "CreateDate": WHEN,
        inline: [{"PolicyName": "inline", "PolicyDocument": DOCUMENT}],
        "AttachedManagedPolicies": attachments(i, 3, policies),
        "Tags": [{"Key": "team", "Value": f"t{i % 7}"}],
    }


def synthetic_gaad(roles: int, users: int, policies: int) -> dict[str, Any]:
    """The benchmark estate's shape: many entities, each with a few attachments."""
    role_extra = {
        "AssumeRolePolicyDocument": DOCUMENT,
        "InstanceProfileList": [],
        "RoleLastUsed": {"LastUsedDate": WHEN, "Region": "us-east-1"},
    }
    return {
        "UserDetailList": [
            {**synthetic_entity("user", i, policies), "GroupList": [f"group{i % 50}"]}
            for i in range(users)
        ],
        "GroupDetailList": [synthetic_entity("group", i, policies) for i in range(50)],
        "RoleDetailList": [
            {**synthetic_entity("role", i, policies), **role_extra} for i in range(roles)
        ],
        "Policies": [
            {
                "PolicyName": f"p{i}",
                "Arn": f"arn:aws:iam::{SYNTHETIC}:policy/p{i}",
                "DefaultVersionId": "v1",
                "CreateDate": WHEN,
                "PolicyVersionList": [
                    {"Document": DOCUMENT, "VersionId": "v1", "IsDefaultVersion": True}
                ],
            }
            for i in range(policies)
        ],
    }


def test_a_benchmark_sized_export_is_read_whole(tmp_path: Path) -> None:
    # Its speed is a benchmark's (bench/bench_dense.py prints the collection phase), never a
    # unit test's: a timing assertion fails on a loaded machine.
    big = tmp_path / "big.json"
    big.write_text(json.dumps(synthetic_gaad(roles=10_000, users=5_000, policies=2_000)))
    records = read(big)
    assert len([r for r in records if isinstance(r, Identity)]) == 15_000

"""The dense benchmark estate has the proportions issue #16 asks for, and is deterministic."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from nhiscan.connectors.aws.gaad_shape import page_problems
from tests.bench.dense import ROOT, gaad_dense

ACCOUNT = gaad_dense.ACCOUNT


@pytest.fixture(scope="module")
def estate() -> dict[str, Any]:
    return gaad_dense.generate(roles=2_000, users=1_000, groups=40, policies=600, managed=150)


def _generated_statements(estate: dict[str, Any]) -> list[dict[str, Any]]:
    """Statements of customer policies and inline policies (AWS managed ones are AWS's own)."""
    documents = [
        v["Document"]
        for p in estate["Policies"]
        if ":aws:policy/" not in p["Arn"]
        for v in p["PolicyVersionList"]
    ]
    for kind, inline in (("User", "UserPolicyList"), ("Group", "GroupPolicyList"),
                         ("Role", "RolePolicyList")):  # fmt: skip
        for entry in estate[f"{kind}DetailList"]:
            documents += [p["PolicyDocument"] for p in entry.get(inline, [])]
    return [s for d in documents for s in d["Statement"]]


def _share(count: int, total: int) -> float:
    return count / total


def test_sizes(estate: dict[str, Any]) -> None:
    assert len(estate["RoleDetailList"]) == 2_000
    assert len(estate["UserDetailList"]) == 1_000
    assert len(estate["GroupDetailList"]) == 40
    aws = [p for p in estate["Policies"] if p["Arn"].startswith("arn:aws:iam::aws:policy/")]
    assert len(aws) == 150
    assert len(estate["Policies"]) == 750
    customer = [p for p in estate["Policies"] if p not in aws]
    sizes = {len(p["PolicyVersionList"][0]["Document"]["Statement"]) for p in customer}
    assert sizes == set(range(1, 9))


def test_real_aws_managed_policies_from_moto(estate: dict[str, Any]) -> None:
    known = gaad_dense.aws_managed_policies()
    by_arn = {p["Arn"]: p for p in estate["Policies"]}
    admin = by_arn["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert admin["PolicyVersionList"][0]["Document"] == known["AdministratorAccess"]["Document"]
    for policy in by_arn.values():
        if ":aws:policy/" in policy["Arn"]:
            name = policy["PolicyName"]
            assert policy["Arn"].endswith(known[name]["Path"] + name)
            assert policy["PolicyVersionList"][0]["Document"] == known[name]["Document"]
    attached = Counter(
        a["PolicyArn"]
        for kind in ("User", "Group", "Role")
        for e in estate[f"{kind}DetailList"]
        for a in e["AttachedManagedPolicies"]
    )
    assert sum(n for arn, n in attached.items() if ":aws:policy/" in arn) > 100


def test_statement_proportions(estate: dict[str, Any]) -> None:
    statements = _generated_statements(estate)
    total = len(statements)
    assert total > 3_000
    admin = sum(s.get("Action") == "*" and s["Resource"] == "*" and s["Effect"] == "Allow"
                for s in statements)  # fmt: skip
    not_action = sum("NotAction" in s for s in statements)
    deny = sum(s["Effect"] == "Deny" for s in statements)
    condition = sum("Condition" in s for s in statements)
    assert 0.04 < _share(admin, total) < 0.06
    assert 0.04 < _share(not_action, total) < 0.06
    assert 0.065 < _share(deny, total) < 0.095
    assert 0.085 < _share(condition, total) < 0.115


def test_trust_proportions(estate: dict[str, Any]) -> None:
    kinds: Counter[str] = Counter()
    for role in estate["RoleDetailList"]:
        (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
        principal = statement["Principal"]
        if "Service" in principal:
            kinds["service"] += 1
        elif f":{ACCOUNT}:" in principal["AWS"]:
            kinds["same account"] += 1
            kinds["root"] += principal["AWS"].endswith(":root")
        else:
            kinds["other account"] += 1
            kinds["external id"] += "sts:ExternalId" in statement.get("Condition", {}).get(
                "StringEquals", {}
            )
    roles = len(estate["RoleDetailList"])
    assert 0.37 < _share(kinds["service"], roles) < 0.43
    assert 0.37 < _share(kinds["same account"], roles) < 0.43
    assert 0.17 < _share(kinds["other account"], roles) < 0.23
    assert 0.4 < _share(kinds["external id"], kinds["other account"]) < 0.6
    assert 0.4 < _share(kinds["root"], kinds["same account"]) < 0.6


def test_boundaries(estate: dict[str, Any]) -> None:
    principals = estate["RoleDetailList"] + estate["UserDetailList"]
    bounded = [p for p in principals if "PermissionsBoundary" in p]
    assert 0.065 < _share(len(bounded), len(principals)) < 0.095
    arns = {p["Arn"] for p in estate["Policies"]}
    assert all(p["PermissionsBoundary"]["PermissionsBoundaryArn"] in arns for p in bounded)


def test_export_passes_the_gaad_shape_check(estate: dict[str, Any]) -> None:
    assert list(page_problems(estate)) == []


def test_deterministic_for_a_seed() -> None:
    one = gaad_dense.generate(roles=200, users=100, groups=10, policies=50, managed=20)
    two = gaad_dense.generate(roles=200, users=100, groups=10, policies=50, managed=20)
    other = gaad_dense.generate(roles=200, users=100, groups=10, policies=50, managed=20, seed=3)
    assert json.dumps(one) == json.dumps(two)
    assert json.dumps(one) != json.dumps(other)


def test_one_command_writes_the_export(tmp_path: Path) -> None:
    out = tmp_path / "dense.json"
    args = [
        "--roles",
        "50",
        "--users",
        "20",
        "--groups",
        "5",
        "--policies",
        "10",
        "--managed",
        "10",
    ]
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "gaad_dense.py"), str(out), *args],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "wrote" in done.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["RoleDetailList"]) == 50
    assert data == gaad_dense.generate(roles=50, users=20, groups=5, policies=10, managed=10)

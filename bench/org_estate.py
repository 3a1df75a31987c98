"""Generate an AWS Organization's GAAD exports: one file per account (issue #21's benchmark).

Each account is ``gaad_estate.generate`` with a seed of its own (about 300 principals by
default: 200 roles, 100 users), its ARNs moved to the account's id, and the AWS managed
policies' documents made the same in every file (they are AWS's, not the account's). Accounts
come in business units of ``--unit`` accounts: every account of a unit has a role
``unit-deploy`` trusting the unit's tooling account (its first) role ``deployer``, and the
next account's ``unit-peer`` role; the tooling account's ``deployer`` may assume
``unit-deploy`` anywhere. Units do not trust each other, so a sharded analysis has one group
per unit. (A single account trusted by, or trusting, every account would join every account
into one group: the analysis stays exact, but runs as one job.)

Usage: python bench/org_estate.py OUT_DIR [--accounts N --unit N --roles N --users N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gaad_estate

FIRST_ACCOUNT = 200_000_000_000


def account_id(index: int) -> str:
    return str(FIRST_ACCOUNT + index)


def _aws_managed_documents() -> dict[str, Any]:
    rng = random.Random(0)
    return {name: gaad_estate._document(rng, 2) for name in gaad_estate.AWS_MANAGED}


def _role(account: str, name: str, trusted: list[str], actions: list[str]) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"}
    return {
        "Path": "/", "RoleName": name, "RoleId": f"AROAUNIT{name.upper().replace('-', '')}",
        "Arn": f"arn:aws:iam::{account}:role/{name}", "CreateDate": "2024-03-01T00:00:00+00:00",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        "InstanceProfileList": [], "AttachedManagedPolicies": [], "Tags": [],
        "RoleLastUsed": {},
        "RolePolicyList": [{"PolicyName": "unit", "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}}],
    }  # fmt: skip


def account_export(index: int, accounts: int, unit: int, roles: int, users: int) -> str:
    """One account's export, as JSON text."""
    data = gaad_estate.generate(roles, users, max(roles // 4, 10), seed=1000 + index)
    managed = _aws_managed_documents()
    for policy in data["Policies"]:
        name = policy["PolicyName"]
        if name in managed:
            policy["PolicyVersionList"][0]["Document"] = managed[name]
    account = account_id(index)
    first = index - index % unit
    tooling = account_id(first)
    peer = account_id(first + (index - first + 1) % min(unit, accounts - first))
    extra = [
        _role(gaad_estate.ACCOUNT, "unit-deploy", [f"arn:aws:iam::{tooling}:role/deployer"],
              ["cloudformation:*", "iam:PassRole"]),
        _role(gaad_estate.ACCOUNT, "unit-peer", [f"arn:aws:iam::{peer}:role/unit-deploy"],
              ["s3:GetObject"]),
    ]  # fmt: skip
    if index == first:
        extra.append(_role(gaad_estate.ACCOUNT, "deployer", [f"arn:aws:iam::{tooling}:root"],
                           ["sts:AssumeRole"]))  # fmt: skip
    data["RoleDetailList"].extend(extra)
    return json.dumps(data).replace(gaad_estate.ACCOUNT, account)


def write_estate(out: Path, accounts: int, *, unit: int = 10, roles: int = 200,
                 users: int = 100) -> list[Path]:  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(accounts):
        path = out / f"{account_id(index)}.json"
        if not path.exists():
            path.write_text(account_export(index, accounts, unit, roles, users), "utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--unit", type=int, default=10)
    parser.add_argument("--roles", type=int, default=200)
    parser.add_argument("--users", type=int, default=100)
    args = parser.parse_args()
    paths = write_estate(args.out, args.accounts, unit=args.unit, roles=args.roles,
                         users=args.users)  # fmt: skip
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} exports to {args.out} ({size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()

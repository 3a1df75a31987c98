"""The least-privilege policy for one identity: an IAM policy document that grants exactly an
agent's needs, ready to apply, and the trust policy a role needs (who may assume it).

Statements group resources that need the same actions under the same conditions, so the
document stays short and reads like one written by hand. Deterministic: the same plan gives
the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.model import Provider

POLICY_VERSION = "2012-10-17"


def bind_account(need: Need, account: str) -> str:
    """The need's ARN with an implicit account filled in with ``account``."""
    if not need.account_implicit:
        return need.resource
    fields = need.resource.split(":", 5)
    if len(fields) == 6 and fields[4] == "*":
        fields[4] = account
    return ":".join(fields)


def identity_policy(needs: Iterable[Need], account: str) -> dict[str, Any] | None:
    """The IAM policy granting ``needs`` (the AWS ones) to an identity in ``account``; None
    when there is nothing to grant."""
    by_resource: dict[tuple[str, str], set[str]] = {}
    for need in needs:
        if need.provider is not Provider.AWS:
            continue
        key = (bind_account(need, account), _freeze(need.conditions))
        by_resource.setdefault(key, set()).add(need.action)
    if not by_resource:
        return None
    grouped: dict[tuple[tuple[str, ...], str], list[str]] = {}
    for (resource, conditions), actions in by_resource.items():
        grouped.setdefault((tuple(sorted(actions, key=str.lower)), conditions), []).append(resource)
    statements = [
        _statement(index, actions, sorted(resources), conditions)
        for index, ((actions, conditions), resources) in enumerate(sorted(grouped.items()), 1)
    ]
    return {"Version": POLICY_VERSION, "Statement": statements}


def trust_policy(principals: Sequence[str], services: Sequence[str]) -> dict[str, Any] | None:
    """The trust policy admitting exactly ``principals`` (ARNs) and ``services``; None when
    nobody is known to need to assume the role."""
    principal: dict[str, Any] = {}
    if principals:
        principal["AWS"] = _one_or_list(sorted(set(principals)))
    if services:
        principal["Service"] = _one_or_list(sorted(set(services)))
    if not principal:
        return None
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return {"Version": POLICY_VERSION, "Statement": [statement]}


def _statement(
    index: int, actions: tuple[str, ...], resources: list[str], conditions: str
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": f"Need{index}",
        "Effect": "Allow",
        "Action": _one_or_list(list(actions)),
        "Resource": _one_or_list(resources),
    }
    if conditions != "{}":
        statement["Condition"] = json.loads(conditions)
    return statement


def _freeze(conditions: Mapping[str, Mapping[str, tuple[str, ...]]]) -> str:
    return json.dumps(
        {op: {k: list(v) for k, v in tests.items()} for op, tests in conditions.items()},
        sort_keys=True,
    )


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values

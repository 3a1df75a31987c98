"""The ``az`` commands that apply a least-privilege document (``render.py``): custom role
definitions, role assignments (with their ABAC conditions) and Cosmos DB's own roles, each a
shell-quoted line (sources in ``render.py``)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any


def _group(arm_id: str) -> tuple[str, str]:
    parts = arm_id.split("/")
    return parts[4], parts[-1]  # (resource group, account name)


def create(role: dict[str, Any]) -> str:
    return join(["az", "role", "definition", "create", "--role-definition", f"@{role['file']}"])


def assign(assignment: dict[str, Any]) -> str:
    words = [
        "az",
        "role",
        "assignment",
        "create",
        "--assignee-object-id",
        assignment["principalId"],
        "--assignee-principal-type",
        "ServicePrincipal",
        "--role",
        assignment["role"],
        "--scope",
        assignment["scope"],
    ]
    if "condition" in assignment:
        words += [
            "--condition",
            assignment["condition"],
            "--condition-version",
            assignment["conditionVersion"],
        ]
    return join(words)


def cosmos_create(role: dict[str, Any]) -> str:
    group, account = _group(role["account"])
    return join(
        [
            "az",
            "cosmosdb",
            "sql",
            "role",
            "definition",
            "create",
            "--account-name",
            account,
            "--resource-group",
            group,
            "--body",
            f"@{role['file']}",
        ]
    )


def cosmos_assign(assignment: dict[str, Any]) -> str:
    group, account = _group(assignment["account"])
    return join(
        [
            "az",
            "cosmosdb",
            "sql",
            "role",
            "assignment",
            "create",
            "--account-name",
            account,
            "--resource-group",
            group,
            "--role-definition-name",
            assignment["role"],
            "--scope",
            assignment["scope"],
            "--principal-id",
            assignment["principalId"],
        ]
    )


def join(words: Sequence[str]) -> str:
    return " ".join(shlex.quote(w) for w in words)

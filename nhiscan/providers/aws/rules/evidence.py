"""IAM policy statements as finding evidence."""

from __future__ import annotations

from typing import Any

from nhiscan.providers.aws.statements import Statement


def statement_evidence(statement: Statement) -> dict[str, Any]:
    """A policy statement as JSON-ready evidence, in the reader's normal shape."""
    evidence: dict[str, Any] = {"sid": statement.sid, "effect": statement.effect}
    for name in ("actions", "not_actions", "resources", "not_resources"):
        values = getattr(statement, name)
        if values:
            evidence[name] = list(values)
    for name in ("principals", "not_principals"):
        principals = getattr(statement, name)
        if principals is not None:
            evidence[name] = {kind: list(values) for kind, values in principals.items()}
    if statement.conditions:
        evidence["conditions"] = [
            {"operator": c.operator, "key": c.key, "values": list(c.values)}
            for c in statement.conditions
        ]
    return evidence

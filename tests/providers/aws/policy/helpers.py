"""Shared helpers for the policy evaluator tests."""

from __future__ import annotations

from nhiscan.providers.aws.policy import EstateAuthorizer
from nhiscan.scanner.authz import Decision, Evaluation
from nhiscan.scanner.model import Record
from tests.factories import estate

BUCKET = "arn:aws:s3:::app-bucket"
OBJECT = f"{BUCKET}/reports/2025.csv"


def authorizer(*records: Record) -> EstateAuthorizer:
    return EstateAuthorizer(estate(*records))


def decision(records: tuple[Record, ...], principal: str, action: str, resource: str) -> Decision:
    return authorizer(*records).evaluate(principal, action, resource).decision


def check(result: Evaluation, expected: Decision) -> Evaluation:
    assert result.decision is expected, result
    return result

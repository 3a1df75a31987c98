"""Whether a role's trust policy admits an AWS service principal (``lambda.amazonaws.com``), so
that a role passed to that service can be used by it.

The authorizer answers when it can: an authorizer with a ``trust_admits_service(role_arn,
service)`` method (returning a bool, a Decision or an Evaluation) is asked; a CONDITIONAL
answer (a trust whose conditions are request-time) makes the escalations through the role
conditional. Otherwise :func:`trust_admits_service` reads the trust policy itself: an Allow
statement whose actions cover ``sts:AssumeRole`` and whose ``Principal.Service`` names the
service admits it, unless a Deny statement naming the service does too. Conditions are not
evaluated (they narrow who may pass the role or from where, not whether the service may assume
it). A role whose trust policy is not in the snapshot admits nothing: its absence is a
collection gap, reported as such.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nhiscan.providers.aws.statements import Statement, statements
from nhiscan.scanner.authz import Decision, Evaluation
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.glob import compile_patterns, matches
from nhiscan.scanner.model import Identity

ASSUME_ROLE = "sts:AssumeRole"

TrustCheck = Callable[[Identity, str], Decision]


def trust_check(estate: Estate, authorizer: object) -> TrustCheck:
    """The authorizer's ``trust_admits_service`` when it has one, else the snapshot reader."""
    ask = getattr(authorizer, "trust_admits_service", None)
    if callable(ask):
        return lambda role, service: _decision(ask(role.id, service))
    return lambda role, service: _decision(trust_admits_service(estate, role, service))


def trust_admits_service(estate: Estate, role: Identity, service: str) -> bool:
    """Whether ``role``'s trust policy, as collected, lets ``service`` assume it."""
    policy = estate.policy(role.trust_policy or f"{role.id}#trust")
    if policy is None:
        return False
    relevant = [s for s in statements(policy.document) if _names(s, service)]
    if any(s.effect == "Deny" for s in relevant):
        return False
    return any(s.allows for s in relevant)


def _names(statement: Statement, service: str) -> bool:
    """Whether the statement is about ``service`` assuming the role."""
    services = {v.strip().lower() for v in statement.principal_values("Service")}
    if service.lower() not in services:
        return False
    if statement.not_actions:
        return not matches(compile_patterns(statement.not_actions), ASSUME_ROLE)
    return matches(compile_patterns(statement.actions), ASSUME_ROLE)


def _decision(answer: Any) -> Decision:
    """A bool, a Decision or an Evaluation, as a Decision."""
    if isinstance(answer, Evaluation):
        return answer.decision
    if isinstance(answer, Decision):
        return answer
    return Decision.ALLOW if answer else Decision.IMPLICIT_DENY

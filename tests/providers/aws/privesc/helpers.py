"""Small builders for escalation tests, on top of tests/factories.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nhiscan.providers.aws.privesc import Escalation, find_escalations
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Identity, Policy, Record, Resource, ResourceKind
from tests import factories as f
from tests.providers.aws.privesc.fake import BareAuthorizer, FakeAuthorizer, Rule

REGION = "eu-west-1"


def trusting(role: Identity, service: str) -> Policy:
    """``role``'s trust policy admitting one AWS service."""
    return f.trust_policy(role, f.document(f.assume_role_statement({"Service": service})))


def service_role(name: str, service: str, **overrides: Any) -> tuple[Identity, Policy]:
    role = f.role(name, **overrides)
    return role, trusting(role, service)


def function(name: str, runs_as: Identity, **overrides: Any) -> Resource:
    fields: dict[str, Any] = {
        "id": f"arn:aws:lambda:{REGION}:{f.ACCOUNT}:function:{name}",
        "kind": ResourceKind.LAMBDA_FUNCTION,
        "runs_as": runs_as.id,
        "policy": None,
    }
    return f.resource(name, **{**fields, **overrides})


def instance_profile(name: str, role: Identity) -> Resource:
    return f.resource(
        name,
        id=f.arn(f.ACCOUNT, f"instance-profile/{name}"),
        kind=ResourceKind.INSTANCE_PROFILE,
        runs_as=role.id,
        region=None,
        policy=None,
    )


def instance(name: str, profile: str, state: str | None = "running") -> Resource:
    return f.resource(
        name,
        id=f"arn:aws:ec2:{REGION}:{f.ACCOUNT}:instance/{name}",
        kind=ResourceKind.EC2_INSTANCE,
        runs_as=profile,
        state=state,
        policy=None,
    )


def allow(principal: Identity | str, action: str, resource: str = "*") -> Rule:
    return Rule(_id(principal), action, resource)


def rule(principal: Identity | str, action: str, resource: str, decision: Any) -> Rule:
    return Rule(_id(principal), action, resource, decision)


def escalations(
    records: Iterable[Record], rules: Iterable[Rule], *, bare: bool = False
) -> list[Escalation]:
    estate = f.estate(*records)
    return list(find_escalations(estate, authorizer(estate, rules, bare=bare)))


def authorizer(estate: Estate, rules: Iterable[Rule], *, bare: bool = False) -> BareAuthorizer:
    return BareAuthorizer(estate, rules) if bare else FakeAuthorizer(estate, rules)


def by_method(found: Iterable[Escalation], method: str) -> list[Escalation]:
    return [e for e in found if e.method == method]


def targets(found: Iterable[Escalation], method: str) -> list[str]:
    return [e.target for e in by_method(found, method)]


def _id(principal: Identity | str) -> str:
    return principal if isinstance(principal, str) else principal.id

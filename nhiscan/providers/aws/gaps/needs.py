"""The needs an AWS identity's grants are compared with, and what the gap analyzer proposes
about roles: the agent's AWS needs with implicit accounts bound to the identity's, assuming the
agent's other roles it reaches (a declared chain), and the services whose compute runs as a
role (its least trust)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.agents.render import bind_account
from nhiscan.scanner.model import Identity, Provider, ResourceKind

ASSUME_ROLE = "sts:AssumeRole"
COMPUTE_SERVICES = {
    ResourceKind.LAMBDA_FUNCTION: "lambda.amazonaws.com",
    ResourceKind.EC2_INSTANCE: "ec2.amazonaws.com",
}


def gap_needs(identity: Identity, needs: Iterable[Need], onward: Iterable[str]) -> tuple[Need, ...]:
    """``needs``' AWS ones with implicit accounts bound to the identity's, then assuming each
    role of ``onward``."""
    bound = [
        replace(n, resource=bind_account(n, identity.account), account_implicit=False)
        for n in needs
        if n.provider is Provider.AWS
    ]
    bound += [assume(role) for role in onward]
    return tuple(bound)


def assume(role: str) -> Need:
    return Need(provider=Provider.AWS, action=ASSUME_ROLE, resource=role, steps=())


def any_region(arn: str) -> bool:
    """Whether an ARN's region field is ``*`` (the need named no region)."""
    fields = arn.split(":", 5)
    return len(fields) == 6 and fields[3] == "*"

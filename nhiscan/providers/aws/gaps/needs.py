"""The needs an AWS identity's grants are compared with, and what the gap analyzer proposes
about roles: the agent's AWS needs with implicit accounts bound to the identity's, and assuming
the agent's other roles it reaches (a declared chain). The services whose compute runs as a
role (its least trust) are the agent vocabulary's (``agents/vocabulary.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from nhiscan.providers.aws.agents.render import bind_account
from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.model import Identity, Provider

ASSUME_ROLE = "sts:AssumeRole"


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

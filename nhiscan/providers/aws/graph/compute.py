"""runs_as and pass-role: the roles compute runs as, and the escalation steps that hand a role
to a service (``iam:PassRole``)."""

from __future__ import annotations

from collections.abc import Iterator

from nhiscan.scanner.escalation import Escalation, Step
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Resource, ResourceKind

PASS_ROLE = "iam:passrole"


def role_of(estate: Estate, resource: Resource) -> tuple[str, ...]:
    """The role compute runs as: a function's role, an instance's profile's role."""
    if resource.runs_as is None:
        return ()
    profile = estate.resources.get(resource.runs_as)
    if profile is not None and profile.kind is ResourceKind.INSTANCE_PROFILE:
        return () if profile.runs_as is None else (profile.runs_as,)
    return (resource.runs_as,)


def passed_roles(escalation: Escalation) -> Iterator[Step]:
    """The PassRole steps of ``escalation``: each hands its resource (a role) to a service."""
    for step in escalation.steps:
        if step.action.lower() == PASS_ROLE:
            yield step

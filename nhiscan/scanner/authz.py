"""The authorization seam between the policy evaluator and what is built on it (reach graph,
escalation methods, gap analysis).

``Authorizer.evaluate(principal, action, resource)`` answers one request the way AWS would,
from the snapshot alone: identity policies (the identity's and its groups'), permission
boundary, SCPs, and the resource's own policy (a role's trust policy for ``sts:AssumeRole*`` on
a role ARN; a bucket, key or secret policy for a known resource). A condition nhiscan cannot
decide makes the answer CONDITIONAL: never silently an allow or a deny.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Decision(StrEnum):
    ALLOW = "allow"
    CONDITIONAL = "conditional"  # allowed only if conditions nhiscan cannot decide hold
    DENY = "deny"  # an explicit Deny applies
    IMPLICIT_DENY = "implicit-deny"  # nothing allows it (or a boundary/SCP does not)

    @property
    def possible(self) -> bool:
        """Allowed, or allowed under conditions that may hold."""
        return self in (Decision.ALLOW, Decision.CONDITIONAL)


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementRef:
    """One statement of one policy: enough to show a person which line grants or denies."""

    policy_id: str
    index: int  # position in the policy's Statement list (0 for a lone statement object)
    sid: str | None = None
    effect: str = "Allow"


@dataclass(frozen=True, slots=True, kw_only=True)
class Evaluation:
    decision: Decision
    allowed_by: tuple[StatementRef, ...] = ()  # the Allow statements that grant it
    denied_by: tuple[StatementRef, ...] = ()  # the Deny statements that apply
    undecided: tuple[StatementRef, ...] = ()  # statements whose conditions could not be decided
    reason: str = ""  # one line for a person: "denied by SCP p-123", "boundary does not allow"


class Authorizer(Protocol):
    def principals(self) -> Iterable[str]:
        """Ids of the identities that can make requests (users and roles)."""
        ...

    def evaluate(
        self,
        principal: str,
        action: str,
        resource: str,
        context: Mapping[str, str | Sequence[str] | None] | None = None,
    ) -> Evaluation:
        """May ``principal`` (an identity id) call ``action`` on ``resource`` (an ARN, or "*"
        for actions that take no resource)? ``context``: request-time condition values the
        caller knows (the gap analyzer's agent conditions); conditions on them are decided."""
        ...

    def is_admin(self, principal: str) -> Evaluation:
        """Effective ``*`` on ``*``: every action on every resource, within boundary and SCPs."""
        ...

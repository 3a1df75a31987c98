"""The authorization seam between a provider's policy evaluator and what is built on it (reach
graph, escalation methods, gap analysis).

``Authorizer.evaluate(principal, action, resource)`` answers one request the way the cloud
would, from the snapshot alone: every policy that applies to the principal and to the resource
(each provider documents its layers in docs/providers.md). A condition nhiscan cannot decide
makes the answer CONDITIONAL: never silently an allow or a deny. :class:`CompositeAuthorizer`
answers for several providers at once, each principal by its own provider's evaluator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
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
        """May ``principal`` (an identity id) call ``action`` on ``resource`` (a resource id, or
        "*" for actions that take no resource)? ``context``: request-time condition values the
        caller knows (the gap analyzer's agent conditions); conditions on them are decided."""
        ...

    def is_admin(self, principal: str) -> Evaluation:
        """Effective ``*`` on ``*``: every action on every resource, within every limit above
        (in any scope: the yes/no question)."""
        ...

    def admin_of(self, principal: str) -> Iterable[tuple[str, Evaluation]]:
        """Each scope (account, project, folder, subscription: an admin sink of the graph) of
        which ``principal`` may be administrator, with the answer that says so (an AWS
        principal: its own account, whatever ``is_admin`` answers). Scopes it is not admin of
        may be left out."""
        ...


class CompositeAuthorizer:
    """Several providers' authorizers as one, keyed by provider name: ``evaluate``,
    ``is_admin`` and ``admin_of`` ask the evaluator of the principal's provider
    (``provider_of``), and the principals are the union of theirs. A principal no provider
    analyses is a ``KeyError``, as an unknown principal is for one evaluator."""

    def __init__(
        self, authorizers: Mapping[str, Authorizer], provider_of: Callable[[str], str | None]
    ) -> None:
        self._authorizers = {name: authorizers[name] for name in sorted(authorizers)}
        self._provider_of = provider_of
        self._of: dict[str, Authorizer] = {}

    def principals(self) -> Iterable[str]:
        found: dict[str, None] = {}
        for authorizer in self._authorizers.values():
            found.update(dict.fromkeys(authorizer.principals()))
        return list(found)

    def evaluate(
        self,
        principal: str,
        action: str,
        resource: str,
        context: Mapping[str, str | Sequence[str] | None] | None = None,
    ) -> Evaluation:
        return self.authorizer_of(principal).evaluate(principal, action, resource, context)

    def is_admin(self, principal: str) -> Evaluation:
        return self.authorizer_of(principal).is_admin(principal)

    def admin_of(self, principal: str) -> Iterable[tuple[str, Evaluation]]:
        return list(self.authorizer_of(principal).admin_of(principal))

    def authorizer_of(self, principal: str) -> Authorizer:
        """The evaluator of ``principal``'s provider."""
        found = self._of.get(principal)
        if found is None:
            name = self._provider_of(principal)
            found = self._authorizers.get(name) if name is not None else None
            if found is None:
                raise KeyError(f"{principal}: no provider of this analysis answers for it")
            self._of[principal] = found
        return found

"""Policies bound to a request's parts, and what a group of them says about a request.

A :class:`BoundPolicy` is a policy in one role (identity policy, group policy, boundary, SCP,
resource or trust policy) with its compiled document; :func:`scan` runs one over a request and
adds its verdict to a :class:`Tally`: the best Allow and Deny (YES, NO or MAYBE) with the
statements behind them, and, for resource policies, the grant by the way it names the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from nhiscan.providers.aws.policy.compiled import CompiledDocument, CompiledStatement
from nhiscan.providers.aws.policy.context import PrincipalFacts, ResourceFacts
from nhiscan.providers.aws.policy.matching import Lookup, Tri
from nhiscan.scanner.authz import StatementRef


class Role(StrEnum):
    """What a policy is to the request; the label is how reasons name it."""

    IDENTITY = "identity policy"
    GROUP = "group policy"
    BOUNDARY = "permission boundary"
    SCP = "SCP"
    RESOURCE = "resource policy"
    TRUST = "trust policy"


@dataclass(frozen=True, slots=True, kw_only=True)
class BoundPolicy:
    """A policy as it takes part in requests: its id, its role, its compiled document (None
    when the snapshot lacks the document: it may allow anything)."""

    policy_id: str
    role: Role
    document: CompiledDocument | None
    refs: dict[int, StatementRef] = field(default_factory=dict)

    def ref(self, statement: CompiledStatement) -> StatementRef:
        found = self.refs.get(statement.index)
        if found is None:
            found = StatementRef(
                policy_id=self.policy_id,
                index=statement.index,
                sid=statement.sid,
                effect=statement.effect,
            )
            self.refs[statement.index] = found
        return found

    @property
    def missing_ref(self) -> StatementRef:
        """Stands for the whole policy when its document is not in the snapshot (index -1)."""
        return StatementRef(policy_id=self.policy_id, index=-1, sid=None, effect="Allow")

    def describe(self) -> str:
        return f"{self.role.value} {self.policy_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PrincipalView:
    """Everything about a principal that requests need, bound once."""

    facts: PrincipalFacts
    identity: tuple[BoundPolicy, ...]
    boundary: BoundPolicy | None
    # (target id, SCPs attached there) from the root down to the account; () when SCPs do not
    # apply (management account, service-linked role) or the snapshot has none for it.
    scp_levels: tuple[tuple[str, tuple[BoundPolicy, ...]], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """The resource side of a request."""

    facts: ResourceFacts
    policy: BoundPolicy | None = None  # its resource policy, or the role's trust policy
    # The policy must admit the caller (trust policy, KMS key policy); when it is absent from
    # the snapshot, nothing certain can be said.
    required: bool = False
    # Whether the snapshot holds the resource ("*" counts): a resource of another account that
    # was not collected may have a resource policy nhiscan cannot see.
    known: bool = True


# An undecided statement: its policy, its reference, the statement (None: a missing policy).
Undecided = tuple["BoundPolicy", StatementRef, "CompiledStatement | None"]


@dataclass(slots=True)
class Tally:
    """What one group of policies says about a request."""

    allow: Tri = Tri.NO
    deny: Tri = Tri.NO
    allows: list[StatementRef] = field(default_factory=list)
    denies: list[tuple[BoundPolicy, StatementRef]] = field(default_factory=list)
    undecided: list[Undecided] = field(default_factory=list)
    # For resource policies, the grant by the way the statement names the caller.
    direct: Tri = Tri.NO
    role: Tri = Tri.NO
    anyone: Tri = Tri.NO
    account: Tri = Tri.NO


def scan(
    bound: BoundPolicy,
    action: str,
    resource: str,
    lookup: Lookup,
    tally: Tally,
    caller: PrincipalFacts | None = None,
) -> None:
    """Add what ``bound`` says about the request to ``tally``; ``caller`` for resource
    policies, whose statements must name it."""
    document = bound.document
    if document is None:
        _missing(bound, tally)
        return
    for statement in document.for_action(action):
        found = statement.matches_resource(resource, lookup)
        if found is Tri.NO:
            continue
        named = statement.names(caller) if caller is not None else None
        if named is not None:
            found = min(found, named.best)
            if found is Tri.NO:
                continue
        found = min(found, statement.conditions_hold(lookup))
        if found is Tri.NO:
            continue
        _count(bound, statement, found, tally)
        if named is not None and statement.allow:
            tally.direct = max(tally.direct, min(found, named.direct))
            tally.role = max(tally.role, min(found, named.role))
            tally.anyone = max(tally.anyone, min(found, named.anyone))
            tally.account = max(tally.account, min(found, named.account))


def _count(bound: BoundPolicy, statement: CompiledStatement, found: Tri, tally: Tally) -> None:
    ref = bound.ref(statement)
    if found is Tri.MAYBE:
        tally.undecided.append((bound, ref, statement))
    if statement.allow:
        tally.allow = max(tally.allow, found)
        if found is Tri.YES:
            tally.allows.append(ref)
    else:
        tally.deny = max(tally.deny, found)
        if found is Tri.YES:
            tally.denies.append((bound, ref))


def _missing(bound: BoundPolicy, tally: Tally) -> None:
    """A policy whose document is not in the snapshot may allow or deny anything: as undecided
    as a condition on a request-time key, never an allow or a deny for certain."""
    tally.allow = max(tally.allow, Tri.MAYBE)
    tally.deny = max(tally.deny, Tri.MAYBE)
    tally.direct = max(tally.direct, Tri.MAYBE)
    tally.undecided.append((bound, bound.missing_ref, None))

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
from nhiscan.providers.aws.policy.matching import Lookup, Matcher, Tri
from nhiscan.scanner.authz import Evaluation, StatementRef


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


@dataclass(slots=True, kw_only=True)
class ActionPlan:
    """What a principal's own policies say about one action, worked out once per (principal,
    action) instead of once per request (``plans.py``)."""

    # Its identity and group policies with a statement about the action (the others add
    # nothing to a request's tally), in order.
    identity: tuple[BoundPolicy, ...]
    sides_may_deny: bool  # its boundary or an SCP has a Deny about it (or is not collected)
    # When each identity statement about it names its resources without a variable: their
    # matchers (with NotResource); a request on a resource none matches is then not allowed.
    matchers: tuple[tuple[Matcher, bool], ...] | None
    # When the answer on a plain target of its account depends on the target only through the
    # resources its statements (identity, boundary, SCPs) name without a variable: those
    # matchers, and the answers kept per signature (which of them match). None: it does not.
    naming: tuple[tuple[Matcher, bool], ...] | None = None
    answers: dict[tuple[bool, ...], Evaluation] | None = None

    def nothing_on(self, resource: str) -> bool:
        """Whether no identity statement can apply to ``resource`` and nothing may deny."""
        if self.matchers is None or self.sides_may_deny:
            return False
        for match, negated in self.matchers:  # noqa: SIM110 (no generator: a hot path)
            if match(resource) != negated:
                return False
        return True

    def signature(self, resource: str) -> tuple[bool, ...]:
        """Which of the naming statements match ``resource`` (``naming`` must be known)."""
        assert self.naming is not None
        if not self.naming:
            return ()
        return tuple([match(resource) != negated for match, negated in self.naming])


@dataclass(frozen=True, slots=True, kw_only=True)
class PrincipalView:
    """Everything about a principal that requests need, bound once."""

    facts: PrincipalFacts
    identity: tuple[BoundPolicy, ...]
    boundary: BoundPolicy | None
    # (target id, SCPs attached there) from the root down to the account; () when SCPs do not
    # apply (management account, service-linked role) or the snapshot has none for it.
    scp_levels: tuple[tuple[str, tuple[BoundPolicy, ...]], ...] = ()
    # Kept per action (lower case) while the view lives (``plans.plan_of``).
    plans: dict[str, ActionPlan] = field(default_factory=dict, compare=False, repr=False)


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
    # A known resource with no policy of its own taking part (not "*"): for a principal of its
    # account, only that principal's policies and the resource's ARN and tags decide.
    plain: bool = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        plain = self.policy is None and not self.required and self.known
        object.__setattr__(self, "plain", plain and self.facts.arn != "*")


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

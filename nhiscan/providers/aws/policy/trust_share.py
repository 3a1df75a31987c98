"""One evaluation of ``sts:AssumeRole`` per (caller, trust class, resource signature) instead
of one per (caller, role) pair (issue #16).

On a dense account hundreds of roles carry the same trust document (the account root, one
service), and a caller asks each of them the same question. The evaluator's answer for a pair
depends on the role only through:

- the trust policy: its document (compiled once per distinct content), and its id, which the
  answer's statement references carry;
- the role's account (cross-account rules, ``aws:ResourceAccount`` and the organization keys);
- the role's ARN, as the caller's identity, boundary and SCP statements about the action match
  it (``Resource``), and its tags (``aws:ResourceTag/*`` conditions).

So roles are grouped into trust classes (same account, same trust document, a trust whose
statements about the action name no resource and test no resource key), and for one caller the
roles of a class that its statements match alike (its *signature*: for each statement naming
resources, whether it matches the role's ARN) get the answer of the first such role, with the
trust's statement references renamed to the role's own trust policy. Anything else keeps a
question of its own: a caller whose statements test a resource key or name resources through
policy variables, a role whose trust names resources or tests resource keys. A can_assume hop
(``hop``) keeps only the decision and the Allow statements.

The whole answer is shared too (``evaluation``, for the escalation engine's steps, whose
answers a report shows in full): every statement reference, with the trust policy the answer
was asked of renamed to the role's own, and the reason when it names neither that trust
policy nor the role asked ("allowed by trust policy …", "the trust policy of … does not
admit"): such an answer is asked again of the role (a string replace is not exact: one ARN
may begin another).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from nhiscan.providers.aws.policy.authorizer import EstateAuthorizer
from nhiscan.providers.aws.policy.bound import ActionPlan, BoundPolicy
from nhiscan.providers.aws.policy.matching import Matcher
from nhiscan.providers.aws.policy.plans import plan_of, tests_resource
from nhiscan.scanner.authz import Authorizer, Decision, Evaluation, StatementRef
from nhiscan.scanner.graph.model import EdgeKind, Hop, granted_hop

ASSUME = "sts:AssumeRole"
_ACTION = ASSUME.lower()
# Answers shared per trust class; False: every pair evaluated (the reference the tests compare
# with). Read when a graph is built or escalations are searched.
SHARE_TRUST = True


@dataclass(frozen=True, slots=True)
class _Caller:
    """A caller's plan for the action (its statements naming resources), and the ids of its
    policies (an answer is renamed only when they cannot be confused with the trust's)."""

    plan: ActionPlan
    policy_ids: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Role:
    """A role's trust class (None: the role is asked on its own) and trust policy id."""

    key: tuple[str | None, int] | None
    trust_id: str | None


class TrustAnswers:
    """sts:AssumeRole answers of an :class:`EstateAuthorizer` (can_assume hops, and whole
    evaluations for the escalation engine), shared within trust classes."""

    def __init__(self, authorizer: EstateAuthorizer) -> None:
        self._authorizer = authorizer
        self._callers: dict[str, _Caller | None] = {}
        self._roles: dict[str, _Role] = {}
        self._renames: dict[tuple[StatementRef, str], StatementRef] = {}
        # (caller, trust class, signature) -> (the trust id the answer names, the role it was
        # asked of, the answer)
        self._answers: dict[tuple[str, tuple[str | None, int], tuple[bool, ...]],
                            tuple[str | None, str, Evaluation]] = {}  # fmt: skip

    def hop(self, caller: str, role: str) -> Hop | None:
        """The can_assume hop from ``caller`` to ``role``, None when it is not possible."""
        found = self._shared(caller, role)
        if found is None:
            return _hop(caller, role, self._authorizer.evaluate(caller, ASSUME, role))
        named, _, trust_id, result = found
        if named == trust_id or trust_id is None or not result.decision.possible:
            return _hop(caller, role, result)
        return Hop(
            source=caller,
            target=role,
            edge=EdgeKind.CAN_ASSUME,
            statements=tuple(self._renamed(ref, named, trust_id) for ref in result.allowed_by),
            conditional=result.decision is Decision.CONDITIONAL,
        )

    def evaluation(self, caller: str, role: str) -> Evaluation:
        """The whole answer to ``caller`` calling sts:AssumeRole on ``role``: what
        ``evaluate`` gives, shared within the role's trust class. A role whose trust is not in
        the snapshot is asked on its own: the reason names the role."""
        found = self._shared(caller, role)
        if found is None:
            return self._authorizer.evaluate(caller, ASSUME, role)
        named, asked, trust_id, result = found
        if asked == role:
            return result
        if trust_id is None or asked in result.reason or (named and named in result.reason):
            return self._authorizer.evaluate(caller, ASSUME, role)
        if named == trust_id or named is None:
            return result
        return replace(
            result,
            allowed_by=tuple(self._renamed(r, named, trust_id) for r in result.allowed_by),
            denied_by=tuple(self._renamed(r, named, trust_id) for r in result.denied_by),
            undecided=tuple(self._renamed(r, named, trust_id) for r in result.undecided),
        )

    def decision(self, caller: str, role: str) -> Decision:
        """The decision of ``evaluation(caller, role)``, without making the answer's renamed
        copy (the escalation engine asks it of every role a principal might act as, and
        builds the whole answer only for the roles its escalations go through)."""
        found = self._shared(caller, role)
        if found is None:
            return self._authorizer.evaluate(caller, ASSUME, role).decision
        return found[3].decision

    def naming(
        self, caller: str, trust_ids: frozenset[str]
    ) -> tuple[tuple[Matcher, bool], ...] | None:
        """The matchers of the caller's statements about sts:AssumeRole that name resources,
        when its answer on a role depends on the role's ARN only through which of them match
        (its signature); None when it may depend on the role otherwise, or when one of its
        policies carries an id of ``trust_ids`` (its references could not be told from the
        trust's)."""
        shape = self._caller(caller)
        if shape is None or shape.plan.naming is None or shape.policy_ids & trust_ids:
            return None
        return shape.plan.naming

    def _shared(
        self, caller: str, role: str
    ) -> tuple[str | None, str, str | None, Evaluation] | None:
        """(the trust id the shared answer names, the role it was asked of, the role's trust
        id, the answer); None when the pair is asked on its own."""
        shape = self._caller(caller)
        place = self._role(role)
        if shape is None or place.key is None or place.trust_id in shape.policy_ids:
            return None
        key = (caller, place.key, shape.plan.signature(role))
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = (
                place.trust_id,
                role,
                self._authorizer.evaluate(caller, ASSUME, role),
            )
        return found[0], found[1], place.trust_id, found[2]

    def _renamed(self, ref: StatementRef, named: str | None, trust_id: str) -> StatementRef:
        """``ref`` with the trust policy ``named`` renamed to ``trust_id`` (kept per trust
        statement: every caller of a role names the same few)."""
        if ref.policy_id != named:
            return ref
        key = (ref, trust_id)
        found = self._renames.get(key)
        if found is None:
            found = self._renames[key] = StatementRef(
                policy_id=trust_id, index=ref.index, sid=ref.sid, effect=ref.effect
            )
        return found

    def _caller(self, caller: str) -> _Caller | None:
        if caller not in self._callers:
            self._callers[caller] = _caller_shape(self._authorizer, caller)
        return self._callers[caller]

    def _role(self, role: str) -> _Role:
        found = self._roles.get(role)
        if found is None:
            target = self._authorizer.target(role, ASSUME)
            trust = target.policy
            account = target.facts.account
            if trust is None:  # not in the snapshot: every such role answers alike
                found = _Role(key=(account, 0), trust_id=None)
            else:
                shared = _trust_is_shared(trust)
                key = (account, id(trust.document)) if shared else None
                found = _Role(key=key, trust_id=trust.policy_id)
            self._roles[role] = found
        return found


def assume_answers(authorizer: Authorizer) -> TrustAnswers | None:
    """A new :class:`TrustAnswers` (its ``evaluation`` and ``decision`` serve the escalation
    engine), when answers are shared and the authorizer is the estate's; None: ask the
    authorizer each pair."""
    if SHARE_TRUST and isinstance(authorizer, EstateAuthorizer):
        return TrustAnswers(authorizer)
    return None


def _hop(caller: str, role: str, result: Evaluation) -> Hop | None:
    if not result.decision.possible:
        return None
    return granted_hop(caller, role, EdgeKind.CAN_ASSUME, result)


def _caller_shape(authorizer: EstateAuthorizer, caller: str) -> _Caller | None:
    """The caller's plan for the action when its answer depends on the role only through the
    resources its statements name (``plans.py``); None when it may depend on it otherwise."""
    view = authorizer.view(caller)
    plan = plan_of(view, _ACTION)
    if plan.naming is None:
        return None
    bounds = [*view.identity, *([view.boundary] if view.boundary else [])]
    bounds += [b for _, level in view.scp_levels for b in level]
    return _Caller(plan=plan, policy_ids=frozenset(b.policy_id for b in bounds))


def _trust_is_shared(trust: BoundPolicy) -> bool:
    """Whether the trust's statements about the action answer alike for every role carrying
    it: none names a resource or tests a resource key."""
    if trust.document is None:
        return True
    return all(s.any_resource and not tests_resource(s) for s in trust.document.for_action(_ACTION))

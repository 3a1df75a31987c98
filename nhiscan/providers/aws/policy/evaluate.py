"""AWS's policy evaluation logic, for one principal, one action, one resource.

Following AWS's documented logic ("Policy evaluation logic", "Cross-account policy evaluation
logic", "Permissions boundaries"):

1. An explicit Deny that applies, in any policy (identity or group policy, permission
   boundary, SCP, resource or trust policy), denies.
2. The identity side allows when an identity policy (the identity's own or one of its groups')
   allows AND the permission boundary, if any, allows AND, at every level of the organization
   (root, each OU, the account), at least one attached SCP allows.
3. Within one account, a resource policy also grants on its own, but never past the SCPs:
   naming the user's ARN or the role session's ARN, also past an implicit deny in the boundary;
   naming the role's ARN, within the boundary; naming the account, only together with the
   identity side. A role's trust policy (for sts:AssumeRole* on the role) and a KMS key policy
   must admit the caller in any case: the identity side alone is not enough.
4. Across accounts (the resource's account is not the caller's), the identity side AND the
   resource policy must both allow.

Every part answers YES, NO or MAYBE. The decision is ALLOW when the grant is certain and no
Deny may apply; CONDITIONAL when it is possible but rests on something undecided (a condition on
a request-time key, an unresolvable variable, a policy missing from the snapshot, a Deny that
may apply); DENY on a certain explicit Deny; IMPLICIT_DENY otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from nhiscan.providers.aws.policy import plans
from nhiscan.providers.aws.policy.bound import (
    BoundPolicy,
    PrincipalView,
    Role,
    Tally,
    Target,
    Undecided,
    scan,
)
from nhiscan.providers.aws.policy.choices import joint_choices
from nhiscan.providers.aws.policy.context import RequestContext
from nhiscan.providers.aws.policy.matching import KeyValue, Tri
from nhiscan.scanner.authz import Decision, Evaluation, StatementRef

Note = Callable[[], str]


@dataclass(slots=True)
class Request:
    """One request being evaluated: the tallies of each part, then the decision."""

    view: PrincipalView
    action: str  # lower case
    target: Target
    context: RequestContext
    identity: Tally = field(default_factory=Tally)
    boundary: Tally | None = None
    scps: list[tuple[str, Tally]] = field(default_factory=list)
    resource: Tally | None = None
    notes: list[Note] = field(default_factory=list)  # why a part is MAYBE, first one first

    def run(self) -> Evaluation:
        self._scan_all()
        denies = self._denies()
        if denies:
            bound = denies[0][0]
            refs = tuple(dict.fromkeys(ref for _, ref in denies))
            return Evaluation(
                decision=Decision.DENY, denied_by=refs, reason=f"denied by {bound.describe()}"
            )
        final = self._final()
        if final is Tri.NO:
            return Evaluation(decision=Decision.IMPLICIT_DENY, reason=self._why_not())
        return self._allowed(final)

    def _scan_all(self) -> None:
        """The identity tally comes scanned (``_evaluate``); the other parts are scanned here."""
        lookup, arn, action = self.context.value, self.target.facts.arn, self.action
        if self.view.boundary is not None:
            self.boundary = Tally()
            scan(self.view.boundary, action, arn, lookup, self.boundary)
        for level, attached in self.view.scp_levels:
            tally = Tally()
            for bound in attached:
                scan(bound, action, arn, lookup, tally)
            self.scps.append((level, tally))
        if self.target.policy is not None:
            self.resource = Tally()
            caller = self.view.facts
            scan(self.target.policy, action, arn, lookup, self.resource, caller)

    def _tallies(self) -> list[Tally]:
        found = [self.identity, *(t for _, t in self.scps)]
        found += [t for t in (self.boundary, self.resource) if t is not None]
        return found

    def _denies(self) -> list[tuple[BoundPolicy, StatementRef]]:
        order = [*(t for _, t in self.scps), self.boundary, self.resource, self.identity]
        return [d for t in order if t is not None for d in t.denies]

    # --- combining -------------------------------------------------------------------------

    @property
    def boundary_allows(self) -> Tri:
        return Tri.YES if self.boundary is None else self.boundary.allow

    @property
    def scps_allow(self) -> Tri:
        return min((t.allow for _, t in self.scps), default=Tri.YES)

    @property
    def identity_side(self) -> Tri:
        return min(self.identity.allow, self.boundary_allows, self.scps_allow)

    @property
    def cross_account(self) -> bool:
        account = self.target.facts.account
        return account is not None and account != self.view.facts.account

    def _final(self) -> Tri:
        identity = self.identity_side
        if self.resource is None:
            if self.target.required or (not self.target.known and self.cross_account):
                self.notes.append(self._unknown_policy_note)
                return min(identity, Tri.MAYBE)
            return identity
        if self.cross_account:
            return min(identity, self.resource.allow)
        granted = self._granted(self.resource, identity)
        return granted if self.target.required else max(identity, granted)

    def _granted(self, rp: Tally, identity: Tri) -> Tri:
        """What a same-account resource policy grants, by the way it names the caller."""
        scps, boundary = self.scps_allow, self.boundary_allows
        anyone_boundary = Tri.YES if boundary is Tri.YES else Tri.MAYBE
        anyone = min(rp.anyone, scps, anyone_boundary)
        if anyone is Tri.MAYBE and boundary is not Tri.YES and rp.anyone is not Tri.NO:
            self.notes.append(_anyone_note)
        return max(
            min(rp.direct, scps),
            min(rp.role, boundary, scps),
            anyone,
            min(rp.account, identity),
        )

    def _unknown_policy_note(self) -> str:
        if self.target.required:
            return f"the policy of {self.target.facts.arn} is not in the snapshot"
        return f"cross-account: the resource policy of {self.target.facts.arn} is unknown"

    # --- the answer ------------------------------------------------------------------------

    def _allowed(self, final: Tri) -> Evaluation:
        tallies = self._tallies()
        # The caller's side (identity, SCPs, boundary), then the resource's policy: a hop
        # through a hub (``graph.reach.through``) joins them in this order too.
        allows = [r for t in tallies if t is not self.resource for r in t.allows]
        allows += self.resource.allows if self.resource is not None else ()
        maybe_deny = max((t.deny for t in tallies), default=Tri.NO)
        if final is Tri.YES and maybe_deny is Tri.NO:
            return Evaluation(
                decision=Decision.ALLOW,
                allowed_by=tuple(dict.fromkeys(allows)),
                reason=f"allowed by {self._granter()}",
            )
        undecided = self._undecided(final, tallies)
        return Evaluation(
            decision=Decision.CONDITIONAL,
            allowed_by=tuple(dict.fromkeys(allows)),
            undecided=tuple(dict.fromkeys(ref for _, ref, _ in undecided)),
            reason=self._why_conditional(final, undecided),
        )

    def _undecided(self, final: Tri, tallies: list[Tally]) -> list[Undecided]:
        """The undecided statements that matter: the Allows of parts still undecided (none when
        the grant is certain), then the Denies that may apply and the missing policies."""
        found: list[Undecided] = []
        if final is Tri.MAYBE:
            for tally in tallies:
                if tally.allow is Tri.MAYBE:
                    found += [u for u in tally.undecided if u[2] is not None and u[2].allow]
        for tally in tallies:
            found += [u for u in tally.undecided if u[2] is None or not u[2].allow]
        return found

    def _granter(self) -> str:
        """The policy that grants: the identity policy, else the resource policy."""
        if self.identity.allows and self.identity_side is Tri.YES:
            return self._describe(self.identity.allows[0], self.view.identity)
        policy = self.target.policy
        return policy.describe() if policy is not None else "policy"

    @staticmethod
    def _describe(ref: StatementRef, bound: tuple[BoundPolicy, ...]) -> str:
        for candidate in bound:
            if candidate.policy_id == ref.policy_id:
                return candidate.describe()
        return ref.policy_id

    def _why_conditional(self, final: Tri, undecided: list[Undecided]) -> str:
        lookup = self.context.value
        for bound, _, statement in undecided:
            if statement is None:
                return f"{bound.describe()} is not in the snapshot"
            keys = ", ".join(statement.undecided_keys(lookup)) or "the caller's identity"
            if not statement.allow and final is Tri.YES:
                return f"allowed, but a Deny in {bound.describe()} may apply (depends on {keys})"
            if statement.allow and bound.role in (Role.BOUNDARY, Role.SCP):
                return f"the {bound.describe()} allows it only under conditions on {keys}"
            if statement.allow:
                return f"allowed by {bound.describe()} under conditions on {keys}"
        if self.notes:
            return self.notes[0]()
        return "allowed under conditions nhiscan cannot decide"

    def _why_not(self) -> str:
        return why_not(self)


def _anyone_note() -> str:
    return (
        "the resource policy grants to any principal; AWS does not document whether the "
        "caller's permission boundary limits such a grant, and the boundary does not allow it"
    )


def why_not(request: Request) -> str:
    """A one-line reason for an implicit deny: the first part that does not allow."""
    identity, rp = request.identity.allow, request.resource
    granted = identity is not Tri.NO or (rp is not None and rp.allow is not Tri.NO)
    for level, tally in request.scps:
        if granted and tally.allow is Tri.NO:
            return f"no SCP attached to {level} allows it"
    if granted and request.boundary is not None and request.boundary.allow is Tri.NO:
        return "the permission boundary does not allow it"
    target = request.target
    arn = target.facts.arn
    if request.cross_account:
        if identity is Tri.NO:
            return f"cross-account: no identity policy of the caller allows it on {arn}"
        return f"cross-account: the resource policy of {arn} does not grant it"
    if target.required and target.policy is not None:
        kind = target.policy.role.value
        if rp is not None and rp.account is not Tri.NO:
            return f"the {kind} admits the account, and no identity policy allows it"
        return f"the {kind} of {arn} does not admit this principal"
    if rp is not None:
        return "no identity or resource policy allows it"
    return "no identity policy allows it"


NOTHING_ALLOWS = Evaluation(decision=Decision.IMPLICIT_DENY, reason="no identity policy allows it")


def evaluate(
    view: PrincipalView, action: str, target: Target, given: Mapping[str, KeyValue] | None = None
) -> Evaluation:
    """``given``: request-time condition values the caller knows (see ``given_values``).

    Values the caller sets in its own request are judged per statement first (an upper bound);
    when that may allow, the combinations worth trying are evaluated together and the best
    answer is the caller's (choices.py)."""
    action = action.lower()
    found = _evaluate(view, action, target, given)
    if not found.decision.possible:
        return found
    combos = joint_choices(view, target, action, None if given is None else dict(given))
    if not combos:
        return found
    answers = [_evaluate(view, action, target, {**(given or {}), **combo}) for combo in combos]
    return max(answers, key=lambda a: _RANK[a.decision])


_RANK = {
    Decision.DENY: 0,
    Decision.IMPLICIT_DENY: 1,
    Decision.CONDITIONAL: 2,
    Decision.ALLOW: 3,
}


def _evaluate(
    view: PrincipalView, action: str, target: Target, given: Mapping[str, KeyValue] | None
) -> Evaluation:
    plan = plans.plan_of(view, action)
    simple = _simple(view, target)
    shortcuts = plans.SHORTCUTS
    if simple and shortcuts and plan.nothing_on(target.facts.arn):
        return NOTHING_ALLOWS
    context = RequestContext(view.facts, target.facts, given, action)
    identity = Tally()
    lookup, arn = context.value, target.facts.arn
    for bound in plan.identity if shortcuts else view.identity:
        scan(bound, action, arn, lookup, identity)  # (the plan's: those about the action)
    if simple:
        # The common case, answered early: no resource policy takes part, so when no identity
        # statement applies and no boundary or SCP statement could deny, nothing allows it.
        nothing = identity.allow is Tri.NO and identity.deny is Tri.NO
        if nothing and not plan.sides_may_deny:
            return NOTHING_ALLOWS
    return Request(view, action, target, context, identity).run()


def _simple(view: PrincipalView, target: Target) -> bool:
    """No resource policy takes part, or could without the snapshot knowing."""
    if target.policy is not None or target.required:
        return False
    account = target.facts.account
    return target.known or account is None or account == view.facts.account

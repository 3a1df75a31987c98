"""Find privilege escalations: for each principal, every method of the table it can use, with
the authorizer's evaluation of every permission each one takes.

A pure function of the snapshot and the authorizer. For each principal (admins excepted: they
already hold every permission) and each method that escalates its kind, every needed action is
asked of the authorizer on the right resource; DENY or IMPLICIT_DENY on any of them rules the
method out, CONDITIONAL marks the escalation conditional. A method whose target does not exist
in the snapshot (no function to update, no user with a login profile) is reported once per
principal as potential, with what is missing, provided the principal holds the permissions.

Cost: targets are looked up in indexes built once (:mod:`.targets`); an action no policy could
allow the principal is ruled out before any target is listed (:mod:`.prefilter`); actions on
resources the attacker creates are asked before the targets are enumerated; every answer is
asked once per principal (a PassRole answer serves every service).

Target sets (issue #16): when a principal's answer is the same for every user, role or
passable role of its account (``EstateAuthorizer.same_for``: statements about the action cover
any resource with no condition on it), a method is one escalation to a shared
:class:`~nhiscan.scanner.escalation.TargetSet` ("any IAM user of account X"), a hub of the
graph with one hop to each member, instead of one escalation per target (on a dense account,
thousands of principals times thousands of targets). Sets are made from ``SET_MIN_TARGETS``
candidates (targets.py); tests compare them with the reference that expands every target.
A principal whose statements name some targets (a Deny on one role) gets no set: its
statements group the set's members by which of them match (``possible_among``), one answer per
group, and only the members of groups it may be allowed on are asked one by one. Policy changes
on other roles are asked role by role (act_as.py), each role's way ranked from decisions alone
and made into steps only for an escalation that betters the best so far.

Optional authorizer extensions, used when present: ``could_allow(principal, action) -> bool``
(see prefilter.py), ``trust_admits_service(role_arn, service)`` (see trust.py),
``same_for(principal, action, key, resources)`` (one answer for a whole target set, or None)
and ``possible_among(principal, action, key, resources)`` (the resources it may be allowed on,
as bits, or None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Protocol

from nhiscan.providers.aws.privesc.act_as import ASSUME_ROLE, ActAs, TrustIndex
from nhiscan.providers.aws.privesc.method import Method, On, Requires, Target
from nhiscan.providers.aws.privesc.methods import METHODS, missing_words, placeholder
from nhiscan.providers.aws.privesc.prefilter import CouldAllow, prefilter
from nhiscan.providers.aws.privesc.targets import ADMIN, UNKNOWN, Candidate, Targets
from nhiscan.providers.aws.privesc.trust import trust_check
from nhiscan.scanner.authz import Authorizer, Decision, Evaluation
from nhiscan.scanner.escalation import Escalation, Family, Member, Step, TargetSet
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.fanout import Fanout, runner
from nhiscan.scanner.model import Identity

# The slices of the principals the search is split into (``fanout``): enough for two
# processes taking them from both ends to end together; fewer principals than SPLIT_FROM
# are one slice (sharing them would cost more than it saves).
PARTS = 64
SPLIT_FROM = 1000


class AssumeAnswers(Protocol):
    """The answers to (principal, role) for sts:AssumeRole, when the caller shares them
    (``policy/trust_share.py``); by default the authorizer is asked each pair."""

    def evaluation(self, caller: str, role: str) -> Evaluation: ...

    def decision(self, caller: str, role: str) -> Decision: ...


def find_escalations(
    estate: Estate,
    authorizer: Authorizer,
    *,
    methods: tuple[Method, ...] = METHODS,
    assume: AssumeAnswers | None = None,
    fanout: Fanout | None = None,
) -> Iterator[Escalation]:
    """Every escalation: by principal id, then in table order, then by target ARN (the
    resource it is reached through, for existing compute). ``assume`` answers the
    sts:AssumeRole steps (the same answers as the authorizer's, shared). The principals are
    searched in ``PARTS`` slices, run by ``fanout`` (by default the command's runner,
    ``scanner/fanout.py``): each principal's search reads only what was built before."""
    targets = Targets(estate, trust_check(estate, authorizer))
    could = prefilter(estate, authorizer)
    trusts = TrustIndex(estate)
    usable = tuple(m for m in methods if m.enumerated and m.target_spec is not None)
    principals = sorted(set(authorizer.principals()))
    size = max(1, -(-len(principals) // PARTS)) if len(principals) >= SPLIT_FROM else None

    def part(index: int) -> list[Escalation]:
        found: list[Escalation] = []
        for principal in principals if size is None else principals[index * size :][:size]:
            identity = estate.identities.get(principal)
            if identity is None or not any(m.applies_to.admits(identity.kind) for m in usable):
                continue
            if authorizer.is_admin(principal).decision is Decision.ALLOW:
                continue
            asker = _Asker(
                authorizer, identity, could, targets.regions, assume, targets.resources_of
            )
            found += _for_principal(identity, asker, targets, usable, trusts)
        return found

    count = 1 if size is None else -(-len(principals) // size)
    for found in (fanout or runner())(part, count):
        yield from found


def _for_principal(
    identity: Identity,
    asker: _Asker,
    targets: Targets,
    usable: tuple[Method, ...],
    trusts: TrustIndex,
) -> Iterator[Escalation]:
    """The principal's escalations in table order. Once it can certainly grant itself admin,
    the methods that lead to one user or role at a time are not enumerated: admin of the
    account already reaches every one of them, and on large estates (a principal allowed
    iam:CreateAccessKey on every one of thousands of users) listing them is most of the cost.
    The policy changes on other roles come last: they escalate only through a role the
    principal can act as, which its other escalations tell (act_as.py)."""
    mine = [m for m in usable if m.applies_to.admits(identity.kind)]
    found: dict[str, list[Escalation]] = {}
    for method in mine:
        if method.target is Target.ADMIN and method.requires is not Requires.ACT_AS:
            found[method.name] = list(_escalations(method, identity, asker, targets))
    certain = (e for f in found.values() for e in f if not (e.potential or e.conditional))
    if not any(e.target == ADMIN for e in certain):
        for method in mine:
            if method.target is not Target.ADMIN:
                found[method.name] = list(_escalations(method, identity, asker, targets))
        changes = [
            m
            for m in mine
            if m.requires is Requires.ACT_AS and all(asker.could(a) for a in m.actions)
        ]
        if changes:
            acting = ActAs(
                identity,
                asker.step,
                trusts,
                (e for f in found.values() for e in f),
                could_assume=asker.could(ASSUME_ROLE),
                decide=asker.decision,
            )
            for method in changes:
                found[method.name] = list(_through_role(method, identity, asker, targets, acting))
    for method in mine:
        yield from found.get(method.name, ())


def _through_role(
    method: Method, identity: Identity, asker: _Asker, targets: Targets, acting: ActAs
) -> Iterator[Escalation]:
    """A policy change on another role the principal can act as: to admin, or to the role
    when a permissions boundary limits what the change can grant it. The steps are the way to
    act as the role, then the change; the best one per target.

    The roles with a boundary that the principal acts as through one member each of the same
    target set escalation (it may rewrite the trust of any role of the account), with the
    change answered alike on every role (``same_for``), are one escalation to a shared set of
    them (``Targets.subset``) when there are ``SET_MIN_TARGETS`` of them: its steps are the
    set escalation's and the change, each on the set, so :func:`expand` gives what each role
    alone would (the reference the tests compare with)."""
    if not all(asker.could(action) for action in method.actions):
        return
    [need] = method.needs
    group = targets.set_of(method, identity)
    same = None if group is None else asker.same_for(need.action, group)
    if same is not None and not same.decision.possible:
        return  # the change is refused on every role alike
    # The best an escalation to admin can rank: certain, or conditional when the change is
    # conditional on every role alike. Once one ranks so, no unbounded role betters it.
    floor = (False, same is not None and same.decision is Decision.CONDITIONAL)
    best: dict[str, Escalation] = {}
    # Bounded roles reached through a set escalation's member, by that escalation: their
    # candidates and members, and the key of ``best`` where the first of them would be.
    through: dict[int, tuple[Escalation, list[tuple[Candidate, Member]], str]] = {}
    settled = False
    for candidate in acting.among(targets.of(method, identity).found, key=method.target_spec):
        role = targets.identity(candidate.reaches)
        if role is None or (settled and role.permissions_boundary is None):
            continue
        # The way first: few roles have one, while a change granted role by role (a
        # statement naming roles) is a full evaluation for every role. Its steps are made
        # only for an escalation that betters the best so far.
        acting_conditional = acting.rank(role)
        if acting_conditional is None:
            continue
        if same is not None and role.permissions_boundary is not None:
            via = _shareable(acting, role, candidate)
            if via is not None:
                entry = through.setdefault(id(via[0]), (via[0], [], role.id))
                entry[1].append((candidate, via[1]))
                best.setdefault(role.id, _PENDING)
                continue
        change = asker.step(need.action, candidate.resource)
        decision = change.evaluation.decision
        if not decision.possible:
            continue
        target = ADMIN if role.permissions_boundary is None else role.id
        old = best.get(target)
        rank = (False, acting_conditional or decision is Decision.CONDITIONAL)
        if old is not None and not rank < _rank(old):
            continue
        found = _changed(method, asker, acting, role, change, target)
        if _better(found, old):
            best[target] = found
        settled = settled or (target == ADMIN and _rank(found) == floor)
    if same is not None:
        for escalation, members, first in through.values():
            if not targets.enough(len(members)):
                for candidate, _ in members:
                    role = targets.identity(candidate.reaches)
                    assert role is not None
                    change = asker.step(need.action, candidate.resource)
                    best[role.id] = _changed(method, asker, acting, role, change, role.id)
                continue
            best[first] = _to_bounded(method, asker, targets, escalation, members, same)
    yield from (e for e in best.values() if e is not _PENDING)


# Holds a place in ``_through_role``'s ``best`` for an escalation made after the loop.
_PENDING = Escalation(principal="", method="", family=Family.POLICY_MODIFICATION, target="")


def _shareable(
    acting: ActAs, role: Identity, candidate: Candidate
) -> tuple[Escalation, Member] | None:
    """The trust-modification set escalation and member that are the best way to act as
    ``role``, when the member stands for the candidate exactly (the same resource, nothing
    the snapshot cannot tell); None: the role's escalation is made alone."""
    via = acting.through_set(role)
    if via is None:
        return None
    escalation, member = via
    if (
        escalation.family is not Family.TRUST_MODIFICATION
        or member.resource != candidate.resource
        or member.missing is not None
        or member.unless is not None
    ):
        return None
    return via


def _changed(
    method: Method, asker: _Asker, acting: ActAs, role: Identity, change: Step, target: str
) -> Escalation:
    way = acting.way(role)
    assert way is not None  # the rank says there is one
    return Escalation.of(
        principal=asker.principal, method=method.name, family=method.family, target=target,
        steps=(*way.steps, change), conditional=way.conditional,
    )  # fmt: skip


def _to_bounded(
    method: Method,
    asker: _Asker,
    targets: Targets,
    way: Escalation,
    members: list[tuple[Candidate, Member]],
    same: Evaluation,
) -> Escalation:
    """One escalation to the shared set of ``members``' roles: ``way``'s steps (on its set,
    renamed to the new one) and the change, answered ``same`` on every role."""
    base = way.within
    assert base is not None
    mine = [replace(member, target=c.reaches) for c, member in members]
    own = base.member(asker.principal)
    me = targets.identity(asker.principal)
    bounded = me is not None and me.permissions_boundary is not None
    if bounded and own is not None and own.missing is None and own.unless is None:
        # A principal that is itself a role with a boundary gains nothing through its own
        # membership (expand leaves it out); listed, its set is the one its peers share.
        mine.append(own)
    account = asker.account
    label = f"the roles of {account} with a permissions boundary whose trust can be rewritten"
    group = targets.subset(base, "bounded", label, mine)
    steps = tuple(Step(s.action, group.id, s.evaluation) if s.resource == base.id else s
                  for s in way.steps)  # fmt: skip
    return Escalation.of(
        principal=asker.principal, method=method.name, family=method.family, target=group.id,
        steps=(*steps, Step(method.needs[0].action, group.id, same)),
        conditional=way.conditional, within=group,
    )  # fmt: skip


class _Asker:
    """One principal's questions to the authorizer, each asked once."""

    def __init__(
        self,
        authorizer: Authorizer,
        identity: Identity,
        could: CouldAllow,
        regions: tuple[str, ...],
        assume: AssumeAnswers | None = None,
        resources: Callable[[TargetSet], tuple[str, ...]] | None = None,
    ) -> None:
        self.principal = identity.id
        self._assume = assume
        self._authorizer = authorizer
        self._could = could
        parts = identity.id.split(":")
        self._partition = parts[1] if len(parts) > 4 and parts[0] == "arn" else "aws"
        self.account = identity.account
        self._regions = ("*", *regions)
        self._answers: dict[tuple[str, str], Step] = {}
        self._decisions: dict[str, Decision] = {}  # sts:AssumeRole decisions by role
        self._coulds: dict[str, bool] = {}
        self._sets: dict[tuple[str, str], Evaluation | None] = {}
        self._resources = resources or _member_resources

    def could(self, action: str) -> bool:
        if action not in self._coulds:
            self._coulds[action] = self._could(self.principal, action)
        return self._coulds[action]

    def step(self, action: str, resource: str) -> Step:
        key = (action, resource)
        if key not in self._answers:
            if action == ASSUME_ROLE and self._assume is not None:
                evaluation = self._assume.evaluation(self.principal, resource)
            else:
                evaluation = self._authorizer.evaluate(self.principal, action, resource)
            self._answers[key] = Step(action, resource, evaluation)
        return self._answers[key]

    def decision(self, action: str, resource: str) -> Decision:
        """The decision of ``step(action, resource)``; for sts:AssumeRole with shared answers,
        without making the step (``AssumeAnswers.decision``)."""
        found = self._answers.get((action, resource))
        if found is not None:
            return found.evaluation.decision
        if action == ASSUME_ROLE and self._assume is not None:
            decision = self._decisions.get(resource)
            if decision is None:
                decision = self._decisions[resource] = self._assume.decision(
                    self.principal, resource
                )
            return decision
        return self.step(action, resource).evaluation.decision

    def same_for(self, action: str, group: TargetSet) -> Evaluation | None:
        """The one answer every member of ``group`` gets for ``action``, when the authorizer
        can tell (its optional ``same_for``); None: ask each."""
        key = (action, group.id)
        if key not in self._sets:
            same = getattr(self._authorizer, "same_for", None)
            self._sets[key] = (
                None
                if same is None
                else same(self.principal, action, group.id, self._resources(group))
            )
        return self._sets[key]

    def possible_among(self, action: str, group: TargetSet) -> int | None:
        """The members of ``group`` (bit i: member i) on which the answer to ``action`` may
        allow, when the authorizer can tell (its optional ``possible_among``); None: ask
        each."""
        among = getattr(self._authorizer, "possible_among", None)
        if among is None:
            return None
        found: int | None = among(self.principal, action, group.id, self._resources(group))
        return found

    def expand(self, template: str) -> tuple[str, ...]:
        """The placeholder for every region seen in the snapshot ("*" first), once each."""
        found = (
            template.format(partition=self._partition, account=self.account, region=region)
            for region in self._regions
        )
        return tuple(dict.fromkeys(found))


def _escalations(
    method: Method, identity: Identity, asker: _Asker, targets: Targets
) -> Iterator[Escalation]:
    if not all(asker.could(action) for action in method.actions):
        return
    fixed = _fixed_steps(method, asker)
    if fixed is None:
        return
    group = targets.set_of(method, identity)
    listed: list[Candidate] | tuple[Candidate, ...] | None = None
    if group is not None:
        asked, found = _to_set(method, asker, group, fixed)
        if asked:
            if found is not None:
                yield found
            else:
                yield from _fallback(method, asker, targets.of(method, identity).fallback, fixed)
            return
        listed = _possible(method, asker, targets, group, identity)
    if listed is None:
        listed = targets.of(method, identity).found
    best: dict[str, Escalation] = {}
    for candidate in listed:
        found = _attempt(method, asker, candidate, fixed)
        if found is not None and _better(found, best.get(found.target)):
            best[found.target] = found
    if best:
        yield from best.values()
    else:
        yield from _fallback(method, asker, targets.of(method, identity).fallback, fixed)


def _member_resources(group: TargetSet) -> tuple[str, ...]:
    return tuple(m.resource for m in group.members)


def _possible(
    method: Method, asker: _Asker, targets: Targets, group: TargetSet, identity: Identity
) -> list[Candidate] | None:
    """The candidates of a set on which the method's one per-target permission may be
    allowed, in order, when the authorizer can tell them from the rest without asking each
    (``possible_among``): on a dense account a principal allowed the action on some roles is
    otherwise asked of every role. None: every candidate is asked."""
    per_target = [need for need in method.needs if need.on is not On.ANY]
    if len(per_target) != 1:
        return None
    able = asker.possible_among(per_target[0].action, group)
    return None if able is None else targets.candidates_at(group, able, identity)


def _fallback(
    method: Method, asker: _Asker, fallback: tuple[Candidate, ...] | None, fixed: dict[int, Step]
) -> Iterator[Escalation]:
    """The method once as potential when no target was found (``fallback``: None, never)."""
    if fallback is not None:
        potential = _potential(method, asker, fallback, fixed)
        if potential is not None:
            yield potential


def _fixed_steps(method: Method, asker: _Asker) -> dict[int, Step] | None:
    """The steps on resources the attacker creates, by need index; None if one is impossible."""
    fixed: dict[int, Step] = {}
    for index, need in enumerate(method.needs):
        if need.on is not On.ANY:
            continue
        chosen: Step | None = None
        for resource in asker.expand(need.placeholder or "*"):
            step = asker.step(need.action, resource)
            if step.evaluation.decision is Decision.ALLOW:
                chosen = step
                break
            if chosen is None and step.evaluation.decision.possible:
                chosen = step
        if chosen is None:
            return None
        fixed[index] = chosen
    return fixed


def _to_set(
    method: Method, asker: _Asker, group: TargetSet, fixed: dict[int, Step]
) -> tuple[bool, Escalation | None]:
    """(True, the escalation to every member of ``group`` at once) when the principal's
    permissions answer alike for all of them; (True, None) when alike and not possible for
    any (no target is asked again one by one: only the potential use, the fallback, is);
    (False, None) when the answers may differ: each target is asked on its own."""
    steps = []
    for index, need in enumerate(method.needs):
        if need.on is On.ANY:
            steps.append(fixed[index])
            continue
        answer = asker.same_for(need.action, group)
        if answer is None:
            return False, None
        steps.append(Step(need.action, group.id, answer))
    found = Escalation.of(
        principal=asker.principal, method=method.name, family=method.family,
        target=group.id, steps=tuple(steps), missing=group.members[0].missing, within=group,
    )  # fmt: skip
    possible = all(step.evaluation.decision.possible for step in steps)
    return True, found if possible and found.count else None


def _attempt(
    method: Method, asker: _Asker, candidate: Candidate, fixed: dict[int, Step]
) -> Escalation | None:
    """The escalation through ``candidate``, or None when a permission is missing."""
    steps = []
    for index, need in enumerate(method.needs):
        step = fixed[index] if need.on is On.ANY else asker.step(need.action, candidate.resource)
        if not step.evaluation.decision.possible:
            return None
        steps.append(step)
    found = Escalation.of(
        principal=asker.principal, method=method.name, family=method.family,
        target=candidate.reaches, steps=tuple(steps), missing=candidate.missing,
        conditional=candidate.conditional,
    )  # fmt: skip
    # A concrete escalation keeps what could stop it that the snapshot cannot tell.
    return found if candidate.unless is None else replace(found, missing=candidate.unless)


def _potential(
    method: Method, asker: _Asker, fallback: tuple[Candidate, ...], fixed: dict[int, Step]
) -> Escalation | None:
    """The method reported once as potential, if the principal could use it at all."""
    default = ADMIN if method.target is Target.ADMIN else UNKNOWN
    tries = fallback or tuple(
        Candidate(resource=resource, reaches=default)
        for resource in asker.expand(_template(method))
    )
    allowed: list[Escalation] = []
    for candidate in tries:
        found = _attempt(method, asker, candidate, fixed)
        if found is not None:
            allowed.append(found)
            if len({e.target for e in allowed}) > 1:
                break
        if allowed and allowed[0].target == default:
            break
    if not allowed:
        return None
    reached = {e.target for e in allowed}
    target = next(iter(reached)) if len(reached) == 1 and default != ADMIN else default
    first = min(allowed, key=_rank)
    return replace(first, target=target, potential=True, missing=missing_words(method))


def _template(method: Method) -> str:
    need = next(n for n in method.needs if n.on is not On.ANY)
    return placeholder(method, need.on, need.placeholder)


def _rank(escalation: Escalation) -> tuple[bool, bool]:
    return (escalation.potential, escalation.conditional)


def _better(new: Escalation, old: Escalation | None) -> bool:
    return old is None or _rank(new) < _rank(old)

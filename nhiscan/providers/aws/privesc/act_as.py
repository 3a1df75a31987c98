"""Whether a principal can act as a role it would modify: the condition under which changing
another role's permissions (iam:AttachRolePolicy, iam:PutRolePolicy) escalates the caller.

Granting a role more power helps only whoever can use the role. The caller can when it may:

- assume the role (``sts:AssumeRole`` on it, which the role's trust policy must admit);
- pass the role to compute it can create and run (a passrole-compute escalation to the role);
- run code on existing compute that runs as the role (an existing-compute escalation);
- rewrite the role's trust to let itself in (``iam:UpdateAssumeRolePolicy``): then the path is
  the two changes, and the role's new power is the caller's.

The caller's own escalations to the role (found first by the engine) give the last three; the
first is asked of the authorizer, for the roles whose trust could name the caller at all
(:class:`TrustIndex`). Not followed: reaching the role through another principal (assuming a
role that may assume it): one hop only, the reach graph's chains are not consulted here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from nhiscan.providers.aws.privesc.targets import Candidate
from nhiscan.providers.aws.statements import account_of, statements
from nhiscan.scanner.authz import Decision
from nhiscan.scanner.escalation import Escalation, Family, Member, Step, TargetSet, expand
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Identity, IdentityKind

ASSUME_ROLE = "sts:AssumeRole"
_IAM_PRINCIPAL = re.compile(r"^arn:[a-z0-9-]+:iam::\d{12}:(?:user|role)/")

# The caller's own escalations that let it act as their target role, in order of preference.
_ACTING: tuple[Family, ...] = (
    Family.TRUST_MODIFICATION,
    Family.PASSROLE_COMPUTE,
    Family.EXISTING_COMPUTE,
)

Ask = Callable[[str, str], Step]
# The decision of ``Ask``'s step, which may be had without making the step.
Decide = Callable[[str, str], Decision]


@dataclass(frozen=True, slots=True, kw_only=True)
class Way:
    """How the caller acts as a role: the steps it takes to, and whether only conditionally."""

    steps: tuple[Step, ...]
    conditional: bool


# How the best way to a role is made: one of the principal's own escalations (its way), or a
# target set's escalation and the member that is the role (made into a way when asked).
_Choice = Way | tuple[Escalation, Member]


class TrustIndex:
    """Which roles' trust policies could admit a principal: naming its ARN, its account, or
    anyone (or not collected: the authorizer then answers CONDITIONAL). Read once per role."""

    def __init__(self, estate: Estate) -> None:
        self._estate = estate
        self._names: dict[str, frozenset[str] | None] = {}
        self._members: dict[tuple[str, ...], frozenset[str]] = {}
        # The reverse of the trusts, read the first time it is asked: a name -> the roles
        # whose trust names it, and the roles whose trust may admit anyone.
        self._naming: dict[str, frozenset[str]] | None = None
        self._anyone: frozenset[str] = frozenset()
        self._admitting: dict[tuple[str, bool], frozenset[str]] = {}

    def members(self, sets: tuple[TargetSet, ...]) -> frozenset[str]:
        """Every member of ``sets`` (kept per combination: principals share their sets)."""
        key = tuple(s.id for s in sets)
        found = self._members.get(key)
        if found is None:
            found = self._members[key] = frozenset(m.target for s in sets for m in s.members)
        return found

    def may_admit(self, role: Identity, principal: Identity, *, delegated: bool = True) -> bool:
        """``delegated``: whether the principal's own policies may allow sts:AssumeRole (a
        trust naming its account or anyone admits it only then; naming its ARN, always)."""
        names = self.names(role)
        if names is None:
            return True
        if principal.id in names:
            return True
        return delegated and bool(names & {"*", principal.account})

    def admitting(self, principal: Identity, *, delegated: bool = True) -> frozenset[str]:
        """The roles whose trust may admit ``principal`` (``may_admit`` of each role of the
        estate, from one index of the names trusts use: a principal costs the roles that
        name it, not every role)."""
        if self._naming is None:
            naming: dict[str, set[str]] = {}
            anyone = set()
            for role in self._estate.identities.values():
                if role.kind is not IdentityKind.IAM_ROLE:
                    continue
                names = self.names(role)
                if names is None:
                    anyone.add(role.id)
                    continue
                for name in names:
                    naming.setdefault(name, set()).add(role.id)
            self._naming = {name: frozenset(ids) for name, ids in naming.items()}
            self._anyone = frozenset(anyone)
        key = (principal.account, delegated)
        shared = self._admitting.get(key)
        if shared is None:
            shared = self._anyone
            if delegated:
                shared = shared | self._naming.get("*", frozenset())
                shared = shared | self._naming.get(principal.account, frozenset())
            self._admitting[key] = shared
        return shared | self._naming.get(principal.id, frozenset())

    def names(self, role: Identity) -> frozenset[str] | None:
        """What ``_read`` reads of the role's trust, read once."""
        if role.id not in self._names:
            self._names[role.id] = self._read(role)
        return self._names[role.id]

    def _read(self, role: Identity) -> frozenset[str] | None:
        """The ARNs and accounts the trust names in Allow statements; None: anyone may be
        admitted (a NotPrincipal, or no trust policy in the snapshot). An IAM user's or role's
        ARN admits that principal alone (the evaluator compares it exactly,
        ``policy/principals.py``), so it does not name its account; any other value naming
        an account (the root, a role's session) may admit principals of it."""
        trust = self._estate.policy(role.trust_policy or f"{role.id}#trust")
        if trust is None:
            return None
        found: set[str] = set()
        for statement in statements(trust.document):
            if not statement.allows:
                continue
            if statement.not_principals is not None:
                return None
            for value in statement.principal_values("AWS"):
                value = value.strip()
                found.add(value)
                account = account_of(value)
                if account is not None and not _IAM_PRINCIPAL.match(value):
                    found.add(account)
        return frozenset(found)


class ActAs:
    """One principal's ways to act as the roles of its account."""

    def __init__(
        self,
        principal: Identity,
        ask: Ask,
        trust: TrustIndex,
        found: Iterable[Escalation],
        *,
        could_assume: bool = True,
        decide: Decide | None = None,
    ) -> None:
        self._principal = principal
        self._ask = ask
        self._decide: Decide = decide or (lambda action, res: ask(action, res).evaluation.decision)
        self._delegated = could_assume
        self._trust = trust
        self._via: dict[str, tuple[tuple[bool, int, int], Way]] = {}
        self._sets: list[tuple[tuple[bool, int, int], Escalation]] = []
        # role -> its best way, asked once whichever method's change needs it
        self._ways: dict[str, Way | None] = {}
        # role -> (whether the best way is conditional, None: no way; how: the assume step
        # when assuming it ranks first, else the escalation and member to make the way of)
        self._ranks: dict[str, tuple[bool | None, _Choice | None]] = {}
        self._actable: frozenset[str] | None = None  # the ids of the roles ``among`` keeps
        self._among: dict[object, list[Candidate]] = {}
        rank = {family: index for index, family in enumerate(_ACTING)}
        for order, escalation in enumerate(found):
            if escalation.family not in rank or escalation.potential:
                continue
            key = (escalation.conditional, rank[escalation.family], order)
            if escalation.within is not None:
                self._sets.append((key, escalation))
            elif escalation.target not in self._via or key < self._via[escalation.target][0]:
                way = Way(steps=escalation.steps, conditional=escalation.conditional)
                self._via[escalation.target] = (key, way)

    def among(self, candidates: Iterable[Candidate], *, key: object = None) -> list[Candidate]:
        """The ``candidates`` reaching a role the principal may have a way to act as, in their
        order (no question asked): its trust may admit the principal, or an escalation of the
        principal leads to it. ``way`` answers None for every other role. One set lookup each:
        on a dense account a principal is asked of every role of the account. ``key``: the
        answer is kept under it (the methods changing roles list the same candidates)."""
        kept = self._among.get(key) if key is not None else None
        if kept is not None:
            return kept
        if self._actable is None:
            actable = set(self._via) | self._trust.admitting(
                self._principal, delegated=self._delegated
            )
            if self._sets:
                sets = tuple(e.within for _, e in self._sets if e.within is not None)
                actable |= self._trust.members(sets) - {self._principal.id}
            self._actable = frozenset(actable)
        found = [c for c in candidates if c.reaches in self._actable]
        if key is not None:
            self._among[key] = found
        return found

    def rank(self, role: Identity) -> bool | None:
        """Whether the best way to act as ``role`` is only conditional; None when the
        principal has none. What ``way`` gives, without making its steps (most roles a
        principal is asked of never become an escalation's way)."""
        found = self._ranks.get(role.id)
        if found is None:
            found = self._ranks[role.id] = self._rank(role)
        return found[0]

    def through_set(self, role: Identity) -> tuple[Escalation, Member] | None:
        """The target set escalation and its member that are the best way to act as
        ``role``, when its best way is one (what ``way`` would make its steps from); None
        otherwise."""
        if self.rank(role) is None:
            return None
        _, choice = self._ranks[role.id]
        return choice if isinstance(choice, tuple) else None

    def way(self, role: Identity) -> Way | None:
        """The best way to act as ``role`` (certain before conditional, assuming it first);
        None when the principal has none."""
        if role.id in self._ways:
            return self._ways[role.id]
        conditional = self.rank(role)
        _, choice = self._ranks[role.id]
        found: Way | None = None
        if choice is None:
            if conditional is not None:
                found = Way(steps=(self._ask(ASSUME_ROLE, role.id),), conditional=conditional)
        elif isinstance(choice, Way):
            found = choice
        else:
            escalation, member = choice
            [one] = expand((replace(escalation, within=_only(escalation, member)),))
            found = Way(steps=one.steps, conditional=bool(conditional))
        self._ways[role.id] = found
        return found

    def _rank(self, role: Identity) -> tuple[bool | None, _Choice | None]:
        """(rank, how): assuming the role when it ranks no worse than the principal's own
        escalations to it (``how`` None), else the best of those."""
        assume = self._assume(role)
        escalated = self._escalated(role)
        if assume is not None and (escalated is None or assume <= escalated[0]):
            return assume, None
        if escalated is None:
            return None, None
        return escalated

    def _escalated(self, role: Identity) -> tuple[bool, _Choice] | None:
        """The first of the principal's own escalations to ``role`` (certain ones first, then
        in the order of ``_ACTING``), one of a target set's members included: whether it is
        conditional, and the way (a set member's is made when asked for)."""
        best = self._via.get(role.id)
        # The best of the sets' members, by key alone; only the winner's steps are made.
        chosen: tuple[tuple[bool, int, int], Escalation, Member] | None = None
        for key, escalation in self._sets:
            if best is not None and best[0] <= key:
                continue
            if chosen is not None and chosen[0] <= key:
                continue
            member = _member(escalation, role.id)
            if member is None:
                continue
            key = (escalation.conditional or member.conditional, key[1], key[2])
            if (best is None or key < best[0]) and (chosen is None or key < chosen[0]):
                chosen = (key, escalation, member)
        if chosen is not None:
            key, escalation, member = chosen
            return key[0], (escalation, member)
        return None if best is None else (best[0][0], best[1])

    def _assume(self, role: Identity) -> bool | None:
        """Whether assuming the role is only conditional; None when it is not possible."""
        if not self._trust.may_admit(role, self._principal, delegated=self._delegated):
            return None
        decision = self._decide(ASSUME_ROLE, role.id)
        if not decision.possible:
            return None
        return decision is Decision.CONDITIONAL


def _member(escalation: Escalation, target: str) -> Member | None:
    """The member of the escalation's target set that is ``target`` (never the principal)."""
    if escalation.within is None or target == escalation.principal:
        return None
    return escalation.within.member(target)


def _only(escalation: Escalation, member: Member) -> TargetSet:
    assert escalation.within is not None
    return TargetSet(id=escalation.within.id, label=escalation.within.label, members=(member,))

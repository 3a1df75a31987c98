"""Escalation records shared by every provider: a principal that can make itself more powerful,
by which method, through which permissions. Providers find them; the graph and rules read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import NamedTuple

from nhiscan.scanner.authz import Decision, Evaluation


class Family(StrEnum):
    """Escalation families shared across clouds (the rules NHI101-106 are one per family)."""

    POLICY_MODIFICATION = "policy-modification"
    GROUP_MEMBERSHIP = "group-membership"
    CREDENTIAL_CREATION = "credential-creation"
    TRUST_MODIFICATION = "trust-modification"
    ROLE_ASSUMPTION = "role-assumption"
    PASSROLE_COMPUTE = "passrole-compute"
    EXISTING_COMPUTE = "existing-compute"


class Step(NamedTuple):
    """One permission an escalation uses, and the authorizer's answer (with its statements)."""

    action: str
    resource: str
    evaluation: Evaluation


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """One target of a :class:`TargetSet`: what it reaches, and what reaching it rests on."""

    target: str  # the identity id reached
    resource: str  # the id the method's per-target permissions are requested on
    missing: str | None = None  # what the snapshot lacks to tell (a potential escalation)
    conditional: bool = False  # reaching it rests on a condition (a passed role's trust)
    unless: str | None = None  # what would stop it that the snapshot cannot tell


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetSet:
    """Many targets one escalation reaches alike (issue #16): "any user of account A".

    When a principal's permissions give the same answer for every target of a method (a grant
    to create keys for any user), the method is one escalation to the set, not one per
    target: on a dense account thousands of principals times thousands of targets. The set is
    shared by every escalation to it (one object, one graph node with a hop to each member);
    the principal itself is never its own target (:func:`expand` leaves it out)."""

    id: str  # the graph node standing for the set (a hub: never a hop shown to people)
    # Equal and hashed by id alone (an estate has one set per id): an escalation is hashed
    # without hashing thousands of members.
    label: str = field(compare=False)  # "any user of 111122223333", in the provider's words
    members: tuple[Member, ...] = field(compare=False)
    _index: dict[str, Member] = field(default_factory=dict, compare=False, repr=False)
    # target -> how many members reach it (made when first asked: ``others``)
    _counts: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def others(self, principal: str) -> int:
        """How many members reach another target than ``principal`` (a set is counted for
        each of the thousands of escalations to it: not a walk of its members each time)."""
        counts = self._counts
        if not counts:
            for member in self.members:
                counts[member.target] = counts.get(member.target, 0) + 1
        return len(self.members) - counts.get(principal, 0)

    def member(self, target: str) -> Member | None:
        """The member that reaches ``target`` (the first, when several do)."""
        if not self._index and self.members:
            for member in reversed(self.members):
                self._index[member.target] = member
        return self._index.get(target)


@dataclass(frozen=True, slots=True, kw_only=True)
class Escalation:
    principal: str  # the identity id that escalates
    method: str  # a method name from the provider's table
    family: Family
    # An identity or group id, "admin", "unknown" (potential only), or ``within.id``.
    target: str
    potential: bool = False  # something the method needs is not in the snapshot
    conditional: bool = False  # some permission used is only CONDITIONAL
    # What is not in the snapshot, when potential; on a concrete (conditional) escalation,
    # what would stop it that the snapshot cannot tell ("X already has a console password").
    missing: str | None = None
    steps: tuple[Step, ...] = ()  # every permission used, in the method's order
    # The scope whose admin sink a target of "admin" is, when not the principal's own (an
    # escalation to owner of another project or of a folder). None: the principal's own.
    scope: str | None = None
    # The targets, when the escalation reaches a whole set alike (``target`` is its id); the
    # steps on a member are requested on ``within.id`` (the same answer for every member).
    within: TargetSet | None = None

    @property
    def count(self) -> int:
        """How many targets it stands for (the set's members, the principal left out)."""
        if self.within is None:
            return 1
        return self.within.others(self.principal)

    @classmethod
    def of(
        cls,
        *,
        principal: str,
        method: str,
        family: Family,
        target: str,
        steps: tuple[Step, ...],
        missing: str | None = None,
        conditional: bool = False,
        scope: str | None = None,
        within: TargetSet | None = None,
    ) -> Escalation:
        """An escalation through ``steps``: potential when something it needs is ``missing``
        from the snapshot, conditional when ``conditional`` or any step is only CONDITIONAL."""
        return cls(
            principal=principal, method=method, family=family, target=target,
            potential=missing is not None,
            conditional=conditional
            or any(s.evaluation.decision is Decision.CONDITIONAL for s in steps),
            missing=missing, steps=steps, scope=scope, within=within,
        )  # fmt: skip


def expand(escalations: Iterable[Escalation]) -> Iterator[Escalation]:
    """Every escalation with a target set as one escalation per member (the principal left
    out), as if each target had been found alone: for small estates, tests and readers that
    need each pair. Others pass through."""
    for escalation in escalations:
        found = escalation.within
        if found is None:
            yield escalation
            continue
        for member in found.members:
            if member.target == escalation.principal:
                continue
            potential = escalation.potential or member.missing is not None
            missing = member.missing if member.missing is not None else escalation.missing
            yield replace(
                escalation,
                target=member.target,
                within=None,
                potential=potential,
                conditional=escalation.conditional or member.conditional,
                missing=member.unless if member.unless is not None else missing,
                steps=tuple(
                    Step(s.action, member.resource, s.evaluation) if s.resource == found.id else s
                    for s in escalation.steps
                ),
            )

"""Escalation records shared by every provider: a principal that can make itself more powerful,
by which method, through which permissions. Providers find them; the graph and rules read them.
"""

from __future__ import annotations

from dataclasses import dataclass
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
class Escalation:
    principal: str  # the identity id that escalates
    method: str  # a method name from the provider's table
    family: Family
    target: str  # an identity or group id, "admin", or "unknown" (potential only)
    potential: bool = False  # something the method needs is not in the snapshot
    conditional: bool = False  # some permission used is only CONDITIONAL
    # What is not in the snapshot, when potential; on a concrete (conditional) escalation,
    # what would stop it that the snapshot cannot tell ("X already has a console password").
    missing: str | None = None
    steps: tuple[Step, ...] = ()  # every permission used, in the method's order
    # The scope whose admin sink a target of "admin" is, when not the principal's own (an
    # escalation to owner of another project or of a folder). None: the principal's own.
    scope: str | None = None

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
    ) -> Escalation:
        """An escalation through ``steps``: potential when something it needs is ``missing``
        from the snapshot, conditional when ``conditional`` or any step is only CONDITIONAL."""
        return cls(
            principal=principal, method=method, family=family, target=target,
            potential=missing is not None,
            conditional=conditional
            or any(s.evaluation.decision is Decision.CONDITIONAL for s in steps),
            missing=missing, steps=steps, scope=scope,
        )  # fmt: skip

"""A fake Authorizer for escalation tests: a table of (principal, action, resource) globs with
a decision each. Deny wins over allow, allow over conditional; nothing matching is an implicit
deny. Each answer names the rule that decided it, as a statement of policy "fake"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from nhiscan.scanner.authz import Decision, Evaluation, StatementRef
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import IdentityKind

ALLOW = Decision.ALLOW
DENY = Decision.DENY
CONDITIONAL = Decision.CONDITIONAL
FAKE_POLICY = "fake"


@dataclass(frozen=True, slots=True)
class Rule:
    principal: str
    action: str
    resource: str = "*"
    decision: Decision = ALLOW

    def covers(self, principal: str, action: str, resource: str) -> bool:
        return (
            fnmatchcase(principal, self.principal)
            and fnmatchcase(action.lower(), self.action.lower())
            and fnmatchcase(resource, self.resource)
        )


class BareAuthorizer:
    """Only the Authorizer protocol: no optional extensions."""

    def __init__(self, estate: Estate, rules: Iterable[Rule]) -> None:
        self.rules = tuple(rules)
        self.calls: list[tuple[str, str, str]] = []
        self._principals = tuple(
            i.id
            for i in estate.identities.values()
            if i.kind in (IdentityKind.IAM_USER, IdentityKind.IAM_ROLE)
        )

    def principals(self) -> Iterable[str]:
        return self._principals

    def evaluate(self, principal: str, action: str, resource: str) -> Evaluation:
        self.calls.append((principal, action, resource))
        hits = [(i, r) for i, r in enumerate(self.rules) if r.covers(principal, action, resource)]
        for decision in (DENY, ALLOW, CONDITIONAL):
            refs = tuple(_ref(i, r) for i, r in hits if r.decision is decision)
            if refs:
                return _evaluation(decision, refs)
        return Evaluation(decision=Decision.IMPLICIT_DENY, reason="no rule")

    def is_admin(self, principal: str) -> Evaluation:
        return self.evaluate(principal, "*", "*")


class FakeAuthorizer(BareAuthorizer):
    """With ``could_allow``: whether any non-deny rule covers the action for the principal."""

    def could_allow(self, principal: str, action: str) -> bool:
        return any(
            r.decision is not DENY
            and fnmatchcase(principal, r.principal)
            and fnmatchcase(action.lower(), r.action.lower())
            for r in self.rules
        )


def _ref(index: int, rule: Rule) -> StatementRef:
    effect = "Deny" if rule.decision is DENY else "Allow"
    return StatementRef(policy_id=FAKE_POLICY, index=index, sid=rule.action, effect=effect)


def _evaluation(decision: Decision, refs: tuple[StatementRef, ...]) -> Evaluation:
    if decision is DENY:
        return Evaluation(decision=decision, denied_by=refs, reason="denied")
    if decision is CONDITIONAL:
        return Evaluation(decision=decision, undecided=refs, reason="conditions")
    return Evaluation(decision=decision, allowed_by=refs, reason="allowed")

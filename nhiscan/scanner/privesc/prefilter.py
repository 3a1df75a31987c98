"""A cheap, sound "could this principal ever be allowed this action?" used before enumerating
thousands of targets.

The authorizer answers when it can: an authorizer with a ``could_allow(principal, action) ->
bool`` method is asked (False must mean "not allowed on any resource"). Otherwise
:class:`PolicyPrefilter` reads the snapshot: an action can be allowed only if an Allow statement
of one of the principal's identity policies (its own or its groups') covers it, or some
resource or trust policy in the snapshot allows it to someone. Boundaries, SCPs, Deny
statements, resources and conditions are ignored: they only take permissions away, and the
authorizer judges them afterwards. Anything unknown (an identity, group or attached policy
missing from the snapshot) reads as "could".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import PolicyKind
from nhiscan.scanner.privesc.patterns import compile_patterns, matches
from nhiscan.scanner.statements import Statement, statements

CouldAllow = Callable[[str, str], bool]

_GRANTING_KINDS = (PolicyKind.RESOURCE, PolicyKind.TRUST)


def prefilter(estate: Estate, authorizer: object) -> CouldAllow:
    """The authorizer's ``could_allow`` when it has one, else a :class:`PolicyPrefilter`."""
    ask = getattr(authorizer, "could_allow", None)
    if callable(ask):
        return lambda principal, action: bool(ask(principal, action))
    return PolicyPrefilter(estate).could_allow


@dataclass(frozen=True, slots=True, kw_only=True)
class Grants:
    """The action patterns some Allow statements cover."""

    actions: re.Pattern[str] | None  # union of their Action patterns
    not_actions: tuple[re.Pattern[str] | None, ...]  # one per NotAction statement

    @classmethod
    def of(cls, found: Iterable[Statement]) -> Grants:
        allows = [s for s in found if s.allows]
        return cls(
            actions=compile_patterns(a for s in allows if not s.not_actions for a in s.actions),
            not_actions=tuple(compile_patterns(s.not_actions) for s in allows if s.not_actions),
        )

    def cover(self, action: str) -> bool:
        if matches(self.actions, action):
            return True
        return any(not matches(excluded, action) for excluded in self.not_actions)


class PolicyPrefilter:
    def __init__(self, estate: Estate) -> None:
        self._estate = estate
        self._resource_grants = Grants.of(
            s
            for p in estate.policies.values()
            if p.kind in _GRANTING_KINDS
            for s in statements(p.document)
        )
        self._grants: dict[str, Grants | None] = {}

    def could_allow(self, principal: str, action: str) -> bool:
        if self._resource_grants.cover(action):
            return True
        if principal not in self._grants:
            self._grants[principal] = self._identity_grants(principal)
        grants = self._grants[principal]
        return grants is None or grants.cover(action)

    def _identity_grants(self, principal: str) -> Grants | None:
        """The Allow statements of its identity policies; None when any of them is unknown."""
        identity = self._estate.identities.get(principal)
        if identity is None:
            return None
        policy_ids = list(identity.policies)
        for group_id in identity.member_of:
            group = self._estate.groups.get(group_id)
            if group is None:
                return None
            policy_ids.extend(group.policies)
        found: list[Statement] = []
        for policy_id in policy_ids:
            policy = self._estate.policies.get(policy_id)
            if policy is None:
                return None
            found.extend(statements(policy.document))
        return Grants.of(found)

"""A cheap, sound "could this principal ever be allowed this action?" used before enumerating
thousands of targets.

The authorizer answers when it can: an authorizer with a ``could_allow(principal, action) ->
bool`` method is asked (False must mean "not allowed on any resource"). Otherwise
:class:`PolicyPrefilter` reads the snapshot: an action can be allowed only if an Allow statement
of one of the principal's identity policies (its own or its groups') covers it on a resource of
a service the action acts on (``Action: "*"`` on a bucket does not allow iam:CreateAccessKey), or
some resource or trust policy in the snapshot allows it to someone. Boundaries, SCPs, Deny
statements, conditions and resource names are ignored: they only take permissions away, and the
authorizer judges them afterwards. Anything unknown (an identity, group or attached policy
missing from the snapshot, an action the catalogue lacks) reads as "could".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nhiscan.providers.aws.catalog import default_catalog
from nhiscan.providers.aws.statements import Statement, statements
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.glob import compile_patterns, glob_matcher, has_wildcard, matches
from nhiscan.scanner.model import PolicyKind

CouldAllow = Callable[[str, str], bool]

_GRANTING_KINDS = (PolicyKind.RESOURCE, PolicyKind.TRUST)


def prefilter(
    estate: Estate, authorizer: object, policies: PolicyPrefilter | None = None
) -> CouldAllow:
    """The authorizer's ``could_allow`` when it has one, else a :class:`PolicyPrefilter`
    (``policies`` when the caller already has one of the estate)."""
    ask = getattr(authorizer, "could_allow", None)
    if callable(ask):
        return lambda principal, action: bool(ask(principal, action))
    return (policies if policies is not None else PolicyPrefilter(estate)).could_allow


@dataclass(frozen=True, slots=True)
class Actions:
    """Action patterns, compared without regard to case: the exact names in a set, the globs
    each tested (no regular expression per statement: a dense estate's policies list
    thousands of distinct action sets, and compiling each cost more than every test)."""

    exact: frozenset[str]
    globs: tuple[Callable[[str], bool], ...]

    @classmethod
    def of(cls, patterns: Iterable[str]) -> Actions | None:
        lowered = {p.strip().lower() for p in patterns}
        if not lowered:
            return None
        globs = tuple(glob_matcher(p) for p in sorted(lowered) if has_wildcard(p))
        return cls(frozenset(p for p in lowered if not has_wildcard(p)), globs)

    def match(self, action: str) -> bool:
        lowered = action.lower()
        return lowered in self.exact or any(glob(lowered) for glob in self.globs)


@dataclass(frozen=True, slots=True, kw_only=True)
class Grant:
    """One Allow statement, reduced to what it could cover."""

    actions: Actions | None  # its Action patterns (None with NotAction)
    not_actions: Actions | None  # its NotAction patterns
    services: re.Pattern[str] | None  # services its Resource ARNs may be of; None: any

    @classmethod
    def of(cls, statement: Statement) -> Grant:
        return cls(
            actions=Actions.of(statement.actions),
            not_actions=Actions.of(statement.not_actions),
            services=_resource_services(statement),
        )

    def covers(self, action: str, services: frozenset[str] | None) -> bool:
        if self.not_actions is not None:
            if self.not_actions.match(action):
                return False
        elif self.actions is None or not self.actions.match(action):
            return False
        if self.services is None or services is None:
            return True
        return any(self.services.fullmatch(service) for service in services)


@dataclass(frozen=True, slots=True, kw_only=True)
class Grants:
    """What some Allow statements could cover."""

    grants: tuple[Grant, ...]

    @classmethod
    def of(cls, found: Iterable[Statement]) -> Grants:
        return cls(grants=tuple(Grant.of(s) for s in found if s.allows))

    def cover(self, action: str, services: frozenset[str] | None = None) -> bool:
        return any(grant.covers(action, services) for grant in self.grants)


class PolicyPrefilter:
    def __init__(self, estate: Estate) -> None:
        self._estate = estate
        granting = [
            s
            for p in estate.policies.values()
            if p.kind in _GRANTING_KINDS
            for s in statements(p.document)
            if s.allows
        ]
        # Resource and trust policies name their resource themselves: only actions count.
        self._resource_actions = compile_patterns(a for s in granting for a in s.actions)
        self._resource_not_actions = tuple(
            compile_patterns(group)
            for group in sorted({tuple(sorted(s.not_actions)) for s in granting if s.not_actions})
        )
        self._by_resources: dict[str, bool] = {}
        self._grants: dict[str, Grants | None] = {}
        self._by_policy: dict[str, tuple[Grant, ...] | None] = {}
        self._services: dict[str, frozenset[str] | None] = {}

    def could_allow(self, principal: str, action: str) -> bool:
        if self._granted_by_resources(action):
            return True
        return self.identity_could_allow(principal, action)

    def identity_could_allow(self, principal: str, action: str) -> bool:
        """Whether the principal's own (and its groups') policies could allow ``action``,
        whatever resource and trust policies say: what a trust naming an account requires."""
        if principal not in self._grants:
            self._grants[principal] = self._identity_grants(principal)
        grants = self._grants[principal]
        return grants is None or grants.cover(action, self._arn_services(action))

    def _granted_by_resources(self, action: str) -> bool:
        if action not in self._by_resources:
            self._by_resources[action] = matches(self._resource_actions, action) or any(
                not matches(excluded, action) for excluded in self._resource_not_actions
            )
        return self._by_resources[action]

    def _arn_services(self, action: str) -> frozenset[str] | None:
        """The services whose ARNs ``action`` acts on (empty: it takes "*" only); None when
        the catalogue does not know the action."""
        if action not in self._services:
            info = default_catalog().info(action)
            found = (
                None
                if info is None
                else [_arn_service(p) for t in info.resource_types for p in t.arn_patterns]
            )
            self._services[action] = (
                None if found is None or None in found else frozenset(filter(None, found))
            )
        return self._services[action]

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
        found: list[Grant] = []
        for policy_id in policy_ids:
            grants = self._policy_grants(policy_id)
            if grants is None:
                return None
            found.extend(grants)
        return Grants(grants=tuple(found))

    def _policy_grants(self, policy_id: str) -> tuple[Grant, ...] | None:
        """A policy's Allow statements as grants, compiled once per policy (thousands of
        principals share the same managed policies)."""
        if policy_id not in self._by_policy:
            policy = self._estate.policies.get(policy_id)
            self._by_policy[policy_id] = (
                None
                if policy is None
                else tuple(Grant.of(s) for s in statements(policy.document) if s.allows)
            )
        return self._by_policy[policy_id]


def _resource_services(statement: Statement) -> re.Pattern[str] | None:
    """The services the statement's Resource ARNs name, as one pattern; None when it may act on
    any (a "*" resource, NotResource, or a pattern without a service field)."""
    if statement.not_resources or not statement.resources:
        return None
    services = [_arn_service(r) for r in statement.resources]
    if any(s is None for s in services):
        return None
    return compile_patterns(s for s in services if s is not None)


def _arn_service(pattern: str) -> str | None:
    """The service field of an ARN (pattern): "s3" for "arn:aws:s3:::b/*"; None for "*"."""
    parts = pattern.strip().split(":")
    return parts[2] if len(parts) > 2 and parts[2] else None

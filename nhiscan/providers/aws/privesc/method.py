"""What a privilege-escalation method is, as data: the permissions it needs, on what, who it
escalates and where to.

A :class:`Method` lists its :class:`Need` s: one action each, with what the action is requested
on (:class:`On`). At most one kind of target resource is enumerated per method (the "target
spec": users, roles, groups, attached policies, passable roles or existing resources); every
other need is :attr:`On.ANY`, a resource the attacker creates and names, checked on a
placeholder ARN.

Placeholders are ARN templates with ``{partition}``, ``{region}`` and ``{account}`` fields
(filled from the principal's ARN and the regions seen in the snapshot). They stand for "a
resource of this type the attacker may name": a request for the placeholder matches every
policy pattern that a real resource of that type in that account and region would match, except
patterns naming specific resources (``function:dev-*``): a grant scoped that narrowly to a
resource that does not exist yet is not recognised.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nhiscan.scanner.escalation import Family
from nhiscan.scanner.model import IdentityKind


class On(StrEnum):
    """What a needed action is requested on."""

    SELF = "self"  # the principal's own ARN
    TARGET_USER = "target-user"  # each other IAM user in the principal's account
    TARGET_ROLE = "target-role"  # each other (not service-linked) role in the account
    TARGET_GROUP = "target-group"  # each group in the account the user is not already in
    MEMBER_GROUP = "member-group"  # each group the user is a member of
    ATTACHED_POLICY = "attached-policy"  # each customer-managed policy on it or its groups
    PASSABLE_ROLE = "passable-role"  # each role whose trust admits the method's service
    EXISTING_RESOURCE = "existing-resource"  # each resource of the method's resource_kind
    ANY = "any"  # a resource the attacker creates: checked on the need's placeholder


class AppliesTo(StrEnum):
    """Which principals a method escalates."""

    USERS = "users"
    ROLES = "roles"
    BOTH = "both"

    def admits(self, kind: IdentityKind) -> bool:
        if kind is IdentityKind.IAM_USER:
            return self in (AppliesTo.USERS, AppliesTo.BOTH)
        if kind is IdentityKind.IAM_ROLE:
            return self in (AppliesTo.ROLES, AppliesTo.BOTH)
        return False


class Target(StrEnum):
    """Where a method leads."""

    ADMIN = "admin"  # the principal can grant itself any permission
    TARGET_USER = "target-user"  # it becomes that user
    TARGET_ROLE = "target-role"  # that role (it can make the role trust it, or grant it more)
    TARGET_GROUP = "target-group"  # that group's permissions (reported as the group's ARN)
    PASSED_ROLE = "passed-role"  # a role it passes to a service whose trust admits it
    EXISTING_RESOURCE_ROLE = "existing-resource-role"  # the role existing compute runs as


class Requires(StrEnum):
    """What must exist in the snapshot besides the target itself."""

    NOTHING = "nothing"
    LOGIN_PROFILE = "login-profile"  # the target user has a console password
    NO_LOGIN_PROFILE = "no-login-profile"  # the target user has none
    INSTANCE_PROFILE = "instance-profile"  # the passed role is in an instance profile
    POLICY_VERSION = "policy-version"  # a non-default policy version (versions not collected)
    RESOURCE = "resource"  # an existing resource of the method's resource_kind
    # The principal can act as the target role (assume it, pass it to compute it runs, run
    # code on compute running as it, or rewrite its trust): see act_as.py.
    ACT_AS = "act-as"


@dataclass(frozen=True, slots=True, kw_only=True)
class Need:
    """One permission a method uses: ``action`` requested on ``on``."""

    action: str
    on: On
    # ARN template standing for "any resource of this type" (see the module docstring); None
    # for the target spec's default (methods.PLACEHOLDERS) and "*" for actions taking none.
    placeholder: str | None = None

    @property
    def service(self) -> str:
        return self.action.partition(":")[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class Method:
    name: str  # unique: "iam:CreatePolicyVersion", "PassRole+lambda:CreateFunction+..."
    family: Family
    needs: tuple[Need, ...]
    applies_to: AppliesTo
    target: Target
    description: str  # one line
    reference: str  # URL of the public write-up
    service: str | None = None  # the service principal a passed role must trust
    requires: Requires = Requires.NOTHING
    resource_kind: str | None = None  # the ResourceKind value of the existing resource
    # False: listed for completeness, found elsewhere (sts:AssumeRole chains are edges the
    # reach graph builds from trust policies); find_escalations skips it.
    enumerated: bool = True

    @property
    def target_spec(self) -> On | None:
        """The one kind of resource the method enumerates (None when every need is ANY)."""
        specs = {need.on for need in self.needs if need.on is not On.ANY}
        return next(iter(specs)) if len(specs) == 1 else None

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(need.action for need in self.needs)

    def needs_on(self, on: On) -> tuple[Need, ...]:
        return tuple(need for need in self.needs if need.on is on)

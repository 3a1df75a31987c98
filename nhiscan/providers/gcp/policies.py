"""The snapshot's IAM allow and deny policies, indexed by where they are attached (a scope id,
an SA e-mail, or a resource's full name: ``Hierarchy.key``), and who they name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nhiscan.providers.gcp.hierarchy import Hierarchy
from nhiscan.providers.gcp.members import Member, MemberKind, parse_member, pool_of
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.glob import glob_match
from nhiscan.scanner.model import Identity, Policy, PolicyKind, Provider

Tri = bool | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Binding:
    ref: StatementRef  # the allow policy, the binding's index, the role as sid
    node: str  # where it is attached
    role: str
    members: tuple[Member, ...]
    condition: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DenyRule:
    ref: StatementRef
    node: str
    principals: tuple[str, ...]
    exceptions: tuple[str, ...]
    permissions: tuple[str, ...]  # v1 spelling, globs allowed
    excepted_permissions: tuple[str, ...]
    condition: str | None


def v1_permission(text: str) -> str:
    """``iam.googleapis.com/serviceAccountKeys.create`` -> ``iam.serviceAccountKeys.create``."""
    host, sep, rest = text.partition(".googleapis.com/")
    return f"{host}.{rest}" if sep else text


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _expression(node: Any) -> str | None:
    found = node.get("expression") if isinstance(node, Mapping) else None
    return found if isinstance(found, str) and found.strip() else None


def allow_bindings(policy: Policy, node: str) -> Iterable[Binding]:
    for index, raw in enumerate(policy.document.get("bindings") or ()):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("role"), str):
            continue
        members = tuple(m for m in map(parse_member, _strings(raw.get("members"))) if m)
        ref = StatementRef(policy_id=policy.id, index=index, sid=raw["role"])
        yield Binding(ref=ref, node=node, role=raw["role"], members=members,
                      condition=_expression(raw.get("condition")))  # fmt: skip


def deny_rules(policy: Policy, node: str) -> Iterable[DenyRule]:
    for index, raw in enumerate(policy.document.get("rules") or ()):
        rule = raw.get("denyRule") if isinstance(raw, Mapping) else None
        if not isinstance(rule, Mapping):
            continue
        yield DenyRule(
            ref=StatementRef(policy_id=policy.id, index=index, effect="Deny"),
            node=node,
            principals=_strings(rule.get("deniedPrincipals")),
            exceptions=_strings(rule.get("exceptionPrincipals")),
            permissions=tuple(map(v1_permission, _strings(rule.get("deniedPermissions")))),
            excepted_permissions=tuple(
                map(v1_permission, _strings(rule.get("exceptionPermissions")))
            ),
            condition=_expression(rule.get("denialCondition")),
        )


class PolicyIndex:
    def __init__(self, policies: Iterable[Policy], hierarchy: Hierarchy) -> None:
        self.allow: defaultdict[str, list[Binding]] = defaultdict(list)
        self.deny: defaultdict[str, list[DenyRule]] = defaultdict(list)
        for policy in policies:
            if policy.provider is not Provider.GCP:
                continue
            for attached in policy.attached_to:
                node = hierarchy.key(attached)
                if policy.kind is PolicyKind.IAM_ALLOW:
                    self.allow[node].extend(allow_bindings(policy, node))
                elif policy.kind is PolicyKind.IAM_DENY:
                    self.deny[node].extend(deny_rules(policy, node))

    def bindings(self, nodes: Sequence[str]) -> Iterable[Binding]:
        for node in nodes:
            yield from self.allow.get(node, ())

    def naming(self, identity: Identity) -> Iterable[Binding]:
        """Every binding one of whose members may be ``identity``."""
        for bindings in self.allow.values():
            for binding in bindings:
                if member_match(binding.members, identity) is not False:
                    yield binding


def _one(member: Member, identity: Identity) -> Tri:
    if member.deleted:
        return False
    if member.kind in (MemberKind.ALL_USERS, MemberKind.ALL_AUTHENTICATED):
        return True
    if member.kind in (MemberKind.SERVICE_ACCOUNT, MemberKind.PRINCIPAL):
        return member.value == identity.id
    if member.kind is MemberKind.DOMAIN:
        return identity.id.endswith(f"@{member.value}")
    if member.kind is MemberKind.PRINCIPAL_SET:
        if member.value == identity.id:
            return True
        pool = pool_of(member.value)
        if pool is None or pool_of(identity.id) != pool.replace("principalSet:", "principal:"):
            return False
        return True if member.value.endswith("/*") else None  # group/attribute: not collected
    return False  # users, groups (memberships not collected), legacy bucket members


def member_match(members: Iterable[Member], identity: Identity) -> Tri:
    """True when a member is the identity, None when one may be (a pool set by attribute)."""
    found: Tri = False
    for member in members:
        one = _one(member, identity)
        if one is True:
            return True
        if one is None:
            found = None
    return found


def deny_principal(text: str, identity: Identity) -> Tri:
    if text == "principalSet://goog/public:all" or text == identity.id:
        return True
    if text.endswith(
        (f"/serviceAccounts/{identity.id}", f"principal://goog/subject/{identity.id}")
    ):
        return True
    if text.startswith(("principalSet://goog/group/", "principalSet://goog/cloudIdentity")):
        return None  # memberships are not collected
    pool = pool_of(text)
    same_pool = pool is not None and pool_of(identity.id) == pool.replace(
        "principalSet:", "principal:"
    )
    if text.startswith("principalSet://") and same_pool:
        return True if text.endswith("/*") else None
    return False


def denies(rule: DenyRule, identity: Identity, permission: str) -> Tri:
    """Whether the rule names the identity and the permission (conditions aside)."""
    if not any(glob_match(p, permission) for p in rule.permissions):
        return False
    if any(glob_match(p, permission) for p in rule.excepted_permissions):
        return False
    if any(deny_principal(p, identity) is True for p in rule.exceptions):
        return False
    answers = [deny_principal(p, identity) for p in rule.principals]
    return True if True in answers else (None if None in answers else False)

"""Azure RBAC evaluated from the snapshot: may a principal perform an action at a scope?

Pure functions over ARM's documented JSON (role definitions, role assignments, deny
assignments, each in the REST form with ``properties`` or the az CLI's flattened form), as
"How Azure RBAC determines if a user has access to a resource" (learn.microsoft.com/azure/
role-based-access-control/overview; MicrosoftDocs/azure-docs ``articles/role-based-access-
control/overview.md``) describes it:

1. the role assignments that apply are those of the principal or of one of its groups (the
   caller gives every id: the principal's object id and its groups', transitively) at the target
   scope or any scope above it (:mod:`.scopes`);
2. their roles' permissions (:mod:`.actions`: ``actions - notActions`` on the control plane,
   ``dataActions - notDataActions`` on the data plane) must include the action; an ABAC
   condition on the assignment or on the permission block is decided where nhiscan can
   (:func:`.conditions.decide`), else the grant is CONDITIONAL and the reason says which;
3. if no role grants it, access is not granted (IMPLICIT_DENY); otherwise a deny assignment that
   applies blocks it (DENY). Deny assignments ("Understand Azure deny assignments",
   ``articles/role-based-access-control/deny-assignments.md``) name principals (the zero GUID
   with type SystemDefined is every principal), may exclude principals, and with
   ``doNotApplyToChildScopes`` apply at their own scope only.

Assignment ids name the grant (``StatementRef.policy_id``), the index is the role's permission
block and the sid the role's name. A roleDefinitionId at a subscription
(``/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}``) and at the
tenant (``/providers/Microsoft.Authorization/roleDefinitions/{guid}``) name the same role: roles
are compared by GUID.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nhiscan.providers.azure.actions import (
    Permission,
    RoleDefinition,
    guid,
    optional_text,
    parse_permissions,
    parse_role_definition,
    properties,
    role_guid,
)
from nhiscan.providers.azure.conditions import Context, Tri, decide
from nhiscan.providers.azure.scopes import (
    ArmFormatError,
    Scope,
    chain_of,
    parent_map,
    parse_scope,
)
from nhiscan.scanner.authz import Decision, Evaluation, StatementRef

EVERYONE = "00000000-0000-0000-0000-000000000000"  # deny assignments' All Principals
ROLE_ASSIGNMENTS_WRITE = "Microsoft.Authorization/roleAssignments/write"
# Built-in role GUIDs, the same in every cloud (built-in-roles.md; the bundled dataset).
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
RBAC_ADMINISTRATOR = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"  # Role Based Access Control Admin.
ASSIGNMENT_MARK = "/providers/microsoft.authorization/roleassignments/"


def _text(value: Any, where: str) -> str:
    found = optional_text(value, where)
    if found is None:
        raise ArmFormatError(f"{where}: missing")
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleAssignment:
    id: str
    scope: Scope
    principal_id: str  # lower case
    role: str  # the role definition's GUID
    condition: str | None = None
    condition_version: str | None = None


def parse_role_assignment(document: Any, *, where: str = "role assignment") -> RoleAssignment:
    if not isinstance(document, Mapping):
        raise ArmFormatError(f"{where}: expected a role assignment object, found {document!r}")
    props = properties(document)
    ident = _text(document.get("id"), f"{where}.id")
    scope = optional_text(props.get("scope"), f"{where}.scope")
    if scope is None and ASSIGNMENT_MARK in ident.lower():  # the id is {scope}/providers/…
        scope = ident[: ident.lower().index(ASSIGNMENT_MARK)] or "/"
    return RoleAssignment(
        id=ident,
        scope=parse_scope(scope or "", where=f"{where}.scope"),
        principal_id=_text(props.get("principalId"), f"{where}.principalId").lower(),
        role=role_guid(props.get("roleDefinitionId"), where=f"{where}.roleDefinitionId"),
        condition=optional_text(props.get("condition"), f"{where}.condition"),
        condition_version=optional_text(props.get("conditionVersion"),
                                        f"{where}.conditionVersion"),
    )  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class DenyAssignment:
    id: str
    name: str
    scope: Scope
    permissions: tuple[Permission, ...]
    principals: frozenset[str]  # lower case; EVERYONE for all principals
    excluded: frozenset[str]
    children: bool = True  # False: doNotApplyToChildScopes
    condition: str | None = None
    condition_version: str | None = None


def _principal_ids(value: Any, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(
        isinstance(p, Mapping) and isinstance(p.get("id"), str) for p in value
    ):
        raise ArmFormatError(f"{where}: expected a list of {{'id': …, 'type': …}}, found {value!r}")
    return frozenset(p["id"].strip().lower() for p in value)


def parse_deny_assignment(document: Any, *, where: str = "deny assignment") -> DenyAssignment:
    if not isinstance(document, Mapping):
        raise ArmFormatError(f"{where}: expected a deny assignment object, found {document!r}")
    props = properties(document)
    ident = _text(document.get("id"), f"{where}.id")
    principals = _principal_ids(props.get("principals"), f"{where}.principals")
    return DenyAssignment(
        id=ident,
        name=optional_text(props.get("denyAssignmentName"), f"{where}.denyAssignmentName")
        or ident,
        scope=parse_scope(_text(props.get("scope"), f"{where}.scope"), where=f"{where}.scope"),
        permissions=parse_permissions(props.get("permissions"), f"{where}.permissions"),
        principals=frozenset(guid(p) if p == EVERYONE.replace("-", "") else p
                             for p in principals),
        excluded=_principal_ids(props.get("excludePrincipals"), f"{where}.excludePrincipals"),
        children=props.get("doNotApplyToChildScopes") is not True,
        condition=optional_text(props.get("condition"), f"{where}.condition"),
        condition_version=optional_text(props.get("conditionVersion"),
                                        f"{where}.conditionVersion"),
    )  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Rbac:
    """Everything Azure RBAC evaluation reads, parsed once."""

    roles: Mapping[str, RoleDefinition]  # by GUID
    assignments: tuple[RoleAssignment, ...]
    denies: tuple[DenyAssignment, ...] = ()
    parents: Mapping[str, str]  # scope key -> parent management group key

    @classmethod
    def from_json(
        cls,
        *,
        role_definitions: Iterable[Any],
        role_assignments: Iterable[Any],
        deny_assignments: Iterable[Any] = (),
        management_group_parents: Mapping[str, str] | None = None,
    ) -> Rbac:
        """Parsed from ARM's JSON; an ArmFormatError names the item (``role_assignments[3]``)
        and the field that is wrong."""
        roles: dict[str, RoleDefinition] = {}
        for index, raw in enumerate(role_definitions):
            role = parse_role_definition(raw, where=f"role_definitions[{index}]")
            roles.setdefault(role.guid, role)
        return cls(
            roles=roles,
            assignments=tuple(parse_role_assignment(raw, where=f"role_assignments[{i}]")
                              for i, raw in enumerate(role_assignments)),
            denies=tuple(parse_deny_assignment(raw, where=f"deny_assignments[{i}]")
                         for i, raw in enumerate(deny_assignments)),
            parents=parent_map(management_group_parents),
        )  # fmt: skip

    def chain(self, target: str | Scope) -> list[str]:
        """The keys of ``target`` and every scope above it, root first."""
        return chain_of(target if isinstance(target, Scope) else parse_scope(target), self.parents)


def _both(a: Tri, b: Tri) -> Tri:
    return False if False in (a, b) else (None if None in (a, b) else True)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Request:
    ids: frozenset[str]
    action: str
    data_action: bool
    target: Scope
    chain: frozenset[str]
    context: Context


def _grant(rbac: Rbac, held: RoleAssignment, request: _Request) -> tuple[Tri, StatementRef, str]:
    """Whether one assignment grants the request, the block that does and, when undecided,
    why."""
    role = rbac.roles.get(held.role)
    if role is None:
        ref = StatementRef(policy_id=held.id, index=0, sid=held.role)
        return None, ref, f"role definition {held.role} of {held.id} is not in the snapshot"
    best: tuple[Tri, StatementRef, str] = (False, StatementRef(policy_id=held.id, index=0), "")
    on_assignment = decide(held.condition, request.action, version=held.condition_version,
                           context=request.context)  # fmt: skip
    for index, block in enumerate(role.permissions):
        if not block.names(request.action, data_action=request.data_action):
            continue
        in_block = decide(block.condition, request.action, version=block.condition_version,
                          context=request.context)  # fmt: skip
        answer = _both(on_assignment, in_block)
        ref = StatementRef(policy_id=held.id, index=index, sid=role.name)
        if answer is True:
            return True, ref, ""
        if answer is None and best[0] is False:
            why = (
                f"role assignment {held.id} ({role.name}) has an ABAC condition"
                if on_assignment is None
                else f"{role.name} (assignment {held.id}) grants it in permission block "
                f"{index}, under an ABAC condition"
            )
            best = (None, ref, f"{why} nhiscan cannot decide for this request")
    return best


def _deny(deny: DenyAssignment, request: _Request) -> tuple[Tri, StatementRef]:
    ref = StatementRef(policy_id=deny.id, index=0, sid=deny.name, effect="Deny")
    at = deny.scope.key in request.chain if deny.children else deny.scope.key == request.target.key
    named = EVERYONE in deny.principals or bool(deny.principals & request.ids)
    if not at or not named or deny.excluded & request.ids:
        return False, ref
    for index, block in enumerate(deny.permissions):
        if block.names(request.action, data_action=request.data_action):
            ref = StatementRef(policy_id=deny.id, index=index, sid=deny.name, effect="Deny")
            return decide(deny.condition, request.action, version=deny.condition_version,
                          context=request.context), ref  # fmt: skip
    return False, ref


def _grants(
    rbac: Rbac, request: _Request
) -> tuple[list[StatementRef], list[StatementRef], list[str]]:
    """The assignments that grant the request, those that may, and why they only may."""
    allowed: list[StatementRef] = []
    undecided: list[StatementRef] = []
    reasons: list[str] = []
    for held in rbac.assignments:
        if held.principal_id in request.ids and held.scope.key in request.chain:
            answer, ref, why = _grant(rbac, held, request)
            if answer is True:
                allowed.append(ref)
            elif answer is None:
                undecided.append(ref)
                reasons.append(why)
    return allowed, undecided, reasons


def evaluate(
    rbac: Rbac,
    principal_ids: Iterable[str],
    action: str,
    target: str | Scope,
    *,
    data_action: bool = False,
    context: Context | None = None,
) -> Evaluation:
    """May the principal (``principal_ids``: its object id and its groups') perform ``action``
    (a data action when ``data_action``) at ``target`` (a scope id)?"""
    scope = target if isinstance(target, Scope) else parse_scope(target, where="target")
    request = _Request(ids=frozenset(p.strip().lower() for p in principal_ids), action=action,
                       data_action=data_action, target=scope, chain=frozenset(rbac.chain(scope)),
                       context=context or {})  # fmt: skip
    allowed, undecided, reasons = _grants(rbac, request)
    if not allowed and not undecided:
        return Evaluation(decision=Decision.IMPLICIT_DENY, reason="no role assignment grants it")
    denied: list[StatementRef] = []
    for deny in rbac.denies:
        answer, ref = _deny(deny, request)
        if answer is True:
            denied.append(ref)
        elif answer is None:
            undecided.append(ref)
            reasons.append(f"deny assignment {deny.id} has a condition nhiscan cannot decide")
    if denied:
        return Evaluation(decision=Decision.DENY, allowed_by=tuple(allowed),
                          denied_by=tuple(denied),
                          reason=f"denied by deny assignment {denied[0].sid}")  # fmt: skip
    if allowed and all(ref.effect == "Allow" for ref in undecided):
        return Evaluation(decision=Decision.ALLOW, allowed_by=tuple(allowed))
    return Evaluation(decision=Decision.CONDITIONAL, allowed_by=tuple(allowed),
                      undecided=tuple(undecided), reason=reasons[0])  # fmt: skip


def _may_delegate(rbac: Rbac, held: RoleAssignment) -> bool:
    """Whether the assignment's role may hold roleAssignments/write (unknown roles may)."""
    role = rbac.roles.get(held.role)
    return role is None or any(
        block.names(ROLE_ASSIGNMENTS_WRITE, data_action=False) for block in role.permissions
    )


def admin_scopes(
    rbac: Rbac, principal_ids: Iterable[str], *, context: Context | None = None
) -> list[tuple[str, Evaluation]]:
    """Every scope at which the principal may create role assignments (``Microsoft.
    Authorization/roleAssignments/write``: Owner, User Access Administrator, Role Based Access
    Control Administrator, any custom role that has it), with the evaluation that says so.

    The scopes are those of its assignments of such roles (or of roles not in the snapshot),
    root first; the scopes below them inherit. An RBAC Administrator assignment constrained by
    an ABAC condition is CONDITIONAL (``context`` may say which role is being assigned); a scope
    where a deny assignment blocks it is left out."""
    ids = [p.strip().lower() for p in principal_ids]
    found: dict[str, tuple[Scope, Evaluation]] = {}
    for held in sorted(rbac.assignments, key=lambda a: a.id.lower()):
        if held.principal_id in ids and held.scope.key not in found and _may_delegate(rbac, held):
            answer = evaluate(rbac, ids, ROLE_ASSIGNMENTS_WRITE, held.scope, context=context)
            if answer.decision.possible:
                found[held.scope.key] = (held.scope, answer)
    ordered = sorted(found.values(), key=lambda entry: (len(rbac.chain(entry[0])), entry[0].key))
    return [(scope.id, answer) for scope, answer in ordered]

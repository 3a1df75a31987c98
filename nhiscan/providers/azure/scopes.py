"""Azure Resource Manager scope ids, parsed and compared the way ARM does: without regard to case.

The forms (learn.microsoft.com/azure/role-based-access-control/scope-overview; the ids in
Azure/azure-rest-api-specs ``specification/authorization/.../2022-04-01/examples``, where ARM
itself writes ``resourcegroups`` and ``resourceGroups`` for the same thing):

- the root scope ``/`` (above every management group: elevated access and built-in role
  definitions live there);
- a management group ``/providers/Microsoft.Management/managementGroups/{id}``;
- a subscription ``/subscriptions/{id}`` and a resource group ``…/resourceGroups/{name}``;
- a resource ``…/providers/{namespace}/{type}/{name}``, a child resource adding ``/{type}/{name}``
  pairs, and an extension resource adding another ``/providers/{namespace}/{type}/{name}`` block
  (a role assignment on a storage account is one); a tenant-level resource starts with
  ``/providers/`` (``/providers/Microsoft.Authorization/roleDefinitions/{guid}``).

A role assignment at a scope applies to the scope and everything below it (inheritance): its
lexical parents, and above a subscription or management group the management-group chain, which
an id does not show and the caller passes as ``management_group_parents`` (a subscription or
management group id -> its parent management group, as ARM's management-group API answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from nhiscan.errors import SnapshotError

ROOT = "/"
MG_PREFIX = ("providers", "microsoft.management", "managementgroups")


class ArmFormatError(SnapshotError):
    """A scope id, role definition or assignment that is not in ARM's documented format: the
    message names the value and where it was found."""


class ScopeKind(StrEnum):
    ROOT = "root"
    MANAGEMENT_GROUP = "management-group"
    SUBSCRIPTION = "subscription"
    RESOURCE_GROUP = "resource-group"
    RESOURCE = "resource"


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """One parsed scope. ``key`` (lower case, no trailing slash) is what compares; ``id`` is the
    spelling it was given in; ``chain`` the keys of its lexical ancestors and itself, root
    first (the management-group chain above is not part of an id: see :func:`ancestors`)."""

    id: str
    key: str
    kind: ScopeKind
    chain: tuple[str, ...]
    subscription: str | None = None  # lower case
    resource_group: str | None = None  # lower case

    @property
    def management_group(self) -> str | None:
        """A management group scope's id (lower case)."""
        if self.kind is not ScopeKind.MANAGEMENT_GROUP:
            return None
        return self.key.rsplit("/", 1)[1]


def _error(text: object, problem: str, where: str | None) -> ArmFormatError:
    place = f" (at {where})" if where else ""
    return ArmFormatError(
        f"{text!r}{place} is not an ARM scope id: {problem}; expected '/', "
        "'/providers/Microsoft.Management/managementGroups/{id}', '/subscriptions/{id}"
        "[/resourceGroups/{name}][/providers/{namespace}/{type}/{name}…]'"
    )


def _head(low: list[str], text: str, where: str | None) -> tuple[ScopeKind, list[int]]:
    """The scope kind of the id's head and the segment counts where its head's scopes end."""
    if low[:3] == list(MG_PREFIX):
        if len(low) < 4:
            raise _error(text, "a management group without its id", where)
        return ScopeKind.MANAGEMENT_GROUP, [4]
    if low[0] == "subscriptions":
        if len(low) < 2:
            raise _error(text, "a subscription without its id", where)
        if len(low) >= 4 and low[2] == "resourcegroups":
            return ScopeKind.RESOURCE_GROUP, [2, 4]
        return ScopeKind.SUBSCRIPTION, [2]
    if low[0] == "providers":
        return ScopeKind.RESOURCE, []  # a tenant-level resource, under the root
    raise _error(text, f"it starts with {low[0]!r}", where)


def _resources(low: list[str], at: int, text: str, where: str | None) -> list[int]:
    """Where each resource below the head ends: ``providers/{ns}`` then ``{type}/{name}`` pairs,
    repeated for extension resources."""
    ends: list[int] = []
    while at < len(low):
        if low[at] != "providers" or len(low) < at + 4:
            raise _error(text, f"expected providers/{{namespace}}/{{type}}/{{name}} at "
                         f"segment {at + 1}", where)  # fmt: skip
        at += 2
        while True:
            if at + 1 >= len(low):
                raise _error(text, f"resource type {low[at]!r} has no name", where)
            at += 2
            ends.append(at)
            if at >= len(low) or low[at] == "providers":
                break
    return ends


def parse_scope(text: str, *, where: str | None = None) -> Scope:
    """``text`` parsed; an ArmFormatError naming it (and ``where`` it was found) otherwise."""
    if not isinstance(text, str) or not text.strip().startswith("/"):
        raise _error(text, "it does not start with '/'", where)
    stripped = text.strip()
    if stripped == ROOT:
        return Scope(id=ROOT, key=ROOT, kind=ScopeKind.ROOT, chain=(ROOT,))
    parts = stripped.strip("/").split("/")
    if any(not part.strip() for part in parts):
        raise _error(text, "it has an empty segment", where)
    low = [part.lower() for part in parts]
    kind, ends = _head(low, text, where)
    start = ends[-1] if ends else 0
    if start < len(low):
        ends.extend(_resources(low, start, text, where))
        kind = ScopeKind.RESOURCE
    if ends[-1] != len(low):
        raise _error(text, "trailing segments", where)
    chain = (ROOT, *("/" + "/".join(low[:end]) for end in ends))
    return Scope(
        id="/" + "/".join(parts),
        key=chain[-1],
        kind=kind,
        chain=chain,
        subscription=low[1] if low[0] == "subscriptions" else None,
        resource_group=low[3] if len(low) > 3 and low[2] == "resourcegroups" else None,
    )


def scope_key(text: str, *, where: str | None = None) -> str:
    return parse_scope(text, where=where).key


def management_group_key(text: str, *, where: str | None = None) -> str:
    """A management group named by its full id or by its bare id (``contoso``)."""
    if isinstance(text, str) and "/" not in text.strip() and text.strip():
        return "/" + "/".join((*MG_PREFIX, text.strip().lower()))
    scope = parse_scope(text, where=where)
    if scope.kind is not ScopeKind.MANAGEMENT_GROUP:
        raise _error(text, "a parent must be a management group", where)
    return scope.key


def parent_map(management_group_parents: Mapping[str, str] | None) -> dict[str, str]:
    """``management_group_parents`` with every key a scope key and every value a management
    group key (a subscription's or management group's parent)."""
    found: dict[str, str] = {}
    for child, parent in (management_group_parents or {}).items():
        where = f"management_group_parents[{child!r}]"
        found[scope_key(child, where=where)] = management_group_key(parent, where=where)
    return found


def chain_of(scope: Scope, parents: Mapping[str, str]) -> list[str]:
    """``ancestors`` over an already normalised ``parent_map``."""
    if len(scope.chain) < 2:
        return list(scope.chain)
    groups: list[str] = []
    top = scope.chain[1]
    seen = {top}
    parent = parents.get(top)
    while parent is not None and parent not in seen:
        groups.append(parent)
        seen.add(parent)
        parent = parents.get(parent)
    return [ROOT, *reversed(groups), *scope.chain[1:]]


def ancestors(
    scope: str | Scope, management_group_parents: Mapping[str, str] | None = None
) -> list[str]:
    """The keys of ``scope`` and every scope above it, root first: the root, the management
    groups above its subscription (or above itself), then its lexical chain."""
    parsed = scope if isinstance(scope, Scope) else parse_scope(scope)
    return chain_of(parsed, parent_map(management_group_parents))


def covers(
    assignment_scope: str | Scope,
    target_scope: str | Scope,
    management_group_parents: Mapping[str, str] | None = None,
) -> bool:
    """Whether an assignment at ``assignment_scope`` applies to ``target_scope`` (the same
    scope or one below it)."""
    outer = (
        assignment_scope if isinstance(assignment_scope, Scope) else parse_scope(assignment_scope)
    )
    return outer.key in ancestors(target_scope, management_group_parents)

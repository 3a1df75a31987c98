"""Azure Resource Manager objects to records: subscriptions (``az account list --all``), the
management-group tree (``az account management-group show --name <root> --expand --recurse``),
role definitions (``az role definition list``) and role assignments (``az role assignment list
--all``), pure functions of the JSON the az CLI prints (the SDK models' fields, camelCase, with
``properties`` flattened: ``roleName``, ``permissions[].actions``, ``principalId``,
``roleDefinitionId``, ``scope``). Mapping: ``docs/dev/azure-records.md``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.connectors.azure import ids
from nhiscan.connectors.azure.shape import (
    ShapeError,
    arm_id,
    guid,
    items,
    need_guid,
    obj,
    opt_text,
    text,
)
from nhiscan.scanner.model import Account, Policy, PolicyKind, Provider, Resource, ResourceKind

AZ = Provider.AZURE


@dataclass(slots=True)
class Tree:
    """The management groups: id -> display name, and each node's (group or subscription)
    parent group."""

    names: dict[str, str] = field(default_factory=dict)
    parent: dict[str, str] = field(default_factory=dict)

    def chain(self, node: str) -> tuple[str, ...]:
        """The groups above ``node``, root first."""
        found: list[str] = []
        while node in self.parent and self.parent[node] not in found:
            node = self.parent[node]
            found.append(node)
        return tuple(reversed(found))


def management_groups(root: Any, where: str) -> Tree:
    """The tree of ``az account management-group show --expand --recurse``: each node has
    ``id``, ``name``, ``displayName``, ``type`` and ``children`` (a subscription child has type
    ``/subscriptions`` and id ``/subscriptions/<id>``)."""
    tree = Tree()
    _walk(obj(root, where), where, None, tree)
    return tree


def _walk(node: Mapping[str, Any], where: str, parent: str | None, tree: Tree) -> None:
    raw = text(node.get("id"), f"{where}.id")
    node_id = arm_id(raw, f"{where}.id")
    if ids.subscription_of(node_id) is not None:
        node_id = ids.subscription_of(node_id) or node_id
    elif node_id.startswith(ids.MANAGEMENT_GROUP_PREFIX):
        tree.names[node_id] = opt_text(node, "displayName", where) or ids.last_segment(raw)
    else:
        raise ShapeError(
            f"{where}.id: expected a management group or subscription id, got {raw!r:.80}"
        )
    if parent is not None:
        tree.parent[node_id] = parent
    for index, child in enumerate(items(node.get("children") or [], f"{where}.children")):
        _walk(obj(child, f"{where}.children[{index}]"), f"{where}.children[{index}]", node_id, tree)


def tenant_account(account: Mapping[str, Any], where: str) -> Account:
    """The tenant (``az account show``): the account of every Entra object."""
    return Account(
        provider=AZ,
        id=need_guid(account, "tenantId", where),
        name=opt_text(account, "tenantDisplayName", where)
        or opt_text(account, "tenantDefaultDomain", where),
    )


def subscription(
    sub: Mapping[str, Any], where: str, *, tenant: str, tree: Tree
) -> tuple[Account, Resource]:
    """A subscription (an element of ``az account list --all``) as an account, and as the
    resource that ARM scopes name (``/subscriptions/<id>``)."""
    sub_id = need_guid(sub, "id", where)
    home = sub.get("tenantId")
    org = guid(home, f"{where}.tenantId") if home else tenant
    name = opt_text(sub, "name", where)
    return (
        Account(provider=AZ, id=sub_id, name=name, org_id=org, parents=tree.chain(sub_id)),
        Resource(
            provider=AZ, id=f"/subscriptions/{sub_id}", name=name or sub_id,
            kind=ResourceKind.AZURE_SUBSCRIPTION, account=sub_id,
            state=opt_text(sub, "state", where),
        ),
    )  # fmt: skip


def group_resources(tree: Tree, tenant: str) -> Iterator[Resource]:
    for group, name in tree.names.items():
        yield Resource(
            provider=AZ, id=group, name=name, kind=ResourceKind.AZURE_MANAGEMENT_GROUP,
            account=tenant,
        )  # fmt: skip


def role_definition(definition: Mapping[str, Any], where: str) -> Policy:
    """A role definition, under its tenant-wide id (``ids.role_definition``)."""
    role_guid = need_guid(definition, "name", where)
    for index, permission in enumerate(
        items(definition.get("permissions") or [], f"{where}.permissions")
    ):
        at = f"{where}.permissions[{index}]"
        permission = obj(permission, at)
        for key in ("actions", "notActions", "dataActions", "notDataActions"):
            value = permission.get(key)
            if value is not None and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                raise ShapeError(f"{at}.{key}: expected a list of strings, got {value!r:.60}")
    return Policy(
        provider=AZ, id=ids.role_definition(role_guid),
        name=opt_text(definition, "roleName", where) or role_guid,
        kind=PolicyKind.AZURE_ROLE_DEFINITION, account=None, document=dict(definition),
    )  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    policy: Policy
    principal: str
    role: str  # the role definition's tenant-wide id
    scope: str  # lower-cased ARM scope
    written: str  # the scope as the answer wrote it (for names)


def role_assignment(entry: Mapping[str, Any], where: str) -> Assignment:
    """A role assignment (an element of ``az role assignment list``): a policy attached to its
    scope, whatever subscription's file listed it (an assignment on a management group appears
    in the list of every subscription under it)."""
    assignment_id = arm_id(text(entry.get("id"), f"{where}.id"), f"{where}.id")
    written = text(entry.get("scope"), f"{where}.scope")
    scope = arm_id(written, f"{where}.scope")
    definition = text(entry.get("roleDefinitionId"), f"{where}.roleDefinitionId")
    role = ids.role_definition(guid(ids.last_segment(definition), f"{where}.roleDefinitionId"))
    policy = Policy(
        provider=AZ, id=assignment_id,
        name=opt_text(entry, "roleDefinitionName", where) or ids.last_segment(definition),
        kind=PolicyKind.AZURE_ROLE_ASSIGNMENT, account=ids.subscription_of(scope),
        document=dict(entry), attached_to=(scope,),
    )  # fmt: skip
    return Assignment(
        policy=policy, principal=need_guid(entry, "principalId", where), role=role, scope=scope,
        written=written,
    )  # fmt: skip


def resource_group(group: str, written: str) -> Resource:
    """A resource group, named as ``written`` (an id at or under it) spells it."""
    sub = ids.subscription_of(group) or ""
    return Resource(
        provider=AZ, id=group, name=ids.last_segment(ids.in_case(written, group)),
        kind=ResourceKind.AZURE_RESOURCE_GROUP, account=sub,
    )  # fmt: skip


def identity_resource(resource: str, *, principal: str, written: str) -> Resource:
    """The resource a managed identity belongs to: a user-assigned identity, or the compute a
    system-assigned one runs in; either runs as the identity's service principal."""
    return Resource(
        provider=AZ, id=resource, name=ids.last_segment(written), kind=ids.kind_of(resource),
        account=ids.subscription_of(resource) or "", runs_as=principal,
    )  # fmt: skip

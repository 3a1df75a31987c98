"""The two scope trees of an Azure estate, which are not one tree (docs/dev/azure-plan.md 7.1):

- the directory: one scope per Entra tenant (id the tenant id, kind ``directory``), what Global
  Administrator and Privileged Role Administrator administer;
- Azure Resource Manager: the tenant root management group (``/providers/microsoft.management/
  managementgroups/<tenant id>``: its id is the tenant's), management groups, subscriptions
  (``/subscriptions/<id>``) and resource groups, each the lower-case ARM id the records use.
  Assignments at ``/`` (above the root group) are the root group's admin here.

The directory is not the ARM root's parent: a Global Administrator reaches ARM only by elevating
its access (``elevateAccess``), an escalation the analysis draws, not inheritance. Parents come
from the subscriptions' ``Account.parents`` (root first) and the resource groups' ids; a
subscription whose chain was not exported sits under its tenant's root group (every
subscription is, and ``/`` covers it whatever lies between).

Also the RBAC data evaluation reads (``rbac.Rbac``): the snapshot's role definitions, the bundled
built-in ones it lacks, its role and deny assignments (each named by its record id)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from nhiscan.providers.azure import actions
from nhiscan.providers.azure.catalog import AzureCatalog
from nhiscan.providers.azure.rbac import (
    Rbac,
    RoleAssignment,
    parse_deny_assignment,
    parse_role_assignment,
)
from nhiscan.providers.azure.scopes import MG_PREFIX, ArmFormatError, management_group_key
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph.sources import Scope
from nhiscan.scanner.model import PolicyKind, Provider, ResourceKind

DIRECTORY = "directory"
MANAGEMENT_GROUP = "management group"
SUBSCRIPTION = "subscription"
RESOURCE_GROUP = "resource group"
ARM_KINDS = {
    ResourceKind.AZURE_MANAGEMENT_GROUP: MANAGEMENT_GROUP,
    ResourceKind.AZURE_SUBSCRIPTION: SUBSCRIPTION,
    ResourceKind.AZURE_RESOURCE_GROUP: RESOURCE_GROUP,
}


def root_group(tenant: str) -> str:
    return "/" + "/".join((*MG_PREFIX, tenant.lower()))


class Tree:
    def __init__(self, estate: Estate, tenants: list[str]) -> None:
        self.scopes: dict[str, Scope] = {}
        self.root_of: dict[str, str] = {}  # tenant -> its root management group
        self.parents: dict[str, str] = {}  # ARM scope -> parent management group
        for tenant in tenants:
            name = next((a.name for a in estate.snapshot.accounts if a.id == tenant), tenant)
            self._add(tenant, DIRECTORY, None, name or tenant)
            self.root_of[tenant] = root_group(tenant)
            self._add(root_group(tenant), MANAGEMENT_GROUP, None, "Tenant Root Group")
        names = {r.id: r.name for r in estate.resources.values() if r.provider is Provider.AZURE}
        for account in estate.snapshot.accounts:
            if account.provider is not Provider.AZURE or account.org_id is None:
                continue
            chain = [management_group_key(p) for p in account.parents]
            if not chain and account.org_id.lower() in self.root_of:
                chain = [self.root_of[account.org_id.lower()]]
            for index, group in enumerate(chain):
                self._add(
                    group,
                    MANAGEMENT_GROUP,
                    chain[index - 1] if index else None,
                    names.get(group, group.rsplit("/", 1)[-1]),
                )
            sub = f"/subscriptions/{account.id.lower()}"
            self._add(sub, SUBSCRIPTION, chain[-1] if chain else None, account.name or sub)
        for resource in estate.resources.values():
            kind = ARM_KINDS.get(resource.kind) if resource.provider is Provider.AZURE else None
            if kind is None or (resource.id in self.scopes and kind != RESOURCE_GROUP):
                continue
            parent = None
            if kind == RESOURCE_GROUP:
                parent = resource.id.split("/resourcegroups/", 1)[0]
            elif kind == SUBSCRIPTION:
                continue  # added with its account (parents)
            self._add(resource.id, kind, parent, resource.name)
        for scope in self.scopes.values():
            if scope.kind in (MANAGEMENT_GROUP, SUBSCRIPTION) and scope.parent is not None:
                self.parents[scope.id] = scope.parent

    def _add(self, scope: str, kind: str, parent: str | None, label: str) -> None:
        known = self.scopes.get(scope)
        if known is not None:
            parent = parent if parent is not None else known.parent
            label = known.label if known.label != scope else label
        self.scopes[scope] = Scope(id=scope, kind=kind, parent=parent, label=label)

    def arm(self, scope: str) -> bool:
        found = self.scopes.get(scope)
        return found is not None and found.kind != DIRECTORY

    def ancestors(self, scope: str) -> list[str]:
        """``scope`` and the scopes above it in its tree, nearest first."""
        found = [scope]
        node = self.scopes.get(scope)
        while node is not None and node.parent is not None and node.parent not in found:
            found.append(node.parent)
            node = self.scopes.get(node.parent)
        return found


def _definition(role: Any) -> actions.RoleDefinition:
    """A bundled built-in role in the form RBAC evaluation reads."""
    blocks = tuple(
        actions.Permission(
            actions=p.actions,
            not_actions=p.not_actions,
            data_actions=p.data_actions,
            not_data_actions=p.not_data_actions,
            condition=p.condition,
            condition_version=p.condition_version,
        )
        for p in role.permissions
    )
    return actions.RoleDefinition(guid=role.id.lower(), name=role.name, permissions=blocks)


def build_rbac(estate: Estate, catalog: AzureCatalog, tree: Tree) -> tuple[Rbac, list[str]]:
    """The RBAC data of the estate and the records it could not read (id: why)."""
    roles: dict[str, actions.RoleDefinition] = {}
    assignments: list[RoleAssignment] = []
    denies = []
    problems: list[str] = []
    for policy in sorted(estate.policies.values(), key=lambda p: p.id):
        if policy.provider is not Provider.AZURE:
            continue
        try:
            if policy.kind is PolicyKind.AZURE_ROLE_DEFINITION:
                role = actions.parse_role_definition(policy.document, where=policy.id)
                roles.setdefault(role.guid, role)
            elif policy.kind is PolicyKind.AZURE_ROLE_ASSIGNMENT:
                held = parse_role_assignment(policy.document, where=policy.id)
                assignments.append(replace(held, id=policy.id))
            elif policy.kind is PolicyKind.AZURE_DENY_ASSIGNMENT:
                denies.append(
                    replace(parse_deny_assignment(policy.document, where=policy.id), id=policy.id)
                )
        except ArmFormatError as exc:
            problems.append(f"{policy.id}: {exc}")
    for built_in in catalog.roles():
        roles.setdefault(built_in.id.lower(), _definition(built_in))
    rbac = Rbac(
        roles=roles,
        assignments=tuple(assignments),
        denies=tuple(denies),
        parents=dict(tree.parents),
    )
    return rbac, problems

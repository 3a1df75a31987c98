"""The least privilege for one Azure identity: a custom role definition per distinct set of
operations, role assignments at the narrowest scopes (with an ABAC condition for a blob prefix),
Cosmos DB's own role definitions and assignments for its data plane, and the ``az`` commands
that apply them. Deterministic: the same needs give the same document.

Shapes: a role definition is what ``az role definition create --role-definition`` reads
(``Name``, ``IsCustom``, ``Description``, ``Actions``, ``NotActions``, ``DataActions``,
``NotDataActions``, ``AssignableScopes``; "Create or update Azure custom roles using Azure CLI",
learn.microsoft.com/azure/role-based-access-control/custom-roles-cli). A custom role's
assignable scopes are subscriptions, resource groups or a management group, never a resource
("Azure custom roles", …/custom-roles), so they are the resource groups holding the targets and
the assignments narrow it. ``az role assignment create --assignee-object-id …
--assignee-principal-type ServicePrincipal`` skips the Graph lookup a managed identity may not
be ready for ("Assign Azure roles using Azure CLI", …/role-assignments-cli);
``--condition``/``--condition-version 2.0`` add the ABAC condition. A Cosmos DB role is what
``az cosmosdb sql role definition create --body`` reads (``RoleName``, ``Type: CustomRole``,
``AssignableScopes``, ``Permissions[].DataActions``) and is assigned by ``az cosmosdb sql role
assignment create --role-definition-name … --scope /dbs/D[/colls/C] --principal-id …``
(learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac).

Roles are shared only where no assignment grants more than its scope needs (``_groups``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from nhiscan.providers.azure.agents import commands
from nhiscan.providers.azure.agents.defaults import bind_subscription
from nhiscan.providers.azure.agents.schemes import ANY
from nhiscan.providers.azure.agents.targets import (
    CONDITION_VERSION,
    GROUP_PLACEHOLDER,
    SUBSCRIPTION_PLACEHOLDER,
    Target,
    blob_condition,
    target_of,
)
from nhiscan.providers.azure.agents.verbs import SERVICE_BUS_DATA_ACTIONS
from nhiscan.providers.azure.catalog import Plane, default_catalog
from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.model import Provider

PRINCIPAL_PLACEHOLDER = "PRINCIPAL_OBJECT_ID"


def least_privilege(
    needs: Iterable[Need], scope: str, principal: str | None = None
) -> dict[str, Any] | None:
    """Custom roles and assignments granting ``needs`` (the Azure ones) to ``principal`` (an
    object id) with implicit subscriptions in ``scope``; None when there is nothing to grant.

    ``scope`` fills in implicit needs only: the gap analysis hands needs its provider already
    bound (``gaps.gap_needs``) with the identity's account, which for an Azure identity is its
    tenant, never a subscription, so the scope is then not taken for one."""
    azure = [n for n in needs if n.provider is Provider.AZURE]
    implicit = scope not in (ANY, "") and any(n.account_implicit for n in azure)
    subscription = scope.lower() if implicit else ANY
    grouped: dict[Target, set[str]] = {}
    for need in azure:
        target = target_of(bind_subscription(need, subscription), subscription)
        grouped.setdefault(target, set()).add(need.action)
    if not grouped:
        return None
    who = principal.lower() if principal else PRINCIPAL_PLACEHOLDER
    short = slug(principal)
    rbac = {t: a for t, a in grouped.items() if t.cosmos_scope is None}
    cosmos = {t: a for t, a in grouped.items() if t.cosmos_scope is not None}
    roles, assignments = _rbac(rbac, who, short)
    cosmos_roles, cosmos_assignments = _cosmos(cosmos, who, short)
    document: dict[str, Any] = {
        "subscription": _subscription(grouped, subscription),
        "principal": who,
        "roles": roles,
        "assignments": assignments,
    }
    if cosmos:
        document["cosmos"] = {"roles": cosmos_roles, "assignments": cosmos_assignments}
    document["commands"] = [
        *(commands.create(r) for r in roles),
        *(commands.assign(a) for a in assignments),
        *(commands.cosmos_create(r) for r in cosmos_roles),
        *(commands.cosmos_assign(a) for a in cosmos_assignments),
    ]
    document["notes"] = _notes(grouped, subscription, principal)
    return document


def _subscription(grouped: dict[Target, set[str]], subscription: str) -> str:
    """The subscription given, else the one every scope names, else its placeholder."""
    if subscription != ANY:
        return subscription
    named = {t.scope.split("/")[2] for t in grouped if t.scope.startswith("/subscriptions/")}
    return named.pop() if len(named) == 1 else SUBSCRIPTION_PLACEHOLDER


def _groups(grouped: dict[Target, set[str]]) -> list[tuple[frozenset[str], list[Target]]]:
    """Targets in groups that can share one role: a role assigned at a scope grants there only
    the operations of the scope's resource provider (``getSecret`` means nothing on a queue),
    so targets of different providers share one, while two containers needing different
    things, or a scope that is not a resource (a subscription), each get their own."""
    groups: list[tuple[set[str], list[Target]]] = []
    for target, actions in sorted(grouped.items(), key=lambda kv: kv[0].key):
        for union, members in groups:
            merged = union | actions
            if all(_fits(merged, m, grouped[m]) for m in (*members, target)):
                union |= actions
                members.append(target)
                break
        else:
            groups.append((set(actions), [target]))
    return [(frozenset(union), members) for union, members in groups]


def _fits(actions: set[str], target: Target, needed: set[str]) -> bool:
    namespace = target.namespace
    if namespace is None:
        return actions == needed
    return {a for a in actions if a.lower().startswith(namespace + "/")} == needed


def is_data_action(action: str) -> bool:
    """Whether Azure grants ``action`` as a data action (a role's ``DataActions``)."""
    if action in SERVICE_BUS_DATA_ACTIONS:
        return True
    info = default_catalog().info(action)
    return info is not None and Plane.DATA in info.planes and Plane.CONTROL not in info.planes


def _rbac(
    grouped: dict[Target, set[str]], who: str, short: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    roles: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    for index, (actions, targets) in enumerate(_groups(grouped), 1):
        name = f"nhiscan {short} {index}"
        roles.append(
            {
                "file": f"nhiscan-{short}-{index}.json",
                "definition": {
                    "Name": name,
                    "IsCustom": True,
                    "Description": _describe(actions, who),
                    "Actions": sorted(a for a in actions if not is_data_action(a)),
                    "NotActions": [],
                    "DataActions": sorted(a for a in actions if is_data_action(a)),
                    "NotDataActions": [],
                    "AssignableScopes": sorted({t.group_scope for t in targets}),
                },
            }
        )
        for target in targets:
            assignment: dict[str, Any] = {
                "scope": target.scope,
                "role": name,
                "principalId": who,
                "principalType": "ServicePrincipal",
            }
            if target.prefix:
                assignment["condition"] = blob_condition(target.prefix, frozenset(grouped[target]))
                assignment["conditionVersion"] = CONDITION_VERSION
            assignments.append(assignment)
    return roles, assignments


def _cosmos(
    grouped: dict[Target, set[str]], who: str, short: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    roles: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    for index, (actions, targets) in enumerate(_groups(grouped), 1):
        name = f"nhiscan-{short}-cosmos-{index}"
        for account in sorted({t.scope for t in targets}):
            here = [t for t in targets if t.scope == account]
            roles.append(
                {
                    "account": account,
                    "file": f"{name}-{_tail(account)}.json",
                    "body": {
                        "RoleName": name,
                        "Type": "CustomRole",
                        "AssignableScopes": sorted({str(t.cosmos_scope) for t in here}),
                        "Permissions": [{"DataActions": sorted(actions)}],
                    },
                }
            )
            assignments += [
                {"account": account, "role": name, "scope": t.cosmos_scope, "principalId": who}
                for t in here
            ]
    return roles, assignments


def _describe(actions: frozenset[str], who: str) -> str:
    count = f"{len(actions)} operation{'s' if len(actions) != 1 else ''}"
    return (
        f"Exactly what {who} needs for its agent workflow ({count}, written by nhiscan "
        "from the agent file); assigned only where it is needed."
    )


def slug(principal: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (principal or "agent").lower())[:8] or "agent"


def _tail(arm_id: str) -> str:
    return arm_id.rstrip("/").rsplit("/", 1)[-1]


def _notes(grouped: dict[Target, set[str]], subscription: str, principal: str | None) -> list[str]:
    notes = []
    scopes = json.dumps(sorted(t.scope for t in grouped))
    if SUBSCRIPTION_PLACEHOLDER in scopes:
        notes.append(
            f"{SUBSCRIPTION_PLACEHOLDER}: the subscription holding the resources "
            "(the agent file names none: set defaults.azure.subscription)"
        )
    if GROUP_PLACEHOLDER in scopes:
        notes.append(
            f"{GROUP_PLACEHOLDER}: the resource group holding each resource (set "
            "defaults.azure.resource_group, or name the resource by its ARM id)"
        )
    if principal is None:
        notes.append(
            f"{PRINCIPAL_PLACEHOLDER}: the object id of the service principal or "
            "managed identity that runs it"
        )
    if any(t.prefix for t in grouped):
        notes.append(
            "blob prefix conditions: listing is allowed under the same prefix; a "
            "storage account with a hierarchical namespace also checks ACLs"
        )
    if any(t.scope.split("/providers/", 1)[-1].startswith("Microsoft.KeyVault") for t in grouped):
        notes.append(
            "Key Vault role assignments take effect only on a vault using the Azure "
            "RBAC permission model (enableRbacAuthorization), not access policies"
        )
    if any(t.cosmos_scope for t in grouped):
        notes.append(
            "Cosmos DB data access is granted by the account's own role definitions "
            "and assignments (cosmos), which Azure RBAC assignments never grant"
        )
    notes.extend(sorted({t.note for t in grouped if t.note}))
    return notes

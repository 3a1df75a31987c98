"""What ARM answered for a tenant (``arm.ArmData``), to records, and merged with the Graph
half's: pure.

One mapping, two sources (docs/dev/azure-plan.md 6.1): ARM's JSON is flattened as the az CLI
prints it (``properties`` merged into the object; a role definition's ``properties.type`` is
the CLI's ``roleType``; a subscription's ``subscriptionId``/``displayName`` the CLI's
``id``/``name``), laid out as the export folder's ARM parts (``subscriptions.json``,
``role-definitions.json``, ``role-assignments/<subscription>.json``), and mapped by the offline
reader's own ``assemble.arm_records`` and ``rbac.py``. The management-group tree comes from the
groups' list (names) and the root's descendants (``properties.parent.id``; a subscription's
type ends with ``/subscriptions``, plan 3b). A role assignment's ``roleDefinitionName`` is
added from the definitions ARM listed, as the az CLI adds it.

What no export holds (deny assignments, identities' federated credentials, the compute that
carries identities; ``docs/dev/azure-records.md`` section 3, "live") is ``arm_live.py``'s; the
flattening to the CLI's shape is ``arm_shape.py``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nhiscan.connectors.azure import arm_calls as op
from nhiscan.connectors.azure import arm_live, ids, rbac
from nhiscan.connectors.azure.arm import ArmData, root_group
from nhiscan.connectors.azure.arm_shape import cli_subscription, flat, flat_definition
from nhiscan.connectors.azure.offline.assemble import arm_records
from nhiscan.connectors.azure.offline.folder import Export
from nhiscan.connectors.azure.offline.gaps import Gaps
from nhiscan.connectors.azure.shape import ShapeError, arm_id, obj, opt_text, text
from nhiscan.scanner.model import (
    Account,
    CollectionGap,
    GapReason,
    Identity,
    Policy,
    Provider,
    Record,
    Resource,
)

ASSIGNMENTS = "GET /subscriptions/{}/providers/Microsoft.Authorization/roleAssignments"
GROUP_ASSIGNMENTS = "GET {}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()"


class LiveGaps(Gaps):
    """The offline reader's gap book, for live answers: no part is "not in the export" (a
    call that did not answer has its own gap); an assignment naming a role no list returned
    is a gap only when every definitions list answered (else the built-in roles resolve from
    the provider's catalogue and the failed list's gap says why the custom ones may lack)."""

    def __init__(self, export: Export, tenant: str, *, definitions_complete: bool) -> None:
        super().__init__(export, tenant)
        self._gaps.clear()  # the export's not-in-export gaps: the live connector reads those
        self._tenant_id, self._complete = tenant, definitions_complete

    def missing(self, path: str, subject: str | None = None) -> None:
        del path, subject  # the call's own gap stands

    def subscription(self, subscription: str) -> None:
        del subscription  # the call's own gap stands

    def role_definition(self, assignment: rbac.Assignment) -> None:
        if not self._complete:
            return
        key = (self._tenant_id, op.ROLE_DEFINITIONS, assignment.role)
        self._gaps.setdefault(key, CollectionGap(
            provider=Provider.AZURE, scope=self._tenant_id, operation=op.ROLE_DEFINITIONS,
            reason=GapReason.FAILED, subject=assignment.role,
            detail=f"tenant {self._tenant_id}: role assignment {assignment.policy.id} names "
            f"role definition {assignment.role}, which no role definitions list returned "
            "(custom roles are listed at the root management group and per subscription; one "
            "defined at another management group is not)",
        ))  # fmt: skip


@dataclass(slots=True)
class ArmRecords:
    """The ARM half's records, and what the Graph half's identities need from it."""

    tenant: Account | None = None  # named from GET /tenants
    base: list[Record] = field(default_factory=list)  # as the export's ARM parts give them
    extra: list[Record] = field(default_factory=list)  # what no export holds
    compute: dict[str, Resource] = field(default_factory=dict)  # id -> resource
    groups: dict[str, Resource] = field(default_factory=dict)  # their resource groups
    by_principal: dict[str, list[str]] = field(default_factory=dict)  # role assignment ids
    trust: dict[str, str] = field(default_factory=dict)  # principal id -> FIC policy id
    gaps: list[CollectionGap] = field(default_factory=list)


def as_export(data: ArmData, tenant: str) -> tuple[Export, list[tuple[str, Any]]]:
    """The answers laid out as an export folder's ARM parts, and the management groups'
    assignments (where, entry), which no subscription's file holds."""
    export = Export(folder=Path(f"arm:{tenant}"))
    export.files["subscriptions.json"] = [
        cli_subscription(s, f"GET /subscriptions: $.value[{i}]")
        for i, s in enumerate(data.subscriptions)
    ]
    definitions: dict[str, dict[str, Any]] = {}
    listed: list[tuple[str, Sequence[Any] | None]] = [
        ("GET <root management group or first subscription>/providers/Microsoft.Authorization"
         "/roleDefinitions", data.root_definitions),
        *((f"GET /subscriptions/{s.id}/providers/Microsoft.Authorization/roleDefinitions",
           s.role_definitions) for s in data.per_subscription),
    ]  # fmt: skip
    for source, found in listed:
        for index, entry in enumerate(found or []):
            definition = flat_definition(entry, f"{source}: $.value[{index}]")
            key = str(definition.get("name", "")).lower()
            definitions.setdefault(key, definition)
    export.files["role-definitions.json"] = list(definitions.values())
    names = {k: str(d.get("roleName")) for k, d in definitions.items() if d.get("roleName")}
    folder: dict[str, tuple[Path, Any]] = {}
    for s in data.per_subscription:
        if s.role_assignments is None:
            continue
        source = ASSIGNMENTS.format(s.id)
        folder[s.id] = (Path(source), [
            _named(flat(a, f"{source}: $.value[{i}]"), names)
            for i, a in enumerate(s.role_assignments)
        ])  # fmt: skip
    export.folders["role-assignments/"] = folder
    more = [
        (f"{GROUP_ASSIGNMENTS.format(group)}: $.value[{i}]",
         _named(flat(a, f"{GROUP_ASSIGNMENTS.format(group)}: $.value[{i}]"), names))
        for group, found in sorted(data.group_assignments.items())
        for i, a in enumerate(found)
    ]  # fmt: skip
    return export, more


def _named(assignment: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    definition = assignment.get("roleDefinitionId")
    if isinstance(definition, str) and "roleDefinitionName" not in assignment:
        name = names.get(ids.last_segment(definition).lower())
        if name is not None:
            assignment["roleDefinitionName"] = name
    return assignment


def tree(data: ArmData, tenant: str) -> rbac.Tree:
    """Names from the groups' list and the descendants; parents from the descendants."""
    found = rbac.Tree()
    lists = (
        ("GET /providers/Microsoft.Management/managementGroups", data.management_groups),
        (f"GET {root_group(tenant)}/descendants", data.descendants),
    )
    for source, entries in lists:
        for index, entry in enumerate(entries or []):
            where = f"{source}: $.value[{index}]"
            node = flat(entry, where)
            raw = text(node.get("id"), f"{where}.id")
            node_id = arm_id(raw, f"{where}.id")
            sub = ids.subscription_of(node_id)
            if sub is None:
                if not node_id.startswith(ids.MANAGEMENT_GROUP_PREFIX):
                    raise ShapeError(f"{where}.id: expected a management group or subscription "
                                     f"id, got {raw!r:.80}")  # fmt: skip
                name = opt_text(node, "displayName", where) or ids.last_segment(raw)
                found.names.setdefault(node_id, name)
            parent = node.get("parent")
            if isinstance(parent, Mapping) and isinstance(parent.get("id"), str):
                found.parent[sub or node_id] = arm_id(parent["id"], f"{where}.parent.id")
    return found


def to_records(data: ArmData, tenant: str) -> ArmRecords:
    """Every record of the ARM half (``ShapeError`` on an answer not in ARM's shape, naming
    the call and the JSON path)."""
    out = ArmRecords(gaps=data.all_gaps(), tenant=_tenant(data, tenant))
    export, more = as_export(data, tenant)
    complete = data.root_definitions is not None and all(
        s.role_definitions is not None for s in data.per_subscription
    )
    gaps = LiveGaps(export, tenant, definitions_complete=complete)
    out.base, assignments = arm_records(export, tenant, tree(data, tenant), gaps, more)
    for assignment in assignments.values():
        out.by_principal.setdefault(assignment.principal, []).append(assignment.policy.id)
    out.gaps.extend(gaps.records())
    denies: dict[str, Policy] = {}
    for s in data.per_subscription:
        for policy in arm_live.denies(s):
            denies.setdefault(policy.id, policy)
        out.extra.extend(arm_live.identities(s, tenant, out.trust))
        for resource, written in arm_live.compute(s, data):
            out.compute.setdefault(resource.id, resource)
            group = ids.resource_group_of(resource.id)
            if group is not None:
                out.groups.setdefault(group, rbac.resource_group(group, written))
    out.extra.extend(denies.values())
    return out


def _tenant(data: ArmData, tenant: str) -> Account | None:
    """The tenant's account as ``az account show`` names it, from ``GET /tenants``."""
    for index, entry in enumerate(data.tenants or []):
        where = f"GET /tenants: $.value[{index}]"
        found = obj(entry, where)
        if str(found.get("tenantId", "")).lower() == tenant:
            shown = {"tenantId": found["tenantId"], "tenantDisplayName": found.get("displayName"),
                     "tenantDefaultDomain": found.get("defaultDomain")}  # fmt: skip
            return rbac.tenant_account(shown, where)
    return None


def merge(entra: Iterable[Record], arm: ArmRecords) -> Iterator[Record]:
    """The Graph half's records with the ARM half's: the tenant first, then the ARM parts
    in the offline reader's order, each identity with its Azure role assignments (first, as
    the offline reader lists them) and its federated credentials when it is a user-assigned
    identity; a compute resource ARM listed replaces the one a system-assigned identity named
    (it knows every identity it carries); every resource once."""
    records = list(entra)
    head, rest = records[:1], records[1:]
    if arm.tenant is not None and head and isinstance(head[0], Account):
        head = [arm.tenant]
    seen: set[str] = set()
    for record in [*head, *arm.base, *(_joined(r, arm) for r in rest), *arm.extra,
                   *arm.compute.values(), *arm.gaps]:  # fmt: skip
        if isinstance(record, Resource):
            if record.id in seen:
                continue
            seen.add(record.id)
            record = arm.compute.get(record.id, record)
            yield record
            group = arm.groups.get(ids.resource_group_of(record.id) or "")
            if record.id in arm.compute and group is not None and group.id not in seen:
                seen.add(group.id)
                yield group
            continue
        yield record


def _joined(record: Record, arm: ArmRecords) -> Record:
    if not isinstance(record, Identity):
        return record
    held = arm.by_principal.get(record.id, [])
    trust = record.trust_policy or arm.trust.get(record.id)
    if not held and trust == record.trust_policy:
        return record
    return replace(record, policies=(*held, *record.policies), trust_policy=trust)


def mapping_gap(tenant: str, exc: ShapeError) -> CollectionGap:
    return CollectionGap(
        provider=Provider.AZURE, scope=tenant, operation="arm:mapping", reason=GapReason.FAILED,
        detail=f"tenant {tenant}: malformed response: {exc}: the ARM records are not recorded",
    )  # fmt: skip

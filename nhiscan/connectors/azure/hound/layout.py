"""AzureHound entries laid out as the export folder of the same tenant would hold them
(``offline/folder.Export``), so that the offline reader's own mapping (``offline/assemble.py``,
``records.py``, ``rbac.py``) makes the records, as the live Graph half does (``entra.py``).

What each kind carries, and what it becomes (docs/dev/azure-records.md, "AzureHound input"):

- ``AZTenant``: the ARM tenant object (``tenantId``, ``displayName``, ``defaultDomain``;
  learn.microsoft.com/rest/api/resources/tenants/list) -> ``account.json``. With several
  tenants, the one marked ``collected``.
- ``AZSubscription``: the ARM subscription (``id`` ``/subscriptions/<id>``, ``subscriptionId``,
  ``displayName``, ``state``, ``tenantId``; .../subscriptions/subscriptions/list) ->
  ``subscriptions.json`` in the az CLI's spelling (``id``, ``name``, ``state``, ``tenantId``).
- ``AZManagementGroup`` and ``AZManagementGroupDescendant``: ARM management groups and the
  descendants API's entries (``id``, ``name``, ``type``, ``properties.displayName``,
  ``properties.parent.id``; .../managementgroups/management-groups/get-descendants) -> the tree
  of ``management-groups.json``, rooted at the group named by the tenant id.
- ``AZApp``, ``AZServicePrincipal``: Graph ``application`` and ``servicePrincipal`` objects ->
  ``applications.json``, ``service-principals.json`` as they are.
- ``AZAppOwner``, ``AZServicePrincipalOwner``: an object's id and its ``owners``, each
  ``{"owner": directoryObject}`` -> ``app-owners/<appId>.json``, ``sp-owners/<id>.json``. The
  application is named by its client id (the node BloodHound keys an app on) or its object id:
  both are accepted.
- ``AZAppRoleAssignment``: one Graph ``appRoleAssignment`` -> grouped by ``principalId`` (service
  principals only) into ``app-role-assignments/<id>.json``.
- ``AZRoleAssignment``, ``AZRoleEligibilityScheduleInstance``: Graph ``unifiedRoleAssignment``
  and eligibility objects, wherever they sit in the entry -> ``directory-role-assignments.json``,
  ``directory-role-eligibilities.json``.
- The RBAC kinds per scope (``AZSubscriptionOwner``, ``AZResourceGroupUserAccessAdmin``,
  ``AZManagementGroupRoleAssignment``, ``AZVMContributor``, ``AZWebAppRoleAssignment``...): the
  ARM ``roleAssignment`` objects they hold (``id``, ``properties.scope``, ``principalId``,
  ``principalType``, ``roleDefinitionId``, ``condition``; learn.microsoft.com/rest/api/
  authorization/role-assignments), wherever they sit in the entry, flattened as the az CLI
  prints them -> ``role-assignments/``. Each is placed on its own scope and kept once.

The wrappers' key names (``owners``/``owner``, ``appId``, ``servicePrincipalId``) are those of
the fields BloodHound CE's Apache-2.0 ingest (``packages/go/ein/azure.go``) reads, spelled as
Graph spells them; the Graph and ARM objects inside are found by their documented fields, not
by a wrapper's key. Ids are normalised by the mapping (``shape.guid``, ``shape.arm_id``: lower
case); the per-object files are keyed by the lower-cased id.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nhiscan.connectors.azure import ids
from nhiscan.connectors.azure.hound.compute import COMPUTE_KINDS
from nhiscan.connectors.azure.hound.envelope import Entry, where
from nhiscan.connectors.azure.offline.folder import Export
from nhiscan.connectors.azure.shape import ShapeError, arm_id, guid, items, need_guid, obj, text

ROLE_ASSIGNMENT = "/providers/microsoft.authorization/roleassignments/"
# Kinds read here (each mapped below); the per-scope RBAC kinds match RBAC_KIND.
ENTRA_KINDS = frozenset({
    "AZTenant", "AZSubscription", "AZManagementGroup", "AZManagementGroupDescendant", "AZApp",
    "AZServicePrincipal", "AZAppOwner", "AZServicePrincipalOwner", "AZAppRoleAssignment",
    "AZRoleAssignment", "AZRoleEligibilityScheduleInstance",
})  # fmt: skip
RBAC_KIND = re.compile(
    r"AZ(Subscription|ResourceGroup|ManagementGroup|VM|VMScaleSet|KeyVault|WebApp|FunctionApp|"
    r"LogicApp|AutomationAccount|ContainerRegistry|ManagedCluster)"
    r"(Owner|UserAccessAdmin|Contributor|VMContributor|AvereContributor|KVContributor|"
    r"AdminLogin|RoleAssignment)"
)
# RBAC kinds that list every role assignment at their scope; the others list one role's
# (Owner, User Access Administrator, ...), so a file with none of these holds only some.
COMPLETE_RBAC = frozenset({
    "AZSubscriptionRoleAssignment", "AZResourceGroupRoleAssignment",
    "AZManagementGroupRoleAssignment",
})  # fmt: skip
# Kinds BloodHound ingests that carry nothing nhiscan models yet: counted in a note.
NOT_READ = frozenset({
    "AZUser", "AZGroup", "AZGroupMember", "AZGroupOwner", "AZDevice", "AZDeviceOwner", "AZRole",
    "AZResourceGroup", "AZKeyVault", "AZKeyVaultAccessPolicy", "AZRoleManagementPolicyAssignment",
})  # fmt: skip


@dataclass(slots=True)
class HoundExport(Export):
    """An export laid out from an AzureHound file: each list part's entries remember their
    index in ``$.data``, so a complaint names the file's own JSON path."""

    origin: dict[str, list[int]] = field(default_factory=dict)

    def at(self, part: str, index: int | None = None) -> str:
        rows = self.origin.get(part)
        if rows is None:
            return Export.at(self, part, index)
        return where(self.folder, rows[0 if index is None else index])


@dataclass(slots=True)
class Layout:
    """The export, and what the file held that the export has no place for."""

    export: HoundExport
    tenant: str = ""
    subscriptions: list[str] = field(default_factory=list)
    unknown: Counter[str] = field(default_factory=Counter)  # kinds nhiscan does not know
    not_read: Counter[str] = field(default_factory=Counter)  # known kinds it does not map
    rbac_kinds: Counter[str] = field(default_factory=Counter)
    compute: list[Entry] = field(default_factory=list)  # compute kinds (hound/compute.py)
    no_credentials: list[tuple[str, str]] = field(default_factory=list)  # (object id, where)
    notes: list[str] = field(default_factory=list)


def lay_out(path: Path, entries: Iterator[Entry]) -> Layout:
    """Every entry to its part (``ShapeError`` naming the JSON path when one is malformed)."""
    by_kind: dict[str, list[Entry]] = {}
    layout = Layout(export=HoundExport(folder=path))
    for entry in entries:
        if entry.kind in COMPUTE_KINDS:
            layout.compute.append(entry)
        elif entry.kind in ENTRA_KINDS or RBAC_KIND.fullmatch(entry.kind):
            by_kind.setdefault(entry.kind, []).append(entry)
        elif entry.kind in NOT_READ:
            layout.not_read[entry.kind] += 1
        else:
            layout.unknown[entry.kind] += 1
    _Builder(path, layout, by_kind).build()
    return layout


class _Builder:
    def __init__(self, path: Path, layout: Layout, by_kind: Mapping[str, list[Entry]]) -> None:
        self.path, self.layout, self.by_kind = path, layout, by_kind
        self.export = layout.export

    def kind(self, name: str) -> list[Entry]:
        return list(self.by_kind.get(name, []))

    def at(self, entry: Entry, suffix: str = "") -> str:
        return where(self.path, entry.index, suffix)

    def build(self) -> None:
        self._tenant()
        self._subscriptions()
        self._management_groups()
        apps = self._listed("AZApp", "applications.json")
        self._listed("AZServicePrincipal", "service-principals.json")
        self._owners(apps)
        self._app_roles()
        self._directory_roles()
        self._role_assignments()
        self.export.files["role-definitions.json"] = []  # AzureHound collects none (a gap)

    def _tenant(self) -> None:
        tenants = self.kind("AZTenant")
        chosen = [t for t in tenants if t.data.get("collected") is True] or tenants
        if len(chosen) != 1:
            found = (
                f"{len(tenants)} AZTenant entries, none or several marked collected"
                if tenants
                else "no AZTenant entry"
            )
            raise ShapeError(f"{self.path}: $.data: {found}: the tenant collected is unknown")
        (entry,) = chosen
        tenant = need_guid(entry.data, "tenantId", self.at(entry))
        self.layout.tenant = tenant
        self.export.files["account.json"] = {
            "tenantId": tenant,
            "tenantDisplayName": entry.data.get("displayName"),
            "tenantDefaultDomain": entry.data.get("defaultDomain"),
        }
        self.export.origin["account.json"] = [entry.index]

    def _subscriptions(self) -> None:
        found: list[Any] = []
        rows: list[int] = []
        for entry in self.kind("AZSubscription"):
            at = self.at(entry)
            sub_id = entry.data.get("subscriptionId")
            if sub_id is None:  # the ARM id alone: /subscriptions/<id>
                sub_id = ids.subscription_of(arm_id(entry.data.get("id"), f"{at}.id"))
            sub = guid(sub_id, f"{at}.subscriptionId")
            if sub in self.layout.subscriptions:
                continue
            self.layout.subscriptions.append(sub)
            found.append({
                "id": sub, "name": entry.data.get("displayName"), "state": entry.data.get("state"),
                "tenantId": entry.data.get("tenantId") or self.layout.tenant,
            })  # fmt: skip
            rows.append(entry.index)
        self.export.files["subscriptions.json"] = found
        self.export.origin["subscriptions.json"] = rows

    def _management_groups(self) -> None:
        groups = self.kind("AZManagementGroup") + self.kind("AZManagementGroupDescendant")
        if not groups:
            return  # not collected: the export's gap
        nodes: dict[str, dict[str, Any]] = {}
        placed: set[str] = set()

        def node(raw: str, entry: Entry | None, at: str) -> dict[str, Any]:
            key = arm_id(raw, at)
            if ids.subscription_of(key) is not None:
                key = f"/subscriptions/{ids.subscription_of(key)}"
            found = nodes.get(key)
            if found is None:
                found = nodes[key] = {"id": raw, "name": ids.last_segment(raw), "children": []}
            if entry is not None:
                props = entry.data.get("properties")
                if isinstance(props, Mapping) and isinstance(props.get("displayName"), str):
                    found["displayName"] = props["displayName"]
            return found

        for entry in groups:
            at = self.at(entry)
            raw = text(entry.data.get("id"), f"{at}.id")
            child = node(raw, entry, f"{at}.id")
            props = entry.data.get("properties")
            parent = props.get("parent") if isinstance(props, Mapping) else None
            if not isinstance(parent, Mapping) or parent.get("id") is None:
                continue
            up = node(text(parent["id"], f"{at}.properties.parent.id"), None,
                      f"{at}.properties.parent.id")  # fmt: skip
            key = arm_id(raw, f"{at}.id")
            if key in placed or up is child:
                continue  # one parent each: a tree, whatever the file repeats
            placed.add(key)
            up["children"].append(child)
        root = nodes.get(ids.management_group(self.layout.tenant))
        if root is not None:
            self.export.files["management-groups.json"] = root

    def _listed(self, kind: str, part: str) -> dict[str, str]:
        """The Graph objects of ``kind`` as a list part; returns object id -> appId."""
        found: list[Any] = []
        rows: list[int] = []
        app_ids: dict[str, str] = {}
        for entry in self.kind(kind):
            at = self.at(entry)
            object_id = need_guid(entry.data, "id", at)
            app_ids[object_id] = need_guid(entry.data, "appId", at)
            if "passwordCredentials" not in entry.data and "keyCredentials" not in entry.data:
                self.layout.no_credentials.append((object_id, at))
            found.append(entry.data)
            rows.append(entry.index)
        self.export.files[part] = found
        self.export.origin[part] = rows
        return app_ids

    def _owners(self, apps: Mapping[str, str]) -> None:
        by_client = set(apps.values())
        for kind, part, key in (
            ("AZAppOwner", "app-owners/", "appId"),
            ("AZServicePrincipalOwner", "sp-owners/", "servicePrincipalId"),
        ):
            entries = self.kind(kind)
            if not entries:
                continue  # not collected: the export's gap
            folder = self.export.folders.setdefault(part, {})
            for entry in entries:
                at = self.at(entry)
                subject = need_guid(entry.data, key, at)
                if kind == "AZAppOwner" and subject not in by_client:
                    if subject not in apps:
                        self.layout.notes.append(
                            f"{at}.appId: names no AZApp of the file (neither its client id "
                            "nor its object id): these owners are not read"
                        )
                        continue
                    subject = apps[subject]
                owners = [
                    obj(obj(item, f"{at}.owners[{i}]").get("owner"), f"{at}.owners[{i}].owner")
                    for i, item in enumerate(items(entry.data.get("owners") or [], f"{at}.owners"))
                ]
                for i, owner in enumerate(owners):
                    need_guid(owner, "id", f"{at}.owners[{i}].owner")
                previous = folder.get(subject)
                merged = (previous[1] if previous else []) + owners
                folder[subject] = (Path(f"{at}.owners"), merged)

    def _app_roles(self) -> None:
        entries = self.kind("AZAppRoleAssignment")
        if not entries:
            return  # not collected: the export's gap
        by_principal: dict[str, tuple[Path, list[Any]]] = {}
        others = 0
        for entry in entries:
            at = self.at(entry)
            if entry.data.get("principalType") != "ServicePrincipal":
                others += 1  # granted to a user or a group: the export reads none either
                continue
            for key in ("appRoleId", "resourceId"):
                need_guid(entry.data, key, at)
            principal = need_guid(entry.data, "principalId", at)
            by_principal.setdefault(principal, (Path(at), []))[1].append(entry.data)
        # AzureHound lists each resource's assignments: a service principal it names in none
        # holds none (known), as an empty file of the export says.
        folder = self.export.folders.setdefault("app-role-assignments/", {})
        for sp in self.export.files["service-principals.json"]:
            sp_id = str(sp["id"]).lower()
            folder[sp_id] = by_principal.pop(sp_id, (Path(f"{self.path}: $.data"), []))
        folder.update(by_principal)
        if others:
            self.layout.notes.append(
                f"{others} AZAppRoleAssignment entries grant app roles to users or groups: not "
                "read (nhiscan reads those of service principals)"
            )

    def _directory_roles(self) -> None:
        for kind, part in (
            ("AZRoleAssignment", "directory-role-assignments.json"),
            ("AZRoleEligibilityScheduleInstance", "directory-role-eligibilities.json"),
        ):
            entries = self.kind(kind)
            if not entries:
                continue  # not collected: the export's gap
            seen: set[Any] = set()
            value: list[Any] = []
            for entry in entries:
                for found, at in _find(entry.data, self.at(entry), _is_directory_role):
                    need_guid(found, "principalId", at)
                    need_guid(found, "roleDefinitionId", at)
                    key = found.get("id") or (
                        found["principalId"].lower(), found["roleDefinitionId"].lower(),
                        str(found.get("directoryScopeId")),
                    )  # fmt: skip
                    if key not in seen:
                        seen.add(key)
                        value.append(found)
            self.export.files[part] = value  # a Graph page's value list, as files.load gives

    def _role_assignments(self) -> None:
        found: dict[str, dict[str, Any]] = {}
        for kind, entries in sorted(self.by_kind.items()):
            if not RBAC_KIND.fullmatch(kind):
                continue
            self.layout.rbac_kinds[kind] += len(entries)
            for entry in entries:
                for assignment, at in _find(entry.data, self.at(entry), _is_arm_assignment):
                    flat = _flatten(assignment, at)
                    found.setdefault(str(flat["id"]).lower(), flat)
        complete = any(kind in COMPLETE_RBAC for kind in self.layout.rbac_kinds)
        folder = self.export.folders.setdefault("role-assignments/", {})
        # all under one key (assemble places each on its own scope); a subscription is "read"
        # only when the file lists every role's assignments (else its gap says which kinds)
        folder["azurehound"] = (Path(f"{self.path}: RBAC kinds"), list(found.values()))
        if complete:
            for sub in self.layout.subscriptions:
                folder.setdefault(sub, (Path(f"{self.path}: RBAC kinds"), []))


def _is_directory_role(value: Mapping[str, Any]) -> bool:
    return "principalId" in value and "roleDefinitionId" in value and "properties" not in value


def _is_arm_assignment(value: Mapping[str, Any]) -> bool:
    props = value.get("properties")
    return (
        isinstance(value.get("id"), str)
        and ROLE_ASSIGNMENT in value["id"].lower()
        and isinstance(props, Mapping)
        and "principalId" in props
        and "roleDefinitionId" in props
    )


def _find(
    value: Any, at: str, match: Callable[[Mapping[str, Any]], bool]
) -> Iterator[tuple[Mapping[str, Any], str]]:
    """The objects in ``value`` that ``match``, each with its JSON path (not below a match)."""
    if isinstance(value, Mapping):
        if match(value):
            yield value, at
            return
        for key, child in value.items():
            yield from _find(child, f"{at}.{key}", match)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _find(child, f"{at}[{index}]", match)


def _flatten(assignment: Mapping[str, Any], at: str) -> dict[str, Any]:
    """An ARM role assignment as ``az role assignment list`` prints it (properties flattened)."""
    props = assignment["properties"]
    flat: dict[str, Any] = {"id": assignment["id"], "name": assignment.get("name")}
    for key in ("scope", "principalId", "roleDefinitionId"):
        flat[key] = text(props.get(key), f"{at}.properties.{key}")
    # ids compare without case (ids.py); the scope keeps its case, for names
    flat["principalId"] = guid(flat["principalId"], f"{at}.properties.principalId")
    flat["roleDefinitionId"] = flat["roleDefinitionId"].lower()
    for key in ("principalType", "condition", "conditionVersion", "description"):
        if props.get(key) is not None:
            flat[key] = props[key]
    return flat

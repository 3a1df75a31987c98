"""What an export folder held, to records: pure (no I/O), given the parsed files.

Ids: GUIDs and ARM ids lower-cased (``azure/shape.py``). Records (``docs/dev/azure-records.md``):
the tenant and each subscription an ``Account``; management groups, subscriptions, resource
groups, applications and the resources managed identities belong to ``Resource`` records;
service principals ``Identity`` records (an application without one in this tenant too); client
secrets and certificates ``Credential`` records; role definitions and assignments, directory
roles and their definitions, app roles, owners and federated credentials ``Policy`` records
(documents as returned).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from nhiscan.connectors.azure import ids, rbac
from nhiscan.connectors.azure import records as to
from nhiscan.connectors.azure.offline.folder import Export
from nhiscan.connectors.azure.offline.gaps import Gaps
from nhiscan.connectors.azure.shape import items, need_guid, obj
from nhiscan.scanner.model import Identity, Policy, PolicyKind, Record, Resource, ResourceKind


def _quiet(message: str) -> None:
    del message


def to_records(
    export: Export, now: datetime, progress: Callable[[str], None] = _quiet
) -> Iterator[Record]:
    """The records of the export, each resource once (a resource group is named by role
    assignments and by managed identities alike)."""
    seen: set[str] = set()
    for record in _records(export, now, progress):
        if isinstance(record, Resource):
            if record.id in seen:
                continue
            seen.add(record.id)
        yield record


def _records(export: Export, now: datetime, progress: Callable[[str], None]) -> Iterator[Record]:
    tenant_account = rbac.tenant_account(
        obj(export.files["account.json"], export.at("account.json")), export.at("account.json")
    )
    tenant = tenant_account.id
    gaps = Gaps(export, tenant)
    tree = _tree(export, gaps)
    yield tenant_account
    found, assignments = arm_records(export, tenant, tree, gaps)
    yield from found
    policies, directory = _principal_policies(export, assignments, tenant, gaps)
    yield from directory
    yield from directory_definitions(export, tenant, gaps, directory)
    yield from Entra(export, tenant, now, gaps, policies, progress).records()
    yield from gaps.records()


def arm_records(
    export: Export, tenant: str, tree: rbac.Tree, gaps: Gaps, more: Sequence[tuple[str, Any]] = ()
) -> tuple[list[Record], dict[str, rbac.Assignment]]:
    """The ARM part: subscriptions, role definitions, the scopes assignments name and the
    assignments (each once); ``more``: (where, entry) of assignments listed outside the
    subscriptions' files (the live connector's management-group lists)."""
    found: list[Record] = list(_subscriptions(export, tenant, tree, gaps))
    assignments = _assignments(export, gaps)
    for where, entry in more:
        assignment = rbac.role_assignment(obj(entry, where), where)
        assignments.setdefault(assignment.policy.id, assignment)
    definitions = {
        p.id: p
        for i, d in enumerate(export.files["role-definitions.json"])
        for p in [
            rbac.role_definition(
                obj(d, export.at("role-definitions.json", i)), export.at("role-definitions.json", i)
            )
        ]
    }
    found.extend(definitions.values())
    found.extend(_scopes(tree, assignments, tenant))
    for assignment in assignments.values():
        if assignment.role not in definitions:
            gaps.role_definition(assignment)
        found.append(assignment.policy)
    return found, assignments


def _tree(export: Export, gaps: Gaps) -> rbac.Tree:
    part = "management-groups.json"
    if part not in export.files:
        gaps.missing(part)
        return rbac.Tree()
    return rbac.management_groups(export.files[part], export.at(part))


def _subscriptions(export: Export, tenant: str, tree: rbac.Tree, gaps: Gaps) -> Iterator[Record]:
    part = "subscriptions.json"
    for index, sub in enumerate(export.files[part]):
        account, resource = rbac.subscription(
            obj(sub, export.at(part, index)), export.at(part, index), tenant=tenant, tree=tree
        )
        gaps.subscription(account.id)
        yield account
        yield resource


def _assignments(export: Export, gaps: Gaps) -> dict[str, rbac.Assignment]:
    """Every role assignment once: a management group's (or the root's) appears in the file of
    each subscription under it, and is placed on its own scope."""
    found: dict[str, rbac.Assignment] = {}
    for sub, (path, entries) in sorted(export.folders.get("role-assignments/", {}).items()):
        del sub
        for index, entry in enumerate(entries):
            where = f"{path}: $[{index}]"
            assignment = rbac.role_assignment(obj(entry, where), where)
            found.setdefault(assignment.policy.id, assignment)
    return found


def _scopes(
    tree: rbac.Tree, assignments: Mapping[str, rbac.Assignment], tenant: str
) -> Iterator[Resource]:
    """Management groups (the tree's, and those only a role assignment names) and resource
    groups the assignments name."""
    groups = dict(tree.names)
    resource_groups: dict[str, str] = {}
    for assignment in assignments.values():
        if assignment.scope.startswith(ids.MANAGEMENT_GROUP_PREFIX):
            written = ids.in_case(assignment.written, assignment.scope)
            groups.setdefault(assignment.scope, ids.last_segment(written))
        group = ids.resource_group_of(assignment.scope)
        if group is not None:
            resource_groups.setdefault(group, assignment.written)
    yield from rbac.group_resources(rbac.Tree(names=groups), tenant)
    for group in sorted(resource_groups):
        yield rbac.resource_group(group, resource_groups[group])


def _principal_policies(
    export: Export, assignments: Mapping[str, rbac.Assignment], tenant: str, gaps: Gaps
) -> tuple[dict[str, list[str]], list[Policy]]:
    """Per principal, the ids of its role assignments, directory roles and eligibilities; and
    the directory roles' policies (one per principal)."""
    by_principal: dict[str, list[str]] = {}
    for assignment in assignments.values():
        by_principal.setdefault(assignment.principal, []).append(assignment.policy.id)
    directory: list[Policy] = []
    for part, kind in (
        ("directory-role-assignments.json", PolicyKind.ENTRA_DIRECTORY_ROLES),
        ("directory-role-eligibilities.json", PolicyKind.ENTRA_ROLE_ELIGIBILITIES),
    ):
        if part not in export.files:
            gaps.missing(part)  # only the optional eligibilities can be absent here
            continue
        where = f"{export.folder / part}: $.value"
        found = to.directory_roles(export.files[part], where, kind=kind, tenant=tenant)
        for principal, policy in found.items():
            by_principal.setdefault(principal, []).append(policy.id)
            directory.append(policy)
    return by_principal, directory


def directory_definitions(
    export: Export, tenant: str, gaps: Gaps, roles: list[Policy]
) -> list[Policy]:
    """The tenant's directory role definitions (built-in and custom), or the gap saying custom
    roles are unknown; and a gap for each role an assignment (or eligibility) of ``roles``
    names that the file lacks."""
    part = "directory-role-definitions.json"
    if part not in export.files:
        gaps.missing(part)
        return []
    where = f"{export.folder / part}: $.value"
    found = to.role_definitions(export.files[part], where, tenant=tenant)
    known = {str(p.document.get(k) or "").lower() for p in found for k in ("id", "templateId")}
    for policy in roles:
        for entry in policy.document.get("value") or ():
            role = str(entry.get("roleDefinitionId") or "").lower()
            if role and role not in known:
                gaps.directory_role_definition(role, policy.id)
    return found


class Entra:
    """Applications, service principals, their credentials, owners, app roles and federated
    credentials."""

    def __init__(
        self, export: Export, tenant: str, now: datetime, gaps: Gaps,
        policies: Mapping[str, list[str]], progress: Callable[[str], None],
    ) -> None:  # fmt: skip
        self.export, self.tenant, self.now, self.gaps = export, tenant, now, gaps
        self.policies, self.progress = policies, progress
        self.apps = self._listed("applications.json")
        self.sps = self._listed("service-principals.json")
        self.sp_of_app = {need_guid(sp, "appId", w): i for i, (sp, w) in self.sps.items()}
        self.app_of = {need_guid(a, "appId", w): a for a, w in self.apps.values()}
        self.skipped_keys = 0

    def _listed(self, part: str) -> dict[str, tuple[Mapping[str, Any], str]]:
        found: dict[str, tuple[Mapping[str, Any], str]] = {}
        for index, entry in enumerate(self.export.files[part]):
            where = self.export.at(part, index)
            entry = obj(entry, where)
            found[need_guid(entry, "id", where)] = (entry, where)
        return found

    def _file(self, part: str, key: str) -> tuple[str, Any] | None:
        """The JSON of a per-object file and its where, or None (and its gap)."""
        if part not in self.export.folders:
            self.gaps.missing(part)
            return None
        found = self.export.folders[part].get(key)
        if found is None:
            self.gaps.missing(part, subject=key)
            return None
        return f"{found[0]}: $", found[1]

    def records(self) -> Iterator[Record]:
        owners: dict[str, str | None] = {}
        trust: dict[str, str] = {}
        for app_id_obj, (app, where) in self.apps.items():
            yield from self._application(app_id_obj, app, where, owners, trust)
        for sp_id, (sp, where) in self.sps.items():
            yield from self._service_principal(sp_id, sp, where, owners, trust)
        if self.skipped_keys:
            self.progress(
                f"azure-export {self.export.folder}: {self.skipped_keys} keyCredentials not "
                "recorded: signing keys (usage Sign) and managed identities' certificates "
                "(Azure issues and rotates them), no credential a customer holds"
            )
        self.progress(
            f"azure-export {self.export.folder}: tenant {self.tenant}: {len(self.apps)} "
            f"applications, {len(self.sps)} service principals"
        )

    def _application(
        self, object_id: str, app: Mapping[str, Any], where: str,
        owners: dict[str, str | None], trust: dict[str, str],
    ) -> Iterator[Record]:  # fmt: skip
        app_id = need_guid(app, "appId", where)
        sp_id = self.sp_of_app.get(app_id)
        owner_policy = None
        found = self._file("app-owners/", app_id)
        if found is not None:
            owner_policy = to.owners_policy(
                object_id, items(found[1], found[0]), found[0], tenant=self.tenant
            )
            owners[app_id] = to.owner_name(owner_policy.document["value"])
            yield owner_policy
        found = self._file("federated-credentials/", app_id)
        if found is not None and found[1]:
            federated = to.federated_policy(
                object_id, items(found[1], found[0]), found[0], tenant=self.tenant
            )
            trust[app_id] = federated.id
            yield federated
        yield Resource(
            provider=to.AZ, id=object_id, name=app.get("displayName") or app_id,
            kind=ResourceKind.ENTRA_APPLICATION, account=self.tenant, runs_as=sp_id,
            policy=owner_policy.id if owner_policy is not None else None,
        )  # fmt: skip
        if sp_id is None:
            yield to.lone_application(app, where, tenant=self.tenant, owner=owners.get(app_id))
        self.skipped_keys += to.signing_keys(app)
        yield from to.credentials(
            app, where, identity=sp_id or object_id, tenant=self.tenant, app_id=app_id,
            held_by=object_id, now=self.now,
        )  # fmt: skip

    def _service_principal(
        self, sp_id: str, sp: Mapping[str, Any], where: str,
        owners: Mapping[str, str | None], trust: Mapping[str, str],
    ) -> Iterator[Record]:  # fmt: skip
        app_id = need_guid(sp, "appId", where)
        policies = list(self.policies.get(sp_id, []))
        owner = owners.get(app_id)
        microsoft = to.is_microsoft(sp, where)  # the export script lists none of its files
        managed = sp.get("servicePrincipalType") == to.MANAGED  # Azure owns it: no owners
        found = None if microsoft or managed else self._file("sp-owners/", sp_id)
        if found is not None:
            policy = to.owners_policy(
                sp_id, items(found[1], found[0]), found[0], tenant=self.tenant
            )
            owner = to.owner_name(policy.document["value"]) or owner
            yield policy
        found = None if microsoft else self._file("app-role-assignments/", sp_id)
        if found is not None and found[1]:
            roles = to.app_roles_policy(sp_id, found[1], f"{found[0]}.value", tenant=self.tenant)
            policies.append(roles.id)
            yield roles
        app = self.app_of.get(app_id)
        identity = to.service_principal(
            sp, where, tenant=self.tenant, app=app, owner=owner, policies=policies,
            trust=trust.get(app_id),
        )  # fmt: skip
        yield identity
        yield from _identity_resources(identity, to.managed_resource_written(sp, where))
        if identity.subtype == to.MANAGED:
            self.skipped_keys += len(sp.get("keyCredentials") or [])
            return
        self.skipped_keys += to.signing_keys(sp)
        yield from to.credentials(
            sp, where, identity=sp_id, tenant=self.tenant, app_id=app_id, held_by=None,
            now=self.now,
        )  # fmt: skip


def _identity_resources(identity: Identity, written: str | None) -> Iterator[Resource]:
    """A managed identity's resource (runs as it) and that resource's group."""
    if identity.resource is None or written is None:
        return
    yield rbac.identity_resource(identity.resource, principal=identity.id, written=written)
    group = ids.resource_group_of(identity.resource)
    if group is not None:
        yield rbac.resource_group(group, written)

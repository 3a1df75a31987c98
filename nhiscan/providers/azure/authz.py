"""``AzureAuthorizer``: may a service principal (or managed identity) perform an action?

- An ARM action (``Microsoft.Compute/virtualMachines/runCommand/action``) on an ARM id: Azure
  RBAC over the estate's role, role-definition and deny records (``rbac.py``; built-in roles
  the snapshot lacks from the bundled catalogue), inheriting down management group →
  subscription → resource group → resource.
- A directory action (``microsoft.directory/...``) on an object id (or ``/``, the tenant): the
  principal's directory roles (``directory_roles.py``; a role's ``directoryScopeId`` ``/``
  covers the tenant, ``/<object id>`` that object only, and an administrative unit only its
  members: users, groups and devices, never an application or service principal —
  entra-docs ``admin-units-assign-roles.md``, plan 5.4), its Microsoft Graph application
  permissions (``graph_permissions.py``; an ``.OwnedBy`` one only on what it owns), and
  ownership (owners of an application or service principal manage its credentials and owners,
  plan 5.1). A PIM-eligible role is CONDITIONAL ("eligible, not active").

Admin of: its tenant's directory (Global Administrator or Privileged Role Administrator at
``/``), and every ARM scope where it may write role assignments (Owner, User Access
Administrator, any role with ``Microsoft.Authorization/roleAssignments/write``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from nhiscan.providers.azure import rbac
from nhiscan.providers.azure.catalog import AzureCatalog, Plane
from nhiscan.providers.azure.directory import AU_PREFIX, PRINCIPAL_KINDS, Directory
from nhiscan.providers.azure.directory_roles import (
    FACTS_BY_CAPABILITY,
    GRAPH_API_APP_IDS,
    SINGLE_TENANT,
    TENANT_ADMIN_ROLES,
    DirectoryRole,
    grants_graph_app_roles,
    implies,
    single_tenant_form,
)
from nhiscan.providers.azure.scopes import ROOT, ArmFormatError
from nhiscan.providers.azure.tree import Tree
from nhiscan.scanner.authz import Decision, Evaluation, StatementRef
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Identity, Provider

DIRECTORY_NAMESPACE = "microsoft.directory/"
Context = Mapping[str, str | Sequence[str] | None] | None
# What owning an object lets its owner do to it (plan 5.1: owners manage its credentials and
# owners; entra-docs custom-available-permissions.md lists the actions).
OWNER_ACTIONS = {
    "application": (
        "microsoft.directory/applications/credentials/update",
        "microsoft.directory/applications/owners/update",
    ),
    "service-principal": (
        "microsoft.directory/servicePrincipals/credentials/update",
        "microsoft.directory/servicePrincipals/owners/update",
    ),
}
APP_ROLE_ASSIGNMENT = "microsoft.directory/servicePrincipals/appRoleAssignedTo/update"
NOT_AZURE = Evaluation(decision=Decision.IMPLICIT_DENY, reason="not an Azure principal")


def _answer(allowed: list[StatementRef], undecided: list[StatementRef], why: str) -> Evaluation:
    if allowed:
        return Evaluation(decision=Decision.ALLOW, allowed_by=tuple(allowed))
    if undecided:
        return Evaluation(decision=Decision.CONDITIONAL, undecided=tuple(undecided), reason=why)
    return Evaluation(decision=Decision.IMPLICIT_DENY, reason="no role, permission or ownership")


class AzureAuthorizer:
    def __init__(
        self,
        estate: Estate,
        directory: Directory,
        tree: Tree,
        data: rbac.Rbac,
        catalog: AzureCatalog,
    ) -> None:
        self._estate = estate
        self.directory = directory
        self.tree = tree
        self.rbac = data
        self._catalog = catalog
        self._cache: dict[tuple[str, str, str], Evaluation] = {}

    def mine(self, identity: Identity | None) -> bool:
        return (
            identity is not None
            and identity.provider is Provider.AZURE
            and identity.kind in PRINCIPAL_KINDS
        )

    def principals(self) -> Iterable[str]:
        return sorted(i.id for i in self._estate.identities.values() if self.mine(i))

    def evaluate(
        self, principal: str, action: str, resource: str, context: Context = None
    ) -> Evaluation:
        key = (principal, action, resource)
        if context is None and key in self._cache:
            return self._cache[key]
        identity = self._estate.identities.get(principal)
        if identity is None or not self.mine(identity):
            return NOT_AZURE
        if action.lower().startswith(DIRECTORY_NAMESPACE):
            found = self._directory(identity, action, resource.lower())
        else:
            found = self._arm(identity, action, resource, context)
        if context is None:
            self._cache[key] = found
        return found

    # --- ARM ------------------------------------------------------------------------------

    def _arm(self, identity: Identity, action: str, resource: str, context: Context) -> Evaluation:
        info = self._catalog.info(action)
        data = info is not None and Plane.CONTROL not in info.planes
        try:
            return rbac.evaluate(
                self.rbac,
                self.directory.principal_ids(identity),
                action,
                resource,
                data_action=data,
                context=context,
            )
        except ArmFormatError:
            return Evaluation(decision=Decision.IMPLICIT_DENY, reason=f"not an ARM id: {resource}")

    # --- the directory ----------------------------------------------------------------------

    def kind_of(self, object_id: str) -> str | None:
        if object_id in self.directory.app_sp or self._is_application(object_id):
            return "application"
        identity = self.directory.identity(object_id)
        return "service-principal" if identity is not None and self.mine(identity) else None

    def _is_application(self, object_id: str) -> bool:
        resource = self._estate.resources.get(object_id)
        return resource is not None and resource.kind.value == "entra-application"

    def _directory(self, identity: Identity, action: str, target: str) -> Evaluation:
        allowed: list[StatementRef] = []
        undecided: list[StatementRef] = []
        whys: list[str] = []
        for answer, ref, why in self._directory_grants(identity, action, target):
            (allowed if answer else undecided).append(ref)
            if not answer:
                whys.append(why)
        return _answer(allowed, undecided, whys[0] if whys else "")

    def _wanted(self, action: str, target: str) -> tuple[str, ...]:
        """``action``, and on a single-tenant application also its ``applications.
        myOrganization`` form (``directory_roles.single_tenant_form``)."""
        narrow = single_tenant_form(action)
        sp = self.directory.identity(self.directory.app_sp.get(target, ""))
        if narrow is None or sp is None or (sp.audience or "").lower() != SINGLE_TENANT:
            return (action,)
        return (action, narrow)

    def _directory_grants(
        self, identity: Identity, action: str, target: str
    ) -> Iterator[tuple[bool, StatementRef, str]]:
        """(definite, the grant, why only possible) for each grant of ``action`` on ``target``."""
        forms = self._wanted(action, target)
        for principal in self.directory.principal_ids(identity):
            for entry in self.directory.roles.get(principal, ()):
                role = self.directory.role(entry.role)
                if role is None or not any(implies(a, w) for a in role.actions for w in forms):
                    continue
                if self._excludes_graph(role, action, target):
                    continue
                covered, why = self._covers(entry.scope, target)
                if covered is False:
                    continue
                ref = StatementRef(policy_id=entry.policy, index=entry.index, sid=role.name)
                if entry.eligible:
                    why = f"{role.name} is PIM-eligible, not active"
                yield covered is True and not entry.eligible, ref, why
        owned = identity.id.lower() in self.directory.owners.get(target, frozenset())
        for app_role in self.directory.app_roles.get(identity.id.lower(), ()):
            permission = app_role.permission
            if permission.owned_only and not owned:
                continue
            wanted = (a for c in permission.capabilities for a in FACTS_BY_CAPABILITY[c].actions)
            if any(implies(a, action) for a in wanted):
                ref = StatementRef(
                    policy_id=app_role.policy, index=app_role.index, sid=permission.name
                )
                yield True, ref, ""
        kind = self.kind_of(target)
        if owned and kind is not None and any(implies(a, action) for a in OWNER_ACTIONS[kind]):
            yield True, StatementRef(policy_id=f"{target}#owners", index=0, sid="owner"), ""

    def _excludes_graph(self, role: DirectoryRole, action: str, target: str) -> bool:
        """A directory role grants app roles of Microsoft Graph's (or Azure AD Graph's)
        service principal only with company-wide consent (Privileged Role and Global
        Administrator): Application, Cloud Application and Hybrid Identity Administrators,
        User Administrator, Directory Writers and custom roles holding
        ``appRoleAssignedTo/update`` grant other APIs' app roles only
        (``directory_roles.grants_graph_app_roles`` names the sources)."""
        if not implies(APP_ROLE_ASSIGNMENT, action) or grants_graph_app_roles(role.actions):
            return False
        if target == ROOT:  # Graph's service principal, not in the snapshot (privesc engine)
            return True
        api = self.directory.identity(target)
        return api is not None and (api.native_id or "").lower() in GRAPH_API_APP_IDS

    def _covers(self, scope: str, target: str) -> tuple[bool | None, str]:
        """Whether a directory role at ``scope`` acts on ``target`` (None: cannot say)."""
        if scope == ROOT:
            return True, ""
        if scope.startswith(AU_PREFIX):
            if target == ROOT or self.kind_of(target) is not None:
                return False, ""  # administrative units hold users, groups and devices only
            return None, f"administrative unit {scope} membership is not collected"
        return scope.removeprefix("/") == target, ""

    # --- admin ------------------------------------------------------------------------------

    def directory_admin(self, identity: Identity) -> Evaluation:
        """Global Administrator or Privileged Role Administrator over the whole tenant."""
        allowed: list[StatementRef] = []
        undecided: list[StatementRef] = []
        for principal in self.directory.principal_ids(identity):
            for entry in self.directory.roles.get(principal, ()):
                if entry.role in TENANT_ADMIN_ROLES and entry.scope == ROOT:
                    role = self.directory.role(entry.role)
                    ref = StatementRef(
                        policy_id=entry.policy,
                        index=entry.index,
                        sid=role.name if role else entry.role,
                    )
                    (undecided if entry.eligible else allowed).append(ref)
        return _answer(allowed, undecided, "a tenant admin role is PIM-eligible, not active")

    def admin_of(self, principal: str) -> Iterable[tuple[str, Evaluation]]:
        identity = self._estate.identities.get(principal)
        if identity is None or not self.mine(identity):
            return []
        found: list[tuple[str, Evaluation]] = []
        directory = self.directory_admin(identity)
        if directory.decision.possible and identity.account in self.tree.scopes:
            found.append((identity.account, directory))
        ids = self.directory.principal_ids(identity)
        for scope, evaluation in rbac.admin_scopes(self.rbac, ids):
            key = scope.lower().rstrip("/") or ROOT
            if key == ROOT:
                key = self.tree.root_of.get(identity.account, key)
            if self.tree.arm(key) and all(key != s for s, _ in found):
                found.append((key, evaluation))
        return found

    def is_admin(self, principal: str) -> Evaluation:
        answers = [e for _, e in self.admin_of(principal)]
        for decision in (Decision.ALLOW, Decision.CONDITIONAL):
            for evaluation in answers:
                if evaluation.decision is decision:
                    return evaluation
        return Evaluation(decision=Decision.IMPLICIT_DENY, reason="admin of no scope")

"""Which directory role a ``roleDefinitionId`` names, in one tenant: its own definitions first,
then Microsoft's built-in roles.

A directory role assignment names its role by ``roleDefinitionId``: a built-in role's template
id, or the id of a role the tenant defined (a custom role, ``isBuiltIn`` false, whose
``rolePermissions[].allowedResourceActions`` are the tenant's choice: a custom role holding
``microsoft.directory/applications/credentials/update`` takes over applications as Application
Administrator does). The snapshot holds the tenant's definitions as
``PolicyKind.ENTRA_ROLE_DEFINITION`` policies (Graph ``GET /roleManagement/directory/
roleDefinitions``, live or ``directory-role-definitions.json`` of an export). The order:

1. a custom definition of the snapshot (by id or templateId): only the tenant knows it;
2. the bundled built-in table (``directory_roles.DIRECTORY_ROLES``): Microsoft's published
   actions and privileged label, which Graph v1.0 does not return;
3. a built-in definition of the snapshot the table does not list (its actions as returned).

A role none of them names is unknown: nothing is granted by it (an export without the
definitions says so in its ``not-in-export`` gap)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from nhiscan.providers.azure.directory_roles import DirectoryRole, defined_role, directory_role
from nhiscan.scanner.model import Policy, PolicyKind, Provider


class TenantRoles:
    def __init__(self, policies: Iterable[Policy]) -> None:
        custom: dict[str, DirectoryRole] = {}
        builtin: dict[str, DirectoryRole] = {}
        for policy in sorted(policies, key=lambda p: p.id):
            if policy.provider is not Provider.AZURE:
                continue
            if policy.kind is not PolicyKind.ENTRA_ROLE_DEFINITION:
                continue
            document = policy.document
            role = defined_role(document, source=policy.id)
            if role is None:
                continue
            keys = {role.template_id}
            template = document.get("templateId")
            if isinstance(template, str) and template.strip():
                keys.add(template.strip().lower())
            for key in keys:
                (custom if role.custom else builtin).setdefault(key, role)
        self._custom: Mapping[str, DirectoryRole] = MappingProxyType(custom)
        self._builtin: Mapping[str, DirectoryRole] = MappingProxyType(builtin)

    @classmethod
    def of(cls, policies: Mapping[str, Policy]) -> TenantRoles:
        return cls(policies.values())

    def role(self, role_id: str) -> DirectoryRole | None:
        """The role ``role_id`` (a roleDefinitionId, any case) names, or None."""
        key = role_id.strip().lower()
        found = self._custom.get(key)
        if found is not None:
            return found
        builtin = directory_role(key)
        return builtin if builtin is not None else self._builtin.get(key)

    @property
    def custom(self) -> tuple[DirectoryRole, ...]:
        return tuple(dict.fromkeys(self._custom.values()))

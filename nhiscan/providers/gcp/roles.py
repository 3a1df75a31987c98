"""Role name -> permissions: predefined roles from the catalogue, custom roles from the
snapshot's ``custom-role`` policies (the IAM Role JSON: ``includedPermissions``, ``deleted``).
A deleted custom role grants nothing; a role in neither is unknown (``None``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from nhiscan.providers.gcp.catalog import GcpCatalog
from nhiscan.scanner.model import Policy, PolicyKind, Provider


def custom_role_permissions(policy: Policy) -> frozenset[str]:
    """What one custom role grants (nothing once deleted)."""
    if policy.document.get("deleted") is True:
        return frozenset()
    found = policy.document.get("includedPermissions") or ()
    return frozenset(p for p in found if isinstance(p, str))


class RoleBook:
    """Every role an estate's bindings may name."""

    def __init__(self, catalog: GcpCatalog, policies: Iterable[Policy]) -> None:
        self._catalog = catalog
        self._custom: Mapping[str, frozenset[str]] = {
            p.id: custom_role_permissions(p)
            for p in policies
            if p.provider is Provider.GCP and p.kind is PolicyKind.CUSTOM_ROLE
        }

    def permissions(self, role: str) -> frozenset[str] | None:
        """The permissions ``role`` grants; None when neither catalogue nor snapshot knows it."""
        found = self._custom.get(role)
        if found is not None:
            return found
        return self._catalog.roles().get(role)

    def custom_roles(self) -> Mapping[str, frozenset[str]]:
        return self._custom

"""Azure records read from a snapshot file: role definitions and role and deny assignments are
in ARM's shape, and a role assignment names a role the snapshot or the bundled built-in roles
define, unless a collection gap says its definition was not read."""

from __future__ import annotations

from collections.abc import Iterator

from nhiscan.providers.azure import actions, rbac
from nhiscan.providers.azure.catalog import default_catalog
from nhiscan.providers.azure.scopes import ArmFormatError
from nhiscan.scanner.model import Policy, PolicyKind, Provider
from nhiscan.scanner.snapshot_check import Snapshot

PARSERS = {
    PolicyKind.AZURE_ROLE_DEFINITION: actions.parse_role_definition,
    PolicyKind.AZURE_ROLE_ASSIGNMENT: rbac.parse_role_assignment,
    PolicyKind.AZURE_DENY_ASSIGNMENT: rbac.parse_deny_assignment,
}
ROLE_GAP = "role-definitions"  # the export's and the live connector's operations end so


def rbac_problems(snapshot: Snapshot) -> Iterator[str]:
    mine = [(i, p) for i, p in enumerate(snapshot.policies) if p.provider is Provider.AZURE]
    defined: set[str] = set()
    assignments: list[tuple[int, Policy, str]] = []
    for index, policy in mine:
        parse = PARSERS.get(policy.kind)
        if parse is None:
            continue
        try:
            parsed = parse(policy.document, where=f"policies[{index}] ({policy.id}): document")
        except ArmFormatError as exc:
            yield str(exc)
            continue
        if isinstance(parsed, actions.RoleDefinition):
            defined.add(parsed.guid)
        elif isinstance(parsed, rbac.RoleAssignment):
            assignments.append((index, policy, parsed.role))
    excused = " ".join(
        g.detail or ""
        for g in snapshot.gaps
        if g.provider is Provider.AZURE and g.operation.endswith(ROLE_GAP)
    )
    catalog = default_catalog()
    for index, policy, role in assignments:
        if role in defined or catalog.role(role) is not None or policy.id in excused:
            continue
        yield (
            f"policies[{index}] ({policy.id}): names role definition {role}, which neither the "
            "snapshot nor Azure's built-in roles define (and no collection gap says it was not "
            "read)"
        )

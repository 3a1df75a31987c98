"""Azure RBAC permissions: action strings, permission blocks and role definitions.

As "Understand Azure role definitions" documents (learn.microsoft.com/azure/role-based-access-
control/role-definitions; source MicrosoftDocs/azure-docs
``articles/role-based-access-control/role-definitions.md``):

- an action is ``{Company}.{ProviderName}/{resourceType}/{action}``; ``*`` grants every action
  matching the string, anywhere in it (``*/read``, ``Microsoft.Network/*/read``,
  ``Microsoft.Compute/*``); case does not matter (the page's own ``microsoft.web/sites/restart/
  Action``; Contributor's NotActions ``Microsoft.Authorization/*/Write`` removes
  ``…/roleAssignments/write``);
- ``Actions - NotActions`` are the control-plane permissions and ``DataActions -
  NotDataActions`` the data-plane ones, kept apart: a control-plane ``*`` grants no data action
  (Owner cannot read blobs without a data role);
- a NotAction is not a deny: another role assignment that grants the action still grants it;
- a permission block may carry an ABAC ``condition`` (``conditionVersion`` 2.0: built-in roles
  such as Key Vault Data Access Administrator do), as a role assignment may: :func:`decide`.
(:mod:`.conditions` decides them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nhiscan.providers.azure.scopes import ArmFormatError

GUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)
ROLE_DEFINITION_ID = re.compile(
    r"^(?:.*/)?providers/Microsoft\.Authorization/roleDefinitions/([^/]+)/?$", re.I
)


@lru_cache(maxsize=16_384)
def _regex(pattern: str) -> re.Pattern[str]:
    body = ".*".join(re.escape(part) for part in pattern.strip().split("*"))
    return re.compile(body, re.IGNORECASE | re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    """Whether an Actions/NotActions (or data) entry names ``action``: ``*`` is any run of
    characters, anywhere; case-insensitive."""
    return _regex(pattern).fullmatch(action.strip()) is not None


def any_matches(patterns: Sequence[str], action: str) -> bool:
    return any(action_matches(pattern, action) for pattern in patterns)


def guid(text: str) -> str:
    """A GUID in one spelling (lower case, with dashes), for comparing: ARM conditions also write
    them without dashes."""
    bare = text.strip().replace("-", "").lower()
    return f"{bare[:8]}-{bare[8:12]}-{bare[12:16]}-{bare[16:20]}-{bare[20:]}"


def role_guid(role_definition_id: Any, *, where: str | None = None) -> str:
    """The role's GUID from any of its ids: ``/subscriptions/{s}/providers/Microsoft.
    Authorization/roleDefinitions/{guid}``, ``/providers/Microsoft.Authorization/roleDefinitions/
    {guid}`` (the same role) or the bare GUID."""
    text = role_definition_id.strip() if isinstance(role_definition_id, str) else ""
    found = ROLE_DEFINITION_ID.match(text)
    value = found.group(1) if found else text
    if not GUID.match(value):
        place = f" (at {where})" if where else ""
        raise ArmFormatError(
            f"{role_definition_id!r}{place} is not a role definition id: expected "
            "'/providers/Microsoft.Authorization/roleDefinitions/{guid}' (or with a "
            "'/subscriptions/{id}' prefix) or the bare GUID"
        )
    return guid(value)


def properties(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """ARM's REST form nests fields under ``properties``; the az CLI's output flattens them."""
    nested = document.get("properties")
    return nested if isinstance(nested, Mapping) else document


def strings(value: Any, where: str) -> tuple[str, ...]:
    """A list of strings (absent or null: none); anything else is an error naming ``where``."""
    if value is None:
        return ()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ArmFormatError(f"{where}: expected a list of strings, found {value!r}")


def optional_text(value: Any, where: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        return value
    raise ArmFormatError(f"{where}: expected a string, found {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Permission:
    """One entry of a role definition's (or deny assignment's) ``permissions`` list."""

    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    data_actions: tuple[str, ...] = ()
    not_data_actions: tuple[str, ...] = ()
    condition: str | None = None
    condition_version: str | None = None

    def names(self, action: str, *, data_action: bool) -> bool:
        """Whether the block covers ``action`` on its plane: in (Data)Actions and not in
        Not(Data)Actions."""
        if data_action:
            return any_matches(self.data_actions, action) and not any_matches(
                self.not_data_actions, action
            )
        return any_matches(self.actions, action) and not any_matches(self.not_actions, action)


def parse_permission(raw: Any, where: str) -> Permission:
    if not isinstance(raw, Mapping):
        raise ArmFormatError(f"{where}: expected an object with actions/notActions/…, "
                             f"found {raw!r}")  # fmt: skip
    return Permission(
        actions=strings(raw.get("actions"), f"{where}.actions"),
        not_actions=strings(raw.get("notActions"), f"{where}.notActions"),
        data_actions=strings(raw.get("dataActions"), f"{where}.dataActions"),
        not_data_actions=strings(raw.get("notDataActions"), f"{where}.notDataActions"),
        condition=optional_text(raw.get("condition"), f"{where}.condition"),
        condition_version=optional_text(raw.get("conditionVersion"), f"{where}.conditionVersion"),
    )


def parse_permissions(raw: Any, where: str) -> tuple[Permission, ...]:
    if not isinstance(raw, list):
        raise ArmFormatError(f"{where}: expected a list of permission objects, found {raw!r}")
    return tuple(parse_permission(item, f"{where}[{i}]") for i, item in enumerate(raw))


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleDefinition:
    guid: str  # lower case, with dashes: what an assignment's roleDefinitionId names
    name: str  # roleName ("Owner"), or the GUID when it has none
    permissions: tuple[Permission, ...]
    id: str | None = None
    custom: bool = False


def parse_role_definition(document: Any, *, where: str = "role definition") -> RoleDefinition:
    """A role definition in ARM's REST form (``properties.permissions``) or as ``az role
    definition list`` writes it (flattened; the bundled built-in roles' form)."""
    if not isinstance(document, Mapping):
        raise ArmFormatError(f"{where}: expected a role definition object, found {document!r}")
    props = properties(document)
    name, rid = document.get("name"), document.get("id")
    source = name if isinstance(name, str) and GUID.match(name.strip()) else rid
    if not isinstance(source, str):
        raise ArmFormatError(f"{where}: neither 'name' nor 'id' names the role's GUID")
    role = role_guid(source, where=f"{where}.{'name' if source is name else 'id'}")
    label = optional_text(props.get("roleName"), f"{where}.roleName")
    return RoleDefinition(
        guid=role,
        name=label or role,
        permissions=parse_permissions(props.get("permissions"), f"{where}.permissions"),
        id=rid if isinstance(rid, str) else None,
        custom=str(props.get("roleType") or props.get("type", "")).lower() == "customrole",
    )

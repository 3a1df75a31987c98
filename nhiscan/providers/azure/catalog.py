"""``AzureCatalog``: Azure's permission catalogue, read from the bundled built-in role
definitions (``data/azure-built-in-roles.json.gz``: iann0036/iam-dataset's
``azure/built-in-roles-raw.json``, MIT, see ``data/NOTICE`` and ``data/PROVENANCE.md``).

The dataset is the output of ``az role definition list`` for the built-in roles: 928 role
definitions, each ``{name (the role's GUID), roleName, roleType: BuiltInRole, type, description,
assignableScopes: ["/"], permissions: [{actions, notActions, dataActions, notDataActions,
condition, conditionVersion}]}`` (912 roles have one permission block, 16 have two or three; 31
blocks carry an ABAC condition). Field meanings: "Understand Azure role definitions",
https://learn.microsoft.com/azure/role-based-access-control/role-definitions (``name`` is the
role's id, the same in every cloud; ``roleName`` its display name).

The catalogue's actions are the literal operations the roles name (control plane: ``actions`` and
``notActions``; data plane: ``dataActions`` and ``notDataActions``) plus the few documented
resource-provider operations no built-in role spells out (``DOCUMENTED_OPERATIONS``, and
``DOCUMENTED_DATA_OPERATIONS`` of the data plane). Azure
compares operations without regard to case, and the dataset spells 105 operations in more than
one case (``Microsoft.Insights/AlertRules/Read``): the catalogue answers with the spelling the
roles use most. Wildcards: ``*`` is any run of characters, ``/`` included (``*/read``,
``Microsoft.Storage/*``, ``Microsoft.Compute/virtualMachines/*/read``); there is no ``?``.
Entries that are not operations (``DATASET_ODDITIES``: a trailing ``/``, a ``{placeholder}``)
stay in their role definitions, as written, but are not catalogued.

The access level of an operation is read from its last segment (``read``, ``write``,
``delete``, ``action``) and, for ``action``, from the operation's name (``ACTION_LEVELS``).
Loaded on first use, so importing the provider costs nothing."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, cached_property
from importlib import resources

from nhiscan.scanner.facts import AccessLevel

DATA_FILE = "azure-built-in-roles.json.gz"
DATASET_COMMIT = "2073fa52ac008a45477aa0b1b4580cd99135bf60"
DATASET_DATE = "2026-08-22"  # the dataset's commit date: what reports print

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class Plane(StrEnum):
    """Where an operation acts: on the resource through ARM, or on the data inside it."""

    CONTROL = "control"  # a role's actions / notActions
    DATA = "data"  # a role's dataActions / notDataActions


# Operations the built-in roles grant only through a wildcard (``Microsoft.Authorization/*``),
# taken from Azure's resource provider operations reference
# (https://learn.microsoft.com/azure/role-based-access-control/permissions/, MicrosoftDocs/
# azure-docs articles/role-based-access-control/permissions/management-and-governance.md for
# Microsoft.Authorization, security.md for Microsoft.KeyVault, web-and-mobile.md for
# Microsoft.Web). Without them ``expand("Microsoft.Authorization/*")`` would miss the write that
# creates a custom role.
DOCUMENTED_OPERATIONS: tuple[str, ...] = (
    "Microsoft.Authorization/roleDefinitions/write",
    "Microsoft.Authorization/roleDefinitions/delete",
    "Microsoft.Authorization/roleAssignmentScheduleRequests/write",
    "Microsoft.KeyVault/vaults/accessPolicies/write",
    "Microsoft.Web/sites/publishxml/action",
)
# Data actions the built-in roles grant only through a wildcard (Azure Service Bus Data Sender's
# ``Microsoft.ServiceBus/*/send/action``, Data Receiver's ``…/*/receive/action``): Service Bus's
# send and receive, documented as data actions ("Azure permissions for Integration",
# learn.microsoft.com/azure/role-based-access-control/permissions/integration; "Authenticate
# and authorize an application with Microsoft Entra ID to access Azure Service Bus entities").
# Without them the evaluator would take them for control-plane operations, which Owner's and
# Contributor's ``*`` grant; data actions need a role's ``dataActions``.
DOCUMENTED_DATA_OPERATIONS: tuple[str, ...] = (
    "Microsoft.ServiceBus/namespaces/messages/send/action",
    "Microsoft.ServiceBus/namespaces/messages/receive/action",
)

# Entries of the dataset that name no operation (a trailing "/", a "{placeholder}" segment):
# kept in the role definitions, not catalogued.
ODDITY = re.compile(r"/$|\{[^}]*\}")

# Operations that change who may do what: the role assignment and definition writes, the Global
# Administrator's elevation to User Access Administrator at "/", and Key Vault access policies
# (which grant data access to a vault). Resource types under Microsoft.Authorization whose write
# or delete is permissions management:
AUTHORIZATION_TYPES = frozenset(
    {
        "roleassignments",
        "roledefinitions",
        "denyassignments",
        "roleassignmentschedulerequests",
        "roleeligibilityschedulerequests",
        "rolemanagementpolicies",
        "rolemanagementpolicyassignments",
    }
)
PERMISSIONS_MANAGEMENT = frozenset(
    {
        "microsoft.authorization/elevateaccess/action",
        "microsoft.keyvault/vaults/accesspolicies/write",
    }
)

# The level of a ``.../{name}/action`` operation from its name (lower case), first match wins;
# an action matching none changes something (WRITE: start, restart, register, run, generate ...).
# A list* operation that hands back secrets (listKeys, listSecrets, listCredentials,
# listConnectionStrings, listClusterAdminCredential, listUserKubeconfig ...) reads them: READ.
ACTION_LEVELS: tuple[tuple[re.Pattern[str], AccessLevel], ...] = (
    (
        re.compile(
            r"^list.*(key|secret|credential|connectionstring|kubeconfig|token|password|sas)"
        ),
        AccessLevel.READ,
    ),
    (re.compile(r"^(list|search)"), AccessLevel.LIST),
    (re.compile(r"^(get|read|retrieve|fetch|download|show|query|view)"), AccessLevel.READ),
)

# Scopes a role assignment is made at: everything below them is granted.
SCOPE = re.compile(
    r"^/?$|^/providers/Microsoft\.Management/managementGroups/[^/]+/?$"
    r"|^/subscriptions/[^/]+(/resourceGroups/[^/]+)?/?$",
    re.IGNORECASE,
)


class RoleDataError(ValueError):
    """A role definition that is not in the shape ``az role definition list`` or ARM give; the
    message starts with the JSON path of the bad value (``[12].permissions[0].actions[3]``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RolePermission:
    """One permission block of a role definition, as written (wildcards unexpanded)."""

    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    data_actions: tuple[str, ...] = ()
    not_data_actions: tuple[str, ...] = ()
    condition: str | None = None  # an ABAC condition narrowing the block, as written
    condition_version: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleDefinition:
    """An Azure RBAC role definition: a built-in one from the bundled table, or one read from an
    export or ARM (custom roles)."""

    id: str  # the role's GUID ("name" in az and ARM output)
    name: str  # the display name ("roleName"): "Owner"
    role_type: str  # "BuiltInRole" or "CustomRole"
    description: str | None = None
    assignable_scopes: tuple[str, ...] = ()
    permissions: tuple[RolePermission, ...] = ()

    @property
    def built_in(self) -> bool:
        return self.role_type == "BuiltInRole"

    @property
    def conditional(self) -> bool:
        """Whether an ABAC condition narrows one of its blocks (what it grants is then an
        upper bound)."""
        return any(p.condition for p in self.permissions)


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleActions:
    """What a role definition permits, expanded through the catalogue: per block, its actions
    less its notActions (and data actions less notDataActions), united over the blocks."""

    control: frozenset[str]
    data: frozenset[str]
    conditional: bool  # an ABAC condition narrows some of it: an upper bound


@dataclass(frozen=True, slots=True)
class AzureAction:
    """One operation as the catalogue knows it (``ActionFacts``)."""

    name: str  # the spelling the roles use most
    service: str  # the resource provider namespace, as most operations spell it: "Microsoft.Web"
    access_level: AccessLevel
    planes: frozenset[Plane]


def access_level(operation: str) -> AccessLevel:
    """The access level of ``Namespace/type[/subtype...]/verb`` (any case)."""
    lower = operation.strip().lower()
    segments = lower.split("/")
    verb = segments[-1]
    if len(segments) < 3:  # Namespace/verb: an operation on the provider itself
        return AccessLevel.READ if verb == "read" else AccessLevel.WRITE
    if lower in PERMISSIONS_MANAGEMENT:
        return AccessLevel.PERMISSIONS_MANAGEMENT
    if verb in ("write", "delete"):
        if segments[0] == "microsoft.authorization" and segments[1] in AUTHORIZATION_TYPES:
            return AccessLevel.PERMISSIONS_MANAGEMENT
        return AccessLevel.TAGGING if segments[-2] == "tags" else AccessLevel.WRITE
    if verb == "read":
        return AccessLevel.READ
    if verb == "action":
        name = segments[-2]
        return next((level for rx, level in ACTION_LEVELS if rx.search(name)), AccessLevel.WRITE)
    return AccessLevel.WRITE  # an operation with no verb segment: treat it as a change


def service_of(operation: str) -> str:
    """The resource provider namespace of an operation: its first segment."""
    return operation.strip().split("/", 1)[0]


def is_oddity(entry: str) -> bool:
    """Whether a role's entry names no operation (a trailing "/", a "{placeholder}")."""
    return ODDITY.search(entry.strip()) is not None


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """Azure's wildcard: ``*`` is any run of characters (``/`` included), all else literal, the
    whole operation, any case."""
    body = ".*".join(re.escape(part) for part in pattern.strip().split("*"))
    return re.compile(body, re.IGNORECASE | re.DOTALL)


# --- reading role definitions ---------------------------------------------------------------


def parse_role_definitions(raw: object) -> tuple[RoleDefinition, ...]:
    """Role definitions from ``az role definition list`` output (a JSON list of flat objects) or
    an ARM ``roleDefinitions`` list page (``{"value": [{"name", "id", "properties": {...}}]}``).
    Raises ``RoleDataError`` naming the JSON path of the first bad value."""
    items: object = raw
    prefix = ""
    if isinstance(raw, Mapping) and "value" in raw:
        items, prefix = raw["value"], "value"
    if not isinstance(items, list):
        raise RoleDataError(f"{prefix or '$'}: expected a list of role definitions")
    return tuple(parse_role_definition(item, f"{prefix}[{i}]") for i, item in enumerate(items))


def parse_role_definition(item: object, where: str) -> RoleDefinition:
    """One role definition, flat (az) or with ``properties`` (ARM, where ``roleType`` is
    ``properties.type``: azure-mgmt-authorization 4.0.0, ``v2022_04_01`` ``RoleDefinition``
    maps ``role_type`` to ``properties.type`` and ``role_name`` to ``properties.roleName``)."""
    if not isinstance(item, Mapping):
        raise RoleDataError(f"{where}: expected an object, got {type(item).__name__}")
    body: Mapping[str, object] = item
    inner = where
    role_type_key = "roleType"
    if isinstance(item.get("properties"), Mapping):
        body, inner, role_type_key = item["properties"], f"{where}.properties", "type"
    role_id = _role_id(item, where)
    blocks = body.get("permissions", [])
    if not isinstance(blocks, list):
        raise RoleDataError(f"{inner}.permissions: expected a list")
    return RoleDefinition(
        id=role_id,
        name=_text(body.get("roleName"), f"{inner}.roleName"),
        role_type=_text(body.get(role_type_key), f"{inner}.{role_type_key}"),
        description=_optional_text(body.get("description"), f"{inner}.description"),
        assignable_scopes=_texts(body.get("assignableScopes", []), f"{inner}.assignableScopes"),
        permissions=tuple(
            _permission(block, f"{inner}.permissions[{i}]") for i, block in enumerate(blocks)
        ),
    )


def _role_id(item: Mapping[str, object], where: str) -> str:
    name = item.get("name")
    if name is None and isinstance(item.get("id"), str):
        name = str(item["id"]).rstrip("/").rsplit("/", 1)[-1]
    if not isinstance(name, str) or not GUID.match(name):
        raise RoleDataError(f"{where}.name: expected the role's GUID, got {name!r}")
    return name.lower()


def _permission(block: object, where: str) -> RolePermission:
    if not isinstance(block, Mapping):
        raise RoleDataError(f"{where}: expected an object, got {type(block).__name__}")
    return RolePermission(
        actions=_texts(block.get("actions", []), f"{where}.actions"),
        not_actions=_texts(block.get("notActions", []), f"{where}.notActions"),
        data_actions=_texts(block.get("dataActions", []), f"{where}.dataActions"),
        not_data_actions=_texts(block.get("notDataActions", []), f"{where}.notDataActions"),
        condition=_optional_text(block.get("condition"), f"{where}.condition"),
        condition_version=_optional_text(
            block.get("conditionVersion"), f"{where}.conditionVersion"
        ),
    )


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise RoleDataError(f"{where}: expected a non-empty string, got {value!r}")
    return value


def _optional_text(value: object, where: str) -> str | None:
    return None if value is None else _text(value, where)


def _texts(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RoleDataError(f"{where}: expected a list of strings, got {type(value).__name__}")
    return tuple(_text(v, f"{where}[{i}]") for i, v in enumerate(value))


@cache
def built_in_roles() -> tuple[RoleDefinition, ...]:
    """Every bundled built-in role definition (read once per process)."""
    raw = resources.files("nhiscan.providers.azure").joinpath("data", DATA_FILE).read_bytes()
    try:
        return parse_role_definitions(json.loads(gzip.decompress(raw)))
    except RoleDataError as exc:  # the bundled table is ours: a bad one is a packaging bug
        raise RoleDataError(f"{DATA_FILE}: {exc}") from exc


# --- the catalogue --------------------------------------------------------------------------


class AzureCatalog:
    """The ``PermissionCatalog`` of Azure over a role table (the bundled built-in roles by
    default). Operations compare without regard to case; answers use the catalogue's spelling."""

    version = DATASET_COMMIT
    updated_at = DATASET_DATE
    example = "Microsoft.Storage/storageAccounts/read"

    def __init__(
        self,
        roles: Sequence[RoleDefinition] | None = None,
        extra: Iterable[str] = DOCUMENTED_OPERATIONS,
        extra_data: Iterable[str] = DOCUMENTED_DATA_OPERATIONS,
    ) -> None:
        self._given = tuple(roles) if roles is not None else None
        self._extra = tuple(extra)
        self._extra_data = tuple(extra_data)
        self._expanded: dict[tuple[str, Plane | None], frozenset[str]] = {}

    def roles(self) -> tuple[RoleDefinition, ...]:
        return self._given if self._given is not None else built_in_roles()

    def role(self, key: str, /) -> RoleDefinition | None:
        """A role by its name (any case), its GUID or its full ARM id
        (``/subscriptions/…/providers/Microsoft.Authorization/roleDefinitions/<guid>``)."""
        by_name = self._by_name.get(key.strip().lower())
        if by_name is not None:
            return by_name
        return self._by_id.get(key.strip().rstrip("/").rsplit("/", 1)[-1].lower())

    @cached_property
    def _by_id(self) -> dict[str, RoleDefinition]:
        return {r.id.lower(): r for r in self.roles()}

    @cached_property
    def _by_name(self) -> dict[str, RoleDefinition]:
        return {r.name.lower(): r for r in self.roles()}

    @cached_property
    def _actions(self) -> dict[str, AzureAction]:
        """Lower-case operation -> what the catalogue knows of it."""
        spellings: dict[str, Counter[str]] = {}
        namespaces: dict[str, Counter[str]] = {}
        planes: dict[str, set[Plane]] = {}
        for entry, plane in self._entries():
            key = entry.lower()
            spellings.setdefault(key, Counter())[entry] += 1
            namespace = service_of(entry)
            namespaces.setdefault(namespace.lower(), Counter())[namespace] += 1
            planes.setdefault(key, set()).add(plane)
        return {
            key: AzureAction(
                name=(name := _most_used(counts)),
                service=_most_used(namespaces[service_of(key)]),
                access_level=access_level(name),
                planes=frozenset(planes[key]),
            )
            for key, counts in spellings.items()
        }

    def _entries(self) -> Iterable[tuple[str, Plane]]:
        """Every operation the roles name, with its plane (wildcards are patterns and oddities
        mistakes: neither is an operation), then the documented extras."""
        for role in self.roles():
            for block in role.permissions:
                for entry in (*block.actions, *block.not_actions):
                    yield from _operation(entry, Plane.CONTROL)
                for entry in (*block.data_actions, *block.not_data_actions):
                    yield from _operation(entry, Plane.DATA)
        for entry in self._extra:
            yield from _operation(entry, Plane.CONTROL)
        for entry in self._extra_data:
            yield from _operation(entry, Plane.DATA)

    @cached_property
    def operations(self) -> Mapping[Plane, frozenset[str]]:
        """Every catalogued operation of each plane (canonical spelling)."""
        found: dict[Plane, set[str]] = {Plane.CONTROL: set(), Plane.DATA: set()}
        for action in self._actions.values():
            for plane in action.planes:
                found[plane].add(action.name)
        return {plane: frozenset(names) for plane, names in found.items()}

    @cached_property
    def permissions(self) -> frozenset[str]:
        """Every catalogued operation, both planes."""
        return self.operations[Plane.CONTROL] | self.operations[Plane.DATA]

    def expand(self, pattern: str, /, *, plane: Plane | None = None) -> frozenset[str]:
        """The catalogued operations ``pattern`` matches, of ``plane`` (both when None). An
        operation without wildcards the catalogue does not know is returned as written, so an
        exact grant still works for operations newer than the catalogue."""
        key = (pattern.strip().lower(), plane)
        found = self._expanded.get(key)
        if found is None:
            found = self._expand(pattern.strip(), plane)
            self._expanded[key] = found
        return found

    def _expand(self, pattern: str, plane: Plane | None) -> frozenset[str]:
        pool = self.permissions if plane is None else self.operations[plane]
        if "*" not in pattern:
            action = self.info(pattern)
            if action is None:
                return frozenset({pattern}) if pattern else frozenset()
            return frozenset({action.name}) if action.name in pool else frozenset()
        if pattern == "*":
            return pool
        regex = pattern_regex(pattern)
        return frozenset(name for name in pool if regex.fullmatch(name))

    def info(self, action: str, /) -> AzureAction | None:
        key = action.strip().lower()
        if "*" in key or is_oddity(key):
            return None
        return self._actions.get(key)

    def known(self, action: str, /) -> bool:
        return self.info(action) is not None

    def actions_for_resource(self, resource: str, /) -> frozenset[str]:
        """The operations that act on an ARM resource id: those of its resource type and the
        types below it (a storage account's include its containers' and blobs' data actions).
        A scope (``/``, a management group, a subscription, a resource group) gets every
        operation: an assignment there grants on everything below it. Not an ARM id: none."""
        if SCOPE.match(resource):
            return self.permissions
        resource_type = arm_resource_type(resource)
        if resource_type is None:
            return frozenset()
        prefix = resource_type.lower() + "/"
        return frozenset(name for name in self.permissions if name.lower().startswith(prefix))

    def role_actions(self, role: RoleDefinition, /) -> RoleActions:
        """What ``role`` permits, expanded: per block, actions less notActions and data actions
        less notDataActions (Azure subtracts within a block), united over the blocks."""
        control: set[str] = set()
        data: set[str] = set()
        for block in role.permissions:
            control |= self._block(block.actions, block.not_actions, Plane.CONTROL)
            data |= self._block(block.data_actions, block.not_data_actions, Plane.DATA)
        return RoleActions(
            control=frozenset(control), data=frozenset(data), conditional=role.conditional
        )

    def _block(self, allowed: Iterable[str], denied: Iterable[str], plane: Plane) -> set[str]:
        granted = self._union(allowed, plane)
        removed = {a.lower() for a in self._union(denied, plane)}
        return {a for a in granted if a.lower() not in removed}

    def _union(self, patterns: Iterable[str], plane: Plane) -> set[str]:
        return {a for p in patterns if not is_oddity(p) for a in self.expand(p, plane=plane)}


def arm_resource_type(resource: str) -> str | None:
    """The resource type of an ARM resource id, ``Namespace/type[/childType...]``
    (``.../providers/Microsoft.Storage/storageAccounts/a/blobServices/default/containers/c``
    -> ``Microsoft.Storage/storageAccounts/blobServices/containers``); the last ``providers``
    segment counts (an extension resource). None when the id names no provider."""
    parts = resource.strip().strip("/").split("/")
    lowered = [p.lower() for p in parts]
    if "providers" not in lowered:
        return None
    start = len(lowered) - 1 - lowered[::-1].index("providers")
    tail = parts[start + 1 :]
    if len(tail) < 2:
        return None
    namespace, rest = tail[0], tail[1:]
    return "/".join([namespace, *rest[0::2]])


def _operation(entry: str, plane: Plane) -> Iterable[tuple[str, Plane]]:
    operation = entry.strip()
    if operation and "*" not in operation and not is_oddity(operation):
        yield operation, plane


def _most_used(counts: Counter[str]) -> str:
    """The spelling used most; on a tie, the one whose verb is lower case, then the first in
    sorted order (stable across runs)."""

    def rank(spelling: str) -> tuple[int, bool, str]:
        verb = spelling.rsplit("/", 1)[-1]
        return (-counts[spelling], verb != verb.lower(), spelling)

    return min(counts, key=rank)


@cache
def default_catalog() -> AzureCatalog:
    return AzureCatalog()

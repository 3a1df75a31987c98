"""What an Azure identity is granted, and what its agent needs of it, for the gap analysis: the
pure functions the Azure provider's ``ProviderAnalysis`` answers ``gap_support``, ``grants``,
``gap_needs`` and ``probe`` with, over the records of ``docs/dev/azure-records.md``.

Granted: for each role assignment naming the identity (``Identity.policies`` lists its
``azure-role-assignment`` policies; group memberships are not exported, so a group's
assignments are not its grants), the role's operations (``actions - notActions`` and
``dataActions - notDataActions`` per block, expanded through the bundled catalogue, plus the
vocabulary's documented data actions that a block's wildcards name: Service Bus's send and
receive) as ``Grant``s on the assignment's scope, its lower-cased ARM id. A scope at a
subscription, resource group or management group is broad: one grant each on the scope. At a
resource, only the operations of that resource's provider act there (``Microsoft.KeyVault/…``
at a vault; a role's ``Microsoft.Compute/*`` grants nothing on a secret). Blob data actions at
a storage account or container grant on ``…/containers/C/blobs/*``, the names needs use
(``*`` for the container at an account), and on ``…/blobs/P*`` when the assignment's ABAC
condition narrows them to a path prefix (``@Resource[…/blobs:path] StringStartsWith 'P'``, the
form ``render.py`` writes). A role the snapshot and the catalogue do not know is one grant of
``*``, which the evaluator answers as conditional: listed, never skipped. Whether a grant still
holds (conditions, deny assignments) is the core's question, asked of the Azure authorizer
(``rbac.evaluate``) on the resource ``probe`` names.

Needed: the agent's Azure needs, an implicit subscription and resource group (``*``) bound to
those of the identity's role assignment scopes that can hold the resource (``bind``); the
least-privilege output is rendered from them too. Cosmos DB data needs are not judged from
Azure RBAC (its data plane has its own role assignments, which the snapshot does not hold):
``unjudged`` says why, and the gap analysis reports them as not judged, neither met nor missing
(``IdentityGap.unjudged``), while the least privilege still proposes their Cosmos DB role.

Probed: a blob need or grant is evaluated on its container with the blob path as the
``@Resource[…/blobs:path]`` attribute (``probe``): a blob path is not an ARM scope, and the
ABAC condition narrowing a container's assignment to a prefix reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from nhiscan.providers.azure.agents.schemes import ANY, arm_key
from nhiscan.providers.azure.agents.targets import PATH
from nhiscan.providers.azure.agents.verbs import (
    BLOBS,
    COSMOS_DATA_ACTIONS,
    SERVICE_BUS_DATA_ACTIONS,
)
from nhiscan.providers.azure.catalog import (
    AzureCatalog,
    Plane,
    RoleDefinition,
    is_oddity,
    parse_role_definition,
    pattern_regex,
)
from nhiscan.providers.azure.rbac import RoleAssignment, parse_role_assignment
from nhiscan.providers.azure.scopes import ScopeKind
from nhiscan.scanner.agents.model import Need
from nhiscan.scanner.authz import StatementRef
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.grants import Grant, Probe
from nhiscan.scanner.model import Identity, IdentityKind, PolicyKind, Provider

ANY_ACTION = "*"  # what a role nhiscan does not know may grant (the evaluator: conditional)
SUPPORTED = (IdentityKind.SERVICE_PRINCIPAL, IdentityKind.MANAGED_IDENTITY)
UNSUPPORTED = (
    "gap analysis of Azure {kind} identities is not supported: service principals and managed "
    "identities only"
)
COSMOS_UNJUDGED = (
    "Cosmos DB data access is granted by the account's own role assignments (az cosmosdb sql "
    "role assignment list), which the snapshot does not hold"
)
_PATH_PREFIX = re.compile(re.escape(PATH) + r"\s+StringStartsWith\s+'((?:[^'\\]|\\.)*)'", re.I)
_BLOB_DATA = BLOBS.lower() + "/"
_STORAGE = re.compile(r"^(.*/providers/microsoft\.storage/storageaccounts/[^/]+)"
                      r"(/blobservices/default(?:/containers/([^/]+))?)?$")  # fmt: skip
_IMPLICIT = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)(/providers/.*)$")


def gap_support(identity: Identity) -> str | None:
    if identity.provider is Provider.AZURE and identity.kind in SUPPORTED:
        return None
    return UNSUPPORTED.format(kind=identity.kind)


@dataclass(frozen=True, slots=True, kw_only=True)
class Held:
    """One role assignment of the identity, parsed, with its role (None: not known)."""

    policy_id: str
    assignment: RoleAssignment
    role: RoleDefinition | None


Roles = Mapping[str, RoleDefinition]  # the snapshot's role definitions by GUID


def assignments(
    estate: Estate, identity: Identity, catalog: AzureCatalog, roles: Roles | None = None
) -> Iterator[Held]:
    """The identity's role assignments with their roles (the snapshot's definition, else the
    bundled built-in one); a role assignment or role definition not in ARM's shape raises
    ``ArmFormatError`` or ``RoleDataError`` naming the policy."""
    roles = snapshot_roles(estate) if roles is None else roles
    for policy_id in identity.policies:
        policy = estate.policies.get(policy_id)
        if policy is None or policy.kind is not PolicyKind.AZURE_ROLE_ASSIGNMENT:
            continue
        held = parse_role_assignment(policy.document, where=f"policy {policy_id}")
        if held.principal_id != identity.id.lower():
            continue
        role = roles.get(held.role) or catalog.role(held.role)
        yield Held(policy_id=policy_id, assignment=held, role=role)


def snapshot_roles(estate: Estate) -> dict[str, RoleDefinition]:
    """The snapshot's role definitions by GUID (parse once per analysis and pass them on)."""
    found: dict[str, RoleDefinition] = {}
    for policy in estate.policies.values():
        if policy.kind is PolicyKind.AZURE_ROLE_DEFINITION:
            role = parse_role_definition(policy.document, f"policy {policy.id}")
            found.setdefault(role.id, role)
    return found


def role_actions(catalog: AzureCatalog, role: RoleDefinition) -> dict[Plane, frozenset[str]]:
    """What ``role`` permits per plane: the catalogue's expansion, with the documented data
    actions the catalogue lacks (``SERVICE_BUS_DATA_ACTIONS``) where a block's patterns name
    them and its not-patterns do not."""
    expanded = catalog.role_actions(role)
    data = set(expanded.data)
    for block in role.permissions:
        for action in SERVICE_BUS_DATA_ACTIONS:
            if _names(block.data_actions, action) and not _names(block.not_data_actions, action):
                data.add(action)
    return {Plane.CONTROL: expanded.control, Plane.DATA: frozenset(data)}


def _names(patterns: Iterable[str], action: str) -> bool:
    return any(not is_oddity(p) and pattern_regex(p).fullmatch(action) for p in patterns)


def grants(
    estate: Estate, identity: Identity, catalog: AzureCatalog, roles: Roles | None = None
) -> Iterator[Grant]:
    """Every (operation, resource) the identity's role assignments grant (see the module)."""
    if gap_support(identity) is not None:
        return
    for held in assignments(estate, identity, catalog, roles):
        yield from _expand(held, catalog)


def _expand(held: Held, catalog: AzureCatalog) -> Iterator[Grant]:
    place = held.assignment.scope.key
    ref = StatementRef(policy_id=held.policy_id, index=0,
                       sid=held.role.name if held.role else held.assignment.role)  # fmt: skip
    evidence: dict[str, Any] = {"role": ref.sid, "scope": place}
    if held.assignment.condition is not None:
        evidence["condition"] = held.assignment.condition
    if held.role is None:
        evidence["unknown_role"] = True
        yield Grant(source=ref, action=ANY_ACTION, resource=place, service=ANY_ACTION,
                    access_level=None, evidence=evidence)  # fmt: skip
        return
    broad = held.assignment.scope.kind is not ScopeKind.RESOURCE
    namespace = None if broad else _namespace(place)
    prefix = _path_prefix(held.assignment.condition)
    for plane, actions in role_actions(catalog, held.role).items():
        for action in sorted(actions):
            if namespace is not None and not action.lower().startswith(namespace + "/"):
                continue  # an operation of another provider acts on nothing here
            info = catalog.info(action)
            yield Grant(
                source=ref,
                action=action,
                resource=_resource(place, action, plane, broad, prefix),
                service=action.split("/", 1)[0].lower(),
                access_level=None if info is None else info.access_level,
                evidence=evidence,
            )


def _namespace(place: str) -> str | None:
    _, found, tail = place.rpartition("/providers/")
    return tail.split("/", 1)[0] if found else None


def _path_prefix(condition: str | None) -> str | None:
    """The blob path prefix an assignment's condition narrows blob access to, when it is the
    one comparison on the path that the condition makes."""
    if condition is None:
        return None
    found = _PATH_PREFIX.findall(condition)
    return found[0].replace("\\'", "'") if len(set(found)) == 1 else None


def _resource(place: str, action: str, plane: Plane, broad: bool, prefix: str | None) -> str:
    if broad or plane is not Plane.DATA or not action.lower().startswith(_BLOB_DATA):
        return place
    found = _STORAGE.match(place)
    if found is None:
        return place
    container = found.group(3) or ANY
    return f"{found.group(1)}/blobservices/default/containers/{container}/blobs/{prefix or ''}*"


def unjudged(need: Need) -> str | None:
    """Why no Azure RBAC assignment can meet ``need`` (Cosmos DB's data plane), else None."""
    if need.provider is Provider.AZURE and need.action in COSMOS_DATA_ACTIONS:
        return COSMOS_UNJUDGED
    return None


def gap_needs(
    estate: Estate,
    identity: Identity,
    needs: Iterable[Need],
    catalog: AzureCatalog,
    roles: Roles | None = None,
) -> tuple[Need, ...]:
    """``needs``' Azure ones as grants name resources (lower-cased ARM ids: a raw step's are as
    written), implicit scopes bound to the identity's assignment scopes (``bind``). Cosmos DB
    data needs are kept (the least privilege grants them): ``unjudged`` sets them aside."""
    held = assignments(estate, identity, catalog, roles)
    scopes = sorted({h.assignment.scope.key for h in held})
    return tuple(
        replace(n, resource=bind(arm_key(n.resource), scopes), account_implicit=False)
        for n in needs
        if n.provider is Provider.AZURE
    )


def bind(resource: str, scopes: Iterable[str]) -> str:
    """``resource`` with an implicit subscription and resource group (``*``) filled in from the
    first of ``scopes`` (sorted) that can hold it: a subscription (the group stays ``*``: any
    group of it), a resource group, or a resource the need is in. Unchanged when none can."""
    found = _IMPLICIT.match(resource)
    if found is None:
        return resource
    subscription, group, tail = found.groups()
    for scope in sorted(scopes):
        parts = scope.strip("/").split("/")
        if len(parts) < 2 or parts[0] != "subscriptions":
            continue
        if subscription not in (ANY, parts[1]):
            continue
        if len(parts) == 2:
            return f"/subscriptions/{parts[1]}/resourcegroups/{group}{tail}"
        if group not in (ANY, parts[3]):
            continue
        bound = f"/subscriptions/{parts[1]}/resourcegroups/{parts[3]}{tail}"
        if len(parts) == 4 or bound.startswith(scope + "/"):
            return bound
    return resource


def probe(resource: str) -> Probe:
    """The ARM scope the authorizer evaluates a need or grant on, and the ABAC attributes the
    request carries: a blob's on its container with the blob path (the prefix, up to its first
    wildcard) as ``@Resource[…/blobs:path]``; a Cosmos DB one on its account."""
    head, marker, path = resource.partition("/blobs/")
    if marker:
        glob = re.search(r"[*?\[]", path)
        return Probe(resource=head, context={PATH: path[: glob.start()] if glob else path})
    head, marker, _ = resource.partition("/dbs/")
    return Probe(resource=head if marker else resource)

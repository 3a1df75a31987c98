"""What only a live scan reads of ARM, to records: pure (docs/dev/azure-records.md section 3,
"live"). Deny assignments → ``Policy(kind=azure-deny-assignment)`` attached to their scope;
user-assigned identities and their federated credentials (``Policy(kind=entra-federated-
credentials)``, the identity's ``trust_policy``); the compute carrying identities, from each
resource's ``identity`` block (``type`` compared without spaces or case; ``principalId`` the
system-assigned identity, ``userAssignedIdentities`` keyed by identity ARM id, each with its
``principalId``): the resource ``runs_as`` the system-assigned identity (else the first
user-assigned one) and ``also_runs_as`` the others."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from nhiscan.connectors.azure import ids, rbac
from nhiscan.connectors.azure import records as to
from nhiscan.connectors.azure.arm import ArmData, SubscriptionData
from nhiscan.connectors.azure.arm_shape import flat
from nhiscan.connectors.azure.shape import arm_id, guid, obj, opt_text, text
from nhiscan.scanner.model import Policy, PolicyKind, Provider, Record, Resource


def denies(s: SubscriptionData) -> Iterator[Policy]:
    source = f"GET /subscriptions/{s.id}/providers/Microsoft.Authorization/denyAssignments"
    for index, entry in enumerate(s.deny_assignments or []):
        where = f"{source}: $.value[{index}]"
        deny = flat(entry, where)
        deny_id = arm_id(text(deny.get("id"), f"{where}.id"), f"{where}.id")
        scope = arm_id(text(deny.get("scope"), f"{where}.scope"), f"{where}.scope")
        yield Policy(
            provider=Provider.AZURE, id=deny_id,
            name=opt_text(deny, "denyAssignmentName", where) or ids.last_segment(deny_id),
            kind=PolicyKind.AZURE_DENY_ASSIGNMENT, account=ids.subscription_of(scope),
            document=deny, attached_to=(scope,),
        )  # fmt: skip


def identities(s: SubscriptionData, tenant: str, trust: dict[str, str]) -> Iterator[Record]:
    """User-assigned identities (each runs as its service principal) and their federated
    credentials."""
    source = f"GET /subscriptions/{s.id}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"
    for index, entry in enumerate(s.identities or []):
        where = f"{source}: $.value[{index}]"
        identity = flat(entry, where)
        written = text(identity.get("id"), f"{where}.id")
        identity_id = arm_id(written, f"{where}.id")
        principal = guid(identity.get("principalId"), f"{where}.principalId")
        yield from _with_group(rbac.identity_resource(identity_id, principal=principal,
                                                      written=written), written)  # fmt: skip
        found = s.federated.get(identity_id)
        if found:
            at = f"GET {written}/federatedIdentityCredentials: $.value"
            policy = to.federated_policy(
                identity_id, [flat(f, f"{at}[{i}]") for i, f in enumerate(found)], at,
                tenant=tenant,
            )  # fmt: skip
            trust[principal] = policy.id
            yield policy


def _with_group(resource: Resource, written: str) -> Iterator[Resource]:
    yield resource
    group = ids.resource_group_of(resource.id)
    if group is not None:
        yield rbac.resource_group(group, written)


def compute(s: SubscriptionData, data: ArmData) -> Iterator[tuple[Resource, str]]:
    """The compute carrying identities, each with every identity it runs as (and its id as
    ARM wrote it)."""
    principals = _user_assigned(data)
    for operation, found in sorted(s.compute.items()):
        for index, entry in enumerate(found or []):
            where = f"{operation} (subscription {s.id}): $.value[{index}]"
            resource = obj(entry, where)
            block = resource.get("identity")
            if block is None:
                continue  # no identity: runs as nobody
            written = text(resource.get("id"), f"{where}.id")
            runs = _runs_as(obj(block, f"{where}.identity"), f"{where}.identity", principals)
            if not runs:
                continue
            resource_id = arm_id(written, f"{where}.id")
            yield Resource(
                provider=Provider.AZURE, id=resource_id, name=ids.last_segment(written),
                kind=ids.kind_of(resource_id), account=ids.subscription_of(resource_id) or s.id,
                runs_as=runs[0], also_runs_as=tuple(runs[1:]),
            ), written  # fmt: skip


def _user_assigned(data: ArmData) -> dict[str, str]:
    """Identity ARM id (lower) -> principal id, from the identities' lists."""
    found: dict[str, str] = {}
    for s in data.per_subscription:
        for entry in s.identities or []:
            if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
                props = entry.get("properties")
                principal = props.get("principalId") if isinstance(props, Mapping) else None
                if isinstance(principal, str):
                    found[entry["id"].lower()] = principal.lower()
    return found


def _runs_as(block: Mapping[str, Any], where: str, principals: Mapping[str, str]) -> list[str]:
    """The principals of an identity block: the system-assigned one first, then the
    user-assigned ones in the order of their ids."""
    kind = str(block.get("type") or "").replace(" ", "").lower()
    kinds = set(kind.split(","))
    found: list[str] = []
    if "systemassigned" in kinds:
        found.append(guid(block.get("principalId"), f"{where}.principalId"))
    users = block.get("userAssignedIdentities") or {}
    if "userassigned" in kinds:
        users = obj(users, f"{where}.userAssignedIdentities")
        for key in sorted(users, key=str.lower):
            at = f"{where}.userAssignedIdentities[{key!r}]"
            value = obj(users[key] or {}, at)
            principal = value.get("principalId") or principals.get(key.lower())
            found.append(guid(principal, f"{at}.principalId"))
    return found

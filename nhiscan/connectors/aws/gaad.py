"""Pure transforms of GetAccountAuthorizationDetails (GAAD) JSON into records.

The live connector's GAAD call and ``aws iam get-account-authorization-details`` give the same
structure (UserDetailList, GroupDetailList, RoleDetailList, Policies), so both go through
``to_records``. Facts GAAD does not hold (console passwords, MFA, PasswordLastUsed,
MaxSessionDuration, role descriptions) come in as ``UserExtras``/``RoleExtras`` when collected.

A structurally malformed entry raises ``gaad_doc.GaadEntryError`` (naming the list, index and
ARN); a policy document that cannot be decoded is yielded as a ``CollectionGap`` naming it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nhiscan.connectors.aws.gaad_doc import Entry, checked_list, each_entry, one_entry
from nhiscan.connectors.aws.managed import missing_policies
from nhiscan.connectors.aws.wire import (
    DocumentError,
    arn_parts,
    decode_document,
    to_tags,
    to_utc,
)
from nhiscan.scanner.model import (
    CollectionGap,
    GapReason,
    Group,
    Identity,
    IdentityKind,
    Policy,
    PolicyKind,
    Provider,
    Record,
    Resource,
    ResourceKind,
)

GAAD_OPERATION = "iam:GetAccountAuthorizationDetails"
SERVICE_ROLE_PATH = "/aws-service-role/"


@dataclass(frozen=True, slots=True, kw_only=True)
class UserExtras:
    """What the live connector knows about a user beyond GAAD (None: not collected)."""

    console_access: bool | None = None
    password_last_used: datetime | None = None
    mfa_devices: int | None = None
    last_used: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleExtras:
    """What iam:ListRoles adds to GAAD's role entries."""

    description: str | None = None
    max_session_seconds: int | None = None


def to_records(
    gaad: Mapping[str, Any],
    *,
    users: Mapping[str, UserExtras] | None = None,
    roles: Mapping[str, RoleExtras] | None = None,
) -> Iterator[Record]:
    """Every record a GAAD document holds; ``users``/``roles`` are extras keyed by ARN. Managed
    policies referenced but not held come from the bundled copy, each with a gap."""
    records = list(_records(gaad, users or {}, roles or {}))
    yield from records
    yield from missing_policies(records)


def _records(
    gaad: Mapping[str, Any], users: Mapping[str, UserExtras], roles: Mapping[str, RoleExtras]
) -> Iterator[Record]:
    users = users or {}
    roles = roles or {}
    groups = checked_list(gaad.get("GroupDetailList"), "GroupDetailList")
    group_paths = dict(each_entry(groups, "GroupDetailList", _group_key_path))
    yield from each_entry(gaad.get("Policies"), "Policies", to_managed_policy)
    for entry, group in zip(groups, each_entry(groups, "GroupDetailList", to_group), strict=True):
        yield group
        yield from _inline(entry.get("GroupPolicyList"), "GroupPolicyList", group.id)
    for i, entry in enumerate(checked_list(gaad.get("UserDetailList"), "UserDetailList")):
        user = one_entry(
            entry, "UserDetailList", lambda e: to_user(e, group_paths, users.get(e["Arn"])), i
        )
        yield user
        yield from _inline(entry.get("UserPolicyList"), "UserPolicyList", user.id)
    for i, entry in enumerate(checked_list(gaad.get("RoleDetailList"), "RoleDetailList")):
        role = one_entry(entry, "RoleDetailList", lambda e: to_role(e, roles.get(e["Arn"])), i)
        yield role
        yield one_entry(entry, "RoleDetailList", to_trust_policy, i)
        yield from _inline(entry.get("RolePolicyList"), "RolePolicyList", role.id)
        yield from one_entry(entry, "RoleDetailList", lambda e: list(to_instance_profiles(e)), i)


def to_user(
    entry: Entry,
    group_paths: Mapping[tuple[str, str], str] | None = None,
    extras: UserExtras | None = None,
) -> Identity:
    """``group_paths`` maps (account, group name) to the group's path (GAAD gives names)."""
    arn = str(entry["Arn"])
    partition, _, _, account, _ = arn_parts(arn)
    group_paths = group_paths or {}
    more = extras or UserExtras()
    return Identity(
        provider=Provider.AWS,
        id=arn,
        name=str(entry["UserName"]),
        kind=IdentityKind.IAM_USER,
        account=account,
        native_id=entry.get("UserId"),
        path=entry.get("Path"),
        created=to_utc(entry.get("CreateDate")),
        last_used=more.last_used,
        tags=to_tags(entry.get("Tags")),
        policies=_policy_ids(entry, arn, "UserPolicyList"),
        member_of=tuple(
            f"arn:{partition}:iam::{account}:group{group_paths.get((account, name), '/')}{name}"
            for name in entry.get("GroupList") or ()
        ),
        permissions_boundary=_boundary(entry),
        console_access=more.console_access,
        password_last_used=more.password_last_used,
        mfa_devices=more.mfa_devices,
    )


def to_role(entry: Entry, extras: RoleExtras | None = None) -> Identity:
    arn = str(entry["Arn"])
    more = extras or RoleExtras()
    last = entry.get("RoleLastUsed") or {}
    path = entry.get("Path")
    return Identity(
        provider=Provider.AWS,
        id=arn,
        name=str(entry["RoleName"]),
        kind=IdentityKind.IAM_ROLE,
        account=arn_parts(arn)[3],
        native_id=entry.get("RoleId"),
        path=path,
        description=more.description or entry.get("Description") or None,
        created=to_utc(entry.get("CreateDate")),
        last_used=to_utc(last.get("LastUsedDate")),
        last_used_region=last.get("Region") or None,
        tags=to_tags(entry.get("Tags")),
        policies=_policy_ids(entry, arn, "RolePolicyList"),
        permissions_boundary=_boundary(entry),
        trust_policy=f"{arn}#trust",
        max_session_seconds=more.max_session_seconds or entry.get("MaxSessionDuration"),
        service_linked=str(path or "").startswith(SERVICE_ROLE_PATH),
        instance_profiles=tuple(str(p["Arn"]) for p in entry.get("InstanceProfileList") or ()),
    )


def to_group(entry: Entry) -> Group:
    arn = str(entry["Arn"])
    return Group(
        provider=Provider.AWS,
        id=arn,
        name=str(entry["GroupName"]),
        account=arn_parts(arn)[3],
        path=entry.get("Path"),
        created=to_utc(entry.get("CreateDate")),
        policies=_policy_ids(entry, arn, "GroupPolicyList"),
    )


def to_managed_policy(entry: Entry) -> Policy | CollectionGap:
    arn = str(entry["Arn"])
    account = arn_parts(arn)[3]
    default = entry.get("DefaultVersionId")
    versions = entry.get("PolicyVersionList") or ()
    chosen = next((v for v in versions if v.get("IsDefaultVersion")), None)
    if chosen is None:
        chosen = next((v for v in versions if v.get("VersionId") == default), None)
    if chosen is None:
        return _gap(account, arn, "no default version in PolicyVersionList")
    try:
        document = decode_document(chosen["Document"])
    except DocumentError as exc:
        return _gap(account, arn, f"policy document could not be decoded: {exc}")
    aws_managed = account == "aws"
    return Policy(
        provider=Provider.AWS,
        id=arn,
        name=str(entry.get("PolicyName") or arn.rsplit("/", 1)[-1]),
        kind=PolicyKind.AWS_MANAGED if aws_managed else PolicyKind.CUSTOMER_MANAGED,
        account=None if aws_managed else account,
        document=document,
        version=default or chosen.get("VersionId"),
        created=to_utc(entry.get("CreateDate")),
        updated=to_utc(entry.get("UpdateDate")),
    )


def to_inline_policy(owner_arn: str, entry: Entry) -> Policy | CollectionGap:
    name = str(entry["PolicyName"])
    policy_id = f"{owner_arn}#inline/{name}"
    account = arn_parts(owner_arn)[3]
    try:
        document = decode_document(entry["PolicyDocument"])
    except DocumentError as exc:
        return _gap(account, policy_id, f"inline policy document could not be decoded: {exc}")
    return Policy(
        provider=Provider.AWS,
        id=policy_id,
        name=name,
        kind=PolicyKind.INLINE,
        account=account,
        document=document,
        attached_to=(owner_arn,),
    )


def to_trust_policy(entry: Entry) -> Policy | CollectionGap:
    arn = str(entry["Arn"])
    account = arn_parts(arn)[3]
    try:
        document = decode_document(entry["AssumeRolePolicyDocument"])
    except DocumentError as exc:
        return _gap(account, f"{arn}#trust", f"trust policy could not be decoded: {exc}")
    return Policy(
        provider=Provider.AWS,
        id=f"{arn}#trust",
        name=f"{entry['RoleName']} trust policy",
        kind=PolicyKind.TRUST,
        account=account,
        document=document,
        attached_to=(arn,),
    )


def to_instance_profiles(role: Entry) -> Iterator[Resource]:
    """The role's instance profiles; they run as this role."""
    for profile in role.get("InstanceProfileList") or ():
        arn = str(profile["Arn"])
        yield Resource(
            provider=Provider.AWS,
            id=arn,
            name=str(profile["InstanceProfileName"]),
            kind=ResourceKind.INSTANCE_PROFILE,
            account=arn_parts(arn)[3],
            runs_as=str(role["Arn"]),
            tags=to_tags(profile.get("Tags")),
        )


def _policy_ids(entry: Entry, owner_arn: str, inline_list: str) -> tuple[str, ...]:
    managed = [str(p["PolicyArn"]) for p in entry.get("AttachedManagedPolicies") or ()]
    inline = [f"{owner_arn}#inline/{p['PolicyName']}" for p in entry.get(inline_list) or ()]
    return (*managed, *inline)


def _boundary(entry: Entry) -> str | None:
    boundary = entry.get("PermissionsBoundary") or {}
    arn = boundary.get("PermissionsBoundaryArn")
    return str(arn) if arn else None


def _group_key_path(entry: Entry) -> tuple[tuple[str, str], str]:
    return (arn_parts(str(entry["Arn"]))[3], str(entry["GroupName"])), str(entry.get("Path") or "/")


def _gap(account: str, subject: str, detail: str) -> CollectionGap:
    return CollectionGap(
        provider=Provider.AWS,
        scope=account,
        operation=GAAD_OPERATION,
        reason=GapReason.FAILED,
        detail=detail,
        subject=subject,
    )


def _inline(entries: Any, list_name: str, owner_arn: str) -> list[Policy | CollectionGap]:
    where = f"{list_name} of {owner_arn}"
    return each_entry(entries, where, lambda e: to_inline_policy(owner_arn, e))

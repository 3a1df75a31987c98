"""Live IAM: GetAccountAuthorizationDetails in bulk, then only the per-user calls it lacks.

Bulk: GAAD (users, groups, roles, policies), iam:ListUsers (PasswordLastUsed), iam:ListRoles
(MaxSessionDuration, descriptions). Per user, in parallel: ListAccessKeys, GetAccessKeyLastUsed
per key, GetLoginProfile, ListMFADevices. Then the identity providers roles may trust
(``identity_providers.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nhiscan.connectors.aws.calls import Answer, call, pages
from nhiscan.connectors.aws.clients import Clients
from nhiscan.connectors.aws.gaad import RoleExtras, UserExtras, to_records
from nhiscan.connectors.aws.gaad_doc import GAAD_LISTS, GaadEntryError, merge_pages
from nhiscan.connectors.aws.identity_providers import collect_identity_providers
from nhiscan.connectors.aws.wire import absent_if_na, to_utc
from nhiscan.scanner import fingerprint
from nhiscan.scanner.model import (
    CollectionGap,
    Credential,
    CredentialKind,
    CredentialStatus,
    GapReason,
    Provider,
    Record,
)

GAAD_FILTER = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]
PROGRESS_EVERY = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class UserFacts:
    """What the per-user calls found about one user (None: that call failed)."""

    arn: str
    keys: tuple[Mapping[str, Any], ...] = ()
    key_last_used: Mapping[str, Mapping[str, Any]]  # key id -> AccessKeyLastUsed
    login_profile: Mapping[str, Any] | None = None
    console_access: bool | None = None
    mfa_devices: int | None = None
    gaps: tuple[CollectionGap, ...] = ()


def collect_iam(
    clients: Clients, account: str, *, pool: Executor, progress: Callable[[str], None]
) -> Iterator[Record]:
    iam = clients.client("iam")
    progress(f"aws {account}: iam authorization details")
    gaad = call_gaad(iam, scope=account)
    listed_users = pages(iam, "ListUsers", scope=account)
    listed_roles = pages(iam, "ListRoles", scope=account)
    for answer in (gaad, listed_users, listed_roles):
        if answer.gap is not None:
            yield answer.gap
    document = _document(gaad, listed_users, listed_roles)
    users = [u for u in document["UserDetailList"] if _named(u)]  # to_records reports the rest
    facts = _user_facts(iam, users, account=account, pool=pool, progress=progress)
    last_password = {
        u["Arn"]: to_utc(u.get("PasswordLastUsed")) for u in listed_users.items("Users")
    }
    extras: dict[str, UserExtras] = {}
    for fact in facts:
        yield from fact.gaps
        yield from to_user_credentials(fact, account=account, password_used=last_password)
        extras[fact.arn] = to_user_extras(fact, last_password.get(fact.arn))
    role_extras = {r["Arn"]: to_role_extras(r) for r in listed_roles.items("Roles")}
    yield from _transformed(document, extras, role_extras, account=account)
    progress(f"aws {account}: iam identity providers")
    yield from collect_identity_providers(iam, account)


def _transformed(
    document: dict[str, list[Any]],
    users: Mapping[str, UserExtras],
    roles: Mapping[str, RoleExtras],
    *,
    account: str,
) -> list[Record]:
    """The GAAD records; an entry AWS gave in a shape we cannot read is a gap, not a crash."""
    try:
        return list(to_records(document, users=users, roles=roles))
    except GaadEntryError as exc:
        return [
            CollectionGap(
                provider=Provider.AWS,
                scope=account,
                operation="iam:GetAccountAuthorizationDetails",
                reason=GapReason.FAILED,
                detail=f"an entry of the answer could not be read: {exc}",
            )
        ]


def _named(user: Any) -> bool:
    return isinstance(user, Mapping) and "Arn" in user and "UserName" in user


def call_gaad(iam: Any, *, scope: str) -> Answer:
    """Every page of GetAccountAuthorizationDetails, all entity and policy kinds."""
    return pages(iam, "GetAccountAuthorizationDetails", scope=scope, Filter=GAAD_FILTER)


def _document(gaad: Answer, users: Answer, roles: Answer) -> dict[str, list[Any]]:
    """GAAD's document; without GAAD, the users and roles that ListUsers/ListRoles gave."""
    if gaad.value:
        return merge_pages(gaad.value)
    fallback: dict[str, list[Any]] = {name: [] for name in GAAD_LISTS}
    fallback["UserDetailList"] = users.items("Users")
    fallback["RoleDetailList"] = roles.items("Roles")
    return fallback


def _user_facts(
    iam: Any,
    users: list[Mapping[str, Any]],
    *,
    account: str,
    pool: Executor,
    progress: Callable[[str], None],
) -> list[UserFacts]:
    futures = [
        pool.submit(fetch_user_facts, iam, u["Arn"], u["UserName"], scope=account) for u in users
    ]
    done: list[UserFacts] = []
    for future in futures:
        done.append(future.result())
        if len(done) % PROGRESS_EVERY == 0 or len(done) == len(users):
            progress(f"aws {account}: users {len(done)}/{len(users)}")
    return done


def fetch_user_facts(iam: Any, arn: str, name: str, *, scope: str) -> UserFacts:
    gaps: list[CollectionGap] = []

    def keep(answer: Answer) -> Answer:
        if answer.gap is not None:
            gaps.append(answer.gap)
        return answer

    keys = keep(pages(iam, "ListAccessKeys", scope=scope, subject=arn, UserName=name))
    last_used: dict[str, Mapping[str, Any]] = {}
    for key in keys.items("AccessKeyMetadata"):
        key_id = key["AccessKeyId"]
        used = keep(
            call(iam, "GetAccessKeyLastUsed", scope=scope, subject=key_id, AccessKeyId=key_id)
        )
        if used.ok:
            last_used[key_id] = used.value.get("AccessKeyLastUsed") or {}
    login = keep(
        call(
            iam, "GetLoginProfile", scope=scope, subject=arn, absent={"NoSuchEntity"}, UserName=name
        )
    )
    mfa = keep(pages(iam, "ListMFADevices", scope=scope, subject=arn, UserName=name))
    return UserFacts(
        arn=arn,
        keys=tuple(keys.items("AccessKeyMetadata")),
        key_last_used=last_used,
        login_profile=login.value.get("LoginProfile") if login.ok else None,
        console_access=None if login.gap else login.ok,
        mfa_devices=None if mfa.gap else len(mfa.items("MFADevices")),
        gaps=tuple(gaps),
    )


def to_user_credentials(
    facts: UserFacts, *, account: str, password_used: Mapping[str, datetime | None]
) -> Iterator[Credential]:
    for key in facts.keys:
        last = facts.key_last_used.get(key["AccessKeyId"])
        yield to_access_key(key, last, user_arn=facts.arn, account=account)
    if facts.login_profile is not None:
        yield to_password(
            facts.login_profile,
            user_arn=facts.arn,
            account=account,
            last_used=password_used.get(facts.arn),
        )


def to_access_key(
    key: Mapping[str, Any], last_used: Mapping[str, Any] | None, *, user_arn: str, account: str
) -> Credential:
    """An access key; ``last_used`` is GetAccessKeyLastUsed's AccessKeyLastUsed (None: unknown)."""
    key_id = str(key["AccessKeyId"])
    used = last_used or {}
    active = str(key.get("Status", "")).lower() == "active"
    return Credential(
        provider=Provider.AWS,
        id=key_id,
        identity=user_arn,
        kind=CredentialKind.ACCESS_KEY,
        account=account,
        status=CredentialStatus.ACTIVE if active else CredentialStatus.INACTIVE,
        created=to_utc(key.get("CreateDate")),
        last_used=to_utc(used.get("LastUsedDate")),
        last_used_service=absent_if_na(used.get("ServiceName")),
        last_used_region=absent_if_na(used.get("Region")),
        fingerprint=fingerprint.aws_access_key(key_id),
    )


def to_password(
    profile: Mapping[str, Any], *, user_arn: str, account: str, last_used: datetime | None
) -> Credential:
    """A console password (login profile); ``last_used`` is the user's PasswordLastUsed."""
    return Credential(
        provider=Provider.AWS,
        id=f"{user_arn}#password",
        identity=user_arn,
        kind=CredentialKind.PASSWORD,
        account=account,
        status=CredentialStatus.ACTIVE,
        created=to_utc(profile.get("CreateDate")),
        last_used=last_used,
    )


def to_user_extras(facts: UserFacts, password_last_used: datetime | None) -> UserExtras:
    """Console access, MFA and the latest use seen (password or any access key)."""
    used = [to_utc(u.get("LastUsedDate")) for u in facts.key_last_used.values()]
    seen = [d for d in (*used, password_last_used) if d is not None]
    return UserExtras(
        console_access=facts.console_access,
        password_last_used=password_last_used,
        mfa_devices=facts.mfa_devices,
        last_used=max(seen) if seen else None,
    )


def to_role_extras(listed: Mapping[str, Any]) -> RoleExtras:
    """From one iam:ListRoles entry."""
    seconds = listed.get("MaxSessionDuration")
    return RoleExtras(
        description=listed.get("Description") or None,
        max_session_seconds=int(seconds) if seconds is not None else None,
    )

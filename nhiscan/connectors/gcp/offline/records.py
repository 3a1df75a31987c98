"""Assets to records (pure): the mapping of docs/dev/gcp-plan.md section 2.1.

Projects are ``Account`` records (id = project id, parents root-down, native_id = number) with a
``gcp-project`` resource; organizations and folders are resources; service accounts are
identities (id = e-mail); keys are credentials (``sa-key`` or ``sa-system-key``); every allow
policy is an ``iam-allow`` policy attached to its resource's full name; custom roles are
``custom-role`` policies; a ``group:`` member of a binding is a ``Group``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from nhiscan.connectors.gcp.offline.hierarchy import CRM, Hierarchy, short_name
from nhiscan.connectors.gcp.offline.shape import Asset, parse_time
from nhiscan.connectors.gcp.offline.types import (
    POLICY_RESOURCE_KINDS,
    PROJECT,
    ROLE,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_KEY,
)
from nhiscan.providers.gcp.service_agents import service_agent
from nhiscan.scanner.fingerprint import gcp_sa_key
from nhiscan.scanner.model import (
    Account,
    Credential,
    CredentialKind,
    CredentialStatus,
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

GCP = Provider.GCP
IAM = "//iam.googleapis.com/"
DISABLE_REASONS = {
    "SERVICE_ACCOUNT_KEY_DISABLE_REASON_USER_INITIATED": "user",
    "SERVICE_ACCOUNT_KEY_DISABLE_REASON_EXPOSED": "exposed",
    "SERVICE_ACCOUNT_KEY_DISABLE_REASON_COMPROMISE_DETECTED": "compromise-detected",
}
ORIGINS = {"USER_PROVIDED": "user-provided", "GOOGLE_PROVIDED": "google-provided"}
NODE_KINDS = {
    "organizations": ResourceKind.GCP_ORGANIZATION,
    "folders": ResourceKind.GCP_FOLDER,
    "projects": ResourceKind.GCP_PROJECT,
}


class Names:
    """Canonical full names: a project by its id, a service account by its e-mail."""

    def __init__(self, hierarchy: Hierarchy, assets: Mapping[str, Asset]) -> None:
        self.hierarchy = hierarchy
        self.emails: dict[str, str] = {}  # uniqueId -> e-mail
        for asset in assets.values():
            data = asset.data or {}
            if asset.asset_type == SERVICE_ACCOUNT and isinstance(data.get("email"), str):
                self.emails[short_name(asset.name).split("/")[-1]] = data["email"]
                if isinstance(data.get("uniqueId"), str):
                    self.emails[data["uniqueId"]] = data["email"]

    def email(self, account: str) -> str:
        return self.emails.get(account, account)

    def full(self, name: str) -> str:
        parts = short_name(name).split("/")
        if name.startswith(CRM) and len(parts) == 2 and parts[0] == "projects":
            return CRM + self.hierarchy.node(short_name(name))
        if name.startswith(IAM) and len(parts) >= 4 and parts[2] == "serviceAccounts":
            parts[3] = self.email(parts[3])
            return IAM + "/".join(parts)
        return name


def hierarchy_records(hierarchy: Hierarchy, policies: Mapping[str, str]) -> Iterator[Record]:
    """An account per project, a resource per organization, folder and project."""
    for node in hierarchy.nodes:
        kind, _, value = node.partition("/")
        chain = hierarchy.chain(node)
        name = hierarchy.names.get(node, node)
        policy = policies.get(CRM + node)
        if kind == "projects":
            number = next((n for n, i in hierarchy.project_ids.items() if i == value), None)
            org = chain[0] if chain and chain[0].startswith("organizations/") else None
            yield Account(
                provider=GCP, id=value, name=hierarchy.names.get(node), org_id=org,
                parents=chain, native_id=number or (value if value.isdigit() else None),
            )  # fmt: skip
            account = value
        else:
            account = chain[0] if chain else node
        if kind in NODE_KINDS:
            yield Resource(
                provider=GCP, id=node, name=name, kind=NODE_KINDS[kind], account=account,
                policy=policy,
            )  # fmt: skip


# GCP service accounts carry no labels or tags: `key=value` (or `key: value`) words in the
# description are read as tags, so an owner written there (`owner=team-payments`) counts for
# NHI007 like an AWS owner tag (README, "GCP offline").
_DESCRIBED_TAG = re.compile(r"\b([A-Za-z][\w.-]{0,62})\s*[=:]\s*([^\s,;]+)")


def described_tags(description: str | None) -> dict[str, str]:
    """The `key=value` words of a service account's description, first of each key kept."""
    tags: dict[str, str] = {}
    for key, value in _DESCRIBED_TAG.findall(description or ""):
        tags.setdefault(key, value)
    return tags


def service_account(asset: Asset, project: str) -> Identity:
    data = asset.data or {}
    email = data.get("email") or short_name(asset.name).split("/")[-1]
    return Identity(
        provider=GCP, id=email, name=email.split("@", 1)[0], kind=IdentityKind.SERVICE_ACCOUNT,
        account=project, native_id=data.get("uniqueId"), path=data.get("displayName"),
        description=data.get("description"), disabled=bool(data.get("disabled", False)),
        is_human=False, human_reason="GCP service account",
        service_linked=True if service_agent(email) is not None else None,
        tags=described_tags(data.get("description")),
    )  # fmt: skip


def key(asset: Asset, project: str, names: Names, now: datetime) -> Credential:
    data = asset.data or {}
    parts = short_name(str(data.get("name") or asset.name)).split("/")
    key_id, account = parts[-1], names.email(parts[3] if len(parts) > 3 else "")
    created = parse_time(data["validAfterTime"]) if data.get("validAfterTime") else None
    expires = parse_time(data["validBeforeTime"]) if data.get("validBeforeTime") else None
    if expires is not None and expires.year >= 9999:
        expires = None  # what the API writes for a key that never expires
    disabled = bool(data.get("disabled", False))
    if disabled:
        status = CredentialStatus.INACTIVE
    elif expires is not None and expires <= now:
        status = CredentialStatus.EXPIRED
    else:
        status = CredentialStatus.ACTIVE
    system = data.get("keyType") == "SYSTEM_MANAGED"
    return Credential(
        provider=GCP, id=key_id, identity=account,
        kind=CredentialKind.SA_SYSTEM_KEY if system else CredentialKind.SA_KEY,
        account=project, status=status, created=created, expires=expires,
        fingerprint=gcp_sa_key(key_id), origin=ORIGINS.get(str(data.get("keyOrigin"))),
        status_reason=DISABLE_REASONS.get(str(data.get("disableReason"))) if disabled else None,
    )  # fmt: skip


def custom_role(asset: Asset, project: str | None) -> Policy:
    data = dict(asset.data or {})
    role = str(data.get("name") or short_name(asset.name))
    return Policy(
        provider=GCP, id=role, name=str(data.get("title") or role.rsplit("/", 1)[-1]),
        kind=PolicyKind.CUSTOM_ROLE, account=project if role.startswith("projects/") else None,
        document=data,
    )  # fmt: skip


def allow_policy(full_name: str, policy: Mapping[str, Any], project: str | None) -> Policy:
    version = policy.get("version")
    return Policy(
        provider=GCP, id=f"{full_name}#iam", name=short_name(full_name), kind=PolicyKind.IAM_ALLOW,
        account=project, document=dict(policy),
        version=None if version is None else str(version), attached_to=(full_name,),
    )  # fmt: skip


def policy_resource(asset: Asset, full_name: str, project: str) -> Resource | None:
    kind = POLICY_RESOURCE_KINDS.get(asset.asset_type)
    if kind is None:
        return None
    return Resource(
        provider=GCP, id=full_name, name=full_name.rsplit("/", 1)[-1], kind=kind, account=project,
        policy=f"{full_name}#iam" if asset.iam_policy is not None else None,
    )  # fmt: skip


def groups(policy: Mapping[str, Any], account: str) -> Iterator[Group]:
    for binding in policy.get("bindings", []):
        for member in binding.get("members", []):
            if member.startswith("group:"):
                yield Group(provider=GCP, id=member, name=member[len("group:") :], account=account)


def reads_resource(asset: Asset) -> bool:
    return asset.asset_type in (SERVICE_ACCOUNT, SERVICE_ACCOUNT_KEY, ROLE, PROJECT)

"""GCP objects to records (pure), shared by the live connector and the offline reader so that
the same data gives the same records (docs/dev/gcp-plan.md section 2.1).

Each function takes the object in its REST (JSON) form: a Cloud Asset export's
``resource.data`` of a service account, key or role is that same form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from nhiscan.connectors.gcp.times import parse_time
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
    Resource,
    ResourceKind,
)

GCP = Provider.GCP
CRM = "//cloudresourcemanager.googleapis.com/"
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


def short_name(full_name: str) -> str:
    """``projects/acme/serviceAccounts/x`` of ``//iam.googleapis.com/projects/acme/...``."""
    return full_name.split("/", 3)[3] if full_name.startswith("//") else full_name


def project_account(
    project_id: str, *, name: str | None, number: str | None, parents: tuple[str, ...]
) -> Account:
    """A project: id = project id, parents root-down (``organizations/N``, ``folders/N``)."""
    org = parents[0] if parents and parents[0].startswith("organizations/") else None
    return Account(
        provider=GCP, id=project_id, name=name, org_id=org, parents=parents, native_id=number,
    )  # fmt: skip


def node_resource(node: str, *, name: str, account: str, policy: str | None) -> Resource | None:
    """The resource of an organization, folder or project node (``projects/ID``)."""
    kind = NODE_KINDS.get(node.partition("/")[0])
    if kind is None:
        return None
    return Resource(provider=GCP, id=node, name=name, kind=kind, account=account, policy=policy)


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


def service_account(data: Mapping[str, Any], project: str, *, fallback: str = "") -> Identity:
    """A service account (IAM v1 ``ServiceAccount``); id = its e-mail."""
    email = str(data.get("email") or fallback)
    agent = service_agent(email)
    return Identity(
        provider=GCP, id=email, name=email.split("@", 1)[0], kind=IdentityKind.SERVICE_ACCOUNT,
        account=project, native_id=data.get("uniqueId"), path=data.get("displayName"),
        description=data.get("description"), disabled=bool(data.get("disabled", False)),
        is_human=False, human_reason=agent or "GCP service account",
        service_linked=True if agent else None, tags=described_tags(data.get("description")),
    )  # fmt: skip


def key_status(disabled: bool, expires: datetime | None, now: datetime) -> CredentialStatus:
    if disabled:
        return CredentialStatus.INACTIVE
    if expires is not None and expires <= now:
        return CredentialStatus.EXPIRED
    return CredentialStatus.ACTIVE


def key(data: Mapping[str, Any], project: str, account: str, now: datetime) -> Credential:
    """A service-account key (IAM v1 ``ServiceAccountKey``) of the account ``account`` (e-mail).
    A validBeforeTime in year 9999 or later is "never expires"; the private key is never read."""
    key_id = short_name(str(data.get("name") or "")).split("/")[-1]
    created = parse_time(data["validAfterTime"]) if data.get("validAfterTime") else None
    expires = parse_time(data["validBeforeTime"]) if data.get("validBeforeTime") else None
    if expires is not None and expires.year >= 9999:
        expires = None  # what the API writes for a key that never expires
    disabled = bool(data.get("disabled", False))
    system = data.get("keyType") == "SYSTEM_MANAGED"
    return Credential(
        provider=GCP, id=key_id, identity=account,
        kind=CredentialKind.SA_SYSTEM_KEY if system else CredentialKind.SA_KEY,
        account=project, status=key_status(disabled, expires, now), created=created,
        expires=expires, fingerprint=gcp_sa_key(key_id),
        origin=ORIGINS.get(str(data.get("keyOrigin"))),
        status_reason=DISABLE_REASONS.get(str(data.get("disableReason"))) if disabled else None,
    )  # fmt: skip


def custom_role(data: Mapping[str, Any], project: str | None, *, fallback: str = "") -> Policy:
    """A custom role (IAM v1 ``Role`` with includedPermissions, stage, deleted)."""
    role = str(data.get("name") or fallback)
    return Policy(
        provider=GCP, id=role, name=str(data.get("title") or role.rsplit("/", 1)[-1]),
        kind=PolicyKind.CUSTOM_ROLE, account=project if role.startswith("projects/") else None,
        document=dict(data),
    )  # fmt: skip


def allow_policy(full_name: str, policy: Mapping[str, Any], project: str | None) -> Policy:
    """The allow policy (IAM ``Policy``, as returned) attached to ``full_name``."""
    version = policy.get("version")
    return Policy(
        provider=GCP, id=f"{full_name}#iam", name=short_name(full_name), kind=PolicyKind.IAM_ALLOW,
        account=project, document=dict(policy),
        version=None if version is None else str(version), attached_to=(full_name,),
    )  # fmt: skip


def deny_policy(data: Mapping[str, Any], attachment: str, project: str | None) -> Policy:
    """An IAM v2 deny policy (with its rules) attached to ``attachment`` (a full name)."""
    name = str(data.get("name") or "")
    return Policy(
        provider=GCP, id=name, name=str(data.get("displayName") or name.rsplit("/", 1)[-1]),
        kind=PolicyKind.IAM_DENY, account=project, document=dict(data), attached_to=(attachment,),
    )  # fmt: skip


def groups(policy: Mapping[str, Any], account: str) -> Iterator[Group]:
    """A ``Group`` per ``group:`` member of the policy's bindings."""
    for binding in policy.get("bindings", []):
        for member in binding.get("members", []):
            if member.startswith("group:"):
                yield Group(provider=GCP, id=member, name=member[len("group:") :], account=account)


# Workload identity federation (issue #20). The IAM v1 REST resources WorkloadIdentityPool and
# WorkloadIdentityPoolProvider (cloud.google.com/iam/docs/reference/rest/v1/
# projects.locations.workloadIdentityPools and .../workloadIdentityPools.providers; the same
# JSON is a Cloud Asset export's ``resource.data`` for the asset types
# ``iam.googleapis.com/WorkloadIdentityPool`` and ``…/WorkloadIdentityPoolProvider``):
# ``name`` ``projects/NUMBER/locations/global/workloadIdentityPools/POOL[/providers/ID]``,
# ``state`` (ACTIVE, DELETED), ``disabled``, and for providers ``attributeMapping``,
# ``attributeCondition``, ``oidc.issuerUri``, ``oidc.allowedAudiences``, ``aws.accountId``,
# ``saml.idpMetadataXml``. Kept whole as the policy's document; the analysis reads it
# (``providers/gcp/federation.py``).
def workload_pool(data: Mapping[str, Any], project: str, *, fallback: str = "") -> Policy:
    """A workload identity pool: its principals are what ``principal://`` and
    ``principalSet://`` members of bindings name."""
    name = short_name(str(data.get("name") or fallback))
    return Policy(
        provider=GCP, id=name, name=str(data.get("displayName") or name.rsplit("/", 1)[-1]),
        kind=PolicyKind.GCP_WORKLOAD_POOL, account=project, document=dict(data),
    )  # fmt: skip


def workload_provider(data: Mapping[str, Any], project: str, *, fallback: str = "") -> Policy:
    """A workload identity pool provider: the issuer its pool trusts and the attribute mapping
    and condition its tokens pass; attached to its pool."""
    name = short_name(str(data.get("name") or fallback))
    pool = name.partition("/providers/")[0]
    return Policy(
        provider=GCP, id=name, name=str(data.get("displayName") or name.rsplit("/", 1)[-1]),
        kind=PolicyKind.GCP_WORKLOAD_PROVIDER, account=project, document=dict(data),
        attached_to=(pool,),
    )  # fmt: skip

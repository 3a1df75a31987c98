"""Hand-built GCP records: an organization 93422, folder 82001, project acme-prod (number
411224356) below it, and helpers for service accounts, keys, allow/deny policies and roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nhiscan.providers.gcp.authz import GcpAuthorizer
from nhiscan.providers.gcp.catalog import default_catalog
from nhiscan.providers.gcp.hierarchy import Hierarchy
from nhiscan.providers.gcp.roles import RoleBook
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import (
    Account,
    Credential,
    CredentialKind,
    CredentialStatus,
    Identity,
    IdentityKind,
    Policy,
    PolicyKind,
    Provider,
    Resource,
    ResourceKind,
)
from tests import factories as f

GCP = Provider.GCP
ORG = "organizations/93422"
FOLDER = "folders/82001"
PROJECT = "acme-prod"
NUMBER = "411224356"
CRM = "//cloudresourcemanager.googleapis.com/"


def project(pid: str = PROJECT, *, parents: tuple[str, ...] = (ORG, FOLDER), **kw: Any) -> Account:
    number = kw.pop("native_id", NUMBER if pid == PROJECT else None)
    return Account(
        provider=GCP, id=pid, name=pid, org_id=ORG, parents=parents, native_id=number, **kw
    )


def email(name: str, pid: str = PROJECT) -> str:
    return f"{name}@{pid}.iam.gserviceaccount.com"


def sa(name: str, pid: str = PROJECT, **kw: Any) -> Identity:
    fields: dict[str, Any] = {"provider": GCP, "id": email(name, pid), "name": name,
                              "kind": IdentityKind.SERVICE_ACCOUNT, "account": pid}  # fmt: skip
    return Identity(**{**fields, **kw})


def sa_name(identity: Identity | str) -> str:
    mail = identity if isinstance(identity, str) else identity.id
    pid = mail.split("@", 1)[1].split(".", 1)[0]
    return f"//iam.googleapis.com/projects/{pid}/serviceAccounts/{mail}"


def crm(scope: str) -> str:
    """The Resource Manager full name of a scope (``acme-prod`` -> ``…/projects/acme-prod``)."""
    return CRM + (scope if "/" in scope else f"projects/{scope}")


def binding(role: str, *members: str, condition: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"role": role, "members": list(members)}
    if condition is not None:
        found["condition"] = {"title": "c", "expression": condition}
    return found


def allow(on: str, *bindings: dict[str, Any], account: str | None = None) -> Policy:
    """The allow policy attached to ``on`` (a scope id or a full resource name)."""
    name = crm(on) if not on.startswith("//") else on
    return Policy(provider=GCP, id=f"{name}#iam", name=on, kind=PolicyKind.IAM_ALLOW,
                  account=account, document={"version": 3, "bindings": list(bindings)},
                  version="3", attached_to=(name,))  # fmt: skip


def deny(on: str, *rules: dict[str, Any]) -> Policy:
    name = crm(on) if not on.startswith("//") else on
    document = {"name": f"policies/{on}/denypolicies/d", "rules": [{"denyRule": r} for r in rules]}
    return Policy(provider=GCP, id=f"{name}#deny", name="d", kind=PolicyKind.IAM_DENY,
                  account=None, document=document, attached_to=(name,))  # fmt: skip


def custom_role(role_id: str, *permissions: str, deleted: bool = False) -> Policy:
    document: dict[str, Any] = {"name": role_id, "includedPermissions": list(permissions)}
    if deleted:
        document["deleted"] = True
    return Policy(provider=GCP, id=role_id, name=role_id.rsplit("/", 1)[-1],
                  kind=PolicyKind.CUSTOM_ROLE, account=PROJECT, document=document)  # fmt: skip


def bucket(name: str, pid: str = PROJECT, **kw: Any) -> Resource:
    rid = f"//storage.googleapis.com/projects/_/buckets/{name}"
    return Resource(provider=GCP, id=rid, name=name, kind=ResourceKind.GCS_BUCKET, account=pid,
                    policy=kw.pop("policy", None), **kw)  # fmt: skip


def folder(fid: str = FOLDER, org: str = ORG) -> Resource:
    return Resource(provider=GCP, id=fid, name=fid, kind=ResourceKind.GCP_FOLDER, account=org)


def key(owner: Identity, key_id: str = "a" * 40, *, created: datetime, **kw: Any) -> Credential:
    fields: dict[str, Any] = {"provider": GCP, "id": key_id, "identity": owner.id,
                              "kind": CredentialKind.SA_KEY, "account": owner.account,
                              "status": CredentialStatus.ACTIVE, "created": created}  # fmt: skip
    return Credential(**{**fields, **kw})


def estate(*records: Any) -> Estate:
    return f.estate(*records)


def authorizer(*records: Any) -> GcpAuthorizer:
    e = estate(*records)
    roles = RoleBook(default_catalog(), e.policies.values())
    return GcpAuthorizer(e, roles, Hierarchy(e))

"""What the GCP rules share: the customer's service accounts and user-managed keys (service
agents and Google-managed keys are the provider's, never flagged), and the allow policies'
bindings with their parsed members."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nhiscan.providers.gcp.humans import provider_managed
from nhiscan.providers.gcp.members import Member, parse_member
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import (
    Credential,
    CredentialKind,
    Identity,
    Policy,
    PolicyKind,
    Provider,
)

CRM = "//cloudresourcemanager.googleapis.com/"
SA_RESOURCE = "//iam.googleapis.com/projects/"


def user_keys(estate: Estate) -> Iterator[tuple[Credential, Identity | None]]:
    """Each user-managed key of a customer's service account (with the account when it was
    collected), in key id order."""
    for credential in sorted(estate.snapshot.credentials, key=lambda c: (c.identity, c.id)):
        if credential.provider is not Provider.GCP or credential.kind is not CredentialKind.SA_KEY:
            continue
        owner = estate.identities.get(credential.identity)
        if owner is not None and provider_managed(owner):
            continue
        yield credential, owner


def account_name(credential: Credential, owner: Identity | None) -> str:
    return owner.id if owner is not None else credential.identity


@dataclass(frozen=True, slots=True, kw_only=True)
class Bound:
    policy: Policy
    on: str  # the full resource name the policy is attached to
    role: str
    member: str  # as written in the binding
    parsed: Member | None
    conditioned: bool


def bindings(estate: Estate) -> Iterator[Bound]:
    """Every member of every binding of every GCP allow policy, in policy id order."""
    for policy in sorted(estate.policies.values(), key=lambda p: p.id):
        if policy.provider is not Provider.GCP or policy.kind is not PolicyKind.IAM_ALLOW:
            continue
        on = policy.attached_to[0] if policy.attached_to else policy.id.removesuffix("#iam")
        document: Any = policy.document
        for binding in document.get("bindings", []) if isinstance(document, dict) else []:
            role = str(binding.get("role", ""))
            for member in binding.get("members", []):
                yield Bound(
                    policy=policy, on=on, role=role, member=str(member),
                    parsed=parse_member(str(member)), conditioned="condition" in binding,
                )  # fmt: skip


def scope_label(on: str) -> str:
    """``projects/acme-prod`` for a Resource Manager scope, else the resource's short name."""
    return on.removeprefix(CRM) if on.startswith(CRM) else on.removeprefix("//")


def is_scope(on: str) -> bool:
    return on.startswith(CRM)


def is_service_account(on: str) -> bool:
    return on.startswith(SA_RESOURCE) and "/serviceAccounts/" in on

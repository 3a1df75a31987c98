"""Why the neutral "no owner" rule (NHI007) cannot judge an Azure identity (docs/dev/azure-plan.md
5.2; NHI502; issue #15: "no owner" is never claimed without the owners). Pure.

- A managed identity: Entra refuses owners on a managed identity's service principal (even a
  Global Administrator gets 403 Authorization_RequestDenied, MicrosoftDocs/azure-docs issue
  #77020), its credentials are Azure's, and it lives and dies with the Azure resource it belongs
  to, whose role assignments say who answers for it: "no owner" is not a fault anyone can fix.
- A service principal whose live credentials are held by an application (``Credential.holder``)
  that lists no owner: the Azure rule NHI502 reports that application with its credentials at a
  higher severity; the same missing owner, reported once. A service principal with only
  federated credentials (no secret or certificate) still needs an owner and is judged.
- A service principal whose owners were not read: Azure records owners only as read (its own,
  else its application's), so a collection gap on an owners list naming it, its client id (an
  application's owners are listed by appId) or its whole tenant means "unknown", and the gap
  already says so.
"""

from __future__ import annotations

from nhiscan.providers.azure.facts import FACTS
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import (
    CredentialStatus,
    Identity,
    IdentityKind,
    PolicyKind,
    Provider,
)


def unjudged(estate: Estate, identity: Identity) -> str | None:
    """Why NHI007 leaves ``identity``, or None when it may judge it."""
    if identity.kind is IdentityKind.MANAGED_IDENTITY:
        return "a managed identity: Entra keeps no owners on it"
    if _ownerless_holder(estate, identity):
        return "its application lists no owner: NHI502 reports it with its credentials"
    if _owners_unread(estate, identity):
        return "its owners were not read (a collection gap says so)"
    return None


def _ownerless_holder(estate: Estate, identity: Identity) -> bool:
    for key in estate.credentials(identity.id):
        if (
            key.status is not CredentialStatus.ACTIVE
            or key.kind not in FACTS.long_lived_credentials
        ):
            continue
        holder = estate.resources.get(key.holder or "")
        policy = estate.policies.get(holder.policy or "") if holder is not None else None
        if (
            policy is not None
            and policy.kind is PolicyKind.ENTRA_OWNERS
            and isinstance(policy.document, dict)
            and policy.document.get("value") == []
        ):
            return True
    return False


def _owners_unread(estate: Estate, identity: Identity) -> bool:
    """A gap on an owners list (``azure-export:app-owners``, ``azure-export:sp-owners``, live
    ``/applications/{id}/owners``, ``/servicePrincipals/{id}/owners``) naming it or its client
    id, or naming no object in its tenant."""
    names = {identity.id.lower(), (identity.native_id or "").lower()} - {""}
    for gap in estate.snapshot.gaps:
        if gap.provider is not Provider.AZURE or not gap.operation.endswith("owners"):
            continue
        if gap.subject is None and gap.scope.lower() == identity.account.lower():
            return True
        if gap.subject is not None and gap.subject.lower() in names:
            return True
    return False

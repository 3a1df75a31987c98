"""What the Azure rules share: the customer's application credentials (managed identities' and
Microsoft's own are Azure's: never judged), how a title names a tenant, an application and a
scope, and the Entra policies a rule reads (owners, federated credentials, directory roles, app
roles, role assignments), by their kind and the object they are attached to
(``docs/dev/azure-records.md`` section 3; a provider never imports the connector, so the ids are
read from the records, not rebuilt)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nhiscan.rules.common import CREDENTIAL_WORDS, capital
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import (
    Credential,
    CredentialKind,
    Identity,
    IdentityKind,
    Policy,
    PolicyKind,
    Provider,
    Resource,
)

AZ = Provider.AZURE
APP_CREDENTIALS = (CredentialKind.CLIENT_SECRET, CredentialKind.CERTIFICATE)
# signInAudience values of an application other tenants can use (Graph ``application``
# resource: AzureADMyOrg is single-tenant, PersonalMicrosoftAccount is personal accounts only).
MULTI_TENANT = frozenset({"AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount"})


@dataclass(frozen=True, slots=True, kw_only=True)
class AppCredential:
    """A client secret or certificate a customer holds, with what it signs in as and the object
    it lives on: the application (``app``) or the service principal itself (``app`` None)."""

    credential: Credential
    identity: Identity | None  # the service principal (or the lone application) it signs in as
    app: Resource | None  # the application it is on; None: on the service principal itself

    @property
    def holder(self) -> str:
        """The object id of what holds it (the application, else the service principal)."""
        return self.credential.holder or self.credential.identity

    @property
    def app_id(self) -> str | None:
        """The client id (``appId``) code signs in with, when the identity was collected."""
        return self.identity.native_id if self.identity is not None else None

    def words(self) -> str:
        """'client secret <keyId> of application payments-api'."""
        return f"{credential_word(self.credential)} {self.credential.id} of {self.where()}"

    def where(self) -> str:
        if self.app is not None:
            return f"application {self.app.name}"
        if self.identity is None:
            return f"service principal {self.credential.identity}"
        if self.identity.kind is IdentityKind.ENTRA_APPLICATION:
            return f"application {self.identity.name}"
        return f"service principal {self.identity.name}"


def credential_word(credential: Credential) -> str:
    return CREDENTIAL_WORDS.get(credential.kind, credential.kind.value.replace("-", " "))


def azure_owned(identity: Identity | None) -> bool:
    """A managed identity (Azure issues and rotates its certificate) or a Microsoft first-party
    service principal (``service_linked``): not the customer's to fix."""
    if identity is None:
        return False
    return identity.kind is IdentityKind.MANAGED_IDENTITY or identity.service_linked is True


def app_credentials(estate: Estate) -> Iterator[AppCredential]:
    """Each Azure client secret and certificate the customer holds, in (holder, key id) order."""
    found = [
        c for c in estate.snapshot.credentials if c.provider is AZ and c.kind in APP_CREDENTIALS
    ]
    for credential in sorted(found, key=lambda c: (c.holder or c.identity, c.id)):
        identity = estate.identities.get(credential.identity)
        if azure_owned(identity):
            continue
        app = estate.resources.get(credential.holder) if credential.holder else None
        yield AppCredential(credential=credential, identity=identity, app=app)


def live(found: AppCredential, now: datetime) -> bool:
    """Not expired at ``now`` (no end date: live)."""
    expires = found.credential.expires
    return expires is None or expires > now


def tenant_label(estate: Estate, tenant: str | None) -> str:
    """'tenant Contoso (6f1c…)', or 'tenant <id>' when the tenant has no name in the snapshot."""
    if tenant is None:
        return "an unknown tenant"
    for account in estate.snapshot.accounts:
        if account.provider is AZ and account.id == tenant and account.name:
            return f"tenant {account.name} ({tenant})"
    return f"tenant {tenant}"


def subscription_label(estate: Estate, subscription: str) -> str:
    for account in estate.snapshot.accounts:
        if account.provider is AZ and account.id == subscription and account.name:
            return f"subscription {account.name} ({subscription})"
    return f"subscription {subscription}"


def attached(estate: Estate, kind: PolicyKind) -> dict[str, Policy]:
    """The Azure policies of ``kind`` by the object they are attached to."""
    return {
        p.attached_to[0]: p
        for p in estate.policies.values()
        if p.provider is AZ and p.kind is kind and p.attached_to
    }


def entries(policy: Policy | None) -> list[Mapping[str, Any]]:
    """The ``value`` list of an Entra policy as returned (owners, federated credentials,
    directory roles, app roles); nothing for no policy."""
    if policy is None or not isinstance(policy.document, Mapping):
        return []
    value = policy.document.get("value")
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def sign_in_identities(estate: Estate) -> Iterator[Identity]:
    """The customer's Azure service principals and managed identities (Microsoft's own left
    out: their grants are Microsoft's design), in id order."""
    for identity in sorted(estate.identities.values(), key=lambda i: i.id):
        if identity.provider is not AZ or identity.service_linked is True:
            continue
        if identity.kind in (IdentityKind.SERVICE_PRINCIPAL, IdentityKind.MANAGED_IDENTITY):
            yield identity


def identity_words(identity: Identity) -> str:
    word = (
        "managed identity"
        if identity.kind is IdentityKind.MANAGED_IDENTITY
        else ("service principal")
    )
    return f"{word} {identity.name}"


def title_case(text: str) -> str:
    return capital(text)

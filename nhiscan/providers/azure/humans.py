"""``AzureClassifier``: service principals (of applications, legacy ones), managed identities
and applications with no service principal here are machines; Microsoft's first-party service
principals (``appOwnerOrganizationId`` one of Microsoft's tenants, docs/dev/azure-records.md
section 1) are machines the provider manages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nhiscan.providers.azure.directory import MICROSOFT_TENANTS
from nhiscan.scanner.humans import Verdict
from nhiscan.scanner.model import Credential, Identity, IdentityKind, Policy, Provider

MACHINE_KINDS = {
    IdentityKind.SERVICE_PRINCIPAL: "Entra service principal",
    IdentityKind.MANAGED_IDENTITY: "Azure managed identity",
    IdentityKind.ENTRA_APPLICATION: "Entra application",
}


class AzureClassifier:
    def classify(
        self, identity: Identity, credentials: Sequence[Credential], policies: Mapping[str, Policy]
    ) -> Verdict | None:
        if identity.provider is not Provider.AZURE:
            return None
        reason = MACHINE_KINDS.get(identity.kind)
        if reason is None:
            return None
        if provider_managed(identity):
            return Verdict(
                is_human=False, reason=f"{reason} of a Microsoft first-party application"
            )
        subtype = f" ({identity.subtype})" if identity.subtype else ""
        return Verdict(is_human=False, reason=f"{reason}{subtype}")


def provider_managed(identity: Identity) -> bool:
    """Only Microsoft acts as it: the connector says so, or its application is Microsoft's."""
    if identity.provider is not Provider.AZURE:
        return False
    home = (identity.home_account or "").lower()
    return identity.service_linked is True or home in MICROSOFT_TENANTS

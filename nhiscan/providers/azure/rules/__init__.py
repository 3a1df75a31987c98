"""The Azure provider's rules (NHI500+): application credentials past or near their end, valid
too long, on an application nobody owns, kept beside federated credentials; service principals
with role administration at a subscription or above, privileged directory roles or dangerous
Microsoft Graph permissions; multi-tenant applications with credentials and broad permissions.
``RULES`` is the provider's part of the rule registry (``nhiscan.rules.provider``); its registry
entry names this module. Managed identities' certificates and Microsoft's first-party service
principals are never flagged (``common.azure_owned``)."""

from __future__ import annotations

from nhiscan.providers.azure.rules.credentials import (
    CredentialExpiry,
    CredentialLifetime,
    OwnerlessAppCredentials,
    SecretBesideFederatedCredential,
)
from nhiscan.providers.azure.rules.grants import (
    DangerousGraphPermission,
    PrivilegedArmRole,
    PrivilegedDirectoryRole,
)
from nhiscan.providers.azure.rules.multitenant import MultiTenantAppWithBroadAccess
from nhiscan.rules.base import Rule

RULES: tuple[Rule, ...] = (
    CredentialExpiry(),
    CredentialLifetime(),
    OwnerlessAppCredentials(),
    SecretBesideFederatedCredential(),
    PrivilegedArmRole(),
    PrivilegedDirectoryRole(),
    DangerousGraphPermission(),
    MultiTenantAppWithBroadAccess(),
)

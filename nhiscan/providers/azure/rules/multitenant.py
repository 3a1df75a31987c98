"""A multi-tenant application of this tenant (``signInAudience`` AzureADMultipleOrgs or
AzureADandPersonalMicrosoftAccount, kept on its service principal's ``Identity.audience``) that
holds live credentials and broad permissions here: one leaked secret of it signs in to every
tenant that installed it, and here with those permissions.

Broad: what NHI504-506 flag (a role that assigns Azure roles at a subscription or above, a
privileged directory role, active or eligible, a Graph permission that leads to another
identity's power). Whether the application's
instance property lock is on (docs/dev/azure-plan.md 5.3) is not in the records yet: the
finding does not claim either way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from nhiscan.providers.azure.rules.common import (
    MULTI_TENANT,
    app_credentials,
    live,
    tenant_label,
)
from nhiscan.providers.azure.rules.grants import arm_grants, directory_grants, graph_grants
from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Finding, Identity, Severity


def _broad(estate: Estate) -> dict[str, list[str]]:
    """Per service principal, its broad permissions in words."""
    found: dict[str, list[str]] = {}
    for arm in arm_grants(estate):
        found.setdefault(arm.identity.id, []).append(f"{arm.role} on {arm.where}")
    for held in directory_grants(estate):
        how = "eligible for " if held.eligible else ""
        scope = "" if held.scope == "/" else f" ({held.scope})"
        found.setdefault(held.identity.id, []).append(
            f"{how}directory role {held.role.name}{scope}"
        )
    for permission in graph_grants(estate):
        found.setdefault(permission.identity.id, []).append(
            f"Microsoft Graph {permission.permission.name}"
        )
    return found


def _own_multi_tenant(identity: Identity | None) -> bool:
    """A multi-tenant application registered in this tenant (a foreign one's credentials are
    its publisher's to manage)."""
    if identity is None or identity.audience not in MULTI_TENANT:
        return False
    return identity.home_account is None or identity.home_account == identity.account


def _credentials(estate: Estate, now: datetime) -> dict[str, list[str]]:
    held: dict[str, list[str]] = {}
    for found in app_credentials(estate):
        own = _own_multi_tenant(found.identity)
        if own and found.credential.holder is not None and live(found, now):
            held.setdefault(found.credential.identity, []).append(found.credential.id)
    return held


class MultiTenantAppWithBroadAccess:
    meta = RuleMeta(
        id="NHI507",
        name="azure-multi-tenant-app-with-credentials",
        severity=Severity.HIGH,
        summary=(
            "A multi-tenant application registered here holds live client secrets or "
            "certificates and its service principal has broad permissions in this tenant "
            "(Azure role administration at a subscription or above, a privileged directory "
            "role, a Graph permission over other identities). High: a leaked secret signs in "
            "as the app in every tenant that installed it, and here with that power."
        ),
        remediation=(
            "If other tenants do not need it, make it single-tenant (az ad app update --id "
            "APP_ID --sign-in-audience AzureADMyOrg); otherwise move it to certificates or "
            "federated credentials, keep its permissions here to what it needs, and turn on the "
            "app instance property lock (servicePrincipalLockConfiguration) so installing "
            "tenants cannot add credentials to its service principal."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        broad = _broad(estate)
        for sp_id, key_ids in sorted(_credentials(estate, ctx.now).items()):
            powers = broad.get(sp_id)
            identity = estate.identities.get(sp_id)
            if not powers or identity is None:
                continue
            tenant = tenant_label(estate, identity.account)
            yield make_finding(
                self.meta,
                subject=sp_id,
                provider=identity.provider,
                title=(
                    f"Multi-tenant application {identity.name} ({identity.audience}) in {tenant} "
                    f"has {len(key_ids)} live credential{'s' if len(key_ids) > 1 else ''} and "
                    f"{sorted(powers)[0]}{' and more' if len(powers) > 1 else ''}."
                ),
                evidence={
                    "tenant": identity.account,
                    "service_principal": sp_id,
                    "app_id": identity.native_id,
                    "sign_in_audience": identity.audience,
                    "key_ids": sorted(key_ids),
                    "permissions": sorted(powers),
                },
            )

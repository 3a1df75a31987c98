"""Client secrets and certificates of applications and service principals: past or near their
end date, valid for longer than the tenant's limit, on an application nobody owns, kept beside
federated credentials that made them unnecessary.

"Unused for N days" is not here: the neutral NHI002 (``rules/keys.py``) judges every long-lived
credential with a last-used date, Azure's included (``ProviderFacts.long_lived_credentials``),
and with no sign-in report (``appCredentialSignInActivities``, a gap in every export) it stays
silent instead of calling a credential unused. Managed identities' certificates (Azure issues
and rotates them) and Microsoft's first-party service principals are never judged.

The remediations' az commands are the Azure CLI reference's (learn.microsoft.com/cli/azure/ad/
app/credential: ``delete --id --key-id [--cert]``, ``reset --append``; ``az ad sp credential``,
``az ad app owner add``, ``az ad app federated-credential list``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from nhiscan.providers.azure.rules.common import (
    AppCredential,
    app_credentials,
    attached,
    credential_word,
    entries,
    live,
    tenant_label,
    title_case,
)
from nhiscan.rules.base import RuleContext, RuleMeta, days_between, make_finding
from nhiscan.rules.common import when
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import CredentialKind, Finding, PolicyKind, Severity

REMOVE = (
    "az ad app credential delete --id APP_ID --key-id KEY_ID (add --cert for a certificate; "
    "az ad sp credential delete --id SP_ID --key-id KEY_ID for one on the service principal)"
)


def _evidence(found: AppCredential, tenant: str) -> dict[str, object]:
    return {
        "tenant": tenant,
        "key_id": found.credential.id,
        "kind": found.credential.kind.value,
        "on": "application" if found.app is not None else "service-principal",
        "holder": found.holder,
        "service_principal": found.credential.identity,
        "app_id": found.app_id,
        "created": when(found.credential.created),
        "expires": when(found.credential.expires),
    }


class CredentialExpiry:
    meta = RuleMeta(
        id="NHI500",
        name="azure-credential-expiry",
        severity=Severity.LOW,
        summary=(
            "A client secret or certificate has expired but is still on its application or "
            "service principal (low: it no longer signs in, but it shows nobody rotates and "
            "cleans up the app), or expires within credential_expiry_warning_days (30, as "
            "Microsoft Entra's own recommendation; medium: whatever signs in with it breaks "
            "then). One finding per credential, whose evidence.case says which."
        ),
        remediation=(
            "Expiring: add a new credential (az ad app credential reset --id APP_ID --append "
            "--display-name NAME --end-date DATE), deploy it, then remove the old one. Expired: "
            f"remove it ({REMOVE}). Better, replace secrets with a federated credential or a "
            "managed identity."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        warning = ctx.thresholds.credential_expiry_warning_days
        horizon = ctx.now + timedelta(days=warning)
        for found in app_credentials(estate):
            expires = found.credential.expires
            if expires is None or expires > horizon:
                continue
            tenant = tenant_label(estate, found.credential.account)
            what = title_case(found.words())
            if expires <= ctx.now:
                case, days = "expired", days_between(expires, ctx.now)
                title = f"{what} in {tenant} expired {days} days ago and is still present."
                severity = Severity.LOW
            else:
                case, days = "expiring", days_between(ctx.now, expires)
                title = f"{what} in {tenant} expires in {days} days (warning at {warning})."
                severity = Severity.MEDIUM
            yield make_finding(
                self.meta,
                subject=found.credential.id,
                provider=found.credential.provider,
                title=title,
                evidence={**_evidence(found, tenant), "case": case, "days": days,
                          "warning_days": warning},
                severity=severity,
            )  # fmt: skip


class CredentialLifetime:
    meta = RuleMeta(
        id="NHI501",
        name="azure-credential-lifetime-too-long",
        severity=Severity.MEDIUM,
        summary=(
            "A live client secret or certificate is valid for longer than the limit "
            "(client_secret_max_lifetime_days, 180: Microsoft recommends rotating client "
            "secrets every six months; certificate_max_lifetime_days, 365). Medium: a leaked "
            "long-lived secret keeps working for as long as it stays valid."
        ),
        remediation=(
            "Replace it with a credential of a shorter life (az ad app credential reset --id "
            "APP_ID --append --end-date DATE), deploy that, then remove the old one "
            f"({REMOVE}); cap new ones with an Entra application management policy "
            "(passwordLifetime / asymmetricKeyLifetime restrictions)."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        lifecycle = ctx.thresholds
        for found in app_credentials(estate):
            credential = found.credential
            if credential.created is None or credential.expires is None:
                continue
            if not live(found, ctx.now):
                continue  # NHI500 reports it
            limit = (
                lifecycle.certificate_max_lifetime_days
                if credential.kind is CredentialKind.CERTIFICATE
                else lifecycle.client_secret_max_lifetime_days
            )
            lifetime = days_between(credential.created, credential.expires)
            if lifetime <= limit:
                continue
            tenant = tenant_label(estate, credential.account)
            yield make_finding(
                self.meta,
                subject=credential.id,
                provider=credential.provider,
                title=(
                    f"{title_case(found.words())} in {tenant} is valid for {lifetime} days "
                    f"(limit {limit})."
                ),
                evidence={**_evidence(found, tenant), "lifetime_days": lifetime,
                          "max_lifetime_days": limit},
            )  # fmt: skip


class OwnerlessAppCredentials:
    meta = RuleMeta(
        id="NHI502",
        name="azure-app-credentials-without-owner",
        severity=Severity.MEDIUM,
        summary=(
            "An application holds live client secrets or certificates and has no owner (its "
            "owners were read and the list is empty). Medium: nobody is accountable for rotating "
            "or revoking a credential that signs in today. Never claimed when owners were not "
            "collected: that is a collection gap (azure-export:app-owners)."
        ),
        remediation=(
            "Make the team that runs it an owner (az ad app owner add --id APP_ID "
            "--owner-object-id OBJECT_ID), or, if nobody claims it, remove its credentials "
            f"({REMOVE}) and delete the application (az ad app delete --id APP_ID)."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        owners = attached(estate, PolicyKind.ENTRA_OWNERS)
        by_app: dict[str, list[AppCredential]] = {}
        for found in app_credentials(estate):
            if found.credential.holder is not None and live(found, ctx.now):
                by_app.setdefault(found.credential.holder, []).append(found)
        for app_object, held in by_app.items():
            policy = owners.get(app_object)
            if policy is None or entries(policy):
                continue  # owners not read (a gap says so), or owned
            first = held[0]
            tenant = tenant_label(estate, first.credential.account)
            yield make_finding(
                self.meta,
                subject=app_object,
                provider=first.credential.provider,
                title=(
                    f"{title_case(first.where())} in {tenant} has no owner and {counted(held)}."
                ),
                evidence={
                    "tenant": tenant,
                    "application": app_object,
                    "app_id": first.app_id,
                    "owners_policy": policy.id,
                    "key_ids": [f.credential.id for f in held],
                },
            )


class SecretBesideFederatedCredential:
    meta = RuleMeta(
        id="NHI503",
        name="azure-secret-beside-federated-credential",
        severity=Severity.MEDIUM,
        summary=(
            "An application has federated identity credentials (a workload signs in with a "
            "token from its own issuer, no secret) and still holds live client secrets or "
            "certificates. Medium: the secret is no longer needed, and it is the one credential "
            "of the app that can leak and be used from anywhere."
        ),
        remediation=(
            "Confirm the workloads sign in with the federated credential (az ad app "
            "federated-credential list --id APP_ID), then remove the secrets and certificates "
            f"({REMOVE})."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        federated = attached(estate, PolicyKind.ENTRA_FEDERATED_CREDENTIALS)
        by_app: dict[str, list[AppCredential]] = {}
        for found in app_credentials(estate):
            if found.credential.holder is not None and live(found, ctx.now):
                by_app.setdefault(found.credential.holder, []).append(found)
        for app_object, held in by_app.items():
            trusts = entries(federated.get(app_object))
            if not trusts:
                continue
            first = held[0]
            tenant = tenant_label(estate, first.credential.account)
            issuers = sorted({f"{t.get('issuer')} {t.get('subject')}" for t in trusts})
            yield make_finding(
                self.meta,
                subject=app_object,
                provider=first.credential.provider,
                title=(
                    f"{title_case(first.where())} in {tenant} signs in with federated "
                    f"credentials and still holds {counted(held)}."
                ),
                evidence={
                    "tenant": tenant,
                    "application": app_object,
                    "app_id": first.app_id,
                    "key_ids": [f.credential.id for f in held],
                    "federated": issuers,  # issuer and subject of each
                },
            )


def counted(held: list[AppCredential]) -> str:
    """'1 live client secret', '2 live client secrets and 1 live certificate'."""
    counts: dict[str, int] = {}
    for found in held:
        word = credential_word(found.credential)
        counts[word] = counts.get(word, 0) + 1
    return " and ".join(
        f"{n} live {word}{'s' if n > 1 else ''}" for word, n in sorted(counts.items())
    )

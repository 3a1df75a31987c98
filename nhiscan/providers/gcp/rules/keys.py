"""User-managed service account keys: one Google disabled because it found it exposed, one
that never expires, an enabled one of a disabled account. Google-managed (system) keys and the
keys of service agents are the provider's and never flagged."""

from __future__ import annotations

from collections.abc import Iterator

from nhiscan.providers.gcp.rules.common import account_name, user_keys
from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.rules.common import when
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import CredentialStatus, Finding, Severity

EXPOSED_REASONS = frozenset({"exposed", "compromise-detected"})


class ExposedKey:
    meta = RuleMeta(
        id="NHI400",
        name="gcp-key-exposed",
        severity=Severity.CRITICAL,
        summary=(
            "Google disabled a user-managed service account key because it found the key "
            "exposed (published, or its use showed compromise)."
        ),
        remediation=(
            "Treat the key as stolen: review the account's activity in the audit logs, delete "
            "the key (gcloud iam service-accounts keys delete KEY_ID "
            "--iam-account=SA_EMAIL), remove the key file from wherever it was published, "
            "and move the workload to keyless authentication."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for credential, owner in user_keys(estate):
            if credential.status_reason not in EXPOSED_REASONS:
                continue
            name = account_name(credential, owner)
            found = sorted(
                f"{x.repository}:{x.path}:{x.line}"
                for x in estate.snapshot.exposures
                if credential.fingerprint is not None and x.fingerprint == credential.fingerprint
            )
            yield make_finding(
                self.meta,
                subject=credential.id,
                provider=credential.provider,
                title=f"Key {credential.id} of {name} was disabled by Google as exposed.",
                evidence={
                    "service_account": name,
                    "key_id": credential.id,
                    "reason": credential.status_reason,
                    "created": when(credential.created),
                    "fingerprint": credential.fingerprint,
                    "found_in": found,  # git exposures of the same key, when scanned
                },
            )


class NeverExpiringKey:
    meta = RuleMeta(
        id="NHI401",
        name="gcp-key-never-expires",
        severity=Severity.MEDIUM,
        summary="An enabled user-managed service account key has no expiry time.",
        remediation=(
            "Replace the key with keyless authentication (workload identity federation, an "
            "attached service account, or impersonation) and delete it (gcloud iam "
            "service-accounts keys delete KEY_ID --iam-account=SA_EMAIL); where keys must "
            "stay, enforce an expiry with the constraints/iam.serviceAccountKeyExpiryHours "
            "organization policy."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for credential, owner in user_keys(estate):
            if credential.expires is not None or credential.status is not CredentialStatus.ACTIVE:
                continue
            name = account_name(credential, owner)
            yield make_finding(
                self.meta,
                subject=credential.id,
                provider=credential.provider,
                title=f"Key {credential.id} of {name} never expires.",
                evidence={
                    "service_account": name,
                    "key_id": credential.id,
                    "created": when(credential.created),
                },
            )


class DisabledAccountEnabledKey:
    meta = RuleMeta(
        id="NHI402",
        name="gcp-disabled-account-with-enabled-key",
        severity=Severity.MEDIUM,
        summary=(
            "A disabled service account still has an enabled user-managed key: re-enabling "
            "the account makes the key work again."
        ),
        remediation=(
            "If the account is retired, delete its keys (gcloud iam service-accounts keys "
            "delete KEY_ID --iam-account=SA_EMAIL) and then the account; otherwise disable "
            "the key (gcloud iam service-accounts keys disable KEY_ID --iam-account=SA_EMAIL)."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for credential, owner in user_keys(estate):
            if owner is None or owner.disabled is not True:
                continue
            if credential.status is not CredentialStatus.ACTIVE:
                continue
            yield make_finding(
                self.meta,
                subject=credential.id,
                provider=credential.provider,
                title=f"Disabled service account {owner.id} has enabled key {credential.id}.",
                evidence={
                    "service_account": owner.id,
                    "key_id": credential.id,
                    "created": when(credential.created),
                },
            )

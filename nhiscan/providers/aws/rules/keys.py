"""IAM users with a console login and access keys: a person's account used by automation, or a
machine with a person's login. Only active access keys count (an inactive key cannot sign)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.rules.common import active_keys, when
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Finding,
    Identity,
    IdentityKind,
    Severity,
)


class ConsoleAndAccessKeys:
    meta = RuleMeta(
        id="NHI004",
        name="console-and-access-keys",
        severity=Severity.MEDIUM,
        summary=(
            "A user has both a console password and an active access key: a person's account "
            "used by automation, or a machine with a person's login."
        ),
        remediation=(
            "Split the uses: a person signs in through SSO (or keeps the password with MFA "
            "and no keys); automation gets its own identity, preferably a role, and the "
            "other credential is removed from this user."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for identity in sorted(estate.identities.values(), key=lambda i: i.id):
            if identity.kind is not IdentityKind.IAM_USER:
                continue
            credentials = estate.credentials(identity.id)
            login = _console_login(identity, credentials)
            keys = active_keys(credentials)
            if login is None or not keys:
                continue
            yield make_finding(
                self.meta,
                subject=identity.id,
                provider=identity.provider,
                title=f"User {identity.name} has a console password and active access keys.",
                evidence={
                    "identity": identity.id,
                    "console_evidence": login,
                    "password_last_used": when(identity.password_last_used),
                    "key_ids": [k.id for k in keys],
                    "is_human": identity.is_human,
                },
            )


def _console_login(identity: Identity, credentials: Sequence[Credential]) -> str | None:
    """What shows the user has a console password, or None."""
    if identity.console_access:
        return "console_access"
    for credential in credentials:
        if credential.kind is CredentialKind.PASSWORD and credential.status not in (
            CredentialStatus.INACTIVE,
            CredentialStatus.EXPIRED,
        ):
            return "password credential"
    return None

"""Access-key lifecycle: keys too old, keys unused, too many keys.

Only active long-lived credentials count (``common.is_active_key``: an AWS access key, and any
kind a provider's facts call long-lived): an inactive key cannot sign requests. Ages and idle
times are whole days (``ctx.now`` minus the date, rounded down) and a threshold is crossed when
the whole days are *more than* it, so a key exactly ``key_max_age_days`` old is not yet a
finding. A key whose creation date is unknown has no age and is not judged on age.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.rules.common import (
    active_keys,
    credential_word,
    credentials_by_identity,
    days_since,
    describe,
    has_gap,
    when,
)
from nhiscan.rules.thresholds import LifecycleThresholds
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import (
    Credential,
    Finding,
    Severity,
)
from nhiscan.scanner.provider import ProviderSet


class AccessKeyTooOld:
    """NHI001: an active long-lived key older than ``key_max_age_days`` (90).

    Not for a credential its provider judges by its lifetime (``ProviderFacts.
    lifetime_judged_credentials``): an Azure client secret or certificate with an end date
    (every one Graph returns has ``endDateTime``; ``addPassword`` defaults it to two years): in
    Entra the rotation control is the credential's lifetime, set when it is created, and the
    Azure rules judge exactly that. NHI501 reports a live one valid for longer than
    ``client_secret_max_lifetime_days`` (180) or ``certificate_max_lifetime_days`` (365), NHI500
    one expiring within ``credential_expiry_warning_days`` or expired and still present. An age
    limit of 90 days beside them would report the same long-lived secret twice, and would
    contradict the lifetime limits (a certificate the tenant allows for a year is "too old" at
    91 days). One without an end date (none the documented API returns) is still judged here.
    """

    meta = RuleMeta(
        id="NHI001",
        name="access-key-too-old",
        severity=Severity.MEDIUM,
        summary=(
            "An active access key is older than the rotation limit (key_max_age_days). Azure "
            "client secrets and certificates with an end date are judged on their lifetime "
            "instead (NHI500, NHI501)."
        ),
        remediation=(
            "Rotate the key: create a new key, deploy it where the old one is used, confirm "
            "the old key's last use stops, then deactivate and delete it. Better, replace the "
            "long-lived key with a role the workload assumes (instance profile, IRSA, OIDC)."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        limit = ctx.thresholds.key_max_age_days
        for identity_id, credentials in credentials_by_identity(estate):
            who = describe(estate.identities.get(identity_id), identity_id, ctx.providers)
            for key in active_keys(credentials, ctx.providers):
                if key.created is None or _lifetime_judged(key, ctx):
                    continue
                age = days_since(key.created, ctx.now)
                if age <= limit:
                    continue
                what = _capital(credential_word(key, ctx.providers))
                yield make_finding(
                    self.meta,
                    subject=identity_id,
                    provider=key.provider,
                    title=f"{what} {key.id} of {who} is {age} days old (limit {limit}).",
                    evidence={
                        "key_id": key.id,
                        "identity": identity_id,
                        "created": when(key.created),
                        "age_days": age,
                        "max_age_days": limit,
                    },
                    key=(key.id,),
                )


def _lifetime_judged(key: Credential, ctx: RuleContext) -> bool:
    """A credential with an end date whose provider judges it by its lifetime instead."""
    judged = ctx.providers.facts(key.provider).lifetime_judged_credentials
    return key.expires is not None and key.kind in judged


class AccessKeyUnused:
    meta = RuleMeta(
        id="NHI002",
        name="access-key-unused",
        severity=Severity.MEDIUM,
        summary=(
            "An active access key has not been used for key_unused_days, or has never been "
            "used since it was created more than key_never_used_grace_days ago."
        ),
        remediation=(
            "Deactivate the key; delete it after a waiting period if nothing breaks. A key "
            "nobody uses is only a key somebody could steal."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        lifecycle = ctx.thresholds
        for identity_id, credentials in credentials_by_identity(estate):
            who = describe(estate.identities.get(identity_id), identity_id, ctx.providers)
            for key in active_keys(credentials, ctx.providers):
                idle = _idleness(key, ctx.now, lifecycle)
                if idle is None or (
                    idle[0] == "never-used" and _last_use_unknown(estate, key, ctx.providers)
                ):
                    continue
                case, days, limit = idle
                what = _capital(credential_word(key, ctx.providers))
                yield make_finding(
                    self.meta,
                    subject=identity_id,
                    provider=key.provider,
                    title=_unused_title(f"{what} {key.id}", who, case, days),
                    evidence={
                        "key_id": key.id,
                        "identity": identity_id,
                        "case": case,
                        "created": when(key.created),
                        "last_used": when(key.last_used),
                        "days": days,
                        "threshold_days": limit,
                    },
                    key=(key.id,),
                )


def _idleness(
    key: Credential, now: datetime, lifecycle: LifecycleThresholds
) -> tuple[str, int, int] | None:
    """("unused", days since last use, limit) or ("never-used", age, grace), or None."""
    if key.last_used is not None:
        idle = days_since(key.last_used, now)
        limit = lifecycle.key_unused_days
        return ("unused", idle, limit) if idle > limit else None
    if key.created is None:
        return None
    age = days_since(key.created, now)
    grace = lifecycle.key_never_used_grace_days
    return ("never-used", age, grace) if age > grace else None


def _last_use_unknown(estate: Estate, key: Credential, providers: ProviderSet) -> bool:
    """A missing last-used date is "never used" only when collecting it did not fail: no gap
    on the key, nor on its identity in an operation that reports keys' last use (the
    provider's ``last_used_operations["credential"]``; none known, as for a cloud no registered
    provider describes: any gap on the identity or, naming no subject, on its account)."""
    operations = providers.facts(key.provider).last_used_operations.get("credential")
    if has_gap(estate, key.id):
        return True
    if operations is None:
        return has_gap(estate, key.identity, account=key.account)
    # A gap on such an operation for the key's whole account (no subject) counts too.
    return bool(operations) and has_gap(estate, key.identity, operations, account=key.account)


def _unused_title(key: str, who: str, case: str, days: int) -> str:
    if case == "never-used":
        return f"{key} of {who} was never used in the {days} days since its creation."
    return f"{key} of {who} has not been used for {days} days."


class MultipleActiveKeys:
    meta = RuleMeta(
        id="NHI003",
        name="multiple-active-keys",
        severity=Severity.LOW,
        summary="An identity has two or more active access keys.",
        remediation=(
            "Keep one active key per identity. Two are normal only for the hours of a "
            "rotation: find which key is still used (its last-used date), deactivate the other."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for identity_id, credentials in credentials_by_identity(estate):
            keys = active_keys(credentials, ctx.providers)
            if len(keys) < 2:
                continue
            who = describe(estate.identities.get(identity_id), identity_id, ctx.providers)
            words = sorted({credential_word(k, ctx.providers) for k in keys})
            what = f"{words[0]}s" if len(words) == 1 else "long-lived credentials"
            yield make_finding(
                self.meta,
                subject=identity_id,
                provider=keys[0].provider,
                title=f"{_capital(who)} has {len(keys)} active {what}.",
                evidence={
                    "identity": identity_id,
                    "key_ids": [k.id for k in keys],
                    "last_used": {k.id: when(k.last_used) for k in keys},
                },
            )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]

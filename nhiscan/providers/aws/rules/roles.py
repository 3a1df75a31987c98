"""Roles nobody assumes any more.

AWS records a role's last use (RoleLastUsed, kept for 400 days), read here as
``Identity.last_used``. When it is None the role may never have been used, so a role is
flagged as never used only once it was created more than ``role_unused_days`` ago, and not
when collecting its last use failed (a gap naming the role, or one covering its account).
Days are whole days and a threshold is crossed when they are *more than* it. Service-linked
roles are skipped: they live and die with the AWS service that made them. A role an audit trail
or IAM's last-accessed data covers is left to NHI704 (unused-identity), which judges it from
every use known: one finding per role.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from nhiscan.providers.aws.facts import ROLE_LAST_USED_OPERATIONS
from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.rules.common import days_since, has_gap, when
from nhiscan.rules.unused import covered_roles
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Finding, Identity, IdentityKind, Severity

# The API calls that report a role's last use; a gap in one means "last used" is unknown.


class RoleUnused:
    meta = RuleMeta(
        id="NHI008",
        name="role-unused",
        severity=Severity.LOW,
        summary=(
            "A role (not service-linked) has not been used for role_unused_days, or has never "
            "been used and was created more than role_unused_days ago."
        ),
        remediation=(
            "Confirm with its owner that nothing assumes it (check CloudTrail for "
            "AssumeRole calls), then remove its permissions and delete it. Unused roles are "
            "standing access nobody watches."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        limit = ctx.thresholds.role_unused_days
        covered = covered_roles(estate, ctx)
        for role in sorted(estate.identities.values(), key=lambda i: i.id):
            if role.kind is not IdentityKind.IAM_ROLE or role.service_linked:
                continue
            if role.id in covered:
                continue
            idle = _idleness(role, ctx.now, limit)
            if idle is None:
                continue
            case, days = idle
            if case == "never-used" and _last_use_unknown(estate, role):
                continue
            yield make_finding(
                self.meta,
                subject=role.id,
                provider=role.provider,
                title=_title(role.name, case, days),
                evidence={
                    "role": role.id,
                    "case": case,
                    "created": when(role.created),
                    "last_used": when(role.last_used),
                    "days": days,
                    "threshold_days": limit,
                },
            )


def _idleness(role: Identity, now: datetime, limit: int) -> tuple[str, int] | None:
    """("unused", days since last use) or ("never-used", age in days), or None."""
    if role.last_used is not None:
        idle = days_since(role.last_used, now)
        return ("unused", idle) if idle > limit else None
    if role.created is None:
        return None
    age = days_since(role.created, now)
    return ("never-used", age) if age > limit else None


def _last_use_unknown(estate: Estate, role: Identity) -> bool:
    """Whether the call reporting the role's last use failed, for it or its whole account
    (without GAAD, roles come from iam:ListRoles, which has no RoleLastUsed)."""
    return has_gap(estate, role.id, ROLE_LAST_USED_OPERATIONS, account=role.account)


def _title(name: str, case: str, days: int) -> str:
    if case == "never-used":
        return f"Role {name} was never used in the {days} days since its creation."
    return f"Role {name} has not been used for {days} days."

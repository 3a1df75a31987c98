"""The thresholds the rules judge by: ``[lifecycle]`` in nhiscan.toml (read by
``nhiscan.app.config``), handed to the rules in ``RuleContext.thresholds``; and what
``[federation]`` tells them of the GitHub owners' repositories (``RuleContext.federation``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class LifecycleThresholds:
    key_max_age_days: int = 90
    key_unused_days: int = 45
    # A key never used since creation is flagged once it is this old (time to deploy it).
    key_never_used_grace_days: int = 7
    role_unused_days: int = 90
    # Tag keys that name an owner, compared without regard to case.
    owner_tag_keys: tuple[str, ...] = ("owner",)
    # Groups whose members are too many to hold a service-account role (an all-staff list):
    # e-mail addresses (``group:`` prefix optional), compared without regard to case. None is
    # guessed from its name; a binding to one of these is public enough for NHI405.
    broad_groups: tuple[str, ...] = ()
    # Application credentials (Azure client secrets and certificates). Warn this many days
    # before one expires: Microsoft Entra's own "Renew expiring application credentials"
    # recommendation uses 30 (learn.microsoft.com/entra/identity/monitoring-health/
    # recommendation-renew-expiring-application-credential).
    credential_expiry_warning_days: int = 30
    # The longest validity (end minus start) a client secret may be given: Microsoft "strongly
    # recommends that all client secrets are rotated every six months" (Microsoft identity
    # platform team, "Client Secret expiration now limited to a maximum of two years",
    # devblogs.microsoft.com/microsoft365dev).
    client_secret_max_lifetime_days: int = 180
    # ... and a certificate: one year (our default; Microsoft names no figure for certificates,
    # its app management policies leave keyLifetime to the tenant).
    certificate_max_lifetime_days: int = 365


@dataclass(frozen=True, slots=True, kw_only=True)
class FederationSettings:
    """``[federation]`` in nhiscan.toml: what the scan knows of the CI owners' repositories."""

    # Every repository ("owner/name") of the owners named here: each owner's complete list.
    github_repositories: tuple[str, ...] = ()
    # Owners whose repositories are all among the scanned ones (``--repo``).
    github_owners: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivitySettings:
    """[activity] of nhiscan.toml: what the audit trail analysis (issue #19) calls unused."""

    # A grant or identity is unused when nothing used it in this many days before the scan
    # (or --as-of); every unused grant and stale identity states its last use when known.
    unused_days: int = 90
    # NHI300's least-privilege policy from the needs the trail saw used (planned ∩ used)
    # rather than every need of the plan (scan --least-privilege used).
    least_privilege_used: bool = False

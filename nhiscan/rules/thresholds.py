"""The thresholds the rules judge by: ``[lifecycle]`` in nhiscan.toml (read by
``nhiscan.app.config``), handed to the rules in ``RuleContext.thresholds``."""

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

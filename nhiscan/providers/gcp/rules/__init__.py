"""The GCP provider's rules (NHI400+): exposed, never-expiring and orphaned user-managed keys,
basic roles on service accounts, public service-account bindings and deleted members.
``RULES`` is the provider's part of the rule registry: its registry entry names this module
(``nhiscan.providers.ProviderEntry.rules``, contract in ``nhiscan.rules.provider``)."""

from __future__ import annotations

from nhiscan.providers.gcp.rules.bindings import (
    BasicRoleServiceAccount,
    DefaultAccountEditor,
    DeletedMemberBinding,
    PublicServiceAccountBinding,
)
from nhiscan.providers.gcp.rules.keys import DisabledAccountEnabledKey, ExposedKey, NeverExpiringKey
from nhiscan.rules.base import Rule

RULES: tuple[Rule, ...] = (
    ExposedKey(),
    NeverExpiringKey(),
    DisabledAccountEnabledKey(),
    BasicRoleServiceAccount(),
    DefaultAccountEditor(),
    PublicServiceAccountBinding(),
    DeletedMemberBinding(),
)
